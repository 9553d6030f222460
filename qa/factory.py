"""Build the objects of a run from the settings, in one place (tests hand in fakes instead)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.consistency import open_store
from index.embedding import Embedder, SentenceTransformerEmbedder
from index.errors import UserError
from index.indexer import Indexer
from index.lexical import LexicalIndex
from index.manifest import Manifest
from index.store import ChunkStore, chroma_dir, open_client
from qa.assistant import Assistant
from qa.llm import LLM, build_llm, llm_available
from qa.retrieval import HybridRetriever
from qa.settings import Settings


class CollectionMissingError(UserError, RuntimeError):
    """Asked to read a collection that was never created."""


@dataclass
class Collection:
    manifest: Manifest
    store: ChunkStore
    lexical: LexicalIndex


def build_embedder(settings: Settings) -> Embedder:
    return SentenceTransformerEmbedder(
        settings.embedding_model, settings.embedding_batch_size, settings.threads
    )


def open_manifest(settings: Settings, create: bool = False) -> Manifest:
    """The catalogue alone, for commands that neither embed nor search: the SQLite file in the
    data directory, or the PostgreSQL server of `catalogue_url`."""
    if settings.catalogue_url is not None:
        url = settings.catalogue_url.get_secret_value()
        return Manifest(url, settings.collection, create=create)
    path = settings.data_dir / f"{settings.collection}.manifest.sqlite3"
    if not create and not path.exists():
        raise CollectionMissingError(
            f"no collection '{settings.collection}' in {settings.data_dir}: "
            "index documents first with `qa index PATH`"
        )
    return Manifest(path, settings.collection, lock_path=writer_lock_path(settings))


def open_collection(
    settings: Settings,
    embedder: Embedder,
    create: bool = False,
    repair: bool = True,
    thorough: bool = False,
) -> Collection:
    manifest = open_manifest(settings, create)
    token = settings.chroma_token.get_secret_value() if settings.chroma_token else None
    store = open_store(
        lambda: open_client(settings.data_dir, settings.chroma_url, token),
        embedder,
        settings.collection,
        manifest,
        manifest.writer_lock,
        None if settings.chroma_url else chroma_dir(settings.data_dir),
        repair=repair,
        thorough=thorough,
    )
    return Collection(manifest, store, LexicalIndex(lexical_dir(settings, manifest), manifest))


def lexical_dir(settings: Settings, manifest: Manifest) -> Path:
    """Where this process keeps its BM25 snapshot. A shared catalogue's is named after the
    catalogue too, so a data directory used with two catalogues never mixes their snapshots."""
    if manifest.on_server:
        return settings.data_dir / f"{settings.collection}.{manifest.identity()[:12]}.bm25"
    return settings.data_dir / f"{settings.collection}.bm25"


def writer_lock_path(settings: Settings) -> Path:
    """The writer's lock file beside an SQLite catalogue."""
    return settings.data_dir / f"{settings.collection}.writer.lock"


def build_indexer(
    settings: Settings, embedder: Embedder | None = None, progress: bool = False
) -> Indexer:
    embedder = embedder or build_embedder(settings)
    collection = open_collection(settings, embedder, create=True)
    return Indexer(
        collection.manifest,
        collection.store,
        embedder,
        chunk_tokens=settings.chunk_tokens,
        overlap_sentences=settings.chunk_overlap_sentences,
        progress=progress,
        lock_path=collection.manifest.writer_lock,
        pooled_sentence_vectors=settings.sentence_vectors == "pooled",
    )


def build_assistant(
    settings: Settings,
    embedder: Embedder | None = None,
    retrieval_mode: str = "hybrid",
    llm: LLM | None = None,
) -> Assistant:
    embedder = embedder or build_embedder(settings)
    collection = open_collection(settings, embedder)
    retriever = HybridRetriever(
        collection.store,
        collection.lexical,
        collection.manifest,
        candidates=settings.candidates,
        rrf_k=settings.rrf_k,
        mode=retrieval_mode,
    )
    return Assistant(
        settings, collection.manifest, retriever, embedder, llm=_llm_factory(settings, llm)
    )


def _llm_factory(settings: Settings, llm: LLM | None) -> Callable[[], LLM] | None:
    if llm is not None:
        return lambda: llm
    if not llm_available(settings):
        return None
    return lambda: build_llm(settings)
