"""Read the evidence: rank the candidate sentences by the probability that they answer, and
estimate the probability that the collection answers the question at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from index.lexical import terms
from qa.evidence import Evidence
from qa.question_types import QuestionAnalysis, analyse
from qa.reading.features import question_features, sentence_features
from qa.reading.model import ReaderModel, load_reader
from qa.retrieval import RetrievedChunk

# A question about something the collection never names cannot be answered from it, whatever
# the rest of the question matches: the confidence is capped at this.
NEVER_MENTIONED_CONFIDENCE = 0.05


@dataclass
class Reading:
    analysis: QuestionAnalysis
    evidence: list[Evidence]  # best first; each with its `probability`
    confidence: float  # probability that the documents answer the question
    sentence_rows: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # features
    never_mentioned: list[str] = field(default_factory=list)  # question entities not in the docs


def read(
    question: str,
    evidence: list[Evidence],
    chunks: list[RetrievedChunk],
    idf: Callable[[set[str]], dict[str, float]],
    model: ReaderModel | None = None,
    unknown: Callable[[set[str]], set[str]] | None = None,
) -> Reading:
    """`unknown` gives the stemmed words the collection never uses (for names it never
    mentions)."""
    model = model or load_reader()
    analysis = analyse(question)
    rows = sentence_features(analysis, evidence, idf, chunk_similarities(chunks))
    probabilities = model.ranker.probability(rows)
    for e, p in zip(evidence, probabilities, strict=True):
        e.probability = float(p)
    order = sorted(
        range(len(evidence)), key=lambda i: (-probabilities[i], evidence[i].chunk_rank, i)
    )
    ranked = [evidence[i] for i in order]
    question_row = question_features(analysis, ranked, probabilities[order], idf)
    confidence = float(model.answerability.probability(question_row)[0])
    never = never_mentioned(analysis, unknown) if unknown else []
    if never:
        confidence = min(confidence, NEVER_MENTIONED_CONFIDENCE)
    return Reading(analysis, ranked, confidence, rows[order] if len(order) else rows, never)


def never_mentioned(
    analysis: QuestionAnalysis, unknown: Callable[[set[str]], set[str]]
) -> list[str]:
    """The question's named entities none of whose words the collection contains."""
    found = []
    for name, _label in analysis.entities:
        words = terms([name])[0]
        if words and unknown(words) == words:
            found.append(name)
    return found


def chunk_similarities(chunks: list[RetrievedChunk]) -> dict[int, float]:
    """Chunk rank (from 1) -> its dense similarity (0 for a chunk only BM25 found)."""
    return {rank: c.dense_similarity or 0.0 for rank, c in enumerate(chunks, start=1)}
