"""What parsing in a limited child process (index/sandbox.py) costs: per file, per type, against
parsing in-process; then indexing a mixed folder and data/sample end to end with the hash
embedder (so the numbers are the loading cost, not the embedding model's).

    python benchmarks/sandbox_overhead.py --files 40
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, machine, print_table, write_result  # noqa: E402
from index.loaders import load_file  # noqa: E402
from index.sandbox import load_sandboxed  # noqa: E402
from tests.fakes import HashEmbedder  # noqa: E402
from tests.files import make_docx, make_pdf  # noqa: E402

SENTENCES = [
    f"Report {i}: the council approved budget line {i} after a debate that lasted {i % 7} hours."
    for i in range(40)
]


def make_files(directory: Path, count: int) -> dict[str, list[Path]]:
    files: dict[str, list[Path]] = {".txt": [], ".html": [], ".pdf": [], ".docx": []}
    for i in range(count):
        body = SENTENCES[i % 5 :] + [f"Unique marker {i}."]
        text = " ".join(body)
        html = f"<html><body><article><h1>Report {i}</h1><p>{text}</p></article></body></html>"
        data = {
            ".txt": text.encode(),
            ".html": html.encode(),
            ".pdf": make_pdf(body[:30]),
            ".docx": make_docx(body),
        }
        for suffix, content in data.items():
            path = directory / f"doc{i:04d}{suffix}"
            path.write_bytes(content)
            files[suffix].append(path)
    return files


def per_file_ms(paths: list[Path], loader) -> float:
    start = time.perf_counter()
    for path in paths:
        list(loader(path, path.read_bytes()))
    return (time.perf_counter() - start) * 1000 / len(paths)


def index_seconds(paths: list[Path], data_dir: Path, sandboxed: bool) -> float:
    import index.indexer
    from qa.factory import build_indexer
    from qa.settings import Settings

    original = index.indexer.load_sandboxed
    if not sandboxed:
        index.indexer.load_sandboxed = load_file
    try:
        indexer = build_indexer(Settings(data_dir=data_dir), embedder=HashEmbedder())
        start = time.perf_counter()
        report = indexer.index(paths)
        assert not report.failed, report.failed
        return time.perf_counter() - start
    finally:
        index.indexer.load_sandboxed = original


PER_FILE = ["type", "files", "in-process ms", "sandboxed ms", "overhead ms"]
INDEXING = ["collection", "files", "parsing", "index s (hash embedder)"]


def _record(headers: list[str], row: list) -> dict:
    return dict(zip(headers, row, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=40, help="files per type")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        (tmp_path / "docs").mkdir()
        files = make_files(tmp_path / "docs", args.files)
        list(load_sandboxed(files[".pdf"][0], files[".pdf"][0].read_bytes()))  # start the worker
        rows = []
        for suffix, paths in files.items():
            inline, isolated = per_file_ms(paths, load_file), per_file_ms(paths, load_sandboxed)
            rows.append([suffix, len(paths), inline, isolated, isolated - inline])
        print_table(PER_FILE, rows)
        everything = [p for paths in files.values() for p in paths]
        sample = sorted((ROOT / "data" / "sample").iterdir())
        runs = []
        for name, paths in (("mixed folder", everything), ("data/sample", sample)):
            for sandboxed in (False, True):
                seconds = index_seconds(paths, tmp_path / f"data-{name[:4]}-{sandboxed}", sandboxed)
                runs.append([name, len(paths), "sandbox" if sandboxed else "in-process", seconds])
        print_table(INDEXING, runs)
    path = write_result(
        "sandbox_overhead",
        {
            "machine": machine(),
            "per_file": [_record(PER_FILE, r) for r in rows],
            "indexing": [_record(INDEXING, r) for r in runs],
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
