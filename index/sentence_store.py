"""Sentence vectors in a second Chroma collection beside the chunk collection.

Every stored sentence (index/documents.Sentence) gets its vector at index time, so answering a
question embeds only the question. Living in Chroma, the sentence vectors are wherever the chunk
vectors are: the embedded store or a Chroma server shared by several machines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from index.chroma import all_ids, delete_ids, open_vectors, probe_collection
from index.documents import Sentence
from index.embedding import Embedder


def sentence_collection_name(collection: str) -> str:
    return f"{collection}.sentences"


@dataclass
class SentenceHit:
    sentence_id: str
    chunk_id: str
    doc_id: str
    start: int
    end: int
    similarity: float


class SentenceStore:
    def __init__(self, client: Any, embedder: Embedder, collection: str = "documents"):
        self._collection = open_vectors(client, embedder, sentence_collection_name(collection))

    def add(self, sentences: list[Sentence], vectors: np.ndarray) -> None:
        if not sentences:
            return
        self._collection.upsert(
            ids=[s.id for s in sentences],
            embeddings=vectors,
            metadatas=[
                {"doc_id": s.doc_id, "chunk_id": s.chunk_id, "start": s.start, "end": s.end}
                for s in sentences
            ],
        )

    def vectors(self, sentence_ids: list[str]) -> dict[str, np.ndarray]:
        """The stored vector of each id that has one."""
        if not sentence_ids:
            return {}
        unique = list(dict.fromkeys(sentence_ids))  # Chroma refuses a repeated id
        found = self._collection.get(ids=unique, include=["embeddings"])
        return {
            sid: np.asarray(vector, dtype=np.float32)
            for sid, vector in zip(found["ids"], found["embeddings"], strict=True)
        }

    def search(
        self, vector: np.ndarray, n: int, chunk_ids: set[str] | None = None
    ) -> list[SentenceHit]:
        """The `n` nearest sentences; with `chunk_ids`, only sentences of those chunks (checked
        after the search, among a wider set of hits: Chroma's metadata filters are slow)."""
        if n <= 0 or chunk_ids == set():
            return []
        # No count() first: it costs as much as the query, and Chroma returns what it has.
        result = self._collection.query(
            query_embeddings=[vector],
            n_results=n if chunk_ids is None else n * 4,
            include=["metadatas", "distances"],
        )
        hits = []
        for sid, meta, distance in zip(
            result["ids"][0], result["metadatas"][0], result["distances"][0], strict=True
        ):
            if chunk_ids is not None and meta["chunk_id"] not in chunk_ids:
                continue
            hits.append(
                SentenceHit(
                    sid,
                    str(meta["chunk_id"]),
                    str(meta["doc_id"]),
                    int(meta["start"]),
                    int(meta["end"]),
                    1.0 - float(distance),
                )
            )
        return hits[:n]

    def probe(self) -> None:
        probe_collection(self._collection, "sentences")

    def delete_document(self, doc_id: str) -> None:
        self._collection.delete(where={"doc_id": doc_id})

    def delete(self, sentence_ids: list[str]) -> None:
        delete_ids(self._collection, sentence_ids)

    def ids(self) -> set[str]:
        return all_ids(self._collection)

    def count(self) -> int:
        return int(self._collection.count())
