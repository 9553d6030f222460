"""The sentences of the retrieved chunks, with document offsets, scored against the question.

Every sentence's vector was stored at index time (index/sentence_store.py), so scoring embeds
nothing: the similarity is a dot product with the question's vector.

score = SIMILARITY_WEIGHT * cosine(question, sentence) + (1 - SIMILARITY_WEIGHT) * term overlap,
where term overlap is the IDF-weighted share of the question's content words (stemmed) found in
the sentence: a question word the collection never uses weighs most. The score orders the
candidates before reading; the similarity and the overlap are also features of the reader
(qa/reading), which decides which sentence answers and whether to refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from index.documents import Sentence
from index.lexical import terms
from index.manifest import Manifest
from qa.injection import looks_like_instruction
from qa.retrieval import RetrievedChunk

SIMILARITY_WEIGHT = 0.65
MIN_WORDS = 4  # shorter lines are captions, bylines and leftovers, not answers


@dataclass
class Evidence:
    doc_id: str
    start: int
    end: int
    text: str
    score: float
    similarity: float
    overlap: float
    chunk_rank: int  # rank (from 1) of the retrieved chunk it came from
    sentence_id: str = ""
    annotation: dict[str, Any] = field(default_factory=dict)  # spaCy entities and parse
    vector: np.ndarray | None = field(default=None, repr=False)  # stored at index time
    position: int = 0  # sentence number in its document
    probability: float = 0.0  # that it answers the question (qa/reading), once read


def candidate_sentences(
    manifest: Manifest, chunks: list[RetrievedChunk]
) -> list[tuple[Sentence, int]]:
    """Every stored sentence of the retrieved chunks, each once, with the rank (from 1) of the
    first chunk that holds it."""
    sentences = manifest.sentences_within([(c.doc_id, c.start, c.end) for c in chunks])
    return [(s, _first_holding(chunks, s)) for s in sentences]


def _first_holding(chunks: list[RetrievedChunk], sentence: Sentence) -> int:
    return next(
        rank
        for rank, c in enumerate(chunks, start=1)
        if c.doc_id == sentence.doc_id and c.start <= sentence.start and sentence.end <= c.end
    )


def attach_stored_vectors(
    manifest: Manifest,
    vectors_of: Callable[[list[str]], dict[str, np.ndarray]],
    evidence: list[Evidence],
) -> None:
    """Give each evidence sentence without a vector (a neighbour shown for context) the vector
    stored for the same span at index time, if one is."""
    missing = [e for e in evidence if e.vector is None]
    if not missing:
        return
    stored = manifest.sentences_within([(e.doc_id, e.start, e.end) for e in missing])
    by_span = {(s.doc_id, s.start, s.end): s.id for s in stored}
    vectors = vectors_of(list(by_span.values()))
    for e in missing:
        e.vector = vectors.get(by_span.get((e.doc_id, e.start, e.end), ""))


def select_evidence(
    question: str,
    query_vector: np.ndarray,
    candidates: list[tuple[Sentence, int]],
    vectors: dict[str, np.ndarray],
    document_text: Callable[[str], str],
    idf: Callable[[set[str]], dict[str, float]],
) -> list[Evidence]:
    """The candidate sentences that can be evidence, scored, best first. `vectors` holds the
    stored vector of each candidate; one without a vector (its document is being upgraded or
    repaired) is left out."""
    usable: list[tuple[Sentence, int, str]] = []
    for sentence, rank in candidates:
        text = document_text(sentence.doc_id)[sentence.start : sentence.end]
        if sentence.id not in vectors or len(text.split()) < MIN_WORDS:
            continue
        if looks_like_instruction(text):
            continue
        usable.append((sentence, rank, text))
    if not usable:
        return []
    question_terms, *sentence_terms = terms([question, *(text for _, _, text in usable)])
    weights = idf(question_terms)
    total_weight = sum(weights.values())
    matrix = np.stack([vectors[sentence.id] for sentence, _, _ in usable])
    similarities = matrix @ query_vector
    evidence = []
    for (sentence, rank, text), words, similarity, vector in zip(
        usable, sentence_terms, similarities, matrix, strict=True
    ):
        overlap = (
            sum(weights[w] for w in question_terms & words) / total_weight if total_weight else 0.0
        )
        similarity = float(max(0.0, similarity))
        score = SIMILARITY_WEIGHT * similarity + (1 - SIMILARITY_WEIGHT) * overlap
        evidence.append(
            Evidence(
                sentence.doc_id,
                sentence.start,
                sentence.end,
                text,
                score,
                similarity,
                overlap,
                rank,
                sentence.id,
                sentence.annotation,
                vector,
                sentence.index,
            )
        )
    evidence.sort(key=lambda e: (-e.score, e.chunk_rank, e.start))
    return evidence
