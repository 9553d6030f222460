"""Chroma collections of our vectors: created with our embedding function (Chroma's default
would download a model), checked for the model that built them, read and deleted page by page."""

from __future__ import annotations

from typing import Any

import numpy as np

from index.embedding import Embedder


class StoreError(Exception):
    """The store cannot be used as configured; the message says what to do."""


class StoreDamagedError(StoreError):
    """The store's own files are damaged."""


def embedding_function(embedder: Embedder) -> Any:
    """Chroma's own default would download a model, so every collection gets ours."""
    from chromadb.api.types import Documents, EmbeddingFunction

    class QAEmbeddingFunction(EmbeddingFunction[Documents]):
        def __init__(self, wrapped: Embedder):
            self._wrapped = wrapped

        def __call__(self, input: Documents) -> list[np.ndarray]:
            return list(self._wrapped.embed(list(input)))

        @staticmethod
        def name() -> str:
            return "qa-embedder"

        def get_config(self) -> dict[str, Any]:
            return {"model": self._wrapped.name}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> EmbeddingFunction:
            raise StoreError(f"open this collection through qa (model {config.get('model')})")

    return QAEmbeddingFunction(embedder)


def open_vectors(client: Any, embedder: Embedder, name: str) -> Any:
    """A Chroma collection of cosine vectors from `embedder`, created if missing; refuses one
    built with another model."""
    collection = client.get_or_create_collection(
        name,
        embedding_function=embedding_function(embedder),
        metadata={"embedding_model": embedder.name},
        configuration={"hnsw": {"space": "cosine"}},
    )
    recorded = (collection.metadata or {}).get("embedding_model")
    if recorded != embedder.name:
        raise StoreError(
            f"collection '{name}' was built with embedding model '{recorded}', "
            f"not '{embedder.name}': set QA_EMBEDDING_MODEL='{recorded}' or use another "
            "--data-dir / collection"
        )
    return collection


def all_ids(collection: Any, page: int = 5000) -> set[str]:
    """Every id in a Chroma collection, read page by page."""
    ids: set[str] = set()
    offset = 0
    while True:
        batch = collection.get(include=[], limit=page, offset=offset)
        ids.update(batch["ids"])
        if len(batch["ids"]) < page:
            return ids
        offset += page


def delete_ids(collection: Any, ids: list[str], page: int = 5000) -> None:
    for start in range(0, len(ids), page):
        collection.delete(ids=ids[start : start + page])


def probe_collection(collection: Any, what: str) -> None:
    """Raise StoreDamagedError if a nearest-neighbour query cannot return enough hits (damaged
    files fail here, not in the middle of a question). Uses a stored vector, so probing never
    loads the embedding model."""
    total = int(collection.count())
    if total == 0:
        return
    wanted = min(10, total)
    vector = collection.get(limit=1, include=["embeddings"])["embeddings"][0]
    hits = collection.query(query_embeddings=[vector], n_results=wanted, include=[])
    if len(hits["ids"][0]) < wanted:
        raise StoreDamagedError(
            f"its vector index returned {len(hits['ids'][0])} of {wanted} nearest {what}"
        )
