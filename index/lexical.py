"""BM25 over chunk texts (bm25s), kept beside the manifest and rebuilt when it is stale.

Rebuilding reads the manifest, not Chroma, so it is the same for any store backend; it costs a
few seconds per 10k chunks and happens at most once per change of the collection.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from index.chunking import passage_text
from index.dates import DateRange, day_key
from index.manifest import Manifest

_local = threading.local()


def _stemmer():
    # PyStemmer's stemmers must not be shared between threads.
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import Stemmer

        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


def tokenize(texts: list[str]):
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), show_progress=False)


@dataclass(frozen=True)
class _Snapshot:
    """One consistent state of the index, swapped in whole so concurrent readers never mix
    the chunk ids of one generation with the scores of another."""

    generation: int
    model: Any  # bm25s.BM25, or None when the collection is empty
    chunk_ids: list[str]
    days: np.ndarray  # day key of each chunk's published date, 0 when undated


_EMPTY = _Snapshot(-1, None, [], np.zeros(0, dtype=np.int64))


class LexicalIndex:
    def __init__(self, directory: Path, manifest: Manifest):
        self._dir = directory
        self._manifest = manifest
        self._snapshot = _EMPTY
        self._refresh_lock = threading.Lock()
        self._pinned = threading.local()  # the snapshot of the question this thread answers

    def search(self, query: str, n: int, dates: DateRange | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the best `n` chunks with a positive score."""
        snap = self._fresh()
        if snap.model is None or not snap.chunk_ids:
            return []
        tokens = tokenize([query])
        if not tokens.vocab or not any(tokens.ids):
            return []
        mask = None
        if dates is not None and dates.active:
            mask = dates.mask(snap.days)
        ids, scores = snap.model.retrieve(
            tokens,
            k=min(n, len(snap.chunk_ids)),
            show_progress=False,
            n_threads=0,  # in this thread: 1 starts a thread pool per query
            weight_mask=mask,
        )
        return [
            (snap.chunk_ids[i], float(s)) for i, s in zip(ids[0], scores[0], strict=True) if s > 0
        ]

    def chunk_ids_in(self, dates: DateRange) -> list[str] | None:
        """The ids of the chunks published within `dates`; None when that is every chunk."""
        snap = self._fresh()
        inside = np.flatnonzero(dates.mask(snap.days))
        if len(inside) == len(snap.chunk_ids):
            return None
        return [snap.chunk_ids[i] for i in inside]

    def idf(self, words: set[str]) -> dict[str, float]:
        """BM25 inverse document frequency of stemmed words; a word absent from the collection
        gets the highest value, which is what makes it a strong sign of an unanswerable question."""
        snap = self._fresh()
        n = len(snap.chunk_ids)
        vocab = snap.model.vocab_dict if snap.model is not None else {}
        df = np.diff(snap.model.scores["indptr"]) if snap.model is not None else None
        weights = {}
        for word in words:
            count = int(df[vocab[word]]) if word in vocab and df is not None else 0
            weights[word] = math.log(1 + (n - count + 0.5) / (count + 0.5))
        return weights

    def unknown(self, words: set[str]) -> set[str]:
        """The stemmed words that no chunk of the collection contains."""
        snap = self._fresh()
        vocab = snap.model.vocab_dict if snap.model is not None else {}
        df = np.diff(snap.model.scores["indptr"]) if snap.model is not None else None
        return {w for w in words if w not in vocab or df is None or int(df[vocab[w]]) == 0}

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """Everything inside reads one snapshot: a question's search, IDF weights and unknown
        words come from the same state of the collection, and the catalogue's generation is
        read once per question, not at every call."""
        self._pinned.snapshot = self._fresh()
        try:
            yield
        finally:
            self._pinned.snapshot = None

    def _fresh(self) -> _Snapshot:
        pinned = getattr(self._pinned, "snapshot", None)
        if pinned is not None:
            return pinned
        generation = self._manifest.generation()
        if self._snapshot.generation != generation:
            with self._refresh_lock:  # one thread rebuilds; the others wait for its result
                if self._snapshot.generation != generation:
                    self._snapshot = self._load(generation) or self._rebuild(generation)
        return self._snapshot

    def _load(self, generation: int) -> _Snapshot | None:
        stamp = self._dir / "stamp.json"
        if not stamp.exists():
            return None
        try:
            saved = json.loads(stamp.read_text())
            if saved.get("generation") != generation:
                return None
            import bm25s

            chunk_ids = saved["chunk_ids"]
            model = (
                bm25s.BM25.load(str(self._dir / "bm25"), show_progress=False) if chunk_ids else None
            )
            return _Snapshot(generation, model, chunk_ids, _day_keys(saved["published"]))
        except (OSError, ValueError, KeyError):
            return None  # damaged or half-written: rebuild

    def _rebuild(self, generation: int) -> _Snapshot:
        import bm25s

        rows = list(self._manifest.iter_chunk_texts())
        chunk_ids = [row[0] for row in rows]
        published = [row[3] for row in rows]
        model = None
        if rows:
            model = bm25s.BM25()
            model.index(tokenize([passage_text(t, x) for _, t, x, _ in rows]), show_progress=False)
        # Write to a temporary folder and swap it in, so a reader never sees half an index.
        self._dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="bm25-", dir=self._dir.parent))
        if model is not None:
            model.save(str(staging / "bm25"), show_progress=False)
        (staging / "stamp.json").write_text(
            json.dumps({"generation": generation, "chunk_ids": chunk_ids, "published": published})
        )
        shutil.rmtree(self._dir, ignore_errors=True)
        staging.rename(self._dir)
        return _Snapshot(generation, model, chunk_ids, _day_keys(published))


def terms(texts: list[str]) -> list[frozenset[str]]:
    """Stemmed content words; the long English stopword list drops question words too.

    The same words as `bm25s.tokenize(texts, stopwords=STOPWORDS_EN_PLUS, stemmer=...)` (its
    pattern, lower-casing, stopwords before stemming), computed here because the reader calls
    this dozens of times per question on a few words each, and bm25s.tokenize, built for
    corpora, rebuilds its stopword set per text and opens three progress bars per call."""
    return [_terms(text) for text in texts]


@lru_cache(maxsize=1 << 15)  # the reader asks again for the same sentences' words
def _terms(text: str) -> frozenset[str]:
    stop = stopwords()
    return frozenset(_stem(word) for word in _WORD.findall(text.lower()) if word not in stop)


_WORD = re.compile(r"(?u)\b\w\w+\b")  # bm25s's (and scikit-learn's) token pattern


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """bm25s's long English stopword list, the one `terms` drops."""
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return frozenset(STOPWORDS_EN_PLUS)


@lru_cache(maxsize=1 << 17)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


def _day_keys(published: list[str | None]) -> np.ndarray:
    return np.array([day_key(p) or 0 for p in published], dtype=np.int64)
