"""The embedded default against other checkouts in one run: index throughput, answer latency and
the catalogue's cost of adding a document, side by side, with ratios to the first side.

Each round indexes the first --articles RealTime QA dev articles from scratch with every
checkout's own `qa index` (embedded store, its own process), answers --questions dev questions
extractively in a fresh process (warm, as benchmarks/scale_realtimeqa.py does) and times
--documents synthetic `add_document` calls on an empty catalogue. The sides take turns within a
round, so a busy moment of a shared machine falls on one side's run, not on one side.
Writes benchmarks/results/before_after.json.

    git worktree add --detach /tmp/qa-before COMMIT
    python benchmarks/before_after.py --side before=/tmp/qa-before --rounds 2

With --query-only DIR the sides only answer questions (the first --questions of
--questions-file) on that one indexed collection, taking turns, e.g. SQuAD 2.0 dev:

    python benchmarks/before_after.py --side before=/tmp/qa-before --query-only DIR \
        --questions-file ../shared/benchmarks/squad2/questions.jsonl --questions 150 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (  # noqa: E402
    ROOT,
    checkout_side,
    machine,
    print_table,
    write_result,
)
from benchmarks.scale_realtimeqa import (  # noqa: E402
    QA,
    REALTIMEQA,
    count_chunks,
    in_checkout,
    query_latency,
    timed_process,
)

# Runs in the checkout being measured: only the Manifest calls that every version has.
ADD_SCRIPT = """
import json, statistics, sys, tempfile, time
from pathlib import Path
from index.documents import Chunk, Document
from index.manifest import Manifest
manifest = Manifest(Path(tempfile.mkdtemp()) / "bench.manifest.sqlite3")
times = []
for n in range(int(sys.argv[1])):
    text = f"Report {n}. " + " ".join(f"word{n % 97} river town bridge {i}." for i in range(30))
    doc = Document(f"doc{n:06d}", f"/docs/{n}.txt", text, f"Report {n}", None, "2024-06-01")
    third = len(text) // 3
    chunks = [Chunk(f"doc{n:06d}:{i}", doc.id, i, i * third, (i + 1) * third, "") for i in range(3)]
    began = time.perf_counter()
    manifest.add_document(doc, chunks, doc.source)
    times.append(time.perf_counter() - began)
print(json.dumps({"add_document_ms": 1000 * statistics.median(times)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--side", action="append", default=[], help="LABEL=DIR: a checkout to compare (repeat)"
    )
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--query-only", type=Path, help="only answer questions on this collection")
    parser.add_argument("--questions-file", type=Path, default=REALTIMEQA / "questions.jsonl")
    args = parser.parse_args()
    sides = [checkout_side(spec) for spec in args.side] + [("this", ROOT)]
    questions = [
        json.loads(line)["question"]
        for line in open(args.questions_file).read().splitlines()[: args.questions]
    ]
    if args.query_only:
        return _query_only(args, sides, questions)

    work = Path(tempfile.mkdtemp(prefix="qa-before-after-"))
    corpus = work / "corpus.jsonl"
    articles = open(REALTIMEQA / "corpus.jsonl").read().splitlines()[: args.articles]
    corpus.write_text("\n".join(articles) + "\n")
    runs = []
    for round_ in range(args.rounds):
        for label, repo in sides:
            data_dir = work / f"{label}-{round_}"
            index_s, _ = timed_process(
                [*QA, "--data-dir", str(data_dir), "index", str(corpus)], repo
            )
            chunks = count_chunks(data_dir)
            run = {
                "side": label,
                "round": round_,
                "chunks": chunks,
                "chunks_per_s": chunks / index_s,
                **query_latency(data_dir, questions, None, repo),
                **_add_document(repo, args.documents),
            }
            runs.append(run)
            print(json.dumps(run), file=sys.stderr)

    summary = {label: _medians([r for r in runs if r["side"] == label]) for label, _ in sides}
    first = summary[sides[0][0]]
    rows = [
        [
            label,
            _commit(repo),
            s["chunks"],
            s["chunks_per_s"],
            s["chunks_per_s"] / first["chunks_per_s"],
            s["answer_p50_s"],
            s["answer_p50_s"] / first["answer_p50_s"],
            s["retrieval_p50_s"],
            s["add_document_ms"],
        ]
        for (label, repo), s in ((side, summary[side[0]]) for side in sides)
    ]
    print_table(
        [
            "side",
            "commit",
            "chunks",
            "index chunks/s",
            f"× {sides[0][0]}",
            "answer p50 s",
            f"× {sides[0][0]}",
            "retrieval p50 s",
            "add_document ms",
        ],
        rows,
    )
    commits = {label: _commit(repo) for label, repo in sides}
    payload = {"machine": machine(), "args": vars(args), "commits": commits, "runs": runs}
    print(f"wrote {write_result('before_after', {**payload, 'summary': summary})}")


def _query_only(args, sides: list[tuple[str, Path]], questions: list[str]) -> None:
    runs = []
    for round_ in range(args.rounds):
        for label, repo in sides:
            run = {
                "side": label,
                "round": round_,
                **query_latency(args.query_only, questions, None, repo),
            }
            runs.append(run)
            print(json.dumps(run), file=sys.stderr)
    rows = []
    for label, repo in sides:
        mine = [r for r in runs if r["side"] == label]
        p50s = ", ".join(f"{1000 * r['answer_p50_s']:.1f}" for r in mine)
        median = statistics.median(r["answer_p50_s"] for r in mine)
        retrieval = statistics.median(r["retrieval_p50_s"] for r in mine)
        rows.append([label, _commit(repo), p50s, 1000 * median, 1000 * retrieval])
    headers = ["side", "commit", "answer p50 ms per round", "median ms", "retrieval p50 ms"]
    print_table(headers, rows)
    payload = {"machine": machine(), "args": {k: str(v) for k, v in vars(args).items()}}
    print(f"wrote {write_result('before_after_query', {**payload, 'runs': runs})}")


def _add_document(repo: Path, documents: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", ADD_SCRIPT, str(documents)],
        check=True,
        capture_output=True,
        text=True,
        **in_checkout(repo),
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _medians(runs: list[dict]) -> dict:
    keys = ("chunks_per_s", "answer_p50_s", "retrieval_p50_s", "add_document_ms")
    return {"chunks": runs[0]["chunks"], **{k: statistics.median(r[k] for r in runs) for k in keys}}


def _commit(repo: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()


if __name__ == "__main__":
    main()
