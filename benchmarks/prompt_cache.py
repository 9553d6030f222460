"""llama.cpp prompt reuse between the rewrite and the answer call of a follow-up.

llama.cpp keeps the evaluated tokens of the last call and re-evaluates only what differs from
the new prompt's start. A follow-up makes three calls in a row: the previous answer, the
rewrite, the new answer. With a separate rewrite system prompt ("separate", the earlier
prompts) the calls share no prefix; with the answer's system message in both ("shared",
qa/prompting.py) its tokens are evaluated once. Measured: time to the first token (prompt
processing) of the rewrite and of the answer call, for each follow-up of the sample collection
in evals/sets/followups.jsonl, with the real local model.

    python benchmarks/prompt_cache.py --model qwen2.5-coder-0.5b-instruct
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, machine, print_table, write_result  # noqa: E402

EVIDENCE_SENTENCES = 9  # about what the answer prompt shows: 3 chosen sentences, 1 either side


def first_token_ms(llm, messages, max_tokens: int) -> float:
    started = time.perf_counter()
    pieces = llm.stream(messages, max_tokens)
    next(pieces, None)
    elapsed = (time.perf_counter() - started) * 1000
    for _ in pieces:  # finish the call: its tokens are what the next call may reuse
        pass
    return elapsed


def evidence_groups():
    from index.sentences import sentence_spans
    from qa.evidence import Evidence

    path = sorted((ROOT / "data" / "sample").glob("*.txt"))[-1]
    text = path.read_text()
    spans = [s for s in sentence_spans(text) if len(text[s.start : s.end].split()) >= 6]
    chosen = spans[:EVIDENCE_SENTENCES]
    return [[Evidence("d", s.start, s.end, text[s.start : s.end], 0, 0, 0, 1) for s in chosen]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="qwen2.5-coder-0.5b-instruct")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="only the first N follow-ups")
    args = parser.parse_args()

    from qa.llm import LlamaCppLLM
    from qa.prompting import answer_messages, rewrite_messages

    items = [
        json.loads(x)
        for x in (ROOT / "evals" / "sets" / "followups.jsonl").read_text().splitlines()
        if x.strip()
    ]
    items = [i for i in items if i.get("collection") == "sample"]
    items = items[: args.limit] if args.limit else items
    groups = evidence_groups()
    llm = LlamaCppLLM(args.model, threads=args.threads)
    first_token_ms(llm, answer_messages("warm up", groups), 4)
    rows = []
    for done, item in enumerate(items, start=1):
        print(f"{done}/{len(items)}", file=sys.stderr, flush=True)
        previous = item["conversation"][-1]
        for variant in ("separate", "shared"):
            first_token_ms(llm, answer_messages(previous, groups), 16)  # the previous answer
            rewrite = rewrite_messages(
                item["question"], [previous], "", shared_prefix=variant == "shared"
            )
            rewrite_ms = first_token_ms(llm, rewrite, 24)
            answer_ms = first_token_ms(llm, answer_messages(item["question"], groups), 4)
            rows.append(
                {
                    "id": item["id"],
                    "variant": variant,
                    "rewrite_ms": rewrite_ms,
                    "answer_ms": answer_ms,
                }
            )
    summary = {}
    for variant in ("separate", "shared"):
        part = [r for r in rows if r["variant"] == variant]
        summary[variant] = {
            "rewrite_p50_ms": _median([r["rewrite_ms"] for r in part]),
            "answer_p50_ms": _median([r["answer_ms"] for r in part]),
            "pair_p50_ms": _median([r["rewrite_ms"] + r["answer_ms"] for r in part]),
        }
    saving = summary["separate"]["pair_p50_ms"] - summary["shared"]["pair_p50_ms"]
    print_table(
        ["variant", "rewrite first token p50 ms", "answer first token p50 ms", "both p50 ms"],
        [
            [v, s["rewrite_p50_ms"], s["answer_p50_ms"], s["pair_p50_ms"]]
            for v, s in summary.items()
        ],
    )
    print(f"saving per follow-up (p50): {saving:.0f} ms")
    path = write_result(
        f"prompt_cache_{args.model}",
        {
            "machine": machine(),
            "model": args.model,
            "summary": summary,
            "saving_ms": saving,
            "rows": rows,
        },
    )
    print(f"wrote {path}")


def _median(values: list[float]) -> float:
    values = sorted(values)
    return round(values[len(values) // 2], 1) if values else 0.0


if __name__ == "__main__":
    main()
