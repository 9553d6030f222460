"""Refusal calibration: how refusals would change with the refusal threshold.

The assistant refuses when its confidence that the documents answer (qa/reading) is below
`refusal_threshold` and reports that confidence as `Answer.evidence_score`. Each row keeps it,
so the effect of any other threshold can be read off one run: at threshold t an item is refused
iff its score < t.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evals import metrics
from evals.scoring import ItemResult

THRESHOLDS = [round(0.02 * i, 2) for i in range(51)]


def refusal_curve(
    rows: Sequence[ItemResult], thresholds: Sequence[float] = THRESHOLDS
) -> list[dict[str, Any]]:
    """Per threshold: refusal accuracy (unanswerable refused) and false-refusal rate
    (answerable refused) if the items were refused exactly when their evidence score < t."""
    scored = [r for r in rows if r.error is None and r.evidence_score is not None]
    answerable = [r.answerable for r in scored]
    curve = []
    for t in thresholds:
        refused = [r.evidence_score < t for r in scored]
        curve.append(
            {
                "threshold": t,
                "refusal_accuracy": metrics.refusal_accuracy(answerable, refused),
                "false_refusal_rate": metrics.false_refusal_rate(answerable, refused),
            }
        )
    return curve


def reliability(rows: Sequence[ItemResult]) -> dict[str, Any]:
    """How well the confidence is calibrated: the ECE of "the documents answer this" against
    the items' answerable labels, with the reliability table (confidence bins)."""
    scored = [r for r in rows if r.error is None and r.evidence_score is not None]
    ece, table = metrics.expected_calibration_error(
        [r.evidence_score for r in scored], [r.answerable for r in scored]
    )
    return {"ece": ece, "bins": table}


def threshold_for_false_refusals(
    curve: Sequence[dict[str, Any]], most: float = 0.10
) -> float | None:
    """The highest threshold whose false-refusal rate is at most `most` (most refusals of
    unanswerable questions for that budget of wrongly refused answerable ones)."""
    allowed = [
        p["threshold"]
        for p in curve
        if p["false_refusal_rate"] is not None and p["false_refusal_rate"] <= most
    ]
    return max(allowed) if allowed else None


def suggest_threshold(curve: Sequence[dict[str, Any]]) -> float | None:
    """The lowest threshold maximising balanced accuracy, the mean of refusal accuracy and
    (1 - false-refusal rate); None unless the set has both answerable and unanswerable items.
    Tune on dev data only: a threshold picked on a test set overstates its quality."""
    points = [
        (0.5 * (p["refusal_accuracy"] + 1 - p["false_refusal_rate"]), -p["threshold"])
        for p in curve
        if p["refusal_accuracy"] is not None and p["false_refusal_rate"] is not None
    ]
    return -max(points)[1] if points else None
