"""Hybrid retrieval: dense chunks and dense sentences (Chroma) and BM25 chunks, fused by
reciprocal rank. A sentence hit votes for the chunk that holds it, so a chunk with one precise
sentence can rank high even when the chunk as a whole matches the question less well."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass

import numpy as np

from index.dates import DateRange
from index.lexical import LexicalIndex
from index.manifest import Manifest
from index.store import ChunkStore
from qa.fusion import reciprocal_rank_fusion
from qa.timing import Timings


@dataclass
class RetrievedChunk:
    chunk_id: str
    doc_id: str
    start: int
    end: int
    score: float  # fused RRF score
    dense_rank: int | None = None
    dense_similarity: float | None = None
    bm25_rank: int | None = None
    bm25_score: float | None = None
    sentence_rank: int | None = None  # rank of its best sentence among the sentence hits

    def to_dict(self) -> dict:
        """The row of `qa ask --json`'s `retrieved`, scores rounded."""
        return {
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 6),
            "dense_rank": self.dense_rank,
            "dense_similarity": _rounded(self.dense_similarity, 4),
            "bm25_rank": self.bm25_rank,
            "bm25_score": _rounded(self.bm25_score, 4),
            "sentence_rank": self.sentence_rank,
        }


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


class HybridRetriever:
    def __init__(
        self,
        store: ChunkStore,
        lexical: LexicalIndex,
        manifest: Manifest,
        candidates: int = 30,
        rrf_k: int = 60,
        mode: str = "hybrid",
    ):
        if mode not in {"hybrid", "dense", "bm25"}:
            raise ValueError(f"unknown retrieval mode {mode!r}")
        self._store = store
        self._lexical = lexical
        self._manifest = manifest
        self._candidates = candidates
        self._rrf_k = rrf_k
        self.mode = mode

    def pinned(self) -> AbstractContextManager[None]:
        """One state of the collection for a question's retrieval and reading (see
        LexicalIndex.pinned)."""
        return self._lexical.pinned()

    def idf(self, words: set[str]) -> dict[str, float]:
        return self._lexical.idf(words)

    def unknown_words(self, words: set[str]) -> set[str]:
        """Stemmed words that occur nowhere in the collection."""
        return self._lexical.unknown(words)

    def sentence_vectors(self, sentence_ids: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these sentences (for scoring evidence without embedding)."""
        return self._store.sentences.vectors(sentence_ids)

    def retrieve(
        self,
        question: str,
        query_vector: np.ndarray,
        top_k: int,
        timings: Timings | None = None,
        dates: DateRange | None = None,
        date_boost: bool = False,
    ) -> list[RetrievedChunk]:
        """The top_k fused chunks. With `dates`, only chunks published in that range are
        returned; with `date_boost` too, chunks in the range are preferred instead (their
        rankings join the unfiltered ones in the fusion)."""
        timings = timings or Timings()
        filtered = dates if dates is not None and dates.active else None
        rankings: list[list[str]] = []
        dense = lexical = by_sentence = []
        for window in [None, filtered] if filtered and date_boost else [filtered]:
            if self.mode != "bm25":
                with timings.stage("dense"):
                    # The manifest's dates (held by the BM25 snapshot) pick the chunk ids;
                    # None means every chunk is in the range, so there is nothing to filter.
                    within = self._lexical.chunk_ids_in(window) if window else None
                    dense_window = window if within is not None else None
                    hits = self._store.search(query_vector, self._candidates, dense_window, within)
                rankings.append([h.chunk_id for h in hits])
                dense = dense or hits
                with timings.stage("dense_sentences"):
                    allowed = set(within) if within is not None else None
                    sentence_hits = self._store.sentences.search(
                        query_vector, self._candidates, allowed
                    )
                rankings.append(_chunk_order(sentence_hits))
                by_sentence = by_sentence or sentence_hits
            if self.mode != "dense":
                with timings.stage("bm25"):
                    found = self._lexical.search(question, self._candidates, window)
                rankings.append([cid for cid, _ in found])
                lexical = lexical or found
        with timings.stage("fuse"):
            fused = reciprocal_rank_fusion(rankings, k=self._rrf_k)[:top_k]
            dense_by_id = {h.chunk_id: (rank, h) for rank, h in enumerate(dense, start=1)}
            bm25_by_id = {cid: (rank, s) for rank, (cid, s) in enumerate(lexical, start=1)}
            sentence_rank = {cid: rank for rank, cid in enumerate(_chunk_order(by_sentence), 1)}
            spans = self._manifest.chunk_spans([cid for cid, _ in fused])
            results = []
            for chunk_id, score in fused:
                if chunk_id not in spans:
                    continue  # vectors whose manifest entry was never committed
                doc_id, start, end = spans[chunk_id]
                d_rank, d_hit = dense_by_id.get(chunk_id, (None, None))
                b_rank, b_score = bm25_by_id.get(chunk_id, (None, None))
                results.append(
                    RetrievedChunk(
                        chunk_id,
                        doc_id,
                        start,
                        end,
                        score,
                        dense_rank=d_rank,
                        dense_similarity=d_hit.similarity if d_hit else None,
                        bm25_rank=b_rank,
                        bm25_score=b_score,
                        sentence_rank=sentence_rank.get(chunk_id),
                    )
                )
        return results


def _chunk_order(hits: list) -> list[str]:
    """The chunks of sentence hits, each once, in the order of their best sentence."""
    return list(dict.fromkeys(h.chunk_id for h in hits))
