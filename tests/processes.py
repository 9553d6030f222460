"""Servers the tests start for real (llama_cpp.server, qa serve, chroma run) on 127.0.0.1."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from benchmarks.servers import (  # noqa: F401 (the tests' helpers too)
    free_port,
    start_chroma,
    start_postgres,
    stop,
)


def wait_until_up(
    url: str, process: subprocess.Popen, name: str, timeout: float = 120, log: Path | None = None
) -> None:
    """Poll `url` until it answers 200; fail the test if the server exits or never comes up,
    with the tail of the server's `log` when there is one."""
    import time

    import httpx
    import pytest

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{name} exited with {process.returncode}{_tail(log)}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    pytest.fail(f"{name} did not come up in {timeout} s{_tail(log)}")


def _tail(log: Path | None) -> str:
    return f":\n{log.read_text()[-3000:]}" if log is not None and log.exists() else ""


@contextmanager
def serving(settings, documents: Sequence[Path]) -> Iterator[tuple[str, object]]:
    """The web app in this process on a free loopback port, with the hash embedder, after
    indexing `documents`: (its URL, its Backend)."""
    from tests.fakes import HashEmbedder
    from ui.backend import Backend
    from ui.server import start_app

    backend = Backend(settings, HashEmbedder())
    backend.start(warm_up=False)
    try:
        *_, summary = backend.index(list(documents))
        assert not summary.failed, summary.failed
        port = free_port()
        app = start_app(settings, "127.0.0.1", port, None, backend=backend, block=False)
        try:
            yield f"http://127.0.0.1:{port}/", backend
        finally:
            app.close()
    finally:
        backend.stop()
