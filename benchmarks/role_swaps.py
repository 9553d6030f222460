"""Role swaps: does the verifier catch a generated sentence that gets who-did-what backwards?

Sentences: every sentence of the seed articles (data/sample) and every sentence of the SQuAD 2.0
dev evidence passages (../shared/benchmarks/squad2, located in their corpus articles). A sentence
gives a case for each of its clauses that has a subject and an object (or passive subject and
"by" agent), each a phrase of at most 8 words holding a named entity. For each such clause:
- original: the clause from the subject to the end of the object, as a short generated
  sentence would read ("South Korea summoned Russian Ambassador to Seoul Georgy Zinoviev.");
- swapped: the same clause with the two phrases exchanged.
Both are verified (qa/verify.py, real embedder, default support threshold) against what the
model would be shown: the source sentence and its neighbours in the document, six sentences.

A second kind of case, "partner": a clause whose verb has a "with"/"against"/"to"/"from" phrase
holding a named entity, and the same clause with that entity replaced by another of the same
kind from the shown sentences ("… signed a pact with North Korea" → "… with South Korea"), so
that the facts check passes and only the roles can tell.

Reported per kind: catch rate (swapped judged unsupported), the share caught by the role check alone
(the facts-and-similarity check passed them), and the share of originals wrongly rejected.

    python benchmarks/role_swaps.py --limit 400
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, SHARED, machine, print_table, write_result  # noqa: E402

NEIGHBOURS_BEFORE, NEIGHBOURS_AFTER = 2, 3


def sample_sentences() -> list[tuple[str, str, int, int]]:
    """(set, document text, start, end) of every seed-article sentence."""
    from index.sentences import sentence_spans

    found = []
    for path in sorted((ROOT / "data" / "sample").glob("*.txt")):
        text = path.read_text()
        found += [("sample", text, s.start, s.end) for s in sentence_spans(text)]
    return found


def squad_sentences() -> list[tuple[str, str, int, int]]:
    from index.sentences import sentence_spans

    rows = [
        json.loads(x)
        for x in (SHARED / "benchmarks/squad2/questions.jsonl").read_text().splitlines()
    ]
    corpus = SHARED / "benchmarks/squad2/corpus"
    found, seen = [], set()
    for row in rows:
        for passage in row.get("evidence") or []:
            source = (row.get("sources") or [""])[0]
            if (source, passage) in seen or not (corpus / source).is_file():
                continue
            seen.add((source, passage))
            text = (corpus / source).read_text()
            at = text.find(passage)
            if at < 0:
                continue
            found += [
                ("squad", text, s.start, s.end) for s in sentence_spans(text, at, at + len(passage))
            ]
    return found


def swap_cases(doc):
    """(original clause, swapped clause) for each verb of a parsed sentence that has a subject
    and an object (or a passive subject and a "by" agent) that both hold a named entity. The
    swap exchanges the two whole phrases, so "Muslim astronomers brought Arabic numerals"
    becomes "Arabic numerals brought Muslim astronomers"."""
    cases = []
    for verb in doc:
        if verb.pos_ != "VERB":
            continue
        subject = next((c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
        if subject is None or subject.pos_ == "PRON":
            continue
        if subject.dep_ == "nsubj":
            other = next((c for c in verb.children if c.dep_ == "dobj"), None)
        else:
            by = next((c for c in verb.children if c.dep_ == "agent"), None)
            other = None if by is None else next((c for c in by.children if c.dep_ == "pobj"), None)
        first, second = _phrase(doc, subject), _phrase(doc, other)
        if first is None or second is None or first.end > verb.i or second.start <= verb.i:
            continue
        if first.text.lower() == second.text.lower():
            continue
        middle = doc[first.end : second.start].text_with_ws
        original = (first.text_with_ws + middle + second.text).rstrip(" ,;:") + "."
        swapped = (
            _moved(second, initial=True) + first[-1].whitespace_ + middle + _moved(first, False)
        ).rstrip(" ,;:") + "."
        cases.append((original[0].upper() + original[1:], swapped))
    return cases


_PARTNERS = {"with", "against", "to", "from"}


def partner_cases(doc, window_entities):
    """(original clause, clause with another partner) for each verb with a subject and a
    "with"/"against"/"to"/"from" phrase that holds a named entity: the partner replaced by
    another entity of the same kind from the shown sentences, so that every name is still in
    the evidence and only the roles can tell ("… signed a pact with North Korea" →
    "… with South Korea")."""
    cases = []
    for verb in doc:
        if verb.pos_ != "VERB":
            continue
        subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        if subject is None or subject.pos_ == "PRON":
            continue
        for prep in verb.children:
            if prep.dep_ != "prep" or prep.lower_ not in _PARTNERS or prep.i < verb.i:
                continue
            obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
            partner = _phrase(doc, obj)
            first = doc[min(t.i for t in subject.subtree) : subject.i + 1]
            if partner is None or len(first) > _MAX_PHRASE or first.end > verb.i:
                continue
            named = [e for e in doc.ents if partner.start <= e.start and e.end <= partner.end]
            words = {w.lower() for w in partner.text.split()}
            other = next(
                (
                    e
                    for e in window_entities
                    if e.label_ == named[0].label_
                    and not {w.lower() for w in e.text.split()} <= words
                ),
                None,
            )
            if other is None:
                continue
            head = doc[first.start : partner.start].text_with_ws
            original = (head + partner.text).rstrip(" ,;:") + "."
            swapped = (head + other.text).rstrip(" ,;:") + "."
            cases.append((original[0].upper() + original[1:], swapped[0].upper() + swapped[1:]))
    return cases


_MAX_PHRASE = 8
_NAMES = {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}


def _phrase(doc, token):
    """The argument's phrase when it is short and holds a named entity."""
    if token is None:
        return None
    start, end = min(t.i for t in token.subtree), max(t.i for t in token.subtree) + 1
    if end - start > _MAX_PHRASE:
        return None
    named = any(e.label_ in _NAMES and start <= e.start and e.end <= end for e in doc.ents)
    return doc[start:end] if named else None


