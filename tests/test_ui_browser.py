"""End to end in a real browser: `qa serve` (a subprocess, real embedding model, the sample
collection) driven by headless Chromium through Playwright, and by gradio_client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.servers import free_port, start, stop
from tests.browser import browser_page
from tests.conftest import SAMPLE_DIR

pytestmark = [pytest.mark.slow, pytest.mark.integration]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
QUESTION = "Who was summoned and why?"
ANSWER_TIMEOUT_MS = 180_000  # the first question waits for the embedding model to load


def qa(*args: str, env: dict, timeout: float = 600) -> subprocess.CompletedProcess:
    code = "from qa.cli import main; main(prog_name='qa')"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`qa serve` on a free loopback port over the sample collection; stopped at the end,
    whatever happens."""
    base = tmp_path_factory.mktemp("ui-e2e")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QA_", "GRADIO_"))}
    env.update(
        QA_DATA_DIR=str(base / "qa-data"),
        QA_ANSWER_MODE="extractive",  # deterministic, and no LLM needed
        GRADIO_TEMP_DIR=str(base / "gradio"),
        GRADIO_ANALYTICS_ENABLED="False",
        ANONYMIZED_TELEMETRY="False",
    )
    indexed = qa("index", str(SAMPLE_DIR), env=env)
    assert indexed.returncode == 0, indexed.stderr
    port = free_port()
    log = base / "serve.log"
    url = f"http://127.0.0.1:{port}/"
    command = [sys.executable, "-c", "from qa.cli import main; main(prog_name='qa')", "serve"]
    process = start(command, url, log, env={**env, "QA_PORT": str(port)}, timeout=240, cwd=ROOT)
    try:
        yield {"url": url, "env": env}
    finally:
        stop(process)


@pytest.fixture(scope="module")
def api_answer(server) -> dict:
    from gradio_client import Client

    return Client(server["url"], verbose=False).predict(QUESTION, api_name="/ask")


@pytest.fixture(scope="module")
def page(server):
    with browser_page(server["url"]) as page:
        yield page


def test_gradio_client_gets_the_answer_with_exact_citations(server, api_answer):
    assert not api_answer["refused"] and "Zinoviev" in api_answer["answer"]
    assert api_answer["citations"]
    for c in api_answer["citations"]:
        shown = qa("docs", "show", c["doc_id"], "--json", env=server["env"])
        assert json.loads(shown.stdout)["text"][c["start"] : c["end"]] == c["quote"]


def test_asking_in_the_browser_and_checking_a_citation(page, api_answer):
    page.fill("#qa-question textarea", QUESTION)
    page.click("#qa-ask")
    page.wait_for_selector("#qa-turn-0 .qa-cite", timeout=ANSWER_TIMEOUT_MS)
    answer_text = page.text_content("#qa-turn-0 .qa-answer-text")
    assert "Zinoviev" in answer_text and "ambassador" in answer_text.lower()
    buttons = page.locator("#qa-turn-0 .qa-cite")
    assert buttons.count() >= len(api_answer["citations"]) >= 1

    # The citation that names the ambassador: click it and compare the highlight with its quote.
    citation = next(c for c in api_answer["citations"] if "Zinoviev" in c["quote"])
    page.click(f'#qa-turn-0 .qa-cite[data-n="{citation["n"]}"]')
    mark = page.wait_for_selector(
        f'#qa-source-panel mark.qa-cited[data-start="{citation["start"]}"]', timeout=30_000
    )
    assert mark.text_content() == citation["quote"]
    assert mark.get_attribute("data-doc") == citation["doc_id"]
    assert mark.get_attribute("data-end") == str(citation["end"])
    assert citation["title"][:20] in page.text_content("#qa-source-panel .qa-source-title")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui.png"), full_page=True)


def test_a_bad_upload_shows_an_error_and_keeps_the_collection(page, server, tmp_path):
    page.get_by_role("tab", name="Documents").click()
    count = page.wait_for_selector("#qa-doc-list .qa-doc-count").get_attribute("data-count")
    assert count == "2"
    empty, broken = tmp_path / "empty.txt", tmp_path / "broken.pdf"
    empty.write_bytes(b"")
    broken.write_bytes(bytes(range(256)) * 16)
    page.set_input_files("#qa-upload input[type=file]", [str(empty), str(broken)])
    # A download link appears once a file has reached the server.
    page.wait_for_selector("#qa-upload a[download='broken.pdf']", timeout=30_000)
    page.wait_for_selector("#qa-upload a[download='empty.txt']", timeout=30_000)
    page.click("#qa-index")
    page.wait_for_selector("#qa-doc-status .qa-failures", timeout=60_000)
    status = page.text_content("#qa-doc-status")
    assert "empty.txt: empty file" in status
    assert "broken.pdf: unreadable PDF" in status or "broken.pdf: PDF has no" in status
    assert "Traceback" not in status
    assert page.get_attribute("#qa-doc-list .qa-doc-count", "data-count") == "2"
    listed = qa("docs", "list", "--json", env=server["env"])
    assert len(json.loads(listed.stdout)) == 2
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-documents.png"), full_page=True)
