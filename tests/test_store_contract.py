"""One contract for every store backend: the embedded store and a real `chroma run` server, each
with either catalogue (the SQLite file, or a real PostgreSQL server)."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from harness.servers import free_port
from index.documents import Chunk
from index.store import ChunkStore, StoreError, open_client
from qa.factory import build_assistant, build_indexer
from tests.conftest import SAMPLE_DIR
from tests.fakes import HashEmbedder, OtherHashEmbedder


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.integration)])
def backend(request, settings):
    """Settings for one backend, with a collection of its own (the server outlives a test)."""
    url = request.getfixturevalue("chroma_server") if request.param == "server" else None
    return settings.model_copy(
        update={"chroma_url": url, "collection": f"c{uuid.uuid4().hex[:12]}"}
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def catalogue(request, backend):
    """The backend's settings with one catalogue or the other."""
    if request.param == "sqlite":
        return backend
    from pydantic import SecretStr

    url = SecretStr(request.getfixturevalue("postgres_url"))
    return backend.model_copy(update={"catalogue_url": url})


def _store(settings, embedder=None) -> ChunkStore:
    client = open_client(settings.data_dir, settings.chroma_url)
    return ChunkStore(client, embedder or HashEmbedder(), settings.collection)


def _chunks(doc_id: str, texts: list[str]) -> list[Chunk]:
    chunks, start = [], 0
    for i, text in enumerate(texts):
        chunks.append(Chunk(f"{doc_id}:{i}", doc_id, i, start, start + len(text), text))
        start += len(text) + 1
    return chunks


def _doc(hit) -> str:
    return hit.chunk_id.split(":")[0]  # chunk ids are doc_id:n (index/chunking.py)


def _add(store, doc_id, texts):
    chunks = _chunks(doc_id, texts)
    store.add(chunks, HashEmbedder().embed([c.text for c in chunks]), {doc_id: "2024-06-21"})


def test_add_search_count_and_delete(backend):
    store = _store(backend)
    _add(store, "a", ["the ambassador was summoned", "markets were calm today"])
    _add(store, "b", ["tomatoes grow in the garden"])
    assert store.count() == 3 and store.document_ids() == {"a", "b"}
    [best, *_] = store.search(HashEmbedder().embed(["ambassador summoned"])[0], 3)
    assert best.chunk_id == "a:0" and best.similarity > 0.5
    store.delete_document("a")
    assert store.count() == 1 and store.document_ids() == {"b"}


def test_upsert_is_idempotent(backend):
    store = _store(backend)
    _add(store, "a", ["one sentence here", "another one there"])
    _add(store, "a", ["one sentence here", "another one there"])
    assert store.count() == 2


def test_search_on_an_empty_collection(backend):
    assert _store(backend).search(np.ones(256, dtype=np.float32), 5) == []


def test_refuses_another_embedding_model(backend):
    _add(_store(backend), "a", ["text"])
    with pytest.raises(StoreError, match="test/hash-embedder"):
        _store(backend, OtherHashEmbedder())


def test_index_and_answer_through_the_backend(catalogue):
    embedder = HashEmbedder()
    indexer = build_indexer(catalogue, embedder=embedder)
    assert len(indexer.index([SAMPLE_DIR]).added) == 2
    assert indexer.index([SAMPLE_DIR]).added == []
    assistant = build_assistant(catalogue, embedder=embedder)
    answer = assistant.ask("Who was summoned and why?")
    assert not answer.refused and answer.citations
    doc_id = answer.citations[0].doc_id
    quote = answer.citations[0]
    assert assistant.manifest.text(doc_id)[quote.start : quote.end] == quote.quote
    indexer.remove(doc_id)
    assert doc_id not in _store(catalogue).document_ids()
    assert doc_id not in {d.id for d in assistant.manifest.list_documents()}


def test_unreachable_server_is_a_clear_error(settings):
    bad = settings.model_copy(update={"chroma_url": f"http://127.0.0.1:{free_port()}"})
    with pytest.raises(StoreError, match="cannot reach the Chroma server"):
        build_indexer(bad, embedder=HashEmbedder())
    with pytest.raises(StoreError, match="invalid Chroma server URL"):
        open_client(settings.data_dir, "ftp://nowhere")


def test_cli_against_a_chroma_server(chroma_server, fake_embedder, sample_dir):
    import json

    from click.testing import CliRunner

    from qa.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["--chroma-url", chroma_server, "index", str(sample_dir)])
    assert result.exit_code == 0, result.output
    answer = json.loads(
        runner.invoke(
            main, ["--chroma-url", chroma_server, "ask", "Who was summoned and why?", "--json"]
        ).output
    )
    assert not answer["refused"] and answer["citations"]
    bad = runner.invoke(main, ["--chroma-url", "http://127.0.0.1:9", "ask", "Who?"])
    assert bad.exit_code == 1 and "cannot reach the Chroma server" in bad.output


