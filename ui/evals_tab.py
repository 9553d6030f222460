"""The Evals tab: run an eval set on the collection, with progress; the summary table and plot."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from index.errors import UserError
from ui.backend import Backend, Step
from ui.errors import describe
from ui.html import escape, message

EMPTY_RESULT = (None, None)  # (plot, report files)


def bundled_sets() -> list[tuple[str, str]]:
    """(name, path) of the eval sets that ship with the project (evals/sets/*.jsonl)."""
    import evals

    directory = Path(evals.__file__).resolve().parent / "sets"
    return [(p.stem, str(p)) for p in sorted(directory.glob("*.jsonl"))]


def render_summary(summary: dict[str, Any]) -> str:
    """The summary metrics of a run as a table, each with what it measures."""
    from evals.compare import compare_summaries
    from evals.report import fmt
    from evals.summary import RATES

    rows = "".join(
        f"<tr><td>{escape(name)}</td><td class='qa-num'>{escape(fmt(value))}</td>"
        f"<td>{escape(RATES.get(name, ''))}</td></tr>"
        for name, value, _, _ in compare_summaries(summary, {})
    )
    counts = (
        f"{summary['items']} items ({summary['answerable']} answerable, "
        f"{summary['unanswerable']} unanswerable, {summary['errors']} errors); "
        f"{summary['refused']} refused, {summary['wrong']} wrong."
    )
    return (
        f'<div class="qa-message qa-info">{escape(counts)}</div>'
        '<table class="qa-table qa-eval-summary"><tr><th>metric</th><th>value</th>'
        f"<th>meaning</th></tr>{rows}</table>"
    )


class EvalsPanel:
    def __init__(self, backend: Backend):
        self.backend = backend

    def run(
        self,
        set_path: str | None,
        uploaded: str | None,
        mode: str,
        limit: float | None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (how Gradio finds the progress bar)
    ) -> tuple[str, str, Any, Any]:
        """(status, summary table, plot image, report files) of one run; an uploaded set wins
        over the chosen bundled one."""
        from evals.report import write_report
        from evals.schema import load_eval_set

        path = uploaded or set_path
        if not path:
            return (message("Choose an eval set first.", "info"), "", *EMPTY_RESULT)
        try:
            loaded = load_eval_set(Path(path))
        except UserError as exc:
            return (message(describe(exc)), "", *EMPTY_RESULT)
        report = None
        try:
            for item in self.backend.evaluate(loaded.items, mode, int(limit or 0) or None):
                if isinstance(item, Step):
                    progress((item.done, item.total), desc="evaluating", unit="items")
                else:
                    report = item
        except UserError as exc:
            return (message(describe(exc)), "", *EMPTY_RESULT)
        report.meta["set"] = loaded.name
        report.set_errors = [str(e) for e in loaded.errors]
        files = write_report(report, Path(tempfile.mkdtemp(prefix="qa-eval-")))
        notes = [f"{loaded.name}: {e} (skipped)" for e in report.set_errors]
        status = "".join(message(n) for n in notes) or message(
            f"Evaluated {report.summary['items']} item(s) of {loaded.name} "
            f"in {report.meta['mode']} mode.",
            "info",
        )
        return (
            status,
            render_summary(report.summary),
            str(files.plot),
            [
                str(files.json),
                str(files.markdown),
            ],
        )
