"""The web surface under attack: hostile markup in documents and in model output stays inert in a
real browser; Gradio's file routes serve nothing of ours; oversized questions are turned away.

One app is served in this process (hash embedder, scripted LLM) on 127.0.0.1, with its data
directory inside Gradio's own upload folder, so only `blocked_paths` stands between the Chroma
and manifest files and the file routes."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser import browser_page
from tests.fakes import ScriptedLLM
from tests.hostile.web_payloads import FORBIDDEN_TAGS, llm_reply, payloads, write_documents
from tests.processes import serving

pytestmark = pytest.mark.integration

QUESTION = "What did the harbour festival note record?"
EXTRACTIVE_QUESTION = "Which lines did the harbour festival log keep?"
SECRET = "secret-upload-content-7f3a"


class LeakListener(http.server.ThreadingHTTPServer):
    """Records every request a page makes to it: a followed payload shows up here."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                listener.hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


class SlowScriptedLLM(ScriptedLLM):
    """Streams slowly enough for the browser to render the draft."""

    def stream(self, messages, max_tokens):
        for piece in super().stream(messages, max_tokens):
            time.sleep(0.004)
            yield piece


@pytest.fixture(scope="module")
def leak():
    listener = LeakListener()
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    yield listener
    listener.shutdown()
    listener.server_close()


