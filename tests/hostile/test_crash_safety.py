"""Crash safety: an indexing run killed at random moments, hand-made disagreements between the
manifest and the vector store, and damaged Chroma files.

The kill test uses the real embedded Chroma with the hash embedder: what is under test is storage
consistency, and a fast deterministic embedder lets each trial index a few hundred documents in
seconds. CI runs 3 seeded trials; the long run (10 trials, QA_CRASH_SEED to vary them):
    QA_CRASH_TRIALS=10 flock /tmp/qa-heavy.lock \
        .venv/bin/python -m pytest tests/hostile/test_crash_safety.py -k killed -s
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.chroma import StoreDamagedError
from index.collection import open_collection
from index.consistency import check
from index.locking import writer_lock
from index.manifest import Manifest
from index.store import ChunkStore, chroma_dir, forget_embedded_client, open_client
from qa.factory import build_assistant, build_indexer, location
from qa.settings import Settings
from tests.fakes import HashEmbedder

ROOT = Path(__file__).resolve().parents[2]
# Read at import: the autouse fixture clears QA_ variables before each test runs.
TRIALS = int(os.environ.get("QA_CRASH_TRIALS", "3"))
SEED = int(os.environ.get("QA_CRASH_SEED", "20240607"))
WORDS = (
    "river town bridge flood market council harbour school library museum garden railway "
    "festival storm winter summer mayor engineer farmer teacher doctor painter orchard mill "
    "tower castle valley forest meadow lantern copper silver timber grain wool salt"
).split()


def write_corpus(directory: Path, seed: int = 7, files: int = 200) -> None:
    """A few hundred small documents: mostly one chunk, some several, a JSONL file of records
    (flushed in batches inside one file) and a few copies (one text under two names)."""
    rng = random.Random(seed)
    directory.mkdir(parents=True)

    def text(n: int) -> str:
        sentences = []
        for _ in range(rng.randint(3, 40 if n % 10 == 0 else 8)):
            words = rng.choices(WORDS, k=rng.randint(6, 14))
            sentences.append(f"Item {n} " + " ".join(words) + ".")
        return " ".join(sentences)

    for n in range(files):
        (directory / f"doc{n:03d}.txt").write_text(f"Report {n}\n\n{text(n)}")
    for n in range(min(5, files)):
        shutil.copy(directory / f"doc{n:03d}.txt", directory / f"copy{n}.txt")
    records = [
        {"id": str(n), "title": f"Record {n}", "text": text(n)}
        for n in range(files, files + 100 if files else 400)
    ]
    (directory / "records.jsonl").write_text("\n".join(json.dumps(r) for r in records))


def wait_for_first_document(data_dir: Path, worker: subprocess.Popen) -> None:
    """The first seconds of a run load libraries; the moments worth killing come after."""
    path = data_dir / "documents.manifest.sqlite3"
    while worker.poll() is None:
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                if db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]:
                    return
        except sqlite3.OperationalError:
            pass
        time.sleep(0.01)


def run_worker(data_dir: Path, docs: Path, kill_after: float | None) -> tuple[bool, float]:
    """Index in a subprocess; with `kill_after`, SIGKILL it that many seconds after its first
    document is stored. Returns (whether it finished on its own, seconds from then to exit)."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.hostile.crash_worker", str(data_dir), str(docs)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout.readline().strip() == "ready"
    wait_for_first_document(data_dir, worker)
    started = time.monotonic()
    if kill_after is None:
        output = worker.stdout.read()
        assert worker.wait(timeout=600) == 0 and output.startswith("done"), output
        return True, time.monotonic() - started
    time.sleep(kill_after)
    worker.send_signal(signal.SIGKILL)
    code = worker.wait(timeout=60)
    worker.stdout.close()
    return code == 0, time.monotonic() - started


