"""Features of candidate sentences (which one answers?) and of the question (is it answered?).

Every feature is computed from what is already at hand when a question is asked: the question's
analysis (qa/question_types.py), each candidate's stored vector similarity, term overlap and
spaCy annotation, the neighbouring candidates and the retrieved chunks. Nothing is embedded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import numpy as np

from index.annotation import entities
from index.lexical import terms
from qa.evidence import Evidence
from qa.question_types import QuestionAnalysis

SENTENCE_FEATURES = [
    "similarity",
    "similarity_gap",  # below the best candidate's similarity
    "overlap",
    "overlap_gap",
    "bm25",
    "chunk_similarity",
    "inverse_chunk_rank",
    "question_entities_in_sentence",
    "question_entities_nearby",  # in the sentence or its neighbours
    "expected_type_new",  # an entity of the expected kind that the question does not name
    "expected_type_missing",  # the question expects a kind of entity and the sentence has none
    "main_verb_match",
    "cue_match",  # "in response" for a "how did X respond", "because" for a "why", ...
    "neighbour_similarity",
    "first_sentence",
    "log_words",
]
QUESTION_FEATURES = [
    "top_probability",
    "second_probability",
    "top_similarity",
    "top_overlap",
    "question_entities_found",  # share of the question's entities in any candidate
    "has_question_entities",
    "missing_weight_top",  # IDF share of question terms absent from the best sentence's area
    "missing_weight_anywhere",  # ... absent from every candidate
    "max_missing_idf",
    "expected_found",
    "has_expectation",
    "question_entities_top",  # share of the question's entities in the best sentence's area
    "question_names_whole_top",  # ... found whole, not only by their last word
    "question_numbers_top",  # share of the question's numbers ("1850") in that area
    "main_verb_top",  # the question's main verb is in that area
]

_RESPONSE_VERBS = {"respond", "react", "reply", "answer", "say", "comment"}
_RESPONSE_CUES = re.compile(
    r"\b(in response|responded|in reply|replied|reacted|said|told|warned|stated|called)\b", re.I
)
_WHY_CUES = re.compile(
    r"\b(because|due to|in protest|as a result|in order to|so that|since|to express|"
    r"aimed at|in retaliation|reason)\b",
    re.I,
)
_HOW_CUES = re.compile(r"\b(by|through|using|with)\b", re.I)
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_BM25_K1, _BM25_B, _AVERAGE_WORDS = 1.2, 0.75, 25.0


def _mentions(text: str, name: str) -> bool:
    """`name`, or its last word, occurs in `text` (case-insensitive; "Russia" found in
    "Russian"; "Georgy Zinoviev" in "Kim told Zinoviev")."""
    if not name:
        return False
    lowered = text.lower()
    last = name.split()[-1].lower()
    return name.lower() in lowered or (len(last) > 2 and last in lowered)


def sentence_features(
    analysis: QuestionAnalysis,
    evidence: list[Evidence],
    idf: Callable[[set[str]], dict[str, float]],
    chunk_similarity: dict[int, float],
) -> np.ndarray:
    """One row of SENTENCE_FEATURES per evidence sentence. `chunk_similarity` maps a chunk rank
    to that chunk's dense similarity."""
    if not evidence:
        return np.zeros((0, len(SENTENCE_FEATURES)), dtype=np.float32)
    weights = idf(analysis.focus)
    sentence_terms = terms([e.text for e in evidence])
    by_position = {(e.doc_id, e.position): i for i, e in enumerate(evidence)}
    best_similarity = max(e.similarity for e in evidence)
    best_overlap = max(e.overlap for e in evidence)
    question_lower = analysis.text.lower()
    names = [name for name, _ in analysis.entities]
    rows = []
    for i, e in enumerate(evidence):
        neighbours = [
            by_position[(e.doc_id, e.position + d)]
            for d in (-1, 1)
            if (e.doc_id, e.position + d) in by_position
        ]
        nearby = " ".join([e.text, *(evidence[j].text for j in neighbours)])
        ents = entities(e.text, e.annotation)
        typed = [x for x in ents if x.label in analysis.expected]
        new_typed = [x for x in typed if x.text.lower() not in question_lower]
        words = sentence_terms[i]
        rows.append(
            [
                e.similarity,
                e.similarity - best_similarity,
                e.overlap,
                e.overlap - best_overlap,
                _bm25(analysis.focus, words, weights, len(e.text.split())),
                chunk_similarity.get(e.chunk_rank, 0.0),
                1.0 / e.chunk_rank,
                _share([_mentions(e.text, n) for n in names]),
                _share([_mentions(nearby, n) for n in names]),
                float(bool(new_typed)),
                float(bool(analysis.expected) and not typed),
                float(_stem(analysis.main_verb) in words) if analysis.main_verb else 0.0,
                _cue(analysis, e.text),
                max((evidence[j].similarity for j in neighbours), default=0.0),
                float(e.position == 0),
                math.log1p(len(e.text.split())),
            ]
        )
    return np.asarray(rows, dtype=np.float32)


