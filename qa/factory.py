"""Build the objects of a run from the settings, in one place (tests hand in fakes instead)."""

from __future__ import annotations

from index.collection import Collection, Location, open_collection
from index.embedding import Embedder, SentenceTransformerEmbedder
from index.indexer import Indexer
from qa.assistant import Assistant
from qa.llm import LLM, build_llm, llm_available
from qa.retrieval import HybridRetriever
from qa.settings import Settings


def build_embedder(settings: Settings) -> Embedder:
    return SentenceTransformerEmbedder(
        settings.embedding_model,
        settings.embedding_batch_size,
        settings.threads,
        settings.embedding_precision,
    )


def location(settings: Settings) -> Location:
    """Where the settings' collection lives."""
    token, catalogue = settings.chroma_token, settings.catalogue_url
    return Location(
        settings.data_dir,
        settings.collection,
        settings.chroma_url,
        token.get_secret_value() if token else None,
        catalogue.get_secret_value() if catalogue else None,
    )


def build_indexer(
    settings: Settings,
    embedder: Embedder | None = None,
    progress: bool = False,
    collection: Collection | None = None,
) -> Indexer:
    """An indexer of the settings' collection (created if there is none), or of `collection`."""
    if collection is None:
        embedder = embedder or build_embedder(settings)
        collection = open_collection(location(settings), embedder, create=True)
    return Indexer(
        collection,
        chunk_tokens=settings.chunk_tokens,
        overlap_sentences=settings.chunk_overlap_sentences,
        progress=progress,
        pooled_sentence_vectors=settings.sentence_vectors == "pooled",
    )


def build_assistant(
    settings: Settings,
    embedder: Embedder | None = None,
    retrieval_mode: str = "hybrid",
    llm: LLM | None = None,
    collection: Collection | None = None,
) -> Assistant:
    """An assistant answering from the settings' collection, or from `collection`."""
    if collection is None:
        collection = open_collection(location(settings), embedder or build_embedder(settings))
    retriever = HybridRetriever(
        collection.store,
        collection.lexical,
        collection.manifest,
        candidates=settings.candidates,
        rrf_k=settings.rrf_k,
        mode=retrieval_mode,
    )
    return Assistant(
        settings,
        collection.manifest,
        retriever,
        collection.embedder,
        llm=build_llm(settings) if llm is None and llm_available(settings) else llm,
    )
