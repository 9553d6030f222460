"""The report plot: quality metrics and latency per run, and the refusal calibration curve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evals.compare import run_label

PLOTTED_RATES = (
    "hit@5",
    "answer_accuracy",
    "refusal_accuracy",
    "false_refusal_rate",
    "wrong_rate",
    "citation_precision",
)


def write_plot(data: dict[str, Any], path: Path, compare: dict[str, Any] | None = None) -> Path:
    """Three panels: rates per run, p50 latency per stage per run, refusal vs threshold."""
    import matplotlib

    matplotlib.use("Agg")  # files only: never needs a display
    import matplotlib.pyplot as plt

    runs = [data] if compare is None else [data, compare]
    figure, (rates, latency, curve) = plt.subplots(1, 3, figsize=(16, 4.8))
    _bars(rates, runs, PLOTTED_RATES, lambda s, name: s.get(name))
    rates.set_ylim(0, 1)
    rates.set_title("Quality (shares, 0–1)")
    stages = list(data["summary"]["latency_ms"])
    _bars(latency, runs, stages, lambda s, stage: s["latency_ms"].get(stage, {}).get("p50"))
    latency.set_title("Latency p50 per stage (ms)")
    _calibration(curve, data.get("calibration") or {})
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _bars(axes, runs: list[dict], names, value_of) -> None:
    width = 0.8 / len(runs)
    for offset, run in enumerate(runs):
        values = [value_of(run["summary"], name) for name in names]
        positions = [i + offset * width for i in range(len(names))]
        axes.bar(positions, [v or 0.0 for v in values], width, label=run_label(run))
    axes.set_xticks([i + width * (len(runs) - 1) / 2 for i in range(len(names))])
    axes.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
    axes.legend(fontsize=8)


def _calibration(axes, calibration: dict[str, Any]) -> None:
    axes.set_title("Refusal vs threshold (best evidence score < t)")
    points = calibration.get("curve") or []
    if not points:
        axes.text(0.5, 0.5, "no calibration data", ha="center", va="center")
        return
    thresholds = [p["threshold"] for p in points]
    for key, label in (
        ("refusal_accuracy", "unanswerable refused"),
        ("false_refusal_rate", "answerable refused"),
    ):
        values = [p[key] for p in points]
        if any(v is not None for v in values):
            axes.plot(thresholds, [float("nan") if v is None else v for v in values], label=label)
    axes.axvline(calibration["threshold"], color="grey", linestyle="--", label="current")
    if calibration.get("suggested_threshold") is not None:
        axes.axvline(calibration["suggested_threshold"], color="green", linestyle=":", label="best")
    axes.set_xlabel("refusal threshold")
    axes.set_ylim(0, 1.02)
    axes.legend(fontsize=8)
