"""Indexing memory over time: `qa index` of the first N RealTime QA dev articles, once per
embedding batch size, each in its own process, its RSS sampled every half second.

Prints, per setting: chunks, index time, chunks/s, the lowest RSS of the last tenth of the run
(what stays: models, vector indexes) and the peak (what stays plus one batch's working memory),
and the peak PSS of the indexer with the spaCy worker processes it forks (index/nlp.py).
Settings are measured one after the other in one run, so compare them as ratios.
Writes benchmarks/results/index_memory.json, the sampled series included.

    python benchmarks/index_memory.py --articles 150 --batch-sizes 32,8
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import SHARED, machine, print_table, write_result  # noqa: E402
from benchmarks.scale_realtimeqa import count_chunks  # noqa: E402
from harness.servers import rss_mb, tree_pss_mb  # noqa: E402

CORPUS = SHARED / "benchmarks" / "realtimeqa" / "corpus.jsonl"
QA = [sys.executable, "-c", "from qa.cli import main; main(prog_name='qa')"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=150)
    parser.add_argument("--batch-sizes", default="32,8", help="QA_EMBEDDING_BATCH_SIZE values")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="qa-index-memory-"))
    corpus = work / "corpus.jsonl"
    corpus.write_text("".join(CORPUS.open().readlines()[: args.articles]))
    rows, results = [], []
    for batch_size in [int(b) for b in args.batch_sizes.split(",")]:
        data_dir = work / f"data-{batch_size}"
        env = {**os.environ, "QA_EMBEDDING_BATCH_SIZE": str(batch_size)}
        seconds, series = sampled_run([*QA, "--data-dir", str(data_dir), "index", str(corpus)], env)
        chunks = count_chunks(data_dir)
        tail = [rss for t, rss, _ in series if t >= 0.9 * seconds] or [series[-1][1]]
        result = {
            "embedding_batch_size": batch_size,
            "articles": args.articles,
            "chunks": chunks,
            "index_s": seconds,
            "chunks_per_s": chunks / seconds,
            "settled_rss_mb": min(tail),
            "peak_rss_mb": max(rss for _, rss, _ in series),
            "peak_tree_pss_mb": max(pss for _, _, pss in series),
            "series": series,
        }
        results.append(result)
        rows.append(
            [
                batch_size,
                chunks,
                f"{seconds:.0f} s",
                result["chunks_per_s"],
                f"{result['settled_rss_mb']:.0f}",
                f"{result['peak_rss_mb']:.0f}",
                f"{result['peak_tree_pss_mb']:.0f}",
            ]
        )
    print_table(
        [
            "embedding batch",
            "chunks",
            "index time",
            "chunks/s",
            "settled RSS MB",
            "peak RSS MB",
            "peak PSS with workers MB",
        ],
        rows,
    )
    print(f"wrote {write_result('index_memory', {'machine': machine(), 'results': results})}")


def sampled_run(command: list[str], env: dict) -> tuple[float, list[tuple[float, float, float]]]:
    """(wall seconds, [(seconds since start, RSS in MB, PSS of it and its workers in MB)]) of a
    child process."""
    began = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    series = []
    while process.poll() is None:
        rss, pss = rss_mb(process), tree_pss_mb(process)
        if rss is not None and pss is not None:
            series.append((round(time.monotonic() - began, 1), rss, pss))
        time.sleep(0.5)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command[3:])} failed")
    return time.monotonic() - began, series


if __name__ == "__main__":
    main()