def question_features(
    analysis: QuestionAnalysis,
    evidence: list[Evidence],
    probabilities: np.ndarray,
    idf: Callable[[set[str]], dict[str, float]],
) -> np.ndarray:
    """One row of QUESTION_FEATURES; `evidence` and `probabilities` are ranked best first."""
    if not evidence:
        return np.asarray(
            [
                [0.0] * 4
                + [
                    0.0,
                    float(bool(analysis.entities)),
                    1.0,
                    1.0,
                    0.0,
                    0.0,
                    float(bool(analysis.expected)),
                    0.0,
                    0.0,
                    float(not _NUMBER.search(analysis.text)),
                    0.0,
                ]
            ],
            dtype=np.float32,
        )
    weights = idf(analysis.focus)
    total = sum(weights.values()) or 1.0
    top = evidence[0]
    area = [e for e in evidence if e.doc_id == top.doc_id and abs(e.position - top.position) <= 1]
    area_terms = set().union(*terms([e.text for e in area]))
    all_terms = set().union(*terms([e.text for e in evidence]))
    missing_top = {w for w in analysis.focus if w not in area_terms}
    missing_all = {w for w in analysis.focus if w not in all_terms}
    names = [name for name, _ in analysis.entities]
    everything = " ".join(e.text for e in evidence)
    top_entities = entities(top.text, top.annotation)
    question_lower = analysis.text.lower()
    expected_found = any(
        x.label in analysis.expected and x.text.lower() not in question_lower for x in top_entities
    )
    area_text = " ".join(e.text for e in area)
    return np.asarray(
        [
            [
                float(probabilities[0]),
                float(probabilities[1]) if len(probabilities) > 1 else 0.0,
                top.similarity,
                top.overlap,
                _share([_mentions(everything, n) for n in names]),
                float(bool(names)),
                sum(weights[w] for w in missing_top) / total,
                sum(weights[w] for w in missing_all) / total,
                max((weights[w] for w in missing_top), default=0.0),
                float(expected_found),
                float(bool(analysis.expected)),
                _share([_mentions(area_text, n) for n in names]),
                _share([n.lower() in area_text.lower() for n in names]),
                _share([n in area_text for n in _NUMBER.findall(analysis.text)]),
                float(bool(analysis.main_verb) and _stem(analysis.main_verb) in area_terms),
            ]
        ],
        dtype=np.float32,
    )


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else 1.0


def _stem(word: str) -> str:
    found = terms([word])[0]
    return next(iter(found), word)


def _bm25(query: set[str], words: set[str], weights: dict[str, float], length: int) -> float:
    norm = _BM25_K1 * (1 - _BM25_B + _BM25_B * length / _AVERAGE_WORDS)
    return sum(weights[w] * (_BM25_K1 + 1) / (1 + norm) for w in query & words)


def _cue(analysis: QuestionAnalysis, text: str) -> float:
    if analysis.main_verb in _RESPONSE_VERBS or "response" in analysis.text.lower():
        return float(bool(_RESPONSE_CUES.search(text)))
    if analysis.wh == "why":
        return float(bool(_WHY_CUES.search(text)))
    if analysis.wh == "how":
        return float(bool(_HOW_CUES.search(text)))
    return 0.0
