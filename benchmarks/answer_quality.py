"""Extractive vs generate: answer accuracy, refusal, verification and latency; calibrates the
refusal threshold.

Collections and questions:
- SQuAD 2.0 dev (../shared/benchmarks/squad2): all 16 articles indexed; questions = every
  --stride-th answerable and every --stride-th unanswerable question in file order
  (stride 8 gives 106 + 106); generate mode runs on every --generate-every-th of those.
- the seed articles (data/sample) with the shipped eval set evals/sets/sample.jsonl, if present.

Every question is answered once per mode with the refusal threshold at 0, so the answer for any
threshold can be derived afterwards (an item is refused when its best evidence score is below
the threshold). Metrics at a threshold t:
- accuracy: answerable items answered (not refused) whose answer contains a gold string
  (normalised), over all answerable items;
- refusal accuracy: unanswerable items refused; false refusals: answerable items refused;
- wrong: answered and not correct (over all items);
- supported share: shown sentences that passed verification (generate), and the share of the
  model's own draft sentences that did;
- fallback: answered generate items where no generated sentence was verified, so the extractive
  answer was shown instead (over answered generate items).
Settings come from the environment as for the app (QA_LLM_MODEL, QA_EVIDENCE_NEIGHBOURS, ...);
--label names the result file, so runs with different settings sit side by side.

    python benchmarks/answer_quality.py --stride 8
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, SHARED, machine, normalise, print_table, write_result  # noqa: E402

THRESHOLDS = [round(0.05 * i, 2) for i in range(21)]
STAGES = (
    "rewrite",
    "embed_query",
    "dense",
    "bm25",
    "evidence",
    "prompt",
    "generate",
    "verify",
    "total",
)


def load_squad(stride: int) -> list[dict]:
    rows = [
        json.loads(x)
        for x in (SHARED / "benchmarks/squad2/questions.jsonl").read_text().splitlines()
    ]
    answerable = [r for r in rows if r["answerable"]][::stride]
    unanswerable = [r for r in rows if not r["answerable"]][::stride]
    return answerable + unanswerable


def load_seed() -> list[dict]:
    path = ROOT / "evals" / "sets" / "sample.jsonl"
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def run_set(name, items, docs, mode_list, generate_every, index_dir=None):
    from qa.assistant import FALLBACK_NOTE
    from qa.chat import ChatSession
    from qa.factory import build_assistant, build_indexer
    from qa.settings import Settings

    # An --index-dir collection is reused by later runs: indexing skips unchanged files.
    data_dir = index_dir / name if index_dir else Path(tempfile.mkdtemp(prefix=f"qa-{name}-"))
    settings = Settings(data_dir=data_dir, refusal_threshold=0.0)
    start = time.perf_counter()
    build_indexer(settings).index([docs])
    index_seconds = time.perf_counter() - start
    assistant = build_assistant(settings)
    assistant.ask("warm up the models", mode="generate" if "generate" in mode_list else None)
    rows = []
    for mode in mode_list:
        subset = items if mode == "extractive" else items[::generate_every]
        for done, item in enumerate(subset, start=1):
            print(f"{name} {mode} {done}/{len(subset)}", file=sys.stderr, flush=True)
            session = ChatSession(assistant)
            for earlier in item.get("conversation") or []:
                session.ask(earlier, mode=mode)
            answer = session.ask(item["question"], mode=mode)
            gold = [normalise(a) for a in item.get("answers") or []]
            text = normalise(answer.answer)
            rows.append(
                {
                    "set": name,
                    "id": item["id"],
                    "mode": mode,
                    "answerable": item["answerable"],
                    "score": answer.evidence_score,
                    "correct": any(g and g in text for g in gold),
                    "shown_sentences": len(answer.sentences),
                    "shown_supported": sum(s.supported for s in answer.sentences),
                    "draft_unsupported": len(answer.unsupported),
                    # Only the fallback note: other notes ("the documents never mention …")
                    # are not fallbacks.
                    "fallback": FALLBACK_NOTE in answer.notes,
                    "timings": answer.timings_ms,
                    "question": item["question"],
                    "answers": item.get("answers") or [],
                    "answer": answer.answer,  # what was shown
                    "short_answer": answer.short_answer.text if answer.short_answer else None,
                    "draft": answer.draft,
                    "unsupported": list(
                        zip(answer.unsupported, answer.unsupported_reasons, strict=True)
                    ),
                }
            )
    return rows, index_seconds


def at_threshold(rows, t):
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    answered = [r for r in rows if r["score"] >= t]
    return {
        "accuracy": _share(answerable, lambda r: r["score"] >= t and r["correct"]),
        "refusal_accuracy": _share(unanswerable, lambda r: r["score"] < t),
        "false_refusals": _share(answerable, lambda r: r["score"] < t),
        "wrong": _share(rows, lambda r: r["score"] >= t and not (r["answerable"] and r["correct"])),
        "answered": len(answered),
    }


def _share(rows, predicate):
    return sum(1 for r in rows if predicate(r)) / len(rows) if rows else 0.0


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))] if values else 0.0


def latency(rows, stage):
    return [r["timings"].get(stage, 0.0) for r in rows if stage in r["timings"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stride", type=int, default=8)
    parser.add_argument(
        "--generate-every", type=int, default=2, help="generate mode on every n-th item"
    )
    parser.add_argument("--modes", default="extractive,generate")
    parser.add_argument("--sets", default="squad2,seed", help="which of squad2,seed to run")
    parser.add_argument("--label", default="", help="result file answer_quality[_LABEL].json")
    parser.add_argument(
        "--index-dir", type=Path, help="keep the indexed collections here and reuse them"
    )
    args = parser.parse_args()
    modes = args.modes.split(",")

    sets = args.sets.split(",")
    squad_rows, squad_index_s = [], 0.0
    if "squad2" in sets:
        squad_rows, squad_index_s = run_set(
            "squad2",
            load_squad(args.stride),
            SHARED / "benchmarks/squad2/corpus",
            modes,
            args.generate_every,
            args.index_dir,
        )
    seed_rows = []
    if "seed" in sets:
        seed_rows, _ = run_set(
            "seed",
            load_seed(),
            ROOT / "data" / "sample",
            modes,
            args.generate_every,
            args.index_dir,
        )
    all_rows = squad_rows + seed_rows

    # Calibration: on SQuAD dev + seed, extractive scores (retrieval and evidence are the same
    # in both modes). Pick the threshold with the best balance of refusal accuracy and false
    # refusals: maximise refusal_accuracy - false_refusals (Youden's J).
    calibration_rows = [r for r in all_rows if r["mode"] == modes[0]]
    curve = {t: at_threshold(calibration_rows, t) for t in THRESHOLDS}
    best = max(THRESHOLDS, key=lambda t: curve[t]["refusal_accuracy"] - curve[t]["false_refusals"])

    from qa.settings import Settings

    settings = Settings()
    current = settings.refusal_threshold
    print(
        f"model {settings.llm_model}, evidence neighbours {settings.evidence_neighbours}, "
        f"prompt sentences {settings.prompt_sentences}, stride {args.stride}, "
        f"generate every {args.generate_every}"
    )
    table, summary = [], {}
    for name, rows in (("squad2", squad_rows), ("seed", seed_rows)):
        for mode in modes:
            mode_rows = [r for r in rows if r["mode"] == mode]
            if not mode_rows:
                continue
            m = at_threshold(mode_rows, current)
            shown = sum(r["shown_sentences"] for r in mode_rows if r["score"] >= current)
            supported = sum(r["shown_supported"] for r in mode_rows if r["score"] >= current)
            answered_gen = [r for r in mode_rows if r["score"] >= current and mode == "generate"]
            m.update(
                {
                    "items": len(mode_rows),
                    "shown_supported_share": supported / shown if shown else 1.0,
                    "draft_unsupported_sentences": sum(
                        r["draft_unsupported"] for r in answered_gen
                    ),
                    "fallback_share": _share(answered_gen, lambda r: r["fallback"])
                    if answered_gen
                    else 0.0,
                    "p50_total_ms": percentile(latency(mode_rows, "total"), 0.5),
                    "p95_total_ms": percentile(latency(mode_rows, "total"), 0.95),
                    "stages_p50_ms": {s: percentile(latency(mode_rows, s), 0.5) for s in STAGES},
                    "stages_p95_ms": {s: percentile(latency(mode_rows, s), 0.95) for s in STAGES},
                }
            )
            ttft = [
                r["timings"]["total"]
                - r["timings"].get("generate", 0)
                - r["timings"].get("verify", 0)
                for r in mode_rows
                if "prompt" in r["timings"]
            ]
            m["p50_time_to_first_token_ms"] = percentile(ttft, 0.5)
            m["p95_time_to_first_token_ms"] = percentile(ttft, 0.95)
            summary[f"{name}/{mode}"] = m
            table.append(
                [
                    name,
                    mode,
                    m["items"],
                    m["accuracy"],
                    m["refusal_accuracy"],
                    m["false_refusals"],
                    m["wrong"],
                    m["shown_supported_share"],
                    m["fallback_share"],
                    m["p50_time_to_first_token_ms"],
                    m["p95_time_to_first_token_ms"],
                    m["stages_p50_ms"]["generate"],
                    m["p50_total_ms"],
                    m["p95_total_ms"],
                ]
            )
    print(f"refusal threshold in use: {current}")
    print_table(
        [
            "set",
            "mode",
            "items",
            "accuracy",
            "refusal acc",
            "false refusals",
            "wrong",
            "shown supported",
            "fallback",
            "p50 TTFT ms",
            "p95 TTFT ms",
            "p50 generate ms",
            "p50 total ms",
            "p95 total ms",
        ],
        table,
    )
    print_table(
        ["threshold", "refusal acc", "false refusals", "accuracy", "wrong"],
        [
            [t, c["refusal_accuracy"], c["false_refusals"], c["accuracy"], c["wrong"]]
            for t, c in curve.items()
            if 0.1 <= t <= 0.7
        ],
    )
    print(f"best threshold by refusal accuracy - false refusals: {best}")
    result = {
        "machine": machine(),
        "stride": args.stride,
        "sets": sets,
        "generate_every": args.generate_every,
        "settings": {
            "llm_model": settings.llm_model,
            "evidence_neighbours": settings.evidence_neighbours,
            "prompt_sentences": settings.prompt_sentences,
        },
        "threshold_in_use": current,
        "best_threshold": best,
        "squad_index_seconds": squad_index_s,
        "summary": summary,
        "calibration": {str(t): c for t, c in curve.items()},
        "rows": all_rows,
    }
    name = f"answer_quality_{args.label}" if args.label else "answer_quality"
    print(f"wrote {write_result(name, result)}")


if __name__ == "__main__":
    main()
