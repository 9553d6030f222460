"""PostgreSQL full-text search against bm25s as the lexical retriever, and what each costs.

Indexes a dev collection with qa's own loader, cleaner and chunker into a PostgreSQL catalogue
(no vectors: only the lexical side is measured), then asks every answerable question of
- bm25s: index/lexical.py, the index each `qa` process builds from the catalogue and holds in
  memory;
- PostgreSQL: a tsvector per chunk (english configuration, over the same title + chunk text) in a
  GIN index, the question's lexemes OR-ed (an AND of every word would match almost nothing),
  ranked by ts_rank_cd (cover density) or by ts_rank (term frequency, normalised by log length).
A retrieved chunk is relevant by the eval harness's rule (evals/scoring.py: holds a gold answer or
overlaps the gold evidence, from a gold source). Prints hit@5, MRR@10 and p50 per question, plus
the memory bm25s takes in the process (resident growth while it loads) and the size of the
PostgreSQL text index; writes benchmarks/results/lexical_postgres_<set>.json.

Sentences are not annotated with spaCy (the lexical side never reads their parse), so the full
RealTime QA collection (35k chunks) fills in minutes. `--copies 1,2,4` then repeats every chunk
under new ids, 2 and 4 times, to see how latency and memory grow past the real collection: the
copies have the real texts' lengths and word statistics but add no new words, so their hit@5 and
MRR are not scored (a chunk and its copy would fill the top 5), and only the first --copy-limit
questions are timed on them. Each bm25s index is built in a forked child, so its memory is its
own: the resident growth once built and the peak growth while building (which is when a
rebuilding app process needs the most); the child's growth includes importing bm25s.

    flock /tmp/qa-heavy.lock .venv/bin/python benchmarks/lexical_postgres.py --set squad2
    flock /tmp/qa-heavy.lock .venv/bin/python benchmarks/lexical_postgres.py --set realtimeqa \
        --limit 150 --copies 1,4
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import SHARED, machine, print_table, write_result  # noqa: E402
from harness.servers import start_postgres  # noqa: E402

SETS = {
    "squad2": ("squad2/corpus", "squad2/questions.jsonl"),
    "realtimeqa": ("realtimeqa/corpus.jsonl", "realtimeqa/questions.jsonl"),
}
# The question's lexemes OR-ed: plainto_tsquery parses and stems as to_tsvector does.
_OR_QUERY = "replace(plainto_tsquery('english', :q)::text, ' & ', ' | ')::tsquery"
RANKINGS = {
    "postgres ts_rank_cd": "ts_rank_cd(f.tsv, q.q)",
    "postgres ts_rank/log length": "ts_rank(f.tsv, q.q, 1)",
}


class _NoVectors:
    """The vector stores (chunks and sentences), left out: only the catalogue is filled."""

    def __init__(self):
        self.sentences = self

    def add(self, *args) -> None:
        pass

    def delete_document(self, doc_id: str) -> None:
        pass


class _CountingOnly:
    """The real tokenizer's counts (so chunks are what `qa index` makes), without embedding."""

    def __init__(self, embedder):
        self._embedder = embedder
        self.name = embedder.name

    def count_tokens(self, texts: list[str]) -> list[int]:
        return self._embedder.count_tokens(texts)

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.zeros((len(texts), 1), dtype=np.float32)

    def embed_passages(self, passages, spans, pooled=True) -> tuple[np.ndarray, list]:
        zeros = [np.zeros((len(s), 1), dtype=np.float32) for s in spans]
        return self.embed(passages), zeros


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(SETS), default="squad2")
    parser.add_argument("--limit", type=int, default=0, help="questions (0 = every answerable)")
    parser.add_argument(
        "--copies", default="1", help="e.g. 1,2,4: also time N copies of each chunk"
    )
    parser.add_argument(
        "--copy-limit", type=int, default=20, help="questions timed on the copies (they are slow)"
    )
    args = parser.parse_args()
    copies = [int(n) for n in args.copies.split(",")]

    import index.indexer
    from evals.schema import load_eval_set
    from index.collection import Collection
    from index.indexer import Indexer
    from index.lexical import LexicalIndex
    from index.manifest import Manifest
    from qa.factory import build_embedder
    from qa.settings import Settings

    corpus, questions = (SHARED / "benchmarks" / part for part in SETS[args.set])
    items = [item for item in load_eval_set(questions).items if item.answerable]
    items = items[: args.limit] if args.limit else items
    server = start_postgres()
    work = Path(tempfile.mkdtemp(prefix="qa-lexical-"))
    try:
        manifest = Manifest(server.url, "lexical")
        settings = Settings(data_dir=work)
        embedder = _CountingOnly(build_embedder(settings))
        lexical = LexicalIndex(work / "lexical.bm25", manifest)  # not used while indexing
        index.indexer.annotate = lambda texts: [{} for _ in texts]  # the parse is not read here
        indexer = Indexer(Collection(manifest, _NoVectors(), lexical, embedder))
        began = time.monotonic()
        report = indexer.index([corpus])
        index_seconds = time.monotonic() - began
        chunks = manifest.chunk_count()
        print(f"{len(report.added)} documents, {chunks} chunks in {index_seconds:.0f} s")

        results = []
        for n in copies:
            asked = items if n == 1 else items[: args.copy_limit]
            measured = {"bm25s": measure_bm25s(server.url, work, asked, n)}
            measured.update(measure_postgres(manifest, asked, n, n == 1))
            for name, result in measured.items():
                results.append({"retriever": name, "copies": n, "questions": len(asked), **result})
                print(json.dumps(results[-1]), file=sys.stderr)  # progress: the run is long
    finally:
        server.stop()
    rows = [
        [
            r["retriever"],
            r["copies"] * chunks,
            r.get("hit@5", "-"),
            r.get("mrr@10", "-"),
            r["p50_ms"],
            r["build_s"],
            f"{r['memory_mb']:.1f}"
            + (f" (peak {r['peak_mb']:.0f})" if "peak_mb" in r else "")
            + f" ({r['memory_where']})",
        ]
        for r in results
    ]
    print_table(
        ["retriever", "chunks", "hit@5", "MRR@10", "p50 ms", "build s", "memory MB (where)"], rows
    )
    path = write_result(
        f"lexical_postgres_{args.set}",
        {
            "machine": machine(),
            "set": args.set,
            "documents": len(report.added),
            "chunks": chunks,
            "questions": len(items),
            "results": results,
        },
    )
    print(f"wrote {path}")


