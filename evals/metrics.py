"""Metric definitions: pure functions on strings, spans, flags and numbers.

Every rate returns None when its denominator is empty (shown as "–"), never a made-up 0 or 1.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Sequence

Span = tuple[int, int]

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"'})
_PUNCTUATION = re.compile(r"[^\w\s]|_")
_CITATION_MARK = re.compile(r"\[\d+\]")
_ARTICLES = re.compile(r"\b(a|an|the)\b")


def normalise(text: str) -> str:
    """Lower-case; curly quotes folded to straight ones; every punctuation character (quotes,
    hyphens, commas, ...) replaced by a space; whitespace collapsed. "Hong-kyun" and "hong kyun"
    normalise alike."""
    text = text.translate(_QUOTES).lower()
    return " ".join(_PUNCTUATION.sub(" ", text).split())


def strip_citations(text: str) -> str:
    """An answer text without its [n] citation markers."""
    return _CITATION_MARK.sub(" ", text)


def contains(text: str, gold: str) -> bool:
    """Whether normalised `gold` occurs in normalised `text` as whole words ("4" is not found in
    "1940"). An empty gold string is never contained."""
    needle = normalise(gold)
    return bool(needle) and f" {needle} " in f" {normalise(text)} "


def contains_any(text: str, answers: Iterable[str]) -> bool:
    """Whether `text` contains at least one of the gold `answers` (see `contains`)."""
    return any(contains(text, answer) for answer in answers)


def mentions_all(text: str, must_mention: Iterable[str]) -> bool:
    """Whether every group is present; a group "a|b" is present when either alternative is."""
    return all(contains_any(text, group.split("|")) for group in must_mention)


def answer_correct(answer: str, answers: Sequence[str], must_mention: Sequence[str] = ()) -> bool:
    """Answer accuracy for an answered, answerable item: the answer text (citation markers
    removed) contains any gold answer, and every must_mention group is present."""
    text = strip_citations(answer)
    return contains_any(text, answers) and mentions_all(text, must_mention)


def squad_tokens(text: str) -> list[str]:
    """SQuAD's answer normalisation: lower-case, punctuation and articles (a, an, the) removed,
    split on whitespace."""
    text = "".join(ch for ch in text.lower() if ch not in string.punctuation)
    return _ARTICLES.sub(" ", text).split()


def exact_match(prediction: str, gold: str) -> bool:
    """SQuAD exact match: equal after `squad_tokens` normalisation."""
    return squad_tokens(prediction) == squad_tokens(gold)


def expected_calibration_error(
    confidences: Sequence[float], outcomes: Sequence[bool], bins: int = 10
) -> tuple[float | None, list[dict]]:
    """ECE: the mean |share of positive outcomes - mean confidence| over equal-width confidence
    bins, weighted by the bin's size; and the reliability table (one row per non-empty bin)."""
    if not confidences:
        return None, []
    table, total = [], len(confidences)
    error = 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [
            (c, o)
            for c, o in zip(confidences, outcomes, strict=True)
            if low <= c < high or (b == bins - 1 and c == 1.0)
        ]
        if not inside:
            continue
        mean_confidence = sum(c for c, _ in inside) / len(inside)
        observed = sum(o for _, o in inside) / len(inside)
        error += len(inside) / total * abs(observed - mean_confidence)
        table.append(
            {
                "bin": f"{low:.1f}-{high:.1f}",
                "items": len(inside),
                "mean_confidence": round(mean_confidence, 4),
                "answerable_share": round(observed, 4),
            }
        )
    return round(error, 4), table


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD token F1: harmonic mean of token precision and recall, tokens counted with
    multiplicity (see `squad_tokens`); 0.0 when either side has no token."""
    predicted, expected = squad_tokens(prediction), squad_tokens(gold)
    common = 0
    remaining = list(expected)
    for token in predicted:
        if token in remaining:
            remaining.remove(token)
            common += 1
    if not common:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def best_token_f1(prediction: str, answers: Iterable[str]) -> float:
    """Token F1 against the best-matching gold answer (0.0 with no gold answer); citation
    markers are removed from the prediction first."""
    text = strip_citations(prediction)
    return max((token_f1(text, answer) for answer in answers), default=0.0)


def overlaps(a: Span, b: Span) -> bool:
    """Whether two half-open character spans [start, end) share at least one character."""
    return a[0] < b[1] and b[0] < a[1]


def first_relevant_rank(relevant: Sequence[bool]) -> int | None:
    """Rank (from 1) of the first relevant result in ranked order, or None."""
    return next((rank for rank, flag in enumerate(relevant, start=1) if flag), None)


def hit_at_k(rank: int | None, k: int) -> bool:
    """hit@k: a relevant result is among the first k."""
    return rank is not None and rank <= k


def reciprocal_rank(rank: int | None, cutoff: int = 10) -> float:
    """1/rank of the first relevant result when it is within `cutoff`, else 0 (MRR@cutoff is
    the mean over questions)."""
    return 1.0 / rank if rank is not None and rank <= cutoff else 0.0


def share(flags: Iterable[bool]) -> float | None:
    """The share of true flags; None for no flags."""
    values = list(flags)
    return sum(values) / len(values) if values else None


def mean(values: Iterable[float]) -> float | None:
    """The arithmetic mean; None for no values."""
    values = list(values)
    return sum(values) / len(values) if values else None


def is_wrong(refused: bool, correct: bool) -> bool:
    """A wrong answer: the assistant answered (did not refuse) and the answer is incorrect. On
    an unanswerable item every non-refusal is wrong."""
    return not refused and not correct


def refusal_accuracy(answerable: Sequence[bool], refused: Sequence[bool]) -> float | None:
    """Share of the unanswerable items that were refused."""
    return share(r for a, r in zip(answerable, refused, strict=True) if not a)


def false_refusal_rate(answerable: Sequence[bool], refused: Sequence[bool]) -> float | None:
    """Share of the answerable items that were refused."""
    return share(r for a, r in zip(answerable, refused, strict=True) if a)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) with linear interpolation between closest ranks (numpy's
    default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_percentiles(
    timings: Iterable[dict[str, float]], quantiles: Sequence[int] = (50, 95)
) -> dict[str, dict[str, float]]:
    """Per stage, the p50/p95 (by default) of its milliseconds over the items that ran it."""
    by_stage: dict[str, list[float]] = {}
    for row in timings:
        for stage, ms in row.items():
            by_stage.setdefault(stage, []).append(ms)
    return {
        stage: {f"p{q}": round(percentile(values, q), 2) for q in quantiles}
        for stage, values in sorted(by_stage.items())
    }
