"""20 users at once on 127.0.0.1 (16 asking, 4 uploading) against the served app (real Gradio,
real Chroma on disk, the hash embedder): no request fails, every upload is in the collection
once, and no id is duplicated. The longer run with the real model: benchmarks/load_ui.py."""

from __future__ import annotations

import os
import sqlite3

import pytest

from harness.load_users import run_users
from tests.processes import serving

pytestmark = pytest.mark.integration

ASKERS, UPLOADERS = 16, 4
REQUESTS_PER_USER = int(os.environ.get("QA_LOAD_REQUESTS", "6"))
QUESTIONS = [
    "Who was summoned and why?",
    "What did Zinoviev say in response?",
    "When was the treaty signed?",
    "What did South Korea's vice foreign minister tell the ambassador?",
    "What is the capital of Peru?",
]


@pytest.fixture
def served(settings, sample_dir):
    settings = settings.model_copy(update={"answer_mode": "extractive", "serve_concurrency": 4})
    with serving(settings, sorted(sample_dir.glob("*.txt"))) as (url, backend):
        yield url, backend, settings


def test_twenty_users_asking_and_uploading_at_once(served, tmp_path):
    url, backend, settings = served
    uploads = tmp_path / "to-upload"
    uploads.mkdir()

    def make_file(user: int, n: int):
        path = uploads / f"report-{user}-{n}.txt"
        path.write_text(
            f"Field report {user}-{n}. The ferry number {user * 100 + n} to the island of "
            f"Isle{user}x{n} resumed service after storm repairs, the harbour office said.\n"
        )
        return path

    run = run_users(
        url,
        QUESTIONS,
        askers=ASKERS,
        uploaders=UPLOADERS,
        make_file=make_file,
        requests_per_user=REQUESTS_PER_USER,
        time_limit=120,
    )

    assert run.failed() == [], run.failed()[:3]
    assert len(run.of("ask")) == ASKERS * REQUESTS_PER_USER
    assert len(run.of("upload")) == UPLOADERS * REQUESTS_PER_USER
    answered = [r.result for r in run.of("ask")]
    assert all(a["citations"] or a["refused"] for a in answered)
    assert all(r.result["added"] == 1 for r in run.of("upload"))

    documents = backend.documents()
    assert len(documents) == 2 + len(run.uploaded)
    ids = [d.id for d in documents]
    assert len(ids) == len(set(ids))
    manifest = settings.data_dir / f"{settings.collection}.manifest.sqlite3"
    chunk_ids = [r[0] for r in sqlite3.connect(manifest).execute("SELECT id FROM chunks")]
    assert len(chunk_ids) == len(set(chunk_ids))
    found = backend.ask("Which ferry to the island of Isle17x3 resumed service?")
    assert "Isle17x3" in found.answer


def test_large_uploads_parsed_by_worker_processes_while_others_ask(served, tmp_path):
    """A document of 160 sentences is annotated by forked spaCy workers (index/nlp.py) inside
    the threaded server, while other users ask: nothing hangs or fails."""
    url, backend, _ = served
    uploads = tmp_path / "to-upload"
    uploads.mkdir()

    def make_file(user: int, n: int):
        path = uploads / f"log-{user}-{n}.txt"
        path.write_text(
            " ".join(
                f"On day {d}, the ferry Boat{user}x{n} carried {d * 3} passengers to Port{d}."
                for d in range(160)
            )
            + "\n"
        )
        return path

    run = run_users(
        url,
        QUESTIONS,
        askers=4,
        uploaders=2,
        make_file=make_file,
        requests_per_user=2,
        time_limit=180,
    )

    assert run.failed() == [], run.failed()[:3]
    assert all(r.result["added"] == 1 for r in run.of("upload"))
    assert len(backend.documents()) == 2 + len(run.uploaded) == 6
    assert "carried 21 passengers to Port7" in backend.ask("Which ferry went to Port7?").answer
