"""Can the verifier check generated sentences against the spans' vectors pooled at index time,
instead of embedding the shown spans again?

A generated sentence is supported only if it is close enough (cosine >= QA_SUPPORT_THRESHOLD,
0.55, set for spans embedded on their own) to a shown span. A pooled vector carries its
chunk's context, so its cosines run lower, and a threshold for pooled vectors has to be found.
This script indexes the seed articles and the SQuAD 2.0 dev articles and makes the cases of
benchmarks/role_swaps.py from every stored sentence: a clause as a short generated sentence
would read, the same clause with subject and object exchanged, and what the model would be
shown (the sentence and its neighbours). It verifies the clauses
- "separate": the spans embedded on their own, at 0.55 (what the verifier does);
- "stored": the spans' stored pooled vectors, at each candidate threshold;
- "elsewhere": each clause against what another part of its document would show (the same
  names, other statements: what is shown there should not support it).
It prints originals rejected (answers that would fall back), swaps caught and elsewhere
accepted (wrongly supported) per threshold, and the highest stored-vector threshold that
rejects no more originals than "separate", and writes benchmarks/results/support_threshold.json.

    python benchmarks/support_threshold.py --limit 600
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, SHARED, machine, print_table, write_result  # noqa: E402
from benchmarks.role_swaps import NEIGHBOURS_AFTER, NEIGHBOURS_BEFORE, swap_cases  # noqa: E402

OLD_THRESHOLD = 0.55  # QA_SUPPORT_THRESHOLD, set for spans embedded on their own
CANDIDATES = [round(0.30 + 0.025 * i, 3) for i in range(13)]  # 0.30 ... 0.60


def cases_of_collection(data_dir: Path, limit: int) -> list[tuple[str, str, list]]:
    """(original, swapped, shown evidence with stored vectors) for up to `limit` cases per
    document set, spread over the collection's documents."""
    from index.nlp import parse_many
    from qa.evidence import Evidence
    from qa.factory import build_assistant, build_embedder
    from qa.settings import Settings

    settings = Settings(data_dir=data_dir)
    assistant = build_assistant(settings, build_embedder(settings))
    manifest = assistant.manifest
    found = []
    for doc_id in sorted(info.id for info in manifest.list_documents()):
        text = manifest.text(doc_id) or ""
        sentences = manifest.sentences_within([(doc_id, 0, len(text))])
        vectors = assistant.retriever.sentence_vectors([s.id for s in sentences])
        evidence = [
            Evidence(doc_id, s.start, s.end, text[s.start : s.end], 0, 0, 0, 1, s.id)
            for s in sentences
        ]
        for e in evidence:
            e.vector = vectors.get(e.sentence_id)
        docs = parse_many(e.text for e in evidence)
        for at, doc in enumerate(docs):
            window = evidence[max(0, at - NEIGHBOURS_BEFORE) : at + NEIGHBOURS_AFTER + 1]
            if any(e.vector is None for e in window):
                continue
            found += [(doc_id, original, swapped, window) for original, swapped in swap_cases(doc)]
    step = max(1, len(found) // limit)
    return found[::step][:limit]


def elsewhere(cases: list, n: int) -> list | None:
    """What another part of the same document shows (no sentence in common with case n's
    window): it names the same people and places, but says other things."""
    doc_id, _, _, shown = cases[n]
    mine = {e.start for e in shown}
    for other_doc, _, _, other in cases[n + 1 :] + cases[:n]:
        if other_doc == doc_id and not mine & {e.start for e in other}:
            return other
    return None


def remembered(compute):
    """`compute` (texts -> one result per text) with each text computed once: every threshold
    verifies the same texts."""
    known = {}

    def each(texts: list[str]) -> list:
        new = [t for t in dict.fromkeys(texts) if t not in known]
        if new:
            known.update(zip(new, compute(new), strict=True))
        return [known[t] for t in texts]

    return each


class RememberingEmbedder:
    def __init__(self, embedder):
        self._embed = remembered(embedder.embed)

    def embed(self, texts: list[str]):
        import numpy as np

        return np.stack(self._embed(texts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=300, help="cases at most")
    parser.add_argument("--data-dir", type=Path, help="an indexed collection (else one is built)")
    args = parser.parse_args()

    import qa.verify
    from qa.factory import build_embedder, build_indexer
    from qa.settings import Settings
    from qa.verify import verify_sentences

    started = time.perf_counter()
    data_dir = args.data_dir
    if data_dir is None:
        data_dir = Path(tempfile.mkdtemp(prefix="qa-support-"))
        settings = Settings(data_dir=data_dir)
        build_indexer(settings, build_embedder(settings)).index(
            [ROOT / "data" / "sample", SHARED / "benchmarks" / "squad2" / "corpus"]
        )
    cases = cases_of_collection(data_dir, args.limit)
    embedder = RememberingEmbedder(build_embedder(Settings()))
    qa.verify._parsed = remembered(qa.verify._parsed)  # the verifier's spaCy parse
    others = [elsewhere(cases, n) for n in range(len(cases))]

    def rates(threshold: float, stored: bool) -> dict:
        originals_rejected = swaps_caught = elsewhere_accepted = elsewhere_cases = 0
        for (_, original, swapped, shown), other in zip(cases, others, strict=True):
            first, second = verify_sentences(
                [original, swapped], shown, embedder, threshold, stored_vectors=stored
            )
            originals_rejected += not first.supported
            swaps_caught += not second.supported
            if other is not None:
                checked = verify_sentences(
                    [original], other, embedder, threshold, stored_vectors=stored
                )[0]
                elsewhere_accepted += checked.supported
                elsewhere_cases += 1
        total = len(cases) or 1
        return {
            "threshold": threshold,
            "vectors": "stored" if stored else "separate",
            "originals_rejected": round(originals_rejected / total, 4),
            "swaps_caught": round(swaps_caught / total, 4),
            "elsewhere_accepted": round(elsewhere_accepted / (elsewhere_cases or 1), 4),
            "elsewhere_cases": elsewhere_cases,
        }

    baseline = rates(OLD_THRESHOLD, stored=False)
    rows = [baseline] + [rates(t, stored=True) for t in CANDIDATES]
    same_fallbacks = [
        r for r in rows[1:] if r["originals_rejected"] <= baseline["originals_rejected"] + 1e-9
    ]
    same_threshold = max((r["threshold"] for r in same_fallbacks), default=min(CANDIDATES))
    print_table(
        ["vectors", "threshold", "originals rejected", "swaps caught", "elsewhere accepted"],
        [
            [
                r["vectors"],
                r["threshold"],
                r["originals_rejected"],
                r["swaps_caught"],
                r["elsewhere_accepted"],
            ]
            for r in rows
        ],
    )
    print(
        f"cases: {len(cases)}; stored-vector threshold dropping no more originals: {same_threshold}"
    )
    path = write_result(
        "support_threshold",
        {
            "machine": machine(),
            "seconds": round(time.perf_counter() - started, 1),
            "cases": len(cases),
            "old_threshold": OLD_THRESHOLD,
            "stored_threshold_same_fallbacks": same_threshold,
            "rows": rows,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
