"""The summary of a run: every number is computed from the per-item rows alone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evals import metrics
from evals.scoring import ItemResult

HIT_KS = (1, 3, 5)
MRR_CUTOFF = 10

# Summary metrics that are shares in [0, 1], in display order, with a one-line definition.
RATES: dict[str, str] = {
    **{f"hit@{k}": f"a relevant chunk among the first {k} retrieved (answerable)" for k in HIT_KS},
    f"mrr@{MRR_CUTOFF}": "mean reciprocal rank of the first relevant chunk (answerable)",
    "answer_accuracy": "answered, contains a gold answer and every must_mention (answerable)",
    "token_f1": "SQuAD token F1 to the best gold answer; refusal = 1 when unanswerable",
    "refusal_accuracy": "unanswerable items refused",
    "false_refusal_rate": "answerable items refused",
    "wrong_rate": "answered and incorrect (all items)",
    "overall_accuracy": "answerable answered correctly or unanswerable refused (all items)",
    "cited_sentence_share": "answer sentences with at least one citation",
    "citation_precision": "citations whose span holds the gold answer/evidence (answerable)",
    "short_answer_em": "short answer equals a gold answer, SQuAD exact match (answerable)",
    "short_answer_f1": "SQuAD token F1 of the short answer to the best gold (answerable)",
    "unsupported_sentence_rate": "answer sentences marked unsupported",
}
# For these a lower value is better (comparisons mark improvements by direction).
LOWER_IS_BETTER = {"false_refusal_rate", "wrong_rate", "unsupported_sentence_rate"}


def summarise(rows: Sequence[ItemResult]) -> dict[str, Any]:
    """Counts, the RATES (None where a rate has no items) and latency p50/p95 per stage."""
    scored = [r for r in rows if r.error is None]
    answerable = [r for r in scored if r.answerable]
    answered = [r for r in scored if not r.refused]
    sentences = sum(r.sentences for r in answered)
    judged = [c["correct"] for r in answered if r.answerable for c in r.citations]
    summary: dict[str, Any] = {
        "items": len(rows),
        "scored": len(scored),
        "errors": len(rows) - len(scored),
        "answerable": len(answerable),
        "unanswerable": len(scored) - len(answerable),
        "refused": sum(r.refused for r in scored),
        "wrong": sum(r.wrong for r in scored),
    }
    for k in HIT_KS:
        summary[f"hit@{k}"] = metrics.share(metrics.hit_at_k(r.first_hit, k) for r in answerable)
    summary[f"mrr@{MRR_CUTOFF}"] = metrics.mean(
        metrics.reciprocal_rank(r.first_hit, MRR_CUTOFF) for r in answerable
    )
    flags = ([r.answerable for r in scored], [r.refused for r in scored])
    summary.update(
        {
            "answer_accuracy": metrics.share(r.correct for r in answerable),
            "token_f1": metrics.mean(r.f1 for r in scored),
            "refusal_accuracy": metrics.refusal_accuracy(*flags),
            "false_refusal_rate": metrics.false_refusal_rate(*flags),
            "wrong_rate": metrics.share(r.wrong for r in scored),
            "overall_accuracy": metrics.share(r.correct for r in scored),
            "cited_sentence_share": _ratio(sum(r.cited_sentences for r in answered), sentences),
            "citation_precision": metrics.share(judged),
            "short_answer_em": metrics.mean(
                r.short_em for r in answerable if r.short_em is not None
            ),
            "short_answer_f1": metrics.mean(
                r.short_f1 for r in answerable if r.short_f1 is not None
            ),
            "unsupported_sentence_rate": _ratio(
                sum(r.unsupported_sentences for r in answered), sentences
            ),
            "latency_ms": metrics.latency_percentiles(r.timings_ms for r in scored),
        }
    )
    return {
        key: round(value, 4) if isinstance(value, float) else value
        for key, value in summary.items()
    }


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None
