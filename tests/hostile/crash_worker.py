"""Index a directory with the hash embedder, for the crash test to kill at a random moment.

Usage: python -m tests.hostile.crash_worker DATA_DIR DOCS_DIR
Prints "ready" once the collection is open and "done" when indexing has finished.
"""

import sys
from pathlib import Path

from qa.factory import build_indexer
from qa.settings import Settings
from tests.fakes import HashEmbedder


def main(data_dir: str, docs: str) -> None:
    indexer = build_indexer(Settings(data_dir=Path(data_dir)), embedder=HashEmbedder())
    print("ready", flush=True)
    report = indexer.index([Path(docs)])
    print(f"done {len(report.added)} {report.chunks}", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
