"""The web app for tests: served in the test's own process, or as `qa serve` processes of their
own with the fakes (hosts). The servers the tests start (Chroma, PostgreSQL, nginx) are in
harness/servers.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from harness.servers import free_port, start, stop, stop_group

ROOT = Path(__file__).resolve().parent.parent


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


def deployment(chroma_url: str, catalogue_url: str) -> dict[str, str]:
    """The settings every host of one deployment shares: the Chroma server, the catalogue and a
    collection of its own in them."""
    import uuid

    return {
        "QA_CHROMA_URL": chroma_url,
        "QA_CATALOGUE_URL": catalogue_url,
        "QA_COLLECTION": f"c{uuid.uuid4().hex[:12]}",
    }


class Host:
    """One `qa serve` process with its own data directory, and `qa` commands run beside it."""

    def __init__(self, name: str, work: Path, shared: dict[str, str], delay: float = 0.0):
        self.name = name
        self.data_dir = work / name
        self.log = work / f"{name}.log"
        self.env = {
            **os.environ,
            **shared,
            "QA_DATA_DIR": str(self.data_dir),
            "QA_ANSWER_MODE": "extractive",
            "QA_TEST_EMBED_DELAY": str(delay),
            "GRADIO_ANALYTICS_ENABLED": "False",
            "ANONYMIZED_TELEMETRY": "False",
            "PYTHONPATH": str(ROOT),
        }
        self.process: subprocess.Popen | None = None
        self._started: list[subprocess.Popen] = []
        self.url = ""

    def start(self) -> Host:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/"
        self.process = start(
            [sys.executable, "-m", "tests.qa_with_fakes", "serve", "--port", str(port)],
            self.url,
            self.log,
            env=self.env,
            cwd=ROOT,
            own_session=True,
        )
        self._started.append(self.process)
        return self

    def client(self):
        from gradio_client import Client

        return Client(self.url, verbose=False)

    def upload(self, path: Path, client=None) -> dict:
        from gradio_client import handle_file

        client = client or self.client()
        return client.predict([handle_file(path)], api_name="/add_documents")

    def ask(self, question: str) -> dict:
        return self.client().predict(question, api_name="/ask")

    def qa(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "tests.qa_with_fakes", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def stop(self, kill: bool = False) -> None:
        """Stop the server; `kill`: SIGKILL it alone, as the OOM killer would. A plain stop also
        kills anything it started that is still running."""
        if self.process is not None and self.process.poll() is None:
            if kill:
                self.process.send_signal(signal.SIGKILL)
                self.process.wait()
            else:
                stop(self.process)
        if not kill:
            for process in self._started:
                stop_group(process)
