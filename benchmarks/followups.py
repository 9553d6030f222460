"""Follow-up questions: does the standalone question name whom "he" (or "the ambassador") means?

Set: evals/sets/followups.jsonl, two-turn items over the seed articles (data/sample) and the
SQuAD 2.0 dev articles (../shared/benchmarks/squad2/corpus); `refers_to` lists the acceptable
names of the entity the follow-up refers to, `collection` which documents it is about.

Each item's first question is answered by the real assistant in generate mode (default model),
as in the web app; then the follow-up's standalone question is made four ways from that same
conversation:
- prepend: the previous standalone question put in front (the rule before this change);
- rules: references resolved from the previous question and answer, replaced by rule;
- llm: the LLM's rewrite, taken as it is;
- combined: the LLM's rewrite when it agrees with the resolution, else the rules (the default).
Accuracy: the standalone question contains one of `refers_to` (case-insensitive); reported per
set file, for all items and for the resolvable ones (see _summary).
With --answer, the follow-up is also answered (combined) and scored against `answers`.
With --previous RESULT.json, the previous answers and LLM rewrites recorded by an earlier run are
reused: no index, no LLM, seconds instead of minutes (for working on the rules; the LLM's numbers
are then those of that run).

    python benchmarks/followups.py --set evals/sets/followups.jsonl \\
        --set evals/sets/followups_added.jsonl
    python benchmarks/followups.py --previous benchmarks/results/followups.json
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

METHODS = ("prepend", "rules", "llm", "combined")
COLLECTIONS = {
    "sample": ROOT / "data" / "sample",
    "squad": SHARED / "benchmarks" / "squad2" / "corpus",
}


def run_collection(name: str, items: list[dict], answer: bool) -> list[dict]:
    from qa.chat import ChatSession
    from qa.factory import build_assistant, build_indexer
    from qa.rewrite import llm_rewrite
    from qa.settings import Settings
    from qa.turn import PreviousTurn

    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix=f"qa-followups-{name}-")))
    build_indexer(settings).index([COLLECTIONS[name]])
    assistant = build_assistant(settings)
    rows = []
    for done, item in enumerate(items, start=1):
        print(f"{name} {done}/{len(items)}", file=sys.stderr, flush=True)
        session = ChatSession(assistant)
        for earlier in item["conversation"]:
            session.ask(earlier, mode="generate")
        conversation = session.standalone_questions
        previous = PreviousTurn.of(session.turns[-1])
        started = time.perf_counter()
        rewritten = llm_rewrite(assistant.llm, item["question"], conversation, previous.answer)
        llm_ms = (time.perf_counter() - started) * 1000
        row = score(item, name, conversation, previous, rewritten) | {
            "llm_rewrite_ms": round(llm_ms, 1)
        }
        if answer:
            reply = session.ask(item["question"], mode="generate")
            gold = [normalise(a) for a in item["answers"]]
            row["answer"] = reply.answer
            row["answer_correct"] = any(g in normalise(reply.answer) for g in gold)
        rows.append(row)
    return rows


def score(item: dict, name: str, conversation: list[str], previous, rewritten: str) -> dict:
    """The four standalone questions of one item and whether each names the referent
    (`previous`: the first answer's qa.turn.PreviousTurn)."""
    from qa.rewrite import choose_rewrite, rewrite_rule_based

    question = item["question"]
    standalone = {
        "prepend": rewrite_rule_based(question, conversation),
        "rules": choose_rewrite(question, conversation, previous, None),
        "llm": rewritten or question,
        "combined": choose_rewrite(question, conversation, previous, rewritten),
    }
    wanted = [w.lower() for w in item["refers_to"]]
    shown = f"{conversation[-1]} {previous.answer}".lower()
    short = previous.short_answer
    evidence = [*previous.quotes, *previous.closest] + ([short.sentence] if short else [])
    return {
        "id": item["id"],
        "collection": name,
        "conversation": conversation,
        "previous_answer": previous.answer,
        "previous": previous.to_dict(),
        "llm_rewrite": rewritten,
        "standalone": standalone,
        "correct": {m: any(w in s.lower() for w in wanted) for m, s in standalone.items()},
        "resolvable": any(w in shown for w in wanted),
        "in_evidence": any(w in " ".join(evidence).lower() for w in wanted),
    }


def rescore(name: str, items: list[dict], earlier: dict[str, dict]) -> list[dict]:
    """Score `items` again from an earlier run's previous answers and LLM rewrites."""
    from qa.turn import PreviousTurn

    rows = []
    for item in items:
        old = earlier[item["id"]]
        rewritten = old.get("llm_rewrite")
        if rewritten is None:  # a run from before the raw rewrite was recorded
            llm = old["standalone"]["llm"]
            rewritten = "" if llm == item["question"] else llm
        conversation = old.get("conversation", item["conversation"])
        # A run from before the previous turn was recorded has its answer's text only.
        previous = PreviousTurn.from_dict(old.get("previous") or {"answer": old["previous_answer"]})
        rows.append(score(item, name, conversation, previous, rewritten))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", help="a follow-up set (repeat for several)")
    parser.add_argument("--answer", action="store_true", help="also answer the follow-ups")
    parser.add_argument("--previous", help="an earlier result JSON whose answers to reuse")
    args = parser.parse_args()
    items = []
    for path in args.set or [ROOT / "evals" / "sets" / "followups.jsonl"]:
        lines = Path(path).read_text().splitlines()
        items += [json.loads(x) | {"set": Path(path).stem} for x in lines if x.strip()]
    earlier = {}
    if args.previous:
        earlier = {r["id"]: r for r in json.loads(Path(args.previous).read_text())["rows"]}
        if args.answer or any(i["id"] not in earlier for i in items):
            parser.error("--previous needs every item in that run, and no --answer")
    started = time.perf_counter()
    rows = []
    for name in COLLECTIONS:
        part = [i for i in items if i.get("collection", "sample") == name]
        if part and earlier:
            rows += rescore(name, part, earlier)
        elif part:
            rows += run_collection(name, part, args.answer)
    sets = {i["id"]: i["set"] for i in items}
    for row in rows:
        row["set"] = sets[row["id"]]
    summary = _summary(rows, args.answer)
    headers = ["set / items", "items", *METHODS] + (["answer accuracy"] if args.answer else [])
    print_table(
        headers,
        [
            [k, v["items"], *(v[m] for m in METHODS)]
            + ([v["answer_accuracy"]] if args.answer else [])
            for k, v in summary.items()
        ],
    )
    path = write_result(
        "followups",
        {
            "machine": machine(),
            "seconds": round(time.perf_counter() - started, 1),
            "summary": summary,
            "rows": rows,
        },
    )
    print(f"wrote {path}")


def _summary(rows: list[dict], answer: bool) -> dict:
    """Accuracy per set: per collection, all items, the resolvable ones (those whose previous
    question or answer names the referent at all) and those "in evidence" (whose referent is in
    the previous turn's evidence: the short answer's sentence, the cited quotes or a refusal's
    closest passages, which the rules may use when the answer itself names someone else)."""
    summary = {}
    for name in dict.fromkeys(r["set"] for r in rows):
        in_set = [r for r in rows if r["set"] == name]
        groups = {c: [r for r in in_set if r["collection"] == c] for c in COLLECTIONS}
        groups |= {
            "all": in_set,
            "resolvable": [r for r in in_set if r["resolvable"]],
            "in evidence": [r for r in in_set if r.get("in_evidence")],
        }
        for group, part in groups.items():
            if not part:
                continue
            key = f"{name} / {group}"
            summary[key] = {"items": len(part)} | {
                m: sum(r["correct"][m] for r in part) / len(part) for m in METHODS
            }
            if answer:
                summary[key]["answer_accuracy"] = sum(r["answer_correct"] for r in part) / len(part)
    return summary


if __name__ == "__main__":
    main()
