"""The web app served in the test's own process (the servers the tests start as processes are
in harness/servers.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from harness.servers import free_port


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
