"""Extractive answering on the dev sets: quality, latency, and what indexing costs.

For each collection (SQuAD 2.0 dev: all 16 articles; the seed articles with
evals/sets/sample.jsonl; optionally the first --rtqa-articles articles of RealTime QA dev with
the questions whose answer occurs in them), in one process:
- index it from scratch and time it; then embed the same chunk passages with the bare model
  (`Embedder.embed`) in the same run: the ratio is indexing throughput / bare throughput;
- answer the questions extractively, warm, through the eval harness (evals.runner): hit@5,
  MRR@10, answer accuracy, refusal accuracy, false refusals, wrong, citation precision, short
  answer EM/F1 (when the answers carry one), p50/p95 answer latency, p50 query embedding, and
  the ratio answer p50 / query-embedding p50 (which survives a noisy machine).

SQuAD sample: --per-class answerable and as many unanswerable questions, evenly spread over the
file order (the sample of benchmarks/compare_llamaindex.py). Settings can be overridden, e.g.
`--set sentence_vectors=separate`.

    python benchmarks/reading.py --per-class 200
    python benchmarks/reading.py --per-class 200 --set sentence_vectors=separate --label separate
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, SHARED, machine, print_table, write_result  # noqa: E402
from benchmarks.compare_llamaindex import COLUMNS as SQUAD_COLUMNS  # noqa: E402
from benchmarks.compare_llamaindex import sample_questions  # noqa: E402

COLUMNS = [*SQUAD_COLUMNS, "short_answer_f1", "short_answer_em"]


def spread(items: list, count: int) -> list:
    count = min(count, len(items))
    return [items[i * len(items) // count] for i in range(count)] if count else []


def rtqa_collection(articles: int, questions: int) -> tuple[Path, list]:
    """The first `articles` RealTime QA articles as one JSONL file, and (spread over the file)
    up to `questions` questions whose gold answer occurs in them."""
    from evals.metrics import normalise
    from evals.schema import load_eval_set

    lines = (SHARED / "benchmarks/realtimeqa/corpus.jsonl").read_text().splitlines()[:articles]
    folder = Path(tempfile.mkdtemp(prefix="qa-rtqa-docs-"))
    (folder / "corpus.jsonl").write_text("\n".join(lines) + "\n")
    text = normalise(" ".join(json.loads(line)["text"] for line in lines))
    items = load_eval_set(SHARED / "benchmarks/realtimeqa/questions.jsonl").items
    inside = [i for i in items if any(normalise(a) in text for a in i.answers if len(a) > 2)]
    return folder, spread(inside, questions)


def run_collection(name: str, docs: Path, items: list, overrides: dict) -> dict:
    from evals.runner import run_eval
    from index.chunking import passage_text
    from qa.factory import build_assistant, build_embedder, build_indexer
    from qa.settings import Settings

    settings = Settings(
        data_dir=Path(tempfile.mkdtemp(prefix=f"qa-{name}-")), answer_mode="extractive", **overrides
    )
    embedder = build_embedder(settings)
    embedder.embed(["warm up"])
    start = time.perf_counter()
    report = build_indexer(settings, embedder).index([docs])
    index_seconds = time.perf_counter() - start
    assistant = build_assistant(settings, embedder)
    passages = [
        passage_text(title, text) for _, title, text, _ in assistant.manifest.iter_chunk_texts()
    ]
    start = time.perf_counter()
    embedder.embed(passages)
    bare_seconds = time.perf_counter() - start
    assistant.ask("warm up the reader", mode="extractive")
    result = run_eval(items, assistant, mode="extractive")
    summary = result.summary
    latency = summary["latency_ms"]
    total_p50 = latency.get("total", {}).get("p50")
    embed_p50 = latency.get("embed_query", {}).get("p50")
    chunks = report.chunks
    return {
        "collection": name,
        "items": len(items),
        "documents": assistant.manifest.document_count(),
        "chunks": chunks,
        "index_seconds": round(index_seconds, 2),
        "chunks_per_s": round(chunks / index_seconds, 2),
        "bare_chunks_per_s": round(len(passages) / bare_seconds, 2),
        "index_vs_bare": round((chunks / index_seconds) / (len(passages) / bare_seconds), 3),
        "p50_ms": total_p50,
        "p95_ms": latency.get("total", {}).get("p95"),
        "embed_query_p50_ms": embed_p50,
        "p50_over_embed": round(total_p50 / embed_p50, 2) if total_p50 and embed_p50 else None,
        "stages_p50_ms": {stage: v.get("p50") for stage, v in latency.items()},
        **{c: summary.get(c) for c in COLUMNS},
        "calibration": result.calibration,
        "rows": [row.to_dict() for row in result.rows],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-class", type=int, default=200)
    parser.add_argument("--rtqa-articles", type=int, default=0)
    parser.add_argument("--rtqa-questions", type=int, default=100)
    parser.add_argument("--set", action="append", default=[], help="setting=value override")
    parser.add_argument("--label", default="default")
    args = parser.parse_args()
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    overrides = dict(pair.split("=", 1) for pair in args.set)

    from evals.schema import load_eval_set

    runs = [
        run_collection(
            "squad2",
            SHARED / "benchmarks/squad2/corpus",
            sample_questions(args.per_class),
            overrides,
        )
    ]
    sample_items = load_eval_set(ROOT / "evals" / "sets" / "sample.jsonl").items
    runs.append(run_collection("sample", ROOT / "data" / "sample", sample_items, overrides))
    if args.rtqa_articles:
        folder, items = rtqa_collection(args.rtqa_articles, args.rtqa_questions)
        runs.append(run_collection("realtimeqa", folder, items, overrides))

    print(f"label: {args.label}  settings: {overrides or 'defaults'}")
    print_table(
        ["collection", "items", *COLUMNS],
        [[r["collection"], r["items"], *[r[c] for c in COLUMNS]] for r in runs],
    )
    print_table(
        [
            "collection",
            "chunks",
            "index chunks/s",
            "bare chunks/s",
            "index/bare",
            "p50 ms",
            "p95 ms",
            "embed q p50 ms",
            "p50/embed",
        ],
        [
            [
                r["collection"],
                r["chunks"],
                r["chunks_per_s"],
                r["bare_chunks_per_s"],
                r["index_vs_bare"],
                r["p50_ms"],
                r["p95_ms"],
                r["embed_query_p50_ms"],
                r["p50_over_embed"],
            ]
            for r in runs
        ],
    )
    for r in runs:
        print(r["collection"], "stage p50 ms:", r["stages_p50_ms"])
    for r in runs:
        calibration = r["calibration"]
        curve = [p for p in calibration["curve"] if round(p["threshold"] * 50) % 5 == 0]
        if not curve or curve[0]["refusal_accuracy"] is None:
            continue
        print(
            f"{r['collection']}: highest threshold with false refusals <= 0.10: "
            f"{calibration['threshold_for_false_refusals_0.10']}; "
            f"ECE {calibration['reliability']['ece']}"
        )
        print_table(
            ["threshold", "refusal acc", "false refusals"],
            [[p["threshold"], p["refusal_accuracy"], p["false_refusal_rate"]] for p in curve],
        )
    path = write_result(
        f"reading-{args.label}",
        {"machine": machine(), "label": args.label, "settings": overrides, "runs": runs},
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
