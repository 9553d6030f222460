"""The one line that sums up an indexing run, as the CLI, the eval runner and the web app
show it."""

from __future__ import annotations

from typing import Any


def summary_line(added: int, chunks: int, unchanged: int, duplicates: int, removed: int) -> str:
    """The summary ("Indexed 2 new document(s), 14 chunk(s); ...") of one or more runs."""
    return (
        f"Indexed {added} new document(s), {chunks} chunk(s); {unchanged} unchanged file(s), "
        f"{duplicates} duplicate(s), {removed} replaced or removed."
    )


def report_summary(report: Any) -> str:
    """The summary line of one `index.indexer.IndexReport`."""
    return summary_line(
        len(report.added),
        report.chunks,
        len(report.unchanged_files),
        len(report.duplicates),
        len(report.removed),
    )
