"""Write a run's report files: report.json (per item and summary), report.md and report.png."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.compare import compare_summaries, run_label
from evals.runner import EvalReport
from evals.summary import RATES

WORST_FAILURES = 10


@dataclass
class ReportFiles:
    json: Path
    markdown: Path
    plot: Path


def write_report(
    report: EvalReport, out_dir: Path, compare: dict[str, Any] | None = None
) -> ReportFiles:
    """Write the three files into `out_dir` (created if needed); `compare` is another report's
    JSON, shown side by side."""
    from evals.plot import write_plot

    out_dir.mkdir(parents=True, exist_ok=True)
    data = report.to_dict()
    files = ReportFiles(out_dir / "report.json", out_dir / "report.md", out_dir / "report.png")
    files.json.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    files.markdown.write_text(render_markdown(data, compare), encoding="utf-8")
    write_plot(data, files.plot, compare)
    return files


def fmt(value: Any) -> str:
    """A number for a table: None as "–", floats with three decimals."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def render_markdown(data: dict[str, Any], compare: dict[str, Any] | None = None) -> str:
    """The report as Markdown: what ran, the summary, the comparison, the worst failures."""
    meta, summary = data["meta"], data["summary"]
    settings = meta.get("settings", {})
    lines = [
        f"# Eval report: {run_label(data)}",
        "",
        f"{summary['items']} items ({summary['answerable']} answerable, "
        f"{summary['unanswerable']} unanswerable, {summary['errors']} errors) over "
        f"{meta.get('documents', '?')} documents; top_k {settings.get('top_k', '?')}, "
        f"refusal threshold {settings.get('refusal_threshold', '?')}. "
        f"{summary['refused']} refused, {summary['wrong']} wrong.",
        "",
        "## Summary",
        "",
        "| metric | value | definition |",
        "|---|---|---|",
        *[f"| {name} | {fmt(summary.get(name))} | {text} |" for name, text in RATES.items()],
        "",
        "| stage | p50 ms | p95 ms |",
        "|---|---|---|",
        *[
            f"| {stage} | {q['p50']:.1f} | {q['p95']:.1f} |"
            for stage, q in summary["latency_ms"].items()
        ],
        "",
    ]
    if compare is not None:
        lines += [
            f"## Compared with {run_label(compare)}",
            "",
            "| metric | this run | other | delta |",
            "|---|---|---|---|",
            *[
                f"| {name} | {fmt(a)} | {fmt(b)} | {_signed(d)} |"
                for name, a, b, d in compare_summaries(summary, compare["summary"])
            ],
            "",
        ]
    calibration = data.get("calibration") or {}
    if calibration:
        lines += [
            "## Refusal calibration",
            "",
            f"Refusal threshold {calibration['threshold']}; on this set the threshold with the "
            f"best balanced refusal accuracy is {fmt(calibration['suggested_threshold'])} "
            "(curve in report.png; tune on dev data only).",
            "",
        ]
        reliability = calibration.get("reliability") or {}
        if reliability.get("bins"):
            lines += [
                f"Confidence calibration: expected calibration error {fmt(reliability['ece'])} "
                "(confidence that the documents answer, against the items' answerable label).",
                "",
                "| confidence | items | mean confidence | answerable share |",
                "|---|---|---|---|",
                *[
                    f"| {b['bin']} | {b['items']} | {b['mean_confidence']:.3f} | "
                    f"{b['answerable_share']:.3f} |"
                    for b in reliability["bins"]
                ],
                "",
            ]
    if data.get("set_errors"):
        lines += ["## Invalid lines (skipped)", "", *[f"- {e}" for e in data["set_errors"]], ""]
    lines += ["## Worst failures", ""]
    failures = worst_failures(data["items"])
    lines += [block for i, row in enumerate(failures, 1) for block in _failure(i, row)]
    if not failures:
        lines.append("None: every item was answered correctly or rightly refused.")
    return "\n".join(lines).rstrip() + "\n"


def worst_failures(rows: list[dict[str, Any]], limit: int = WORST_FAILURES) -> list[dict]:
    """Failed items, worst first: wrong answers, then false refusals, then errors; within each,
    lower token F1 first, then set order."""

    def severity(row: dict) -> int:
        return 2 if row["error"] else (0 if row["wrong"] else 1)

    failed = [r for r in rows if r["error"] or not r["correct"]]
    ranked = sorted(enumerate(failed), key=lambda p: (severity(p[1]), p[1]["f1"], p[0]))
    return [row for _, row in ranked[:limit]]


def _failure(number: int, row: dict[str, Any]) -> list[str]:
    if row["error"]:
        kind = "error"
    elif row["wrong"]:
        kind = "answered, but should have refused" if not row["answerable"] else "wrong answer"
    else:
        kind = "refused, but the documents hold the answer"
    expected = " | ".join(row["answers"]) or "(refusal)"
    if row["must_mention"]:
        expected += f"; must mention: {', '.join(row['must_mention'])}"
    lines = [f"### {number}. `{row['id']}`: {kind}", "", f"- question: {row['question']}"]
    if row["conversation"]:
        lines.append(f"- after: {' / '.join(row['conversation'])}")
        lines.append(f"- understood as: {row['standalone_question']}")
    lines.append(f"- expected: {expected}")
    if row["error"]:
        lines.append(f"- error: {row['error']}")
    else:
        hit = row["first_hit"]
        lines.append(f"- answer (F1 {row['f1']:.2f}): {row['answer']}")
        if row["answerable"]:
            lines.append(f"- first relevant chunk: {f'rank {hit}' if hit else 'not retrieved'}")
    for n, c in enumerate(row["citations"], start=1):
        mark = "✓" if c["correct"] else "✗"
        name = Path(c["source"].split("#")[0]).name if c["source"] else c["doc"]
        lines.append(f"  - [{n}] {mark} {name} chars {c['start']}–{c['end']}: “{c['quote']}”")
    return [*lines, ""]


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.3f}"
