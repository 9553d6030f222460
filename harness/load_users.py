"""Simulated users of a running `qa serve`: some ask questions through `/ask`, some upload files
through `/add_documents`, all at once, for a bounded number of requests and a bounded time.
Uploaders use gradio_client; askers call Gradio's REST API directly (see `ask`). Used by
benchmarks/load_ui.py and by the hostile load test."""

from __future__ import annotations

import json
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Request:
    user: int
    kind: str  # "ask" or "upload"
    seconds: float
    error: str | None = None
    result: dict | None = None


@dataclass
class LoadRun:
    requests: list[Request] = field(default_factory=list)
    seconds: float = 0.0
    uploaded: list[Path] = field(default_factory=list)  # files whose upload was accepted

    def of(self, kind: str) -> list[Request]:
        return [r for r in self.requests if r.kind == kind]

    def failed(self, kind: str | None = None) -> list[Request]:
        return [r for r in self.requests if r.error and (kind is None or r.kind == kind)]

    def latency(self, kind: str = "ask") -> dict[str, float]:
        times = sorted(r.seconds for r in self.of(kind) if not r.error)
        if not times:
            return {"p50": float("nan"), "p95": float("nan")}
        return {
            "p50": statistics.median(times),
            "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        }


def run_users(
    url: str | list[str],
    questions: list[str],
    askers: int,
    uploaders: int = 0,
    make_file: Callable[[int, int], Path] | None = None,
    requests_per_user: int = 10,
    time_limit: float = 120.0,
) -> LoadRun:
    """Start every user at once; each stops after `requests_per_user` requests or when
    `time_limit` seconds have passed. `make_file(user, n)` writes the n-th file an uploader
    sends. Given several URLs (app processes behind a proxy, in effect), user i uses the
    (i mod n)-th."""
    import httpx
    from gradio_client import Client, handle_file

    urls = [url] if isinstance(url, str) else url

    run = LoadRun()
    lock = threading.Lock()
    start_together = threading.Barrier(askers + uploaders)
    deadline = time.monotonic() + time_limit

    def record(request: Request, uploaded: Path | None = None) -> None:
        with lock:
            run.requests.append(request)
            if uploaded is not None:
                run.uploaded.append(uploaded)

    def user(number: int, uploads: bool) -> None:
        url = urls[number % len(urls)]
        client = Client(url, verbose=False) if uploads else httpx.Client(timeout=time_limit)
        start_together.wait()
        for n in range(requests_per_user):
            if time.monotonic() > deadline:
                return
            began = time.monotonic()
            try:
                if uploads:
                    path = make_file(number, n)
                    result = client.predict([handle_file(path)], api_name="/add_documents")
                    failed = result.get("failed")
                    error = f"rejected: {failed}" if failed else None
                    record(
                        Request(number, "upload", time.monotonic() - began, error, result),
                        None if error else path,
                    )
                else:
                    question = questions[(number * requests_per_user + n) % len(questions)]
                    result = ask(client, url, question)
                    record(Request(number, "ask", time.monotonic() - began, None, result))
            except Exception as exc:  # every failure counts, whatever its type
                kind = "upload" if uploads else "ask"
                error = f"{type(exc).__name__}: {str(exc)[:200]}"
                record(Request(number, kind, time.monotonic() - began, error))

    threads = [
        threading.Thread(target=user, args=(i, i >= askers), daemon=True)
        for i in range(askers + uploaders)
    ]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(time_limit + 120)
    run.seconds = time.monotonic() - began
    return run


def ask(client, url: str, question: str) -> dict:
    """`/ask` through Gradio's REST API: post the call, then read its event stream to the
    result. It is what gradio_client does, without the 0.15-0.2 s of CPU gradio_client spends
    per call (measured), which on a small machine would be taken from the server measured."""
    call = f"{url.rstrip('/')}/gradio_api/call/ask"
    posted = client.post(call, json={"data": [question]})
    posted.raise_for_status()
    event_id = posted.json()["event_id"]
    event = None
    with client.stream("GET", f"{call}/{event_id}") as stream:
        stream.raise_for_status()
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.removeprefix("event:").strip()
            elif line.startswith("data:") and event in {"complete", "error"}:
                data = json.loads(line.removeprefix("data:"))
                if event == "error":
                    raise RuntimeError(f"/ask failed: {data}")
                return data[0]
    raise RuntimeError("/ask: the event stream ended without a result")