def measure_bm25s(url: str, work: Path, items: list, copies: int) -> dict:
    """bm25s over `copies` copies of every chunk, built and asked in a forked child."""
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(_bm25s_child, (url, work / f"bm25-{copies}", items, copies))


def _bm25s_child(url: str, directory: Path, items: list, copies: int) -> dict:
    from index.lexical import LexicalIndex
    from index.manifest import Manifest

    manifest = Manifest(url, "lexical")  # the parent's connections are not shared across fork
    lexical = LexicalIndex(directory, _Copies(manifest, copies))
    gc.collect()
    before = _rss_mb()
    Path("/proc/self/clear_refs").write_text("5")  # resets the peak (VmHWM) to the current RSS
    began = time.monotonic()
    lexical.search("warm up", 1)  # builds the snapshot from the catalogue
    build = time.monotonic() - began
    memory, peak = _rss_mb() - before, _rss_mb("VmHWM") - before

    def search(question: str) -> list[str]:
        return [c for c, _ in lexical.search(question, 10)]

    scores = _score(manifest, items, search) if copies == 1 else _latency(items, search)
    return scores | {
        "build_s": build,
        "memory_mb": memory,
        "peak_mb": peak,
        "memory_where": "every app process",
    }


class _Copies:
    """A catalogue that lists every chunk `copies` times (the first under its own id)."""

    def __init__(self, manifest, copies: int):
        self._manifest = manifest
        self._copies = copies

    def generation(self) -> int:
        return self._manifest.generation()

    def iter_chunk_texts(self):
        for n in range(self._copies):
            for chunk_id, title, text, published in self._manifest.iter_chunk_texts():
                yield (chunk_id if n == 0 else f"{chunk_id}#{n}"), title, text, published


