"""Indexing speed and retrieval quality on the RealTime QA dev collection.

Prints and writes (benchmarks/results/index_realtimeqa.json):
- bare embedding throughput of all-MiniLM-L6-v2 on this machine, measured on real chunk texts;
- indexing throughput (chunks/s) of `qa`'s indexer and its ratio to the bare model;
- time to re-index the unchanged collection;
- retrieval hit@5 and MRR@10 (a retrieved chunk contains one of the answer strings) for
  dense-only, BM25-only and hybrid retrieval, with the ceiling (answer occurs in the collection).

Subset rule: the first --articles articles of corpus.jsonl in file order (the file is grouped by
quiz week, so a prefix covers the earliest weeks); the questions scored are those whose answer
string occurs somewhere in that subset. --articles 0 uses all 2,615.

    python benchmarks/index_realtimeqa.py --articles 700
    python benchmarks/index_realtimeqa.py --articles 0 --data-dir DIR   # retrieval only, on an
                                          # already indexed collection of the same articles
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import SHARED, machine, normalise, print_table, write_result  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=700, help="0 = the whole collection")
    parser.add_argument("--bare-sample", type=int, default=384)
    parser.add_argument("--data-dir", type=Path, help="skip indexing: score this collection")
    args = parser.parse_args()

    from index.cleaning import normalise_date
    from index.collection import open_collection
    from index.dates import DateRange
    from qa.factory import build_assistant, build_embedder, location
    from qa.settings import Settings

    corpus = SHARED / "benchmarks" / "realtimeqa" / "corpus.jsonl"
    lines = corpus.read_text().splitlines()
    if args.articles:
        lines = lines[: args.articles]
    if args.data_dir:
        settings = Settings(data_dir=args.data_dir)
        embedder = build_embedder(settings)
        indexing = None
    else:
        work = Path(tempfile.mkdtemp(prefix="qa-bench-"))
        settings = Settings(data_dir=work / "data")
        embedder = build_embedder(settings)
        indexing = measure_indexing(settings, embedder, lines, work, args.bare_sample)

    collection = open_collection(location(settings), embedder)
    texts = {
        chunk_id: normalise(text) for chunk_id, _, text, _ in collection.manifest.iter_chunk_texts()
    }
    all_text = normalise(" ".join(json.loads(line)["text"] for line in lines))
    questions = [
        json.loads(line)
        for line in (SHARED / "benchmarks" / "realtimeqa" / "questions.jsonl")
        .read_text()
        .splitlines()
    ]
    answerable = [q for q in questions if any(normalise(a) in all_text for a in q["answers"])]
    modes = {}
    # (name, retrieval mode, date handling): the question's `date` is when the quiz was asked;
    # "week" restricts to articles published in the 7 days before it, "boost" prefers them.
    variants = [
        ("dense", "dense", None),
        ("bm25", "bm25", None),
        ("hybrid", "hybrid", None),
        ("hybrid + week restrict", "hybrid", "restrict"),
        ("hybrid + week boost", "hybrid", "boost"),
    ]
    for name, mode, date_use in variants:
        retriever = build_assistant(settings, embedder=embedder, retrieval_mode=mode).retriever
        hits, reciprocal, latencies = 0, 0.0, []
        for q in answerable:
            start = time.perf_counter()
            vector = embedder.embed([q["question"]])[0]
            asked = normalise_date(q.get("date"))
            dates = DateRange.week_before(asked) if date_use and asked else None
            ranked = retriever.retrieve(
                q["question"], vector, top_k=10, dates=dates, date_boost=date_use == "boost"
            )
            latencies.append(time.perf_counter() - start)
            answers = [normalise(a) for a in q["answers"]]
            first = next(
                (
                    rank
                    for rank, c in enumerate(ranked, start=1)
                    if any(a in texts[c.chunk_id] for a in answers)
                ),
                None,
            )
            hits += first is not None and first <= 5
            reciprocal += 1 / first if first else 0.0
        n = max(1, len(answerable))
        latencies.sort()
        modes[name] = {
            "hit@5": hits / n,
            "mrr@10": reciprocal / n,
            "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else 0.0,
        }

    result = {"machine": machine(), "articles": len(lines)}
    if indexing:
        report, bare_rate, index_rate = (
            indexing["report"],
            indexing["bare_rate"],
            indexing["index_rate"],
        )
        result |= {
            "documents": len(report.added),
            "duplicates": len(report.duplicates),
            "failed": len(report.failed),
            "chunks": report.chunks,
            "bare_embedding_passages_per_s": bare_rate,
            "index_seconds": indexing["index_seconds"],
            "index_chunks_per_s": index_rate,
            "index_vs_bare": index_rate / bare_rate,
            "reindex_unchanged_seconds": indexing["reindex_seconds"],
        }
        print_table(
            [
                "articles",
                "chunks",
                "bare passages/s",
                "index chunks/s",
                "ratio",
                "index s",
                "re-index s",
            ],
            [
                [
                    len(lines),
                    report.chunks,
                    bare_rate,
                    index_rate,
                    index_rate / bare_rate,
                    indexing["index_seconds"],
                    indexing["reindex_seconds"],
                ]
            ],
        )
    result |= {
        "questions_total": len(questions),
        "questions_scored": len(answerable),
        "ceiling": len(answerable) / len(questions),
        "retrieval": modes,
    }
    print_table(
        ["retrieval", "hit@5", "MRR@10", "p50 ms", "questions", "ceiling"],
        [
            [m, r["hit@5"], r["mrr@10"], r["p50_ms"], len(answerable), result["ceiling"]]
            for m, r in modes.items()
        ],
    )
    name = "index_realtimeqa" if indexing else "retrieval_realtimeqa"
    print(f"wrote {write_result(name, result)}")


def measure_indexing(settings, embedder, lines: list[str], work: Path, bare_sample: int) -> dict:
    """Bare model throughput on real chunk texts, then indexing and re-indexing the subset."""
    from index.chunking import chunk_document, passage_text
    from index.cleaning import clean_document
    from index.documents import RawDocument
    from qa.factory import build_indexer

    subset = work / "corpus.jsonl"
    subset.write_text("\n".join(lines) + "\n")

    # Bare model throughput on real chunk texts of this collection.
    sample_chunks = []
    for line in lines:
        record = json.loads(line)
        doc = clean_document(
            RawDocument(source="x", text=record["text"], title=record.get("title"))
        )
        sample_chunks += [
            passage_text(doc.title, c.text)
            for c in chunk_document(doc, embedder.count_tokens, settings.chunk_tokens)
        ]
        if len(sample_chunks) >= bare_sample:
            break
    sample_chunks = sample_chunks[:bare_sample]
    embedder.embed(sample_chunks[:32])  # warm up
    start = time.perf_counter()
    embedder.embed(sample_chunks)
    bare_rate = len(sample_chunks) / (time.perf_counter() - start)

    indexer = build_indexer(settings, embedder=embedder, progress=True)
    start = time.perf_counter()
    report = indexer.index([subset])
    index_seconds = time.perf_counter() - start
    index_rate = report.chunks / index_seconds
    start = time.perf_counter()
    again = indexer.index([subset])
    reindex_seconds = time.perf_counter() - start
    assert not again.added, "re-index added documents"

    return {
        "report": report,
        "bare_rate": bare_rate,
        "index_seconds": index_seconds,
        "index_rate": index_rate,
        "reindex_seconds": reindex_seconds,
    }


if __name__ == "__main__":
    main()
