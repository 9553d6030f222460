"""Where sentence vectors live: a second Chroma collection vs a memory-mapped float16 matrix.

Both hold the same N random unit vectors (384 dimensions, as all-MiniLM-L6-v2). Measured, warm:
- fetch: the vectors of 60 random sentences (what scoring the sentences of 6 chunks needs);
- search: the 30 nearest sentences to a query (the sentence-level dense retriever);
- the bytes on disk per vector.
The Chroma collection is the embedded store (a Chroma server adds a loopback round trip per
call); the matrix is fetched by fancy indexing and searched by brute force.

    python benchmarks/sentence_store.py --vectors 50000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import machine, print_table, write_result  # noqa: E402

DIMENSION = 384


class _Named:
    name = "benchmark/random-vectors"

    def embed(self, texts):
        raise RuntimeError("not used")


def _p50(function, repeats: int = 200) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vectors", type=int, default=50000)
    args = parser.parse_args()
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from index.documents import Sentence
    from index.sentence_store import SentenceStore
    from index.store import open_client

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((args.vectors, DIMENSION)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    sentences = [Sentence(f"d{i // 10}:s{i % 10}", f"d{i // 10}", i % 10, 0, 1, f"d{i // 10}:0")
                 for i in range(args.vectors)]  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix="qa-sentence-store-"))
    store = SentenceStore(open_client(folder / "chroma-data"), _Named(), "bench")
    start = time.perf_counter()
    for at in range(0, args.vectors, 5000):
        store.add(sentences[at : at + 5000], vectors[at : at + 5000])
    chroma_load_s = time.perf_counter() - start
    matrix_path = folder / "sentences.f16"
    matrix = np.memmap(matrix_path, dtype=np.float16, mode="w+", shape=vectors.shape)
    matrix[:] = vectors.astype(np.float16)
    matrix.flush()
    matrix = np.memmap(matrix_path, dtype=np.float16, mode="r", shape=vectors.shape)
    index_of = {s.id: i for i, s in enumerate(sentences)}
    query = vectors[0]
    draws = [rng.choice(args.vectors, 60, replace=False) for _ in range(50)]
    picks = [[sentences[int(j)].id for j in draw] for draw in draws]
    turn = iter(range(10**9))

    rows = [
        [
            "Chroma collection",
            _p50(lambda: store.vectors(picks[next(turn) % 50])),
            _p50(lambda: store.search(query, 30), 100),
            _size(folder / "chroma-data") / args.vectors,
            chroma_load_s,
        ],
        [
            "float16 memmap",
            _p50(lambda: matrix[[index_of[s] for s in picks[next(turn) % 50]]].astype(np.float32)),
            _p50(lambda: np.argpartition(-(matrix @ query.astype(np.float16)), 30)[:30], 20),
            matrix_path.stat().st_size / args.vectors,
            0.0,
        ],
    ]
    print(f"{args.vectors} vectors of {DIMENSION} dimensions")
    print_table(
        ["store", "fetch 60 p50 ms", "top-30 search p50 ms", "bytes/vector", "load s"], rows
    )
    path = write_result(
        "sentence_store",
        {
            "machine": machine(),
            "vectors": args.vectors,
            "rows": [
                dict(
                    zip(
                        ["store", "fetch_ms", "search_ms", "bytes_per_vector", "load_s"],
                        r,
                        strict=True,
                    )
                )
                for r in rows
            ],
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