def measure_postgres(manifest, items: list, copies: int, scored: bool) -> dict[str, dict]:
    from sqlalchemy import text

    from index.catalogue import schema_name

    engine = manifest.engine
    # Raw SQL is not schema-translated: name the collection's schema.
    schema = schema_name(manifest.collection)
    fts, chunks, documents = (f"{schema}.{name}" for name in ("chunk_fts", "chunks", "documents"))
    began = time.monotonic()
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {fts}"))
        conn.execute(text(f"CREATE TABLE {fts} (chunk_id TEXT PRIMARY KEY, tsv tsvector)"))
        # The same passage text bm25s indexes (index/chunking.py passage_text).
        conn.execute(
            text(
                f"INSERT INTO {fts} SELECT c.id || CASE WHEN n = 0 THEN '' ELSE '#' || n END, "
                "to_tsvector('english', CASE "
                'WHEN starts_with(substr(d.text, c.start + 1, c."end" - c.start), d.title) '
                'THEN substr(d.text, c.start + 1, c."end" - c.start) '
                "ELSE d.title || E'\\n' || substr(d.text, c.start + 1, c.\"end\" - c.start) END) "
                f"FROM {chunks} c JOIN {documents} d ON d.id = c.doc_id, "
                "generate_series(0, :copies - 1) n"
            ),
            {"copies": copies},
        )
        conn.execute(text(f"CREATE INDEX chunk_fts_gin ON {fts} USING gin (tsv)"))
        conn.execute(text(f"ANALYZE {fts}"))
    build = time.monotonic() - began
    with engine.connect() as conn:
        size = conn.execute(text(f"SELECT pg_total_relation_size('{fts}')")).scalar()
    results = {}
    for name, rank in RANKINGS.items():
        query = text(
            f"SELECT f.chunk_id FROM {fts} f, (SELECT {_OR_QUERY} AS q) q "
            f"WHERE f.tsv @@ q.q ORDER BY {rank} DESC, f.chunk_id LIMIT 10"
        )

        def search(question: str, query=query) -> list[str]:
            with engine.connect() as conn:
                return [r[0] for r in conn.execute(query, {"q": question})]

        scores = _score(manifest, items, search) if scored else _latency(items, search)
        results[name] = scores | {
            "build_s": build,
            "memory_mb": size / 2**20,
            "memory_where": "once, on the database server (table + GIN index)",
        }
    return results


def _score(manifest, items: list, search) -> dict:
    from evals import metrics
    from evals.scoring import GoldMatcher, Passage

    texts: dict[str, str] = {}
    sources: dict[str, list[str]] = {}

    def document_text(doc_id: str) -> str:
        if doc_id not in texts:
            texts[doc_id] = manifest.text(doc_id) or ""
            sources[doc_id] = manifest.info(doc_id).sources
        return texts[doc_id]

    hits, reciprocal, latencies = 0, 0.0, []
    for item in items:
        began = time.perf_counter()
        ranked = search(item.question)
        latencies.append(1000 * (time.perf_counter() - began))
        spans = manifest.chunk_spans(ranked)
        matcher = GoldMatcher(item, document_text)
        relevant = []
        for chunk_id in ranked:
            doc_id, start, end = spans[chunk_id]
            body = document_text(doc_id)[start:end]
            relevant.append(matcher.relevant(Passage(doc_id, start, end, body, sources[doc_id])))
        rank = metrics.first_relevant_rank(relevant)
        hits += metrics.hit_at_k(rank, 5)
        reciprocal += metrics.reciprocal_rank(rank, 10)
    n = max(1, len(items))
    return {"hit@5": hits / n, "mrr@10": reciprocal / n, "p50_ms": statistics.median(latencies)}


def _latency(items: list, search) -> dict:
    latencies = []
    for item in items:
        began = time.perf_counter()
        search(item.question)
        latencies.append(1000 * (time.perf_counter() - began))
    return {"p50_ms": statistics.median(latencies)}


def _rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


if __name__ == "__main__":
    main()
