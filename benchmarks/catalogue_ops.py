"""What the catalogue costs per call: the SQLite file against a PostgreSQL server on this machine.

Fills a catalogue with synthetic documents (3 chunks each), then times the calls a question makes
(generation, chunk_spans of 30 candidates, text, info), the writes an indexing run makes
(add_document), and the BM25 rebuild's read of every chunk text. Prints a table, writes JSON.

    flock /tmp/qa-heavy.lock .venv/bin/python benchmarks/catalogue_ops.py --documents 5000
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.servers import start_postgres  # noqa: E402
from index.documents import Chunk, Document  # noqa: E402
from index.manifest import Manifest  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/catalogue_ops.json"))
    args = parser.parse_args()
    rows = []
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as work:
            server = start_postgres() if backend == "postgresql" else None
            try:
                location = server.url if server else Path(work) / "bench.manifest.sqlite3"
                rows.append({"backend": backend, **measure(Manifest(location, "bench"), args)})
            finally:
                if server:
                    server.stop()
    columns = ["add_document", "generation", "chunk_spans_30", "text", "info", "read_all_chunks"]
    print(f"{'backend':12}" + "".join(f"{c + ' ms':>20}" for c in columns))
    for row in rows:
        print(f"{row['backend']:12}" + "".join(f"{row[c]:>20.3f}" for c in columns))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"documents": args.documents, "results": rows}, indent=2))


def measure(manifest: Manifest, args) -> dict:
    writes = []
    for n in range(args.documents):
        text = f"Report {n}. " + " ".join(f"word{n % 97} river town bridge {i}." for i in range(30))
        doc = Document(f"doc{n:06d}", f"/docs/{n}.txt", text, f"Report {n}", None, "2024-06-01")
        third = len(text) // 3
        chunks = [
            Chunk(f"doc{n:06d}:{i}", doc.id, i, i * third, (i + 1) * third, "") for i in range(3)
        ]
        began = time.perf_counter()
        manifest.add_document(doc, chunks, doc.source)
        writes.append(time.perf_counter() - began)
    ids = [f"doc{(n * 7919) % args.documents:06d}:{n % 3}" for n in range(30)]
    result = {"add_document": 1000 * statistics.median(writes)}
    for name, call in (
        ("generation", manifest.generation),
        ("chunk_spans_30", lambda: manifest.chunk_spans(ids)),
        ("text", lambda: manifest.text("doc000123")),
        ("info", lambda: manifest.info("doc000123")),
    ):
        result[name] = 1000 * _median_time(call, args.repeat)
    result["read_all_chunks"] = 1000 * _median_time(
        lambda: sum(1 for _ in manifest.iter_chunk_texts()), 3
    )
    manifest.close()
    return result


def _median_time(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


if __name__ == "__main__":
    main()
