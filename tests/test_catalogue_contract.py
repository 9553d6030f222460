"""One contract for both catalogues: the SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import uuid

import pytest

from index.catalogue import TABLES_VERSION, CatalogueError
from index.documents import Chunk, Document
from index.locking import WriterBusyError, writer_lock
from index.manifest import CatalogueMissingError, Manifest


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request, tmp_path):
    """Where a fresh catalogue lives, and its collection name."""
    collection = f"c{uuid.uuid4().hex[:12]}"
    if request.param == "sqlite":
        return tmp_path / f"{collection}.manifest.sqlite3", collection
    return request.getfixturevalue("postgres_url"), collection


def _open(location, **kwargs) -> Manifest:
    where, collection = location
    lock = None if isinstance(where, str) else where.with_suffix(".lock")
    return Manifest(where, collection, lock_path=lock, **kwargs)


def _document(doc_id: str, text: str, source: str | None = None) -> tuple[Document, list[Chunk]]:
    doc = Document(doc_id, source or f"/docs/{doc_id}.txt", text, f"Title {doc_id}", None, None)
    chunks, start = [], 0
    for i, part in enumerate(text.split(". ")):
        chunks.append(Chunk(f"{doc_id}:{i}", doc_id, i, start, start + len(part), part))
        start += len(part) + 2
    return doc, chunks


def test_documents_spans_and_removal(location):
    manifest = _open(location)
    assert manifest.generation() == 0 and manifest.list_documents() == []
    doc, chunks = _document("abc1", "First part. Second part. Third")
    manifest.add_document(doc, chunks, doc.source)
    assert manifest.generation() == 1
    [info] = manifest.list_documents()
    assert (info.id, info.title, info.sources, info.chunk_count) == (
        "abc1",
        "Title abc1",
        [doc.source],
        3,
    )
    assert manifest.text("abc1") == doc.text and manifest.has_document("abc1")
    spans = manifest.chunk_spans(["abc1:2", "missing", "abc1:0"])
    assert list(spans) == ["abc1:2", "abc1:0"] and spans["abc1:0"] == ("abc1", 0, 10)
    assert [row[2] for row in manifest.iter_chunk_texts()] == ["First part", "Second part", "Third"]
    assert manifest.chunk_ids() == {"abc1:0", "abc1:1", "abc1:2"} and manifest.chunk_count() == 3
    [(chunk, title, _)] = list(manifest.chunks({"abc1:1"}))
    assert (chunk.text, title) == ("Second part", "Title abc1")
    manifest.set_file_hash(doc.source, "h1")
    manifest.remove_document("abc1")
    assert manifest.document_count() == 0 and manifest.chunk_count() == 0
    assert manifest.file_hash(doc.source) is None  # indexing the file again adds it back
    assert manifest.generation() == 2


def test_replacing_a_document_replaces_its_chunks(location):
    manifest = _open(location)
    manifest.add_document(*_document("d", "One. Two. Three"), "/docs/d.txt")
    manifest.add_document(*_document("d", "Only one"), "/docs/d.txt")
    assert manifest.chunk_ids() == {"d:0"} and manifest.document_count() == 1


def test_sources_links_and_hashes(location):
    manifest = _open(location)
    doc, chunks = _document("d1", "Some text. More text")
    manifest.add_document(doc, chunks, "/docs/all.jsonl")
    manifest.link_source("/docs/all.jsonl#2", "d1", "/docs/all.jsonl")
    assert manifest.sources_of_file("/docs/all.jsonl") == {
        doc.source: "d1",
        "/docs/all.jsonl#2": "d1",
    }
    assert manifest.info("d1").sources == sorted([doc.source, "/docs/all.jsonl#2"])
    manifest.unlink_sources([doc.source, "/docs/all.jsonl#2"])
    assert not manifest.is_referenced("d1") and manifest.unreferenced_documents() == ["d1"]
    assert manifest.file_hash("/docs/a") is None
    manifest.set_file_hash("/docs/a", "h1")
    manifest.set_file_hash("/docs/a", "h2")
    assert manifest.file_hash("/docs/a") == "h2"


def test_ids_resolve_from_a_unique_prefix_and_wildcards_are_literal(location):
    manifest = _open(location)
    for doc_id in ("ab12", "ab34", "cd_5"):
        manifest.add_document(*_document(doc_id, "Text"), f"/docs/{doc_id}")
    assert manifest.resolve_id("ab1") == "ab12" and manifest.resolve_id("ab") is None
    assert manifest.resolve_id("cd_") == "cd_5"
    assert manifest.resolve_id("c_") is None and manifest.resolve_id("%") is None


def test_the_writing_marker(location):
    manifest = _open(location)
    assert not manifest.write_interrupted()
    manifest.mark_writing()
    assert _open(location).write_interrupted()  # another process sees it
    manifest.clear_writing()
    assert not manifest.write_interrupted()


def test_a_second_process_sees_every_change(location):
    writer, reader = _open(location), _open(location)
    assert reader.identity() == writer.identity() != ""
    writer.add_document(*_document("d1", "Shared text"), "/docs/d1")
    assert reader.generation() == 1 and reader.text("d1") == "Shared text"


def test_readers_are_not_blocked_by_a_writer(location):
    manifest = _open(location)
    manifest.add_document(*_document("d0", "Base text"), "/docs/d0")
    errors: list[Exception] = []

    def write() -> None:
        try:
            for n in range(1, 40):
                manifest.add_document(*_document(f"d{n}", "More text. And more"), f"/docs/{n}")
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)

    thread = threading.Thread(target=write)
    thread.start()
    seen = []
    while thread.is_alive():
        seen.append(manifest.document_count())
        assert manifest.text("d0") == "Base text"
    thread.join()
    assert not errors and manifest.document_count() == 40
    assert seen == sorted(seen)  # each read sees a whole committed state, never a partial one


def test_one_writer_at_a_time(location):
    manifest = _open(location)
    with writer_lock(manifest.writer_lock):
        with pytest.raises(WriterBusyError, match="being written by .*pid|process"):
            with writer_lock(_open(location).writer_lock):
                pass
    with writer_lock(manifest.writer_lock):  # released
        pass


def test_a_killed_writer_releases_the_lock(location):
    """The holder is killed with SIGKILL: no cleanup of its own runs."""
    where, collection = location
    lock = repr(where) if isinstance(where, str) else f"Path({str(where.with_suffix('.lock'))!r})"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from index.locking import writer_lock, AdvisoryWriterLock\n"
            f"target = {lock}\n"
            f"target = AdvisoryWriterLock(target, {collection!r}) if isinstance(target, str) "
            "else target\n"
            "with writer_lock(target):\n"
            "    print('held', flush=True); time.sleep(600)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        manifest = _open(location)
        with pytest.raises(WriterBusyError, match=f"pid {holder.pid}|process {holder.pid}"):
            with writer_lock(manifest.writer_lock):
                pass
    finally:
        holder.kill()
        holder.wait()
    import time

    deadline = time.monotonic() + 10
    while True:  # the server notices the closed connection at once; allow it a moment
        try:
            with writer_lock(manifest.writer_lock):
                break
        except WriterBusyError:
            assert time.monotonic() < deadline, "the lock outlived its holder"
            time.sleep(0.2)


def test_schema_version_is_recorded_and_a_newer_one_refused(location):
    manifest = _open(location)
    assert manifest._meta("tables_version") == str(TABLES_VERSION)
    with manifest.engine.begin() as conn:
        from index.catalogue import tables

        meta = tables().tables["meta"]
        conn.execute(
            meta.update()
            .where(meta.c.key == "tables_version")
            .values(value=str(TABLES_VERSION + 1))
        )
    with pytest.raises(CatalogueError, match="newer than this qa knows"):
        _open(location)


def test_a_catalogue_from_before_versions_opens(tmp_path):
    """A manifest written by the sqlite3 code this replaces (no version, no generation row)."""
    path = tmp_path / "documents.manifest.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE documents (id TEXT PRIMARY KEY, title TEXT NOT NULL, url TEXT, "
        "published TEXT, text TEXT NOT NULL, added_at REAL NOT NULL);"
        "CREATE TABLE chunks (id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, idx INTEGER NOT NULL, "
        'start INTEGER NOT NULL, "end" INTEGER NOT NULL);'
        "CREATE INDEX chunks_doc ON chunks (doc_id);"
        "INSERT INTO documents VALUES ('d', 'T', NULL, NULL, 'Old text', 1.0);"
        "INSERT INTO chunks VALUES ('d:0', 'd', 0, 0, 3);"
    )
    db.commit()
    db.close()
    manifest = Manifest(path)
    assert manifest.text("d") == "Old text" and manifest.chunk_spans(["d:0"]) == {
        "d:0": ("d", 0, 3)
    }
    assert manifest.generation() == 0 and manifest._meta("tables_version") == str(TABLES_VERSION)
    manifest.add_document(*_document("e", "New"), "/docs/e")
    assert manifest.generation() == 1


def test_a_missing_server_collection_is_not_created_by_readers(postgres_url):
    with pytest.raises(CatalogueMissingError, match="no collection 'nothing_here'"):
        Manifest(postgres_url, "nothing_here", create=False)


def test_server_errors_are_one_line_without_the_password(postgres_url):
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url)
    wrong = url.set(password="not-the-password").render_as_string(hide_password=False)
    with pytest.raises(CatalogueError) as caught:
        Manifest(wrong, "x")
    message = str(caught.value)
    assert "password authentication failed" in message and "\n" not in message
    assert "not-the-password" not in message and url.password not in message
    refused = url.set(port=1).render_as_string(hide_password=False)
    with pytest.raises(
        CatalogueError, match="cannot use the catalogue at postgresql://qa:\\*\\*\\*@"
    ):
        Manifest(refused, "x")


def test_sentence_records(location):
    from index.documents import Sentence

    manifest = _open(location)
    assert manifest.schema_version() == 2  # a new collection has sentence records from the start
    doc, chunks = _document("d1", "First part. Second part. Third")
    sentences = [
        Sentence("d1:s0", "d1", 0, 0, 11, "d1:0", {"ents": [["First", "ORDINAL"]]}),
        Sentence("d1:s1", "d1", 1, 12, 24, "d1:1", {}),
        Sentence("d1:s2", "d1", 2, 25, 30, "d1:2", {"root": "Third"}),
    ]
    manifest.add_document(doc, chunks, doc.source, sentences)
    manifest.add_document(*_document("d2", "Other text"), "/docs/d2")
    assert manifest.sentences_within([("d1", 10, 30), ("d1", 0, 24)]) == [
        sentences[1],
        sentences[2],
        sentences[0],
    ]
    assert manifest.sentences_of_chunks({"d1:2", "d1:0"}) == [sentences[0], sentences[2]]
    assert manifest.owner_chunks({"d1:s1", "nope"}) == {"d1:1"}
    assert manifest.sentence_ids() == {"d1:s0", "d1:s1", "d1:s2"}
    assert manifest.documents_without_sentences() == ["d2"]
    assert [c.text for c in manifest.chunks_of("d1")] == ["First part", "Second part", "Third"]
    generation = manifest.generation()
    manifest.replace_sentences("d2", [Sentence("d2:s0", "d2", 0, 0, 10, "d2:0", {})])
    assert manifest.documents_without_sentences() == [] and manifest.generation() == generation + 1
    manifest.remove_document("d1")
    assert manifest.sentence_ids() == {"d2:s0"}
