"""`qa eval`: run an eval set, print the summary, write report.json, report.md and report.png.

Loaded lazily by qa/cli.py's LazyGroup as `evals.cli:eval_command`.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from qa.cli import MODE_OPTION, user_errors


@click.command("eval")
@click.argument("eval_set", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--docs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Index these files or directories first (repeatable), into a temporary collection "
    "unless --collection names one.",
)
@click.option(
    "--collection",
    help="Evaluate this named collection of the data directory (--docs are indexed into it and "
    "kept there).",
)
@MODE_OPTION
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for the report files (default: eval-reports/SET-MODE).",
)
@click.option("--limit", type=click.IntRange(min=1), help="Run only the first N items.")
@click.option(
    "--compare",
    type=click.Path(path_type=Path),
    help="Another report.json (or its directory) to show side by side, with deltas.",
)
@click.pass_obj
@user_errors
def eval_command(
    settings,
    eval_set: Path,
    docs: tuple[Path, ...],
    collection: str | None,
    mode: str | None,
    out: Path | None,
    limit: int | None,
    compare: Path | None,
) -> None:
    """Measure how far to trust the answers: run an eval set (JSONL) and score retrieval,
    answers, citations, refusals and latency.

    \b
    Example:
      qa eval evals/sets/sample.jsonl --docs data/sample --mode extractive
      qa eval evals/sets/sample.jsonl --out reports/b --compare reports/a/report.json
    """
    from evals.compare import ReportError, load_report
    from evals.schema import EvalSetError, load_eval_set

    try:
        loaded = load_eval_set(eval_set)
        other = load_report(compare) if compare else None
    except (EvalSetError, ReportError) as exc:
        raise click.ClickException(str(exc)) from exc
    for error in loaded.errors:
        click.echo(f"{eval_set}: {error} (skipped)", err=True)
    with contextlib.ExitStack() as stack:
        if docs or collection:
            settings = _collection_settings(settings, collection, stack)
        report = _run(settings, loaded, docs, mode, limit, eval_set)
    report.set_errors = [str(e) for e in loaded.errors]
    from evals.report import write_report

    out = out or Path("eval-reports") / f"{loaded.name}-{report.meta['mode']}"
    files = write_report(report, out, other)
    print_summary(report.summary, other)
    ece = (report.calibration.get("reliability") or {}).get("ece")
    if ece is not None:
        click.echo(f"Confidence calibration: ECE {ece:.3f} (reliability table in {files.markdown})")
    if report.summary["errors"]:
        click.echo(f"{report.summary['errors']} item(s) failed; see {files.markdown}", err=True)
    click.echo(f"Wrote {files.json}, {files.markdown} and {files.plot}")
    if loaded.errors:
        raise click.exceptions.Exit(1)


def _collection_settings(settings, collection: str | None, stack: contextlib.ExitStack):
    """The collection evaluated: a named one of the data directory, or a temporary one."""
    if collection:
        return settings.model_copy(update={"collection": collection})
    scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="qa-eval-")))
    return settings.model_copy(update={"data_dir": scratch})


def _run(settings, loaded, docs: tuple[Path, ...], mode: str | None, limit: int | None, path):
    from tqdm import tqdm

    from evals.runner import run_eval
    from qa import factory

    embedder = factory.build_embedder(settings)  # one model for indexing and answering
    if docs:
        _index(factory.build_indexer(settings, embedder, progress=sys.stderr.isatty()), docs)
    assistant = factory.build_assistant(settings, embedder=embedder)
    total = min(limit or len(loaded.items), len(loaded.items))
    with tqdm(total=total, unit="item", disable=not sys.stderr.isatty(), leave=False) as bar:
        return run_eval(
            loaded.items,
            assistant,
            mode=mode,
            limit=limit,
            progress=lambda done, _: bar.update(done - bar.n),
            meta={"set": loaded.name, "set_path": str(path)},
        )


def _index(indexer, docs: tuple[Path, ...]) -> None:
    report = indexer.index(list(docs))
    for source, reason in [*report.skipped, *report.failed]:
        click.echo(f"{source}: {reason}", err=True)
    click.echo(
        f"Indexed {len(report.added)} new document(s), {report.chunks} chunk(s); "
        f"{len(report.unchanged_files)} unchanged file(s).",
        err=True,
    )


def print_summary(summary: dict[str, Any], other: dict[str, Any] | None = None) -> None:
    """The summary metrics as a table, with the other run and deltas when given."""
    from rich.console import Console
    from rich.table import Table

    from evals.compare import compare_summaries, run_label
    from evals.report import fmt

    columns = ["metric", "value"] + ([run_label(other), "delta"] if other else [])
    table = Table(*columns, title=f"{summary['items']} items, {summary['errors']} errors")
    rows = compare_summaries(summary, other["summary"] if other else {})
    for name, value, other_value, delta in rows:
        cells = [name, fmt(value)]
        if other:
            cells += [fmt(other_value), "–" if delta is None else f"{delta:+.3f}"]
        table.add_row(*cells)
    Console(soft_wrap=True).print(table)
