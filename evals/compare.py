"""Side by side: this run's summary metrics next to another report's, with deltas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evals.summary import RATES
from index.errors import UserError

LATENCY_STAGE = "total"


class ReportError(UserError):
    """A report to compare with cannot be read; one line."""


def load_report(path: Path) -> dict[str, Any]:
    """A report.json written by `qa eval` (or the directory holding one)."""
    path = Path(path)
    if path.is_dir():
        path = path / "report.json"
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ReportError(f"report not found: {path}") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(f"cannot read report {path}: {exc}") from exc
    if not isinstance(report, dict) or not isinstance(report.get("summary"), dict):
        raise ReportError(f"not an eval report (no summary): {path}")
    return report


def summary_metrics(summary: dict[str, Any]) -> dict[str, float | None]:
    """The comparable numbers of a summary: the rates, then total latency p50/p95 in ms."""
    values: dict[str, float | None] = {name: summary.get(name) for name in RATES}
    latency = summary.get("latency_ms", {}).get(LATENCY_STAGE, {})
    for quantile in ("p50", "p95"):
        values[f"latency {quantile} ms"] = latency.get(quantile)
    return values


def compare_summaries(
    ours: dict[str, Any], other: dict[str, Any]
) -> list[tuple[str, float | None, float | None, float | None]]:
    """(metric, this run, other run, this − other) for every comparable metric."""
    mine, theirs = summary_metrics(ours), summary_metrics(other)
    rows = []
    for name, value in mine.items():
        other_value = theirs.get(name)
        delta = None if value is None or other_value is None else round(value - other_value, 4)
        rows.append((name, value, other_value, delta))
    return rows


def run_label(report: dict[str, Any]) -> str:
    """A short name for a run: its set and mode."""
    meta = report.get("meta", {})
    return f"{meta.get('set', 'run')} ({meta.get('mode', '?')})"
