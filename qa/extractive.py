"""The extractive answerer: the answer is the best evidence sentences, quoted exactly."""

from __future__ import annotations

import re

from qa.evidence import Evidence

RELATIVE_CUTOFF = 0.8  # later sentences must score at least this share of the best one
REDUNDANT_JACCARD = 0.5


def choose_sentences(
    evidence: list[Evidence], max_sentences: int, threshold: float
) -> list[Evidence]:
    """Up to `max_sentences` strong, non-redundant sentences; none when the best is too weak."""
    if not evidence or evidence[0].score < threshold:
        return []
    floor = max(threshold, evidence[0].score * RELATIVE_CUTOFF)
    chosen = [evidence[0]]
    for candidate in evidence[1:]:
        if len(chosen) >= max_sentences or candidate.score < floor:
            break
        if not any(_redundant(candidate.text, c.text) for c in chosen):
            chosen.append(candidate)
    return chosen


def _redundant(a: str, b: str) -> bool:
    wa, wb = set(re.findall(r"\w+", a.lower())), set(re.findall(r"\w+", b.lower()))
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) > REDUNDANT_JACCARD