@pytest.fixture(scope="module")
def served(tmp_path_factory, leak):
    """The app on a free loopback port over the payload documents."""
    from qa.settings import Settings

    base = tmp_path_factory.mktemp("web-surface")
    gradio_dir = base / "gradio"
    data_dir = gradio_dir / "qa-data"
    reply = llm_reply(leak.url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRADIO_TEMP_DIR", str(gradio_dir))
        patch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
        import qa.factory

        build_assistant = qa.factory.build_assistant
        llm = SlowScriptedLLM(lambda messages: reply)
        patch.setattr(
            qa.factory,
            "build_assistant",
            lambda settings, embedder=None, **kw: build_assistant(
                settings, embedder, collection=kw.get("collection"), llm=llm
            ),
        )
        settings = Settings(
            data_dir=data_dir, answer_mode="generate", show_unverified=True, top_k=6
        )
        documents = write_documents(base / "docs", leak.url)
        (data_dir / "uploads").mkdir(parents=True)
        (data_dir / "uploads" / "secret.txt").write_text(SECRET)
        (gradio_dir / "control.txt").write_text("served on purpose")
        with serving(settings, documents) as (url, backend):
            yield {
                "url": url.rstrip("/"),
                "port": urlsplit(url).port,
                "data": data_dir,
                "gradio": gradio_dir,
                "backend": backend,
                "llm": llm,
            }


# --- path traversal ------------------------------------------------------------------------------


def raw_get(port: int, target: str) -> tuple[int, bytes]:
    """GET exactly `target` (no client-side normalisation of `..` or encodings)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(
            f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
        )
        response = b""
        while chunk := conn.recv(65536):
            response += chunk
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def traversal_targets(data: Path, gradio: Path, leak: str) -> dict[str, str]:
    chroma = next(data.glob("chroma/*.sqlite3"))
    manifest = next(data.glob("*.manifest.sqlite3"))
    secret = data / "uploads" / "secret.txt"
    up = "../" * 12
    inside = secret.relative_to(gradio)
    return {
        "chroma file": f"/gradio_api/file={chroma}",
        "manifest": f"/gradio_api/file={manifest}",
        "uploads dir file": f"/gradio_api/file={secret}",
        "legacy route": f"/file={manifest}",
        "deprecated slash route": f"/gradio_api/file/{secret}",
        "etc passwd": "/gradio_api/file=/etc/passwd",
        "dot-dot from the upload folder": f"/gradio_api/file={gradio}/{up}etc/passwd",
        "dot-dot back into the data dir": f"/gradio_api/file={gradio}/x/../{inside}",
        "encoded slashes": f"/gradio_api/file={gradio}/" + "..%2f" * 12 + "etc%2fpasswd",
        "encoded dots": f"/gradio_api/file={gradio}/" + "%2e%2e/" * 12 + "etc/passwd",
        "double encoded": f"/gradio_api/file={gradio}/" + "%252e%252e%252f" * 12 + "etc/passwd",
        "mixed case": f"/gradio_api/file={str(manifest.parent).upper()}/{manifest.name}",
        "backslashes": f"/gradio_api/file={gradio}\\" + "..\\" * 12 + "etc\\passwd",
        "dot segment into data dir": f"/gradio_api/file={data}/./chroma/../{manifest.name}",
        "relative path": f"/gradio_api/file={up}etc/passwd",
        "file url": "/gradio_api/file=file:///etc/passwd",
        "static route": "/static/" + "..%2f" * 12 + "etc/passwd",
        "loopback url": f"/gradio_api/file={leak}/ssrf",
    }


def test_gradio_serves_its_own_files(served):
    status, body = raw_get(served["port"], f"/gradio_api/file={served['gradio']}/control.txt")
    assert status == 200 and body.endswith(b"served on purpose")  # the route is the real one


def test_file_routes_refuse_every_traversal(served, leak):
    targets = traversal_targets(served["data"], served["gradio"], leak.url)
    assert len(targets) >= 15
    served_anyway = {}
    for name, target in targets.items():
        status, body = raw_get(served["port"], target)
        leaked = any(s in body for s in (b"root:x:0:0", b"SQLite format 3", SECRET.encode()))
        if not 400 <= status < 500 or leaked:
            served_anyway[name] = (target, status, body[:80])
    assert served_anyway == {}
    assert leak.hits == []


# --- oversized questions --------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2001, 100_000])
def test_an_oversized_question_is_refused_over_http_before_retrieval(served, size):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    embedder = served["backend"]._embedder
    calls = embedder.calls
    with pytest.raises(AppError, match="the question is too long"):
        Client(served["url"], verbose=False).predict("x" * size, api_name="/ask")
    assert embedder.calls == calls


# --- the page in a real browser -------------------------------------------------------------------

INERT_CHECK = """([selector, forbidden]) => {
  const root = document.querySelector(selector);
  if (!root) return ['missing ' + selector];
  const found = [];
  root.querySelectorAll(forbidden).forEach((e) => found.push(e.outerHTML.slice(0, 100)));
  root.querySelectorAll('*').forEach((e) => {
    for (const a of e.attributes) {
      const link = ['href', 'src', 'action', 'formaction', 'srcdoc', 'xlink:href'];
      if (a.name.startsWith('on') || (link.includes(a.name) && !/^https?:/i.test(a.value)))
        found.push(e.tagName + ' ' + a.name + '=' + a.value.slice(0, 60));
    }
  });
  return found;
}"""


def _record_dialogs(page) -> None:
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))


@pytest.fixture(scope="module")
def page(served):
    with browser_page(served["url"], prepare=_record_dialogs) as page:
        yield page


def squeeze(text: str) -> str:
    return "".join(text.split())


def assert_inert(page, leak, *selectors: str) -> None:
    page.mouse.move(10, 10)
    for y in range(50, 1000, 150):  # over anything an onmouseover might sit on
        page.mouse.move(700, y, steps=3)
    page.wait_for_timeout(300)  # let any image, frame or style request go out
    fired = page.evaluate("Object.keys(window).filter((k) => k.startsWith('__xss'))")
    assert fired == [] and page.dialogs == [] and leak.hits == []
    for selector in selectors:
        assert page.evaluate(INERT_CHECK, [selector, FORBIDDEN_TAGS]) == [], selector


@pytest.mark.slow
def test_payloads_in_the_draft_the_answer_and_the_citations_stay_text(page, served, leak):
    turn = f"#qa-turn-{page.locator('#qa-conversation .qa-turn').count()}"
    page.fill("#qa-question textarea", QUESTION)
    page.click("#qa-ask")
    page.wait_for_selector("#qa-conversation .qa-draft", timeout=30_000)
    assert page.evaluate("Object.keys(window).filter((k) => k.startsWith('__xss'))") == []
    page.wait_for_selector(f"{turn} .qa-answer-text", timeout=60_000)
    # Every payload is on the page as the very characters it was (the sentence splitter may
    # put a space after a "!"; unsupported sentences carry an "unverified" badge).
    shown = squeeze(page.text_content(f"{turn} .qa-answer-text")).replace("unverified", "")
    assert [p for p in payloads(leak.url) if squeeze(p) not in shown] == []
    buttons = page.locator(f"{turn} .qa-cite[data-n]")  # the citations, not the short answer
    assert buttons.count() >= 1
    titles = [buttons.nth(i).get_attribute("title") for i in range(buttons.count())]
    assert any("Harbour note" in t and "<" in t for t in titles)  # hostile titles, as text
    for i in range(buttons.count()):
        buttons.nth(i).click()
        page.wait_for_selector(f"#qa-source-panel .qa-source-label:text('[{i + 1}]')")
        assert "lanterns" in page.text_content("#qa-source-panel .qa-doc-text")
        assert_inert(page, leak, "#qa-source-panel")
    assert_inert(page, leak, "#qa-conversation")


@pytest.mark.slow
def test_document_payloads_quoted_in_an_extractive_answer_stay_text(page, served, leak):
    page.click("#qa-settings button")
    page.get_by_label("extractive", exact=True).check()
    turn = f"#qa-turn-{page.locator('#qa-conversation .qa-turn').count()}"
    page.fill("#qa-question textarea", EXTRACTIVE_QUESTION)
    page.click("#qa-ask")
    page.wait_for_selector(f"{turn} .qa-answer-text .qa-cite", timeout=60_000)
    quoted = page.text_content(f"{turn} .qa-answer-text")
    assert "harbour festival" in quoted and any(p in quoted for p in payloads(leak.url))
    page.click(f"{turn} .qa-cite >> nth=0")
    page.wait_for_selector("#qa-source-panel mark.qa-cited")
    assert_inert(page, leak, "#qa-conversation", "#qa-source-panel")


@pytest.mark.slow
def test_hostile_titles_urls_and_file_names_in_the_document_list_stay_text(page, leak):
    page.get_by_role("tab", name="Documents").click()
    page.wait_for_selector("#qa-doc-list .qa-doc-count")
    listing = page.text_content("#qa-doc-list")
    assert "<img src=x onerror=window.__xss_name=1>.txt" in listing
    assert all(f"Harbour note {n} {p}" in listing for n, p in enumerate(payloads(leak.url)))
    assert page.locator("#qa-doc-list a").count() == 0  # no hostile URL became a link
    assert_inert(page, leak, "#qa-doc-list")
    page.get_by_role("tab", name="Chat").click()


@pytest.mark.slow
@pytest.mark.parametrize("question", ["why " * 700, "x" * 100_000])
def test_an_oversized_question_in_the_browser_gets_a_message(page, served, question):
    embedder = served["backend"]._embedder
    calls = embedder.calls
    page.click("#qa-new")
    page.wait_for_selector("#qa-status .qa-error", state="detached")
    page.fill("#qa-question textarea", question)
    page.click("#qa-ask")
    status = page.wait_for_selector("#qa-status .qa-error", timeout=30_000)
    assert "the question is too long" in status.text_content()
    assert page.input_value("#qa-question textarea") == question  # kept, to be shortened
    assert embedder.calls == calls and page.locator("#qa-conversation .qa-turn").count() == 0
    page.fill("#qa-question textarea", "")
    page.click("#qa-new")
