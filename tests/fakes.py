"""Deterministic stand-ins for the slow parts (the many fast tests use these)."""

from __future__ import annotations

import hashlib
import re

import numpy as np


class HashEmbedder:
    """Bag of hashed, lower-cased word prefixes: texts sharing words get similar vectors."""

    name = "test/hash-embedder"

    def __init__(self, dimension: int = 256):
        self.dimension = dimension
        self.calls = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                bucket = int(hashlib.md5(word[:6].encode()).hexdigest(), 16) % self.dimension
                vectors[row, bucket] += 1.0
            vectors[row, 0] += 0.01  # never an all-zero vector
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(text.split()) for text in texts]

    def embed_passages(self, passages, spans, pooled=True):
        from index.embedding import embed_spans_separately

        return embed_spans_separately(self, passages, spans)


class OtherHashEmbedder(HashEmbedder):
    name = "test/another-model"


class ScriptedLLM:
    """Replies from a script: `reply(messages)` decides; the text streams word by word."""

    name = "test/scripted-llm"

    def __init__(self, reply):
        self._reply = reply if callable(reply) else (lambda messages: reply)
        self.prompts: list[list[dict]] = []

    def stream(self, messages, max_tokens):
        self.prompts.append(messages)
        text = self._reply(messages)
        for i, word in enumerate(text.split(" ")):
            yield word if i == 0 else " " + word

    def complete(self, messages, max_tokens):
        return "".join(self.stream(messages, max_tokens))


def score_reader(threshold: float, threshold_score: float = 0.4, steepness: float = 20.0):
    """The reader the fast tests use with the hash embedder, whose vectors mean little to the
    learned reader: it ranks sentences by the pre-reading evidence score (0.65 x similarity +
    0.35 x term overlap) and its confidence crosses `threshold` exactly where the best
    sentence's score crosses `threshold_score`."""
    import math

    from qa.reading.features import QUESTION_FEATURES, SENTENCE_FEATURES
    from qa.reading.model import LinearModel, ReaderModel, load_reader

    def linear(features, weights, intercept):
        coef = np.array([weights.get(f, 0.0) for f in features])
        n = len(features)
        return LinearModel(tuple(features), np.zeros(n), np.ones(n), coef, intercept)

    logit = math.log(threshold / (1 - threshold)) if 0 < threshold < 1 else 0.0
    score = {"similarity": 0.65 * steepness, "overlap": 0.35 * steepness}
    top = {"top_similarity": 0.65 * steepness, "top_overlap": 0.35 * steepness}
    return ReaderModel(
        linear(SENTENCE_FEATURES, score, -threshold_score * steepness),
        linear(QUESTION_FEATURES, top, logit - threshold_score * steepness),
        load_reader().short_answer,
    )