def _moved(phrase, initial: bool) -> str:
    text = phrase.text
    if phrase[0].pos_ == "DET" or (phrase[0].i == 0 and phrase[0].pos_ != "PROPN"):
        text = text[0].lower() + text[1:]
    return text[0].upper() + text[1:] if initial else text


def shown_spans(text, start, end):
    """The sentence and its neighbours, as the model would see them."""
    from index.sentences import sentence_spans
    from qa.evidence import Evidence

    spans = sentence_spans(text)
    at = next(i for i, s in enumerate(spans) if s.start == start)
    window = spans[max(0, at - NEIGHBOURS_BEFORE) : at + NEIGHBOURS_AFTER + 1]
    return [Evidence("doc", s.start, s.end, text[s.start : s.end], 0, 0, 0, 1) for s in window]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=400, help="swap cases per set at most")
    args = parser.parse_args()

    from index.nlp import parse_many
    from qa.factory import build_embedder
    from qa.settings import Settings
    from qa.verify import verify_sentences

    settings = Settings()
    embedder = build_embedder(settings)
    started = time.perf_counter()
    rows = []
    for name, sentences in (("sample", sample_sentences()), ("squad", squad_sentences())):
        docs = list(parse_many(text[s:e] for _, text, s, e in sentences))
        cases = []
        for (_, text, s, e), doc in zip(sentences, docs, strict=True):
            cases += [("swap", text, s, e, *case) for case in swap_cases(doc)]
        for i, ((_, text, s, e), doc) in enumerate(zip(sentences, docs, strict=True)):
            near = range(max(0, i - NEIGHBOURS_BEFORE), min(len(docs), i + NEIGHBOURS_AFTER + 1))
            shown = [x for j in near if sentences[j][1] is text for x in docs[j].ents]
            cases += [("partner", text, s, e, *case) for case in partner_cases(doc, shown)]
        for kind, text, s, e, original, swapped in cases[: args.limit]:
            checked = verify_sentences(
                [original, swapped], shown_spans(text, s, e), embedder, settings.support_threshold
            )
            rows.append(
                {
                    "set": name,
                    "kind": kind,
                    "original": original,
                    "swapped": swapped,
                    "original_supported": checked[0].supported,
                    "original_reason": checked[0].reason,
                    "swapped_supported": checked[1].supported,
                    "swapped_reason": checked[1].reason,
                }
            )
    summary = {}
    groups = [(kind, name) for kind in ("swap", "partner") for name in ("sample", "squad", "all")]
    for kind, name in groups:
        part = [r for r in rows if r["kind"] == kind and name in ("all", r["set"])]
        n = len(part) or 1
        caught = [r for r in part if not r["swapped_supported"]]
        by_roles = [r for r in caught if _role_reason(r["swapped_reason"])]
        summary[f"{kind} / {name}"] = {
            "cases": len(part),
            "catch_rate": len(caught) / n,
            "caught_by_roles_only": len(by_roles) / n,
            "catch_rate_without_roles": (len(caught) - len(by_roles)) / n,
            "originals_rejected": sum(not r["original_supported"] for r in part) / n,
            "originals_rejected_by_roles": sum(
                not r["original_supported"] and _role_reason(r["original_reason"]) for r in part
            )
            / n,
        }
    print_table(
        [
            "kind / set",
            "cases",
            "catch rate",
            "by roles only",
            "without roles",
            "originals rejected",
            "by roles",
        ],
        [
            [
                k,
                v["cases"],
                v["catch_rate"],
                v["caught_by_roles_only"],
                v["catch_rate_without_roles"],
                v["originals_rejected"],
                v["originals_rejected_by_roles"],
            ]
            for k, v in summary.items()
        ],
    )
    missed = [(r["kind"], r["swapped"]) for r in rows if r["swapped_supported"]]
    path = write_result(
        "role_swaps",
        {
            "machine": machine(),
            "seconds": round(time.perf_counter() - started, 1),
            "support_threshold": settings.support_threshold,
            "summary": summary,
            "missed_examples": missed[:20],
            "rejected_originals": [
                (r["original"], r["original_reason"]) for r in rows if not r["original_supported"]
            ][:20],
            "rows": rows,
        },
    )
    print(f"wrote {path}")


def _role_reason(reason: str) -> bool:
    from qa.roles import ROLE_REASON_MARK

    return ROLE_REASON_MARK in reason


if __name__ == "__main__":
    main()
