"""Scoring items and summarising rows, on hand-made answers with known outcomes."""

import pytest

from evals.calibration import refusal_curve, suggest_threshold
from evals.schema import EvalItem
from evals.scoring import Passage, Response, error_result, score_item
from evals.summary import RATES, summarise

DOC = (
    "On June 21, South Korea summoned Russian Ambassador Georgy Zinoviev. "
    "Kim Hong-kyun urged Russia to act responsibly. "
    "The weather in Seoul was mild."
)
TEXTS = {"d1": DOC, "d2": "Georgy Zinoviev is also named in another file."}


def passage(doc: str, phrase: str, source: str) -> Passage:
    start = TEXTS[doc].index(phrase)
    return Passage(doc, start, start + len(phrase), phrase, [f"/data/{source}"])


SUMMONED = passage(
    "d1", "On June 21, South Korea summoned Russian Ambassador Georgy Zinoviev.", "a.txt"
)
URGED = passage("d1", "Kim Hong-kyun urged Russia to act responsibly.", "a.txt")
WEATHER = passage("d1", "The weather in Seoul was mild.", "a.txt")
OTHER_FILE = passage("d2", "Georgy Zinoviev is also named in another file.", "b.txt")

WHO = EvalItem("who", "Who was summoned?", ["Georgy Zinoviev"], True)
NOWHERE = EvalItem("nowhere", "How old is he?", [], False)


def score(item, response):
    return score_item(item, response, TEXTS.__getitem__)


def answered(text, retrieved, citations, sentences=None):
    sentences = sentences or [(True, True)] * len(citations)
    return Response(text, False, retrieved, citations, sentences, timings_ms={"total": 10.0})


def test_a_correct_answer_with_one_wrong_citation():
    row = score(
        WHO,
        answered(
            "South Korea summoned Georgy Zinoviev [1]. The weather was mild [2].",
            [WEATHER, SUMMONED, URGED],
            [SUMMONED, WEATHER],
        ),
    )
    assert row.correct and not row.wrong and not row.refused
    assert row.first_hit == 2  # the weather chunk came first
    assert [c["correct"] for c in row.citations] == [True, False]
    assert row.citations[1]["quote"] == "The weather in Seoul was mild."
    # 8 tokens ("the" dropped, markers removed), 2 of them gold: P = 1/4, R = 1
    assert row.f1 == pytest.approx(2 * 0.25 / 1.25)


def test_a_refusal_of_an_answerable_item_is_a_false_refusal_not_a_wrong_answer():
    row = score(WHO, Response("Not found in the documents.", True, [SUMMONED]))
    assert row.refused and not row.correct and not row.wrong and row.f1 == 0.0
    assert row.first_hit == 1  # retrieval found it even though the answer refused


def test_unanswerable_items_are_correct_only_when_refused():
    refused = score(NOWHERE, Response("Not found in the documents.", True, [SUMMONED]))
    assert refused.correct and refused.f1 == 1.0 and refused.first_hit is None
    answered_anyway = score(NOWHERE, answered("He is 60 [1].", [SUMMONED], [SUMMONED]))
    assert answered_anyway.wrong and not answered_anyway.correct and answered_anyway.f1 == 0.0
    assert answered_anyway.citations[0]["correct"] is False


def test_gold_sources_and_evidence_decide_relevance():
    by_source = EvalItem("s", "Who?", ["Georgy Zinoviev"], True, sources=["a.txt"])
    row = score(by_source, answered("Georgy Zinoviev [1].", [OTHER_FILE, SUMMONED], [OTHER_FILE]))
    assert row.first_hit == 2 and row.citations[0]["correct"] is False
    # evidence overlap counts even when the chunk does not hold the answer string itself
    by_evidence = EvalItem(
        "e", "What did Kim urge?", ["responsible conduct"], True, evidence=["urged Russia"]
    )
    row = score(by_evidence, answered("Kim urged Russia to act responsibly [1].", [URGED], [URGED]))
    assert row.first_hit == 1 and row.citations[0]["correct"] is True
    assert not row.correct  # the answer text does not contain "responsible conduct"


def test_summary_of_known_rows():
    rows = [
        score(  # correct, hit@1, 2 sentences, 1 uncited, 1 unsupported
            WHO,
            answered(
                "Georgy Zinoviev [1]. Mild.",
                [SUMMONED],
                [SUMMONED],
                sentences=[(True, True), (False, False)],
            ),
        ),
        score(WHO, Response("Not found in the documents.", True, [WEATHER, URGED])),  # no hit
        score(NOWHERE, Response("Not found in the documents.", True, [])),  # rightly refused
        score(NOWHERE, answered("Russia [1].", [URGED], [URGED])),  # wrong
        error_result(WHO, "RuntimeError: boom"),
    ]
    summary = summarise(rows)
    assert (summary["items"], summary["scored"], summary["errors"]) == (5, 4, 1)
    assert (summary["answerable"], summary["unanswerable"]) == (2, 2)
    assert summary["hit@1"] == 0.5 and summary["hit@5"] == 0.5 and summary["mrr@10"] == 0.5
    assert summary["answer_accuracy"] == 0.5
    assert summary["refusal_accuracy"] == 0.5 and summary["false_refusal_rate"] == 0.5
    assert summary["wrong"] == 1 and summary["wrong_rate"] == 0.25
    assert summary["overall_accuracy"] == 0.5
    assert summary["citation_precision"] == 1.0  # the wrong answer's citation is not judged
    assert summary["cited_sentence_share"] == pytest.approx(2 / 3, abs=1e-4)
    assert summary["unsupported_sentence_rate"] == pytest.approx(1 / 3, abs=1e-4)
    # F1 of "Georgy Zinoviev Mild" is 0.8; refusals: 0 answerable, 1 unanswerable
    assert summary["token_f1"] == pytest.approx((0.8 + 0 + 1 + 0) / 4)
    assert summary["latency_ms"]["total"] == {"p50": 10.0, "p95": 10.0}
    assert set(RATES) <= summary.keys()


def test_summary_of_nothing_has_no_made_up_rates():
    summary = summarise([])
    assert summary["items"] == 0
    assert all(summary[name] is None for name in RATES)


def test_refusal_curve_and_suggested_threshold():
    rows = []
    for item, score_value in [(WHO, 0.6), (WHO, 0.4), (NOWHERE, 0.2), (NOWHERE, 0.45)]:
        row = score(item, Response("x", False, []))
        row.evidence_score = score_value
        rows.append(row)
    curve = {p["threshold"]: p for p in refusal_curve(rows, [0.0, 0.3, 0.42, 0.5, 0.7])}
    assert curve[0.0]["refusal_accuracy"] == 0.0 and curve[0.0]["false_refusal_rate"] == 0.0
    assert curve[0.3]["refusal_accuracy"] == 0.5 and curve[0.3]["false_refusal_rate"] == 0.0
    assert curve[0.5]["refusal_accuracy"] == 1.0 and curve[0.5]["false_refusal_rate"] == 0.5
    assert curve[0.7]["false_refusal_rate"] == 1.0
    # balanced accuracy: 0.5, 0.75, 0.5, 0.75, 0.5: the lowest best threshold wins
    assert suggest_threshold(list(curve.values())) == 0.3
    assert suggest_threshold(refusal_curve(rows[:2], [0.1])) is None  # no unanswerable item
