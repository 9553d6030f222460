"""How cost grows with the collection: index time, indexing peak memory and query latency at 10%,
30% and 100% of the RealTime QA dev collection (2,615 articles).

Each fraction is indexed from scratch by `qa index` in its own process (so its peak RSS is the
indexer's alone), then 50 dev questions are answered extractively in a fresh process (warm:
after one question), reporting p50/p95 of the whole answer and of retrieval.
With --backend server each fraction is written to its own `chroma run` on 127.0.0.1 instead
of the embedded store, and the server's peak RSS is reported beside the indexer's.
Writes benchmarks/results/scale_realtimeqa.json (scale_realtimeqa_server.json for the server).

    python benchmarks/scale_realtimeqa.py --fractions 0.1,0.3,1.0
    python benchmarks/scale_realtimeqa.py --fractions 1.0 --backend server
    python benchmarks/scale_realtimeqa.py --query-only DIR   # query latency of an indexed DIR
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import SHARED, machine, print_table, write_result  # noqa: E402
from harness.servers import peak_rss_mb, start_chroma, stop  # noqa: E402

REALTIMEQA = SHARED / "benchmarks" / "realtimeqa"
QA = [sys.executable, "-c", "from qa.cli import main; main(prog_name='qa')"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fractions", default="0.1,0.3,1.0")
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the indexed data directories")
    parser.add_argument("--query-only", type=Path, help="only time questions on this collection")
    parser.add_argument("--backend", choices=["embedded", "server"], default="embedded")
    args = parser.parse_args()

    articles = open(REALTIMEQA / "corpus.jsonl").read().splitlines()
    questions = [
        json.loads(line)["question"]
        for line in open(REALTIMEQA / "questions.jsonl").read().splitlines()[: args.questions]
    ]
    if args.query_only:
        result = {
            "chunks": count_chunks(args.query_only),
            **query_latency(args.query_only, questions),
        }
        print(json.dumps(result))
        write_result("scale_realtimeqa_query", {"machine": machine(), "result": result})
        return
    work = Path(tempfile.mkdtemp(prefix="qa-scale-"))
    rows, results = [], []
    for fraction in [float(f) for f in args.fractions.split(",")]:
        count = round(len(articles) * fraction)
        corpus = work / f"corpus-{count}.jsonl"
        corpus.write_text("\n".join(articles[:count]) + "\n")
        data_dir = work / f"data-{count}"
        chroma, chroma_url = None, None
        if args.backend == "server":
            chroma, chroma_url = start_chroma(
                work / f"chroma-{count}", work / f"chroma-{count}.log"
            )
        try:
            store = ["--chroma-url", chroma_url] if chroma_url else []
            index_s, index_rss = timed_process(
                [*QA, "--data-dir", str(data_dir), *store, "index", str(corpus)]
            )
            chroma_rss = peak_rss_mb(chroma) if chroma else None
            chunks = count_chunks(data_dir)
            query = query_latency(data_dir, questions, chroma_url)
        finally:
            if chroma:
                stop(chroma)
        result = {
            "backend": args.backend,
            "fraction": fraction,
            "articles": count,
            "chunks": chunks,
            "index_s": index_s,
            "chunks_per_s": chunks / index_s,
            "index_peak_rss_mb": index_rss,
            "chroma_server_peak_rss_mb": chroma_rss,
            **query,
        }
        results.append(result)
        print(json.dumps(result))
        rows.append(
            [
                f"{fraction:.0%}",
                count,
                chunks,
                f"{index_s / 60:.1f} min",
                result["chunks_per_s"],
                f"{index_rss:.0f}",
                f"{chroma_rss:.0f}" if chroma_rss else "-",
                query["answer_p50_s"],
                query["answer_p95_s"],
                query["retrieval_p50_s"],
            ]
        )
    print_table(
        [
            "collection",
            "articles",
            "chunks",
            "index time",
            "chunks/s",
            "index peak MB",
            "chroma server peak MB",
            "answer p50 s",
            "answer p95 s",
            "retrieval p50 s",
        ],
        rows,
    )
    name = "scale_realtimeqa" + ("_server" if args.backend == "server" else "")
    print(f"wrote {write_result(name, {'machine': machine(), 'results': results})}")
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


def timed_process(command: list[str], repo: Path | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of a child process (running the code of checkout `repo`,
    this one by default)."""
    began = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, **in_checkout(repo))
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command[3:])} failed")
    return time.monotonic() - began, usage.ru_maxrss / 1024


def count_chunks(data_dir: Path) -> int:
    import sqlite3

    db = sqlite3.connect(data_dir / "documents.manifest.sqlite3")
    return db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]


QUERY_SCRIPT = """
import json, sys, time
from qa.factory import build_assistant
from qa.settings import Settings
settings = Settings(data_dir=sys.argv[1], answer_mode="extractive", chroma_url=sys.argv[3] or None)
assistant = build_assistant(settings)
questions = json.loads(sys.argv[2])
assistant.ask(questions[0])  # warm: model loaded, BM25 read
totals, retrievals = [], []
for q in questions:
    began = time.perf_counter()
    answer = assistant.ask(q)
    totals.append(time.perf_counter() - began)
    stages = ("embed_query", "dense", "bm25", "fuse")
    retrievals.append(sum(answer.timings_ms.get(s, 0) for s in stages) / 1000)
print(json.dumps({"totals": totals, "retrievals": retrievals}))
"""


def query_latency(
    data_dir: Path, questions: list[str], chroma_url: str | None = None, repo: Path | None = None
) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            QUERY_SCRIPT,
            str(data_dir),
            json.dumps(questions),
            chroma_url or "",
        ],
        check=True,
        capture_output=True,
        text=True,
        **in_checkout(repo),
    ).stdout
    measured = json.loads(out.strip().splitlines()[-1])
    return {
        "answer_p50_s": statistics.median(measured["totals"]),
        "answer_p95_s": percentile(measured["totals"], 0.95),
        "retrieval_p50_s": statistics.median(measured["retrievals"]),
        "retrieval_p95_s": percentile(measured["retrievals"], 0.95),
    }


def in_checkout(repo: Path | None) -> dict:
    """subprocess arguments that make `python -c` import qa from another checkout."""
    if repo is None:
        return {}
    return {"cwd": repo, "env": {**os.environ, "PYTHONPATH": str(repo)}}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
