"""Split retrieved chunks into sentences with document offsets and score them against the question.

score = SIMILARITY_WEIGHT * cosine(question, sentence) + (1 - SIMILARITY_WEIGHT) * term overlap,
where term overlap is the IDF-weighted share of the question's content words (stemmed) found in
the sentence: a question word the collection never uses weighs most, so a question about something
the documents do not mention scores low. Both parts lie in [0, 1], and so does the score, so one
refusal threshold fits any collection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from index.embedding import Embedder
from index.lexical import terms
from index.sentences import sentence_spans
from qa.answer_types import contains_answer_type, expected_answer_type
from qa.injection import looks_like_instruction
from qa.retrieval import RetrievedChunk

SIMILARITY_WEIGHT = 0.65
MIN_WORDS = 4  # shorter lines are captions, bylines and leftovers, not answers
# Ordering (not refusal) also prefers sentences holding the kind of thing asked for.
ANSWER_TYPE_BONUS = 0.08


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
    has_answer_type: bool = False


def select_evidence(
    question: str,
    query_vector: np.ndarray,
    chunks: list[RetrievedChunk],
    document_text: Callable[[str], str],
    embedder: Embedder,
    idf: Callable[[set[str]], dict[str, float]],
    max_embedded: int = 24,
) -> list[Evidence]:
    """The distinct sentences of the retrieved chunks, best first.

    Embedding sentences is most of the cost of answering, so only the `max_embedded` most
    promising ones (by term overlap, then by the rank of their chunk) are embedded and scored."""
    candidates: list[tuple[str, int, int, str, int]] = []
    seen: set[tuple[str, int]] = set()
    for rank, chunk in enumerate(chunks, start=1):
        text = document_text(chunk.doc_id)
        for span in sentence_spans(text, chunk.start, chunk.end):
            sentence = text[span.start : span.end]
            if (chunk.doc_id, span.start) in seen or len(sentence.split()) < MIN_WORDS:
                continue
            if looks_like_instruction(sentence):
                continue
            seen.add((chunk.doc_id, span.start))
            candidates.append((chunk.doc_id, span.start, span.end, sentence, rank))
    if not candidates:
        return []
    question_terms, *sentence_terms = terms([question, *(c[3] for c in candidates)])
    weights = idf(question_terms)
    total_weight = sum(weights.values())
    overlaps = [
        sum(weights[w] for w in question_terms & words) / total_weight if total_weight else 0.0
        for words in sentence_terms
    ]
    keep = sorted(range(len(candidates)), key=lambda i: (-overlaps[i], candidates[i][4], i))
    keep = sorted(keep[:max_embedded])
    similarities = embedder.embed([candidates[i][3] for i in keep]) @ query_vector
    wanted = expected_answer_type(question)
    evidence = []
    for i, similarity in zip(keep, similarities, strict=True):
        doc_id, start, end, sentence, rank = candidates[i]
        overlap = overlaps[i]
        similarity = float(max(0.0, similarity))
        score = SIMILARITY_WEIGHT * similarity + (1 - SIMILARITY_WEIGHT) * overlap
        typed = wanted is not None and contains_answer_type(sentence, wanted)
        evidence.append(
            Evidence(doc_id, start, end, sentence, score, similarity, overlap, rank, typed)
        )
    evidence.sort(
        key=lambda e: (-(e.score + ANSWER_TYPE_BONUS * e.has_answer_type), e.chunk_rank, e.start)
    )
    return evidence
