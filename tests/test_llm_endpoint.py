"""The OpenAI-compatible client against a scripted server on 127.0.0.1 (the real
llama_cpp.server is in test_generate_real.py): the reply streams piece by piece, the key sent is
only ours, and a failing endpoint is one LLMError line."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness.servers import free_port
from qa.llm import LLMError, OpenAICompatibleLLM

PIECES = ["Paris", " is", " the capital."]


class _Scripted(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_POST(self):  # noqa: N802 (the stdlib's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Scripted.seen.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), **body}
        )
        if body["model"] == "missing":
            self._reply(404, "application/json", json.dumps({"error": {"message": "no model"}}))
            return
        head = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m"}
        sse = "".join(
            "data: "
            + json.dumps({**head, "choices": [{"index": 0, "delta": {"content": piece}}]})
            + "\n\n"
            for piece in PIECES
        )
        self._reply(200, "text/event-stream", sse + "data: [DONE]\n\n")

    def _reply(self, status: int, kind: str, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def endpoint():
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _Scripted)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Scripted.seen.clear()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_the_reply_streams_in_pieces_with_only_our_key(endpoint, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "a-secret-for-another-service")
    llm = OpenAICompatibleLLM(endpoint, "local")
    messages = [{"role": "user", "content": "The capital of France is?"}]
    assert list(llm.stream(messages, 16)) == PIECES
    [request] = _Scripted.seen
    assert request["path"] == "/v1/chat/completions" and request["stream"] is True
    assert request["max_tokens"] == 16 and request["temperature"] == 0.0
    assert "a-secret" not in (request["auth"] or "")
    OpenAICompatibleLLM(endpoint, "local", api_key="ours").complete(messages, 8)
    assert _Scripted.seen[-1]["auth"] == "Bearer ours"


def test_an_error_status_is_one_line(endpoint):
    llm = OpenAICompatibleLLM(endpoint, "missing")
    with pytest.raises(LLMError, match=r"answered 404: .*no model") as caught:
        llm.complete([{"role": "user", "content": "hi"}], 8)
    assert "\n" not in str(caught.value)


def test_an_unreachable_endpoint_is_one_line():
    llm = OpenAICompatibleLLM(f"http://127.0.0.1:{free_port()}/v1", "none")
    with pytest.raises(LLMError, match="cannot reach the LLM endpoint"):
        llm.complete([{"role": "user", "content": "hi"}], 8)
