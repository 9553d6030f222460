from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.fakes import HashEmbedder

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path, monkeypatch):
    """Every test gets its own data directory and no QA_ settings from the caller's shell."""
    for key in list(os.environ):
        if key.startswith("QA_"):
            monkeypatch.delenv(key)
    data_dir = tmp_path / "qa-data"
    monkeypatch.setenv("QA_DATA_DIR", str(data_dir))
    # The real LLM is installed, so "auto" would generate; tests that want generate mode ask
    # for it (with a scripted LLM, or the real one in the slow layer).
    monkeypatch.setenv("QA_ANSWER_MODE", "extractive")
    return data_dir


@pytest.fixture(autouse=True)
def score_reader_with_fake_embeddings(request, monkeypatch):
    """Fast tests read with a reader that scores like the pre-reading evidence score (the hash
    embedder's similarities mean nothing to the learned one); the slow layer reads for real."""
    if request.node.get_closest_marker("slow"):
        return
    from qa.settings import Settings
    from tests.fakes import score_reader

    reader = score_reader(Settings.model_fields["refusal_threshold"].default)
    monkeypatch.setattr("qa.assistant.load_reader", lambda: reader)


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    """A real `chroma run` on 127.0.0.1 for a test module: its URL."""
    from harness.servers import start_chroma, stop

    path = tmp_path_factory.mktemp("chroma-server")
    process, url = start_chroma(path / "store", path / "chroma.log")
    try:
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL server for the session (tests keep apart by collection name)."""
    from harness.servers import start_postgres

    server = start_postgres()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def settings(isolated_data_dir):
    from qa.settings import Settings

    return Settings(data_dir=isolated_data_dir)


@pytest.fixture
def fake_embedder(monkeypatch):
    """The hash embedder, also wired into the factory so the CLI uses it."""
    embedder = HashEmbedder()
    monkeypatch.setattr("qa.factory.build_embedder", lambda settings: embedder)
    return embedder


@pytest.fixture
def sample_dir(tmp_path) -> Path:
    """A private copy of the sample collection."""
    target = tmp_path / "sample"
    shutil.copytree(SAMPLE_DIR, target)
    return target
