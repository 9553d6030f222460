"""The extractive answerer: the answer is the best evidence sentences, quoted exactly."""

from __future__ import annotations

import re

from qa.evidence import Evidence

RELATIVE_CUTOFF = 0.8  # later sentences need this share of the best one's probability
REDUNDANT_JACCARD = 0.5


def choose_sentences(
    evidence: list[Evidence], max_sentences: int, confidence: float, threshold: float
) -> list[Evidence]:
    """Up to `max_sentences` likely, non-redundant sentences (`evidence` ranked by the reader);
    none when the confidence that the documents answer is below the threshold."""
    if not evidence or confidence < threshold:
        return []
    floor = evidence[0].probability * RELATIVE_CUTOFF
    chosen = [evidence[0]]
    for candidate in evidence[1:]:
        if len(chosen) >= max_sentences or candidate.probability < floor:
            break
        if not any(_redundant(candidate.text, c.text) for c in chosen):
            chosen.append(candidate)
    return chosen


def _redundant(a: str, b: str) -> bool:
    wa, wb = set(re.findall(r"\w+", a.lower())), set(re.findall(r"\w+", b.lower()))
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) > REDUNDANT_JACCARD