def collection_state(settings: Settings) -> dict:
    collection = open_collection(location(settings), HashEmbedder())
    manifest, store = collection.manifest, collection.store
    stored = store.chunk_ids()
    docs = [d.id for d in manifest.list_documents()]
    return {
        "docs": docs,
        "sources": sorted(s for d in manifest.list_documents() for s in d.sources),
        "chunks": manifest.chunk_ids(),
        "stored": stored,
        "store_count": store.count(),
        "sentences": manifest.sentence_ids(),
        "stored_sentences": store.sentences.ids(),
    }


def assert_queries_work(settings: Settings) -> None:
    collection = open_collection(location(settings), HashEmbedder())
    hits = collection.store.search(HashEmbedder().embed(["river town flood"])[0], 5)
    assert len(hits) == min(5, collection.store.count())
    assert collection.manifest.chunk_spans([h.chunk_id for h in hits]).keys() == {
        h.chunk_id for h in hits
    }
    answer = build_assistant(settings, HashEmbedder()).ask("Which town had a flood?")
    assert answer.citations or answer.closest


def raw_findings(data_dir: Path):
    """What a killed run left, seen without repairing anything."""
    settings = Settings(data_dir=data_dir)
    manifest = Manifest(data_dir / f"{settings.collection}.manifest.sqlite3")
    store = ChunkStore(open_client(data_dir), HashEmbedder(), settings.collection)
    return manifest.write_interrupted(), check(manifest, store)


def test_indexing_killed_at_random_moments_recovers_without_duplicates(tmp_path, caplog):
    rng = random.Random(SEED)
    docs = tmp_path / "docs"
    write_corpus(docs)
    clean_dir = tmp_path / "clean"
    _, duration = run_worker(clean_dir, docs, kill_after=None)
    clean = collection_state(Settings(data_dir=clean_dir))
    assert len(clean["docs"]) == 300 and clean["stored"] == clean["chunks"]

    for trial in range(TRIALS):
        data_dir = tmp_path / f"trial{trial}"
        # one random moment in each of TRIALS equal slices of the first 60% of the clean run's
        # time: a trial run on a busy machine is slower, and a kill after the end tests nothing
        kill_after = (trial + rng.random()) / TRIALS * 0.6 * duration
        finished, _ = run_worker(data_dir, docs, kill_after)
        settings = Settings(data_dir=data_dir)
        with writer_lock(location(settings).writer_lock_path):
            pass  # the killed writer's lock went with it
        interrupted, found = raw_findings(data_dir)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="qa"):
            after = collection_state(settings)  # opening repairs what the kill left
        assert after["stored"] == after["chunks"], f"trial {trial}: still inconsistent"
        assert after["stored_sentences"] == after["sentences"], f"trial {trial}: sentences"
        assert after["store_count"] == len(after["stored"])
        print(
            f"trial {trial}: killed {kill_after:.2f}s after the first write "
            f"of a {duration:.2f}s run"
            f"{' (had finished)' if finished else ''}; {len(after['docs'])} docs indexed; "
            f"marker {'set' if interrupted else 'clear'}; found: {found.describe()}; "
            f"log: {' | '.join(r.getMessage() for r in caplog.records) or '-'}"
        )
        if after["docs"]:
            assert_queries_work(settings)

        report = build_indexer(settings, HashEmbedder()).index([docs])
        assert not report.failed
        again = collection_state(settings)
        # the same documents, chunks and names as a clean run: nothing lost, nothing twice
        assert sorted(again["docs"]) == sorted(clean["docs"])
        assert again["sources"] == clean["sources"]
        assert again["chunks"] == clean["chunks"] == again["stored"]
        assert again["sentences"] == clean["sentences"] == again["stored_sentences"]
        assert again["store_count"] == len(clean["chunks"])


# A writer that holds the lock while spaCy's forked workers annotate, for the test below.
_PARSING_WRITER = """
import sys
from pathlib import Path
from index.locking import writer_lock
from index.nlp import parse_each
texts = [f"On day {d}, the ferry Boat{d} carried {d * 3} passengers." for d in range(50000)]
with writer_lock(Path(sys.argv[1])):
    parse_each(texts, len, processes=2)
"""


