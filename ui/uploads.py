"""Files uploaded in the browser get a permanent home under the data directory (so citations keep
pointing at a file and re-indexing finds it), and only if they could be indexed."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

UPLOAD_TYPES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".jsonl")
MAX_UPLOAD_MB = 100

_UNSAFE = re.compile(r"[^\w.\- ]+")


@dataclass
class SavedUpload:
    path: Path
    previous: bytes | None  # what the file held before, put back if the new one cannot be indexed


def safe_name(name: str) -> str:
    """A plain file name: no directories, no leading dots, no odd characters."""
    cleaned = _UNSAFE.sub("_", Path(name.replace("\\", "/")).name).strip().lstrip(".")
    return cleaned or "upload"


def save_uploads(
    files: Iterable[str | Path], directory: Path, max_bytes: int = MAX_UPLOAD_MB * 2**20
) -> tuple[list[SavedUpload], list[tuple[str, str]]]:
    """Copy uploaded files into `directory`; also return (name, reason) for the refused ones."""
    directory.mkdir(parents=True, exist_ok=True)
    saved: list[SavedUpload] = []
    problems: list[tuple[str, str]] = []
    for upload in files:
        source = Path(upload)
        name = safe_name(source.name)
        if Path(name).suffix.lower() not in UPLOAD_TYPES:
            problems.append((name, f"unsupported file type (allowed: {' '.join(UPLOAD_TYPES)})"))
            continue
        size = source.stat().st_size
        if size > max_bytes:
            problems.append((name, f"file is larger than {max_bytes // 2**20} MB"))
            continue
        target = _unused(directory / name, {s.path for s in saved})
        previous = target.read_bytes() if target.exists() else None
        shutil.copyfile(source, target)
        saved.append(SavedUpload(target, previous))
    return saved, problems


def _unused(target: Path, taken: set[Path]) -> Path:
    """Two uploads of one batch with the same name must not overwrite each other."""
    candidate, n = target, 1
    while candidate in taken:
        n += 1
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
    return candidate


def settle(saved: list[SavedUpload], rejected: Iterable[Path]) -> None:
    """Put back (or delete) the uploads that could not be indexed, so a bad file neither stays
    around nor replaces a good earlier version."""
    rejected_paths = {Path(p).resolve() for p in rejected}
    for upload in saved:
        if upload.path.resolve() not in rejected_paths:
            continue
        if upload.previous is None:
            upload.path.unlink(missing_ok=True)
        else:
            upload.path.write_bytes(upload.previous)


def prune(directory: Path, in_use: Iterable[Path]) -> None:
    """Delete uploaded files no indexed document comes from any more (after a removal)."""
    if not directory.is_dir():
        return
    keep = {Path(p).resolve() for p in in_use}
    for path in directory.iterdir():
        if path.is_file() and path.resolve() not in keep:
            path.unlink()
