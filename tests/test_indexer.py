import json

import pytest

from index.collection import open_collection
from index.store import StoreError
from qa.factory import build_indexer, location
from tests.fakes import HashEmbedder, OtherHashEmbedder
from tests.files import write

TEXT_A = "The river flooded the old town on Tuesday. Volunteers filled sandbags all night."
TEXT_B = "The library opened a new wing in March. It holds ten thousand rare maps."


@pytest.fixture
def indexer(settings):
    return build_indexer(settings, embedder=HashEmbedder())


def _state(settings):
    collection = open_collection(location(settings), HashEmbedder())
    return collection.manifest, collection.store


def test_index_then_reindex_unchanged_does_nothing(settings, indexer, tmp_path):
    write(tmp_path / "docs" / "a.txt", TEXT_A)
    write(tmp_path / "docs" / "b.txt", TEXT_B)
    first = indexer.index([tmp_path / "docs"])
    assert len(first.added) == 2 and first.chunks >= 2 and not first.failed
    manifest, store = _state(settings)
    generation, chunks = manifest.generation(), store.count()
    second = indexer.index([tmp_path / "docs"])
    assert second.added == [] and len(second.unchanged_files) == 2
    assert manifest.generation() == generation and store.count() == chunks


def test_changed_file_replaces_its_old_chunks(settings, indexer, tmp_path):
    path = write(tmp_path / "a.txt", TEXT_A)
    old_id = indexer.index([path]).added[0].id
    write(path, TEXT_B)
    report = indexer.index([path])
    manifest, store = _state(settings)
    assert report.removed == [old_id]
    assert [d.id for d in manifest.list_documents()] == [report.added[0].id]
    assert store.document_ids() == {report.added[0].id}


def test_same_text_under_two_names_is_stored_once(settings, indexer, tmp_path):
    write(tmp_path / "a.txt", TEXT_A)
    write(tmp_path / "copy.txt", TEXT_A)
    report = indexer.index([tmp_path / "a.txt", tmp_path / "copy.txt"])
    assert len(report.added) == 1 and len(report.duplicates) == 1
    manifest, _ = _state(settings)
    [info] = manifest.list_documents()
    assert len(info.sources) == 2
    # changing one of the two files keeps the shared document for the other name
    write(tmp_path / "a.txt", TEXT_B)
    report = indexer.index([tmp_path / "a.txt"])
    assert report.removed == []
    kept = manifest.info(info.id)
    assert [s.split("/")[-1] for s in kept.sources] == ["copy.txt"]


def test_bad_files_are_listed_and_good_ones_indexed(settings, indexer, tmp_path):
    write(tmp_path / "d" / "good.txt", TEXT_A)
    write(tmp_path / "d" / "empty.txt", "")
    write(tmp_path / "d" / "binary.md", bytes(range(256)) * 8)
    write(tmp_path / "d" / "broken.pdf", b"%PDF-1.4 garbage")
    report = indexer.index([tmp_path / "d"])
    assert len(report.added) == 1
    assert sorted(s.split("/")[-1] for s, _ in report.failed) == [
        "binary.md",
        "broken.pdf",
        "empty.txt",
    ]


def test_a_file_that_breaks_keeps_its_earlier_version(settings, indexer, tmp_path):
    path = write(tmp_path / "a.txt", TEXT_A)
    doc_id = indexer.index([path]).added[0].id
    write(path, b"\x00\x01\x02binary now")
    report = indexer.index([path])
    assert report.failed and not report.removed
    manifest, store = _state(settings)
    assert manifest.info(doc_id) is not None and store.document_ids() == {doc_id}


def test_remove_document(settings, indexer, tmp_path):
    path = write(tmp_path / "a.txt", TEXT_A)
    doc_id = indexer.index([path]).added[0].id
    indexer.remove(doc_id)
    manifest, store = _state(settings)
    assert manifest.document_count() == 0 and store.count() == 0
    assert len(indexer.index([path]).added) == 1  # indexing the file again brings it back


def test_collection_refuses_another_embedding_model(settings, indexer, tmp_path):
    indexer.index([write(tmp_path / "a.txt", TEXT_A)])
    with pytest.raises(StoreError, match="built with embedding model 'test/hash-embedder'"):
        build_indexer(settings, embedder=OtherHashEmbedder())


def test_jsonl_collection(settings, indexer, tmp_path):
    records = "\n".join(
        json.dumps({"id": str(i), "title": f"Story {i}", "published": f"2023/01/0{i}", "text": t})
        for i, t in ((1, TEXT_A), (2, TEXT_B))
    )
    report = indexer.index([write(tmp_path / "c.jsonl", records)])
    assert [d.published for d in report.added] == ["2023-01-01", "2023-01-02"]
    assert [d.source.split("#")[1] for d in report.added] == ["1", "2"]


def test_a_write_that_fails_midway_is_redone_by_the_next_run(settings, tmp_path):
    from index.consistency import check

    records = "\n".join(
        json.dumps({"id": str(i), "title": f"Story {i}", "text": f"{TEXT_A} Number {i}."})
        for i in range(6)
    )
    path = write(tmp_path / "c.jsonl", records)
    indexer = build_indexer(settings, embedder=HashEmbedder())
    indexer._batch_chunks = 2  # several flushes inside one file
    manifest, store = _state(settings)
    real_add, calls = store.add, []

    def add_then_die(*args):
        real_add(*args)
        calls.append(1)
        if len(calls) == 2:  # the vectors are stored, then the process "dies"
            raise KeyboardInterrupt

    indexer._store.add = add_then_die
    with pytest.raises(KeyboardInterrupt):
        indexer.index([path])
    del indexer._store.add
    assert manifest.write_interrupted() and manifest.file_hash(str(path)) is None
    assert check(manifest, store).stray_chunks  # vectors stored, manifest rows not
    report = build_indexer(settings, embedder=HashEmbedder()).index([path])
    assert not report.unchanged_files and manifest.document_count() == 6
    assert check(manifest, store).agree and not manifest.write_interrupted()
    assert store.count() == len(manifest.chunk_ids())


def test_a_collection_from_before_sentence_records_is_upgraded_on_open(
    settings, indexer, tmp_path, caplog
):
    import logging

    write(tmp_path / "a.txt", TEXT_A)
    write(tmp_path / "b.txt", TEXT_B)
    indexer.index([tmp_path])
    manifest, store = _state(settings)
    before = {
        s.id: (s.doc_id, s.start, s.end, s.chunk_id, s.annotation)
        for d in manifest.list_documents()
        for s in manifest.sentences_within([(d.id, 0, len(manifest.text(d.id)))])
    }
    # What an older version left: no sentence records, no sentence vectors, schema 1.
    for doc in manifest.list_documents():
        manifest.replace_sentences(doc.id, [])
        store.sentences.delete_document(doc.id)
    manifest.set_schema_version(1)
    assert manifest.schema_version() == 1

    with caplog.at_level(logging.WARNING, logger="qa"):
        manifest, store = _state(settings)
    assert "upgrading the collection" in caplog.text
    after = {
        s.id: (s.doc_id, s.start, s.end, s.chunk_id, s.annotation)
        for d in manifest.list_documents()
        for s in manifest.sentences_within([(d.id, 0, len(manifest.text(d.id)))])
    }
    assert after == before and store.sentences.ids() == set(before)
    assert manifest.schema_version() == 2