def _children(pid: int) -> list[int]:
    try:
        return [
            int(child)
            for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()
        ]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_parsing_workers_die_with_a_killed_writer_and_leave_the_collection_unlocked(tmp_path):
    """SIGKILL (the OOM killer, kill -9) reaches the writer, not its forked annotation workers;
    a worker that outlived it would hold its copy of the lock and of every socket forever."""
    lock = tmp_path / "writer.lock"
    writer = subprocess.Popen(
        [sys.executable, "-c", _PARSING_WRITER, str(lock)], cwd=ROOT, stderr=subprocess.DEVNULL
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while len(workers) < 2:
            assert writer.poll() is None and time.monotonic() < deadline, "no workers started"
            time.sleep(0.2)
            workers = _children(writer.pid)
        writer.kill()
        writer.wait()
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers), "a worker outlived the killed writer"
        with writer_lock(lock):
            pass
    finally:
        writer.kill()
        for pid in filter(_alive, workers):
            os.kill(pid, signal.SIGKILL)


# --- hand-made disagreements ----------------------------------------------------------------


@pytest.fixture
def indexed(settings, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("The river flooded the old town on Tuesday. Sandbags helped.")
    (docs / "b.txt").write_text("The library opened a new wing in March. It holds rare maps.")
    build_indexer(settings, HashEmbedder()).index([docs])
    return docs


def _open(settings, repair=False):
    collection = open_collection(location(settings), HashEmbedder(), repair=repair)
    return collection.manifest, collection.store


def test_stray_vectors_are_found_and_removed(settings, indexed):
    manifest, store = _open(settings)
    [doc] = [d for d in manifest.list_documents() if "river" in manifest.text(d.id)]
    # what a writer killed between its two writes leaves: vectors, no manifest rows
    manifest.remove_document(doc.id)
    found = check(manifest, store)
    assert found.stray_chunks and not found.missing_chunks and not found.agree
    manifest.mark_writing()
    manifest, store = _open(settings, repair=True)
    assert check(manifest, store).agree and store.document_ids() == {
        d.id for d in manifest.list_documents()
    }
    assert not manifest.write_interrupted()


def test_missing_vectors_are_embedded_again(settings, indexed, caplog):
    manifest, store = _open(settings)
    doc_id = next(d.id for d in manifest.list_documents() if "river" in manifest.text(d.id))
    store.delete_document(doc_id)
    assert check(manifest, store).missing_chunks
    with caplog.at_level(logging.WARNING, logger="qa"):
        manifest, store = _open(settings, repair=True)  # the counts differ: repaired on open
    assert "manifest chunk(s) without vectors" in caplog.text
    assert check(manifest, store).agree
    hits = store.search(HashEmbedder().embed(["river flooded town"])[0], 1)
    assert manifest.chunk_spans([hits[0].chunk_id])[hits[0].chunk_id][0] == doc_id


def test_interrupted_removal_is_finished_by_the_next_writer(settings, indexed, caplog):
    manifest, store = _open(settings)
    doc = next(d for d in manifest.list_documents() if "river" in manifest.text(d.id))
    manifest.mark_writing()
    manifest.unlink_sources(doc.sources)  # killed before the document itself was removed
    assert check(manifest, store).unreferenced_docs == [doc.id]
    indexer = build_indexer(settings, HashEmbedder())
    with caplog.at_level(logging.WARNING, logger="qa"):
        indexer.index([])
    assert "interrupted removal" in caplog.text
    assert manifest.info(doc.id) is None and doc.id not in store.document_ids()
    assert check(manifest, store).agree and not manifest.write_interrupted()


def test_no_repair_while_another_writer_holds_the_lock(settings, indexed):
    manifest, store = _open(settings)
    doc_id = manifest.list_documents()[0].id
    store.delete_document(doc_id)
    # a writer at work: its changes in progress
    with writer_lock(location(settings).writer_lock_path):
        manifest, store = _open(settings, repair=True)
        assert check(manifest, store).missing_chunks
    manifest, store = _open(settings, repair=True)
    assert check(manifest, store).agree


def test_a_completed_run_leaves_no_marker(settings, indexed):
    manifest, _ = _open(settings)
    assert not manifest.write_interrupted()


# --- damaged Chroma files -------------------------------------------------------------------


def _truncate_sqlite(store_dir: Path) -> None:
    path = store_dir / "chroma.sqlite3"
    with open(path, "r+b") as f:
        f.truncate(path.stat().st_size // 3)


# Each vector collection (chunks, sentences) has a segment directory: damage them all.
def _remove_segment(store_dir: Path) -> None:
    segments = [p for p in store_dir.iterdir() if p.is_dir()]
    assert segments
    for segment in segments:
        shutil.rmtree(segment)


def _scramble_header(store_dir: Path) -> None:
    headers = list(store_dir.glob("*/header.bin"))
    assert headers
    for header in headers:
        header.write_bytes(os.urandom(header.stat().st_size))


@pytest.mark.parametrize("damage", [_truncate_sqlite, _remove_segment, _scramble_header])
def test_damaged_chroma_files_are_rebuilt_from_the_manifest(settings, tmp_path, damage, caplog):
    # Small chunks, so there are more than the 1000 that make chromadb write its HNSW files.
    settings = settings.model_copy(update={"chunk_tokens": 30})
    docs = tmp_path / "docs"
    write_corpus(docs, files=0)  # records in one JSONL file: quick to index
    build_indexer(settings, HashEmbedder()).index([docs])
    before = collection_state(settings)
    store_dir = chroma_dir(settings.data_dir)
    forget_embedded_client(store_dir)  # as if the process had ended
    damage(store_dir)
    assert len(before["chunks"]) > 1000

    with pytest.raises(StoreDamagedError, match="qa docs check --repair"):
        open_collection(location(settings), HashEmbedder(), repair=False)
    with caplog.at_level(logging.WARNING, logger="qa"):
        after = collection_state(settings)
    [message] = [r.getMessage() for r in caplog.records if "damaged" in r.getMessage()]
    assert f"rebuilt {len(before['chunks'])} chunks from {len(before['docs'])} documents" in message
    assert after == before
    assert_queries_work(settings)


def test_docs_check_command_reports_and_repairs(settings, indexed, fake_embedder):
    from click.testing import CliRunner

    from qa.cli import main

    manifest, store = _open(settings)
    doc_id = manifest.list_documents()[0].id
    manifest.remove_document(doc_id)  # its vectors are now strays
    runner = CliRunner()
    result = runner.invoke(main, ["docs", "check"])
    assert result.exit_code == 1 and "vector(s) without a manifest entry" in result.output
    result = runner.invoke(main, ["docs", "check", "--repair"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["docs", "check"])
    assert result.exit_code == 0 and "agree" in result.output


def test_vector_files_that_crash_chromadb_are_found_in_a_child_process(
    settings, tmp_path, fake_embedder, caplog
):
    """Garbage inside data_level0.bin makes chromadb's native code segfault rather than raise:
    `qa docs check` and the first open after an interrupted write probe in a child process."""
    from click.testing import CliRunner

    from qa.cli import main

    settings = settings.model_copy(update={"chunk_tokens": 30})
    docs = tmp_path / "docs"
    write_corpus(docs, files=0)
    build_indexer(settings, HashEmbedder()).index([docs])
    before = collection_state(settings)
    store_dir = chroma_dir(settings.data_dir)
    forget_embedded_client(store_dir)
    files = list(store_dir.glob("*/data_level0.bin"))  # chunk and sentence vectors
    assert files
    for vectors in files:
        vectors.write_bytes(os.urandom(vectors.stat().st_size))

    runner = CliRunner()
    result = runner.invoke(main, ["docs", "check"], env={"QA_CHUNK_TOKENS": "30"})
    assert result.exit_code == 1 and "damaged (reading it crashed with signal" in result.output
    Manifest(settings.data_dir / "documents.manifest.sqlite3").mark_writing()  # a killed writer
    with caplog.at_level(logging.WARNING, logger="qa"):
        after = collection_state(settings)
    assert f"rebuilt {len(before['chunks'])} chunks" in caplog.text
    assert after == before
    assert_queries_work(settings)
