"""BM25 over chunk texts (bm25s), kept beside the manifest and rebuilt when it is stale.

Rebuilding reads the manifest, not Chroma, so it is the same for any store backend; it costs a
few seconds per 10k chunks and happens at most once per change of the collection.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from functools import cache
from pathlib import Path

import numpy as np

from index.chunking import passage_text
from index.dates import DateRange, day_key
from index.manifest import Manifest


@cache
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(texts: list[str]):
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), show_progress=False)


class LexicalIndex:
    def __init__(self, directory: Path, manifest: Manifest):
        self._dir = directory
        self._manifest = manifest
        self._model = None
        self._chunk_ids: list[str] = []
        self._published: list[str | None] = []
        self._days = np.zeros(0, dtype=np.int64)  # day keys of _published, 0 when undated
        self._generation = -1

    def search(self, query: str, n: int, dates: DateRange | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the best `n` chunks with a positive score."""
        self._ensure_fresh()
        if self._model is None or not self._chunk_ids:
            return []
        tokens = tokenize([query])
        if not tokens.vocab or not any(tokens.ids):
            return []
        mask = None
        if dates is not None and dates.active:
            mask = dates.mask(self._days)
        ids, scores = self._model.retrieve(
            tokens,
            k=min(n, len(self._chunk_ids)),
            show_progress=False,
            n_threads=1,
            weight_mask=mask,
        )
        return [
            (self._chunk_ids[i], float(s)) for i, s in zip(ids[0], scores[0], strict=True) if s > 0
        ]

    def idf(self, words: set[str]) -> dict[str, float]:
        """BM25 inverse document frequency of stemmed words; a word absent from the collection
        gets the highest value, which is what makes it a strong sign of an unanswerable question."""
        self._ensure_fresh()
        n = len(self._chunk_ids)
        vocab = self._model.vocab_dict if self._model is not None else {}
        df = np.diff(self._model.scores["indptr"]) if self._model is not None else None
        weights = {}
        for word in words:
            count = int(df[vocab[word]]) if word in vocab and df is not None else 0
            weights[word] = math.log(1 + (n - count + 0.5) / (count + 0.5))
        return weights

    def _ensure_fresh(self) -> None:
        generation = self._manifest.generation()
        if generation == self._generation:
            return
        if not self._load(generation):
            self._rebuild(generation)
        self._generation = generation

    def _load(self, generation: int) -> bool:
        stamp = self._dir / "stamp.json"
        if not stamp.exists():
            return False
        try:
            saved = json.loads(stamp.read_text())
            if saved.get("generation") != generation:
                return False
            import bm25s

            self._chunk_ids = saved["chunk_ids"]
            self._published = saved["published"]
            self._days = _day_keys(self._published)
            self._model = (
                bm25s.BM25.load(str(self._dir / "bm25"), show_progress=False)
                if self._chunk_ids
                else None
            )
            return True
        except (OSError, ValueError, KeyError):
            return False  # damaged or half-written: rebuild

    def _rebuild(self, generation: int) -> None:
        import bm25s

        rows = list(self._manifest.iter_chunk_texts())
        self._chunk_ids = [row[0] for row in rows]
        self._published = [row[3] for row in rows]
        self._days = _day_keys(self._published)
        self._model = None
        if rows:
            self._model = bm25s.BM25()
            self._model.index(
                tokenize([passage_text(t, x) for _, t, x, _ in rows]), show_progress=False
            )
        # Write to a temporary folder and swap it in, so a reader never sees half an index.
        self._dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="bm25-", dir=self._dir.parent))
        if self._model is not None:
            self._model.save(str(staging / "bm25"), show_progress=False)
        (staging / "stamp.json").write_text(
            json.dumps(
                {
                    "generation": generation,
                    "chunk_ids": self._chunk_ids,
                    "published": self._published,
                }
            )
        )
        shutil.rmtree(self._dir, ignore_errors=True)
        staging.rename(self._dir)


def terms(texts: list[str]) -> list[set[str]]:
    """Stemmed content words; the long English stopword list drops question words too."""
    import bm25s
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    tokens = bm25s.tokenize(
        texts,
        stopwords=STOPWORDS_EN_PLUS,
        stemmer=_stemmer(),
        return_ids=False,
        show_progress=False,
    )
    return [set(t) for t in tokens]


def _day_keys(published: list[str | None]) -> np.ndarray:
    return np.array([day_key(p) or 0 for p in published], dtype=np.int64)