def test_cli_with_both_servers_and_a_fresh_data_dir_per_command(
    chroma_server, postgres_url, fake_embedder, sample_dir, tmp_path
):
    """Every command from its own data directory (another host): nothing but the two servers
    is shared."""
    import json

    from click.testing import CliRunner

    from qa.cli import main

    def qa(n: int, *args: str):
        env = {"QA_CATALOGUE_URL": postgres_url, "QA_COLLECTION": "cli_both"}
        options = ["--data-dir", str(tmp_path / f"host{n}"), "--chroma-url", chroma_server]
        return CliRunner().invoke(main, [*options, *args], env=env)

    assert qa(1, "index", str(sample_dir)).exit_code == 0
    answer = json.loads(qa(2, "ask", "Who was summoned and why?", "--json").output)
    assert not answer["refused"] and answer["citations"]
    listed = json.loads(qa(3, "docs", "list", "--json").output)
    assert len(listed) == 2
    removed = qa(4, "docs", "remove", listed[0]["id"])
    assert removed.exit_code == 0, removed.output
    assert [d["id"] for d in json.loads(qa(5, "docs", "list", "--json").output)] == [
        listed[1]["id"]
    ]
    missing = CliRunner().invoke(
        main, ["ask", "Who?"], env={"QA_CATALOGUE_URL": postgres_url, "QA_COLLECTION": "none"}
    )
    assert missing.exit_code == 1 and "no collection 'none' in the catalogue at" in missing.output
    assert postgres_url.split(":")[2].split("@")[0] not in missing.output  # the password


def test_search_by_publication_date(backend):
    from index.dates import DateRange

    store = _store(backend)
    chunks = _chunks("a", ["bridge news one"]) + _chunks("b", ["bridge news two"])
    vectors = HashEmbedder().embed([c.text for c in chunks])
    store.add(chunks, vectors, {"a": "2022-01-05", "b": "2023-06-20"})
    query = HashEmbedder().embed(["bridge news"])[0]
    assert {_doc(h) for h in store.search(query, 5)} == {"a", "b"}
    assert {_doc(h) for h in store.search(query, 5, DateRange(since="2023-01-01"))} == {"b"}
    assert {_doc(h) for h in store.search(query, 5, DateRange("2022-01-01", "2022-12-31"))} == {"a"}


def test_search_within_the_ids_of_a_date_range(backend):
    from index.dates import DateRange

    store = _store(backend)
    chunks = _chunks("a", ["bridge news one"]) + _chunks("b", ["bridge news two"])
    store.add(chunks, HashEmbedder().embed([c.text for c in chunks]), {"b": "2023-06-20"})
    query = HashEmbedder().embed(["bridge news"])[0]
    recent, only_b = DateRange(since="2023-01-01"), [c.id for c in chunks if c.doc_id == "b"]
    assert {_doc(h) for h in store.search(query, 5, recent, within=only_b)} == {"b"}
    assert store.search(query, 5, recent, within=[]) == []
    # An id without a vector (a half-written chunk): the date filter answers instead.
    with_missing = [*only_b, "c:0"]
    assert {_doc(h) for h in store.search(query, 5, recent, within=with_missing)} == {"b"}


def _sentence_state(settings, embedder):
    """(sentence records in the manifest, sentence ids with vectors) of a collection."""
    from index.collection import open_collection
    from qa.factory import location

    collection = open_collection(location(settings), embedder)
    return collection.manifest, collection.store


def test_sentence_records_follow_their_documents(backend, sample_dir):
    """Index, re-index a changed file, remove: the manifest's sentence records and the stored
    sentence vectors stay equal, and every record's span is exact."""
    embedder = HashEmbedder()
    indexer = build_indexer(backend, embedder=embedder)
    indexer.index([sample_dir])
    manifest, store = _sentence_state(backend, embedder)
    records = manifest.sentence_ids()
    assert records and store.sentences.ids() == records
    for info in manifest.list_documents():
        text = manifest.text(info.id)
        sentences = manifest.sentences_within([(info.id, 0, len(text))])
        assert sentences and all(
            text[s.start : s.end].strip() == text[s.start : s.end] for s in sentences
        )
        assert all(s.annotation.get("deps") for s in sentences)  # parsed at index time
        names = {
            text[s.start + a : s.start + b] for s in sentences for a, b, _ in s.annotation["ents"]
        }
        assert names  # entity offsets are relative to the sentence
    first = sorted(sample_dir.iterdir())[0]
    first.write_text(first.read_text() + "\nA new closing sentence about the summit was added.\n")
    indexer.index([sample_dir])
    manifest, store = _sentence_state(backend, embedder)
    assert store.sentences.ids() == manifest.sentence_ids() != records
    for info in manifest.list_documents():
        indexer.remove(info.id)
    manifest, store = _sentence_state(backend, embedder)
    assert manifest.sentence_ids() == set() and store.sentences.ids() == set()


def test_sentence_search_and_vectors(backend, sample_dir):
    embedder = HashEmbedder()
    build_indexer(backend, embedder=embedder).index([sample_dir])
    manifest, store = _sentence_state(backend, embedder)
    query = embedder.embed(["Zinoviev threaten blackmail unacceptable"])[0]
    [best, *_] = store.sentences.search(query, 5)
    text = manifest.text(best.doc_id)
    assert "blackmail" in text[best.start : best.end] and best.chunk_id.startswith(best.doc_id)
    vectors = store.sentences.vectors([best.sentence_id, "no-such:s0"])
    assert list(vectors) == [best.sentence_id]
    assert float(vectors[best.sentence_id] @ query) == pytest.approx(best.similarity, abs=1e-4)
    assert store.sentences.search(query, 5, chunk_ids=set()) == []
    only = store.sentences.search(query, 5, chunk_ids={best.chunk_id})
    assert only and {h.chunk_id for h in only} == {best.chunk_id}


def test_an_answer_embeds_only_the_question(backend, sample_dir):
    embedder = HashEmbedder()
    build_indexer(backend, embedder=embedder).index([sample_dir])
    assistant = build_assistant(backend, embedder=embedder)
    before = embedder.calls
    answer = assistant.ask("What did Zinoviev say in response?")
    assert embedder.calls == before + 1  # the question; every sentence vector is stored
    shown = [c.quote for c in answer.citations] + [p.quote for p in answer.closest]
    assert any("blackmail" in quote for quote in shown)  # scored from the stored vectors
