"""Generate mode with the real packaged GGUF (llama.cpp), locally and behind a real
OpenAI-compatible server (llama_cpp.server on 127.0.0.1)."""

import sys

import pytest

from harness.servers import free_port, start, stop
from qa.chat import ChatSession
from qa.factory import build_assistant, build_indexer
from qa.llm import OpenAICompatibleLLM
from qa.weights import DEFAULT_MODEL, resolve_model_path
from tests.conftest import SAMPLE_DIR

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real_settings(tmp_path_factory):
    from qa.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("gen") / "qa-data", answer_mode="generate")
    build_indexer(settings).index([SAMPLE_DIR])
    return settings


def _check_grounded(assistant, answer):
    assert all(s.supported for s in answer.sentences)
    for c in answer.citations:
        assert assistant.manifest.text(c.doc_id)[c.start : c.end] == c.quote
    numbers = {c.n for c in answer.citations}
    for s in answer.sentences:
        assert s.citations and set(s.citations) <= numbers


def test_local_model_answers_follows_up_and_refuses(real_settings):
    assistant = build_assistant(real_settings)
    session = ChatSession(assistant)
    first = session.ask("Who was summoned and why?", mode="generate")
    assert not first.refused and "Zinoviev" in first.answer
    assert first.draft  # the model really wrote something
    _check_grounded(assistant, first)

    follow_up = session.ask("What did he say in response?", mode="generate")
    # "he" is the ambassador the first answer named, not South Korea
    standalone = follow_up.standalone_question
    assert any(w in standalone for w in ("Zinoviev", "mbassador", "envoy")), standalone
    assert not follow_up.refused
    _check_grounded(assistant, follow_up)

    unrelated = session.ask("What is the boiling point of mercury in kelvin?", mode="generate")
    assert unrelated.refused and unrelated.answer == "Not found in the documents."
    assert unrelated.closest


def test_a_shown_sentence_keeps_who_warned_whom(real_settings):
    assistant = build_assistant(real_settings)
    answer = assistant.ask("What did Putin warn South Korea about?", mode="generate")
    assert not answer.refused
    _check_grounded(assistant, answer)
    for sentence in answer.sentences:
        if " warn" in sentence.text:  # whoever warns in a shown sentence, it is Putin
            assert "Putin" in sentence.text.split(" warn")[0], sentence.text


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    port = free_port()
    base = f"http://127.0.0.1:{port}/v1"
    process = start(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(resolve_model_path(DEFAULT_MODEL)),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_threads",
            "2",
            "--n_ctx",
            "2048",
            "--model_alias",
            "local",
        ],
        f"{base}/models",
        tmp_path_factory.mktemp("llama-server") / "server.log",
        timeout=120,
    )
    try:
        yield base
    finally:
        stop(process)


@pytest.mark.integration
def test_openai_compatible_endpoint(real_settings, llama_server):
    llm = OpenAICompatibleLLM(llama_server, "local")
    assert "Paris" in llm.complete([{"role": "user", "content": "The capital of France is?"}], 16)
    assistant = build_assistant(real_settings, llm=llm)
    answer = assistant.ask("Who was summoned and why?", mode="generate")
    assert not answer.refused and "Zinoviev" in answer.answer
    _check_grounded(assistant, answer)


def test_endpoint_errors_are_one_line(real_settings):
    from qa.llm import LLMError

    llm = OpenAICompatibleLLM(f"http://127.0.0.1:{free_port()}/v1", "none")
    with pytest.raises(LLMError, match="cannot reach the LLM endpoint"):
        llm.complete([{"role": "user", "content": "hi"}], 8)
