"""What an indexing run of several files did, added up from the per-file reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class IndexSummary:
    """Several per-file index reports added up, plus the files that yielded nothing."""

    added: int = 0
    chunks: int = 0
    unchanged: int = 0
    duplicates: int = 0
    removed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    rejected_files: list[Path] = field(default_factory=list)  # failed with nothing indexed
    refused: list[tuple[str, str]] = field(default_factory=list)  # uploads not even saved

    def add(self, path: Path, report: Any) -> None:
        """Count one `Indexer.index([path])` report."""
        self.added += len(report.added)
        self.chunks += report.chunks
        self.unchanged += len(report.unchanged_files)
        self.duplicates += len(report.duplicates)
        self.removed += len(report.removed)
        self.failed.extend(report.failed)
        self.skipped.extend(report.skipped)
        if report.failed and not (report.added or report.duplicates or report.unchanged_files):
            self.rejected_files.append(path)
