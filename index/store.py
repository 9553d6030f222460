"""Chunk vectors in a Chroma collection. The collection records its embedding model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from index.chroma import StoreError, all_ids, delete_ids, open_vectors, probe_collection
from index.dates import DateRange, day_key
from index.documents import Chunk
from index.embedding import Embedder
from index.sentence_store import SentenceStore


@dataclass
class DenseHit:
    """A chunk near the query; its document and span are the catalogue's (Manifest.chunk_spans):
    fetching Chroma's copy of them doubled the time of a query."""

    chunk_id: str
    similarity: float


def chroma_dir(data_dir: Path) -> Path:
    """Where the embedded store keeps its files."""
    return data_dir / "chroma"


def open_client(data_dir: Path, url: str | None = None, token: str | None = None) -> Any:
    """The embedded Chroma store under the data directory, or a Chroma server at `url`
    (http://host:port or https://…; `token` is sent as a bearer token)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if not url:
        return chromadb.PersistentClient(path=str(chroma_dir(data_dir)), settings=settings)
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise StoreError(f"invalid Chroma server URL '{url}': use http://HOST:PORT")
    headers = {"Authorization": f"Bearer {token}"} if token else None
    try:
        return chromadb.HttpClient(
            host=parsed.hostname,
            port=parsed.port or (443 if parsed.scheme == "https" else 8000),
            ssl=parsed.scheme == "https",
            headers=headers,
            settings=settings,
        )
    except Exception as exc:  # connection refused, TLS, auth: all mean "cannot use this server"
        raise StoreError(f"cannot reach the Chroma server at {url} ({type(exc).__name__})") from exc


def forget_embedded_client(path: Path) -> None:
    """Stop chromadb's cached client for the embedded store at `path`, so the next client opens
    the files afresh (chromadb keeps one per path for the life of the process)."""
    from chromadb.api.shared_system_client import SharedSystemClient

    system = SharedSystemClient._identifier_to_system.pop(str(path), None)
    SharedSystemClient._identifier_to_refcount.pop(str(path), None)
    if system is not None:
        try:
            system.stop()
        except Exception:  # a damaged store may fail to stop cleanly; it is discarded anyway
            pass


class ChunkStore:
    """Add, delete and search chunk vectors; refuses a collection built with another model."""

    def __init__(self, client: Any, embedder: Embedder, collection: str = "documents"):
        self._embedder = embedder
        self._collection = open_vectors(client, embedder, collection)
        self.sentences = SentenceStore(client, embedder, collection)

    def add(
        self, chunks: list[Chunk], vectors: np.ndarray, published: dict[str, str | None]
    ) -> None:
        if not chunks:
            return
        metadatas = []
        for chunk in chunks:
            meta: dict[str, Any] = {
                "doc_id": chunk.doc_id,
                "start": chunk.start,
                "end": chunk.end,
                "index": chunk.index,
            }
            if published.get(chunk.doc_id):
                meta["published"] = published[chunk.doc_id]
                meta["published_day"] = day_key(published[chunk.doc_id])
            metadatas.append(meta)
        # upsert: re-running an interrupted indexing run overwrites instead of duplicating
        self._collection.upsert(
            ids=[c.id for c in chunks],
            embeddings=vectors,
            documents=[c.text for c in chunks],
            metadatas=metadatas,
        )

    def delete_document(self, doc_id: str) -> None:
        self._collection.delete(where={"doc_id": doc_id})
        self.sentences.delete_document(doc_id)

    def delete_chunks(self, chunk_ids: list[str]) -> None:
        delete_ids(self._collection, chunk_ids)

    def probe(self) -> None:
        """Raise if the store cannot answer: damaged files fail here (or return too few hits)
        rather than in the middle of a question. Both collections, chunks and sentences."""
        probe_collection(self._collection, "chunks")
        self.sentences.probe()

    def search(
        self,
        vector: np.ndarray,
        n: int,
        dates: DateRange | None = None,
        within: list[str] | None = None,
    ) -> list[DenseHit]:
        """The `n` nearest chunks, optionally only those published in `dates`. `within`, the ids
        of the chunks in `dates` if the caller knows them, makes that much faster: Chroma
        evaluates a metadata filter row by row (about 70 ms on 35k chunks), an id list in under
        20 ms. Chroma refuses an id it does not hold, so then the metadata filter is used."""
        if within == []:
            return []
        query = {"query_embeddings": [vector], "include": ["distances"]}
        result = None
        if within is not None:
            try:
                result = self._collection.query(**query, ids=within, n_results=min(n, len(within)))
            except Exception as exc:  # chromadb raises InternalError (embedded) or a server error
                if "finding id" not in str(exc).lower():
                    raise
        if result is None:
            where = dates.chroma_where() if dates else None
            result = self._collection.query(**query, where=where, n_results=n)
        return [
            DenseHit(chunk_id, 1.0 - float(distance))
            for chunk_id, distance in zip(result["ids"][0], result["distances"][0], strict=True)
        ]

    def count(self) -> int:
        return int(self._collection.count())

    def chunk_ids(self) -> set[str]:
        return all_ids(self._collection)

    def document_ids(self) -> set[str]:
        """Every doc_id that has chunks (for consistency checks)."""
        ids: set[str] = set()
        offset, page = 0, 5000
        while True:
            batch = self._collection.get(include=["metadatas"], limit=page, offset=offset)
            ids.update(str(m["doc_id"]) for m in batch["metadatas"])
            if len(batch["ids"]) < page:
                return ids
            offset += page
