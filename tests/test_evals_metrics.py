"""Metric definitions on hand-made cases with known values."""

import pytest

from evals import metrics
from evals.spans import locate


def test_normalise_folds_case_quotes_punctuation_and_space():
    assert metrics.normalise("  “Act  Responsibly,”\n he said.") == "act responsibly he said"
    assert metrics.normalise("Kim Hong-kyun's") == "kim hong kyun s"


@pytest.mark.parametrize(
    "text, gold, expected",
    [
        ("Kim Hong-kyun conveyed the stance", "kim hong kyun", True),
        ("any attempts to “threaten and blackmail” Russia", '"threaten and blackmail"', True),
        ("abolished in 1996.", "1996", True),
        ("abolished in 1996.", "199", False),  # whole words only
        ("in 1940", "4", False),
        ("anything", "  ", False),  # an empty gold string matches nothing
    ],
)
def test_contains_is_normalised_whole_word_containment(text, gold, expected):
    assert metrics.contains(text, gold) is expected


def test_answer_accuracy_needs_a_gold_answer_and_every_must_mention_group():
    both = "Cho Tae-yul and Antony Blinken condemned the treaty [1]."
    only_cho = "Cho Tae-yul condemned the treaty [1]."
    assert metrics.answer_correct(both, ["Cho Tae-yul"], ["Blinken"])
    assert not metrics.answer_correct(only_cho, ["Cho Tae-yul"], ["Blinken"])
    assert metrics.answer_correct(only_cho, ["Cho Tae-yul"], ["Blinken|treaty"])
    assert not metrics.answer_correct(both, ["Kamikawa"], [])
    # a citation marker is not part of the answer: "1" is no answer to "how many?"
    assert not metrics.answer_correct("They met [1].", ["1"])


def test_token_f1_known_values():
    # prediction tokens: russian ambassador georgy zinoviev ("the" dropped); 2 of 4 match
    assert metrics.token_f1("the Russian ambassador Georgy Zinoviev", "Georgy Zinoviev") == (
        pytest.approx(2 * 0.5 * 1.0 / 1.5)
    )
    assert metrics.token_f1("Zinoviev", "Zinoviev") == 1.0
    assert metrics.token_f1("", "Zinoviev") == 0.0
    assert metrics.token_f1("no overlap", "Zinoviev") == 0.0
    # repeated tokens count once per occurrence in the gold answer
    assert metrics.token_f1("June June", "June 21") == pytest.approx(0.5)
    assert metrics.best_token_f1("Zinoviev [1]", ["Kim", "Georgy Zinoviev"]) == pytest.approx(2 / 3)
    assert metrics.best_token_f1("anything", []) == 0.0


def test_ranks_hits_and_reciprocal_rank():
    assert metrics.first_relevant_rank([False, False, True, True]) == 3
    assert metrics.first_relevant_rank([False]) is None
    ranks = [1, 3, 7, 12, None]
    assert [metrics.hit_at_k(r, 5) for r in ranks] == [True, True, False, False, False]
    assert [metrics.reciprocal_rank(r, 10) for r in ranks] == [1.0, 1 / 3, 1 / 7, 0.0, 0.0]


def test_refusal_rates_split_by_answerability():
    answerable = [True, True, False, False, False]
    refused = [True, False, True, False, True]
    assert metrics.refusal_accuracy(answerable, refused) == pytest.approx(2 / 3)
    assert metrics.false_refusal_rate(answerable, refused) == pytest.approx(1 / 2)
    assert metrics.refusal_accuracy([True], [False]) is None  # no unanswerable item
    assert metrics.is_wrong(refused=False, correct=False)
    assert not metrics.is_wrong(refused=True, correct=False)  # a refusal is never "wrong"


def test_rates_of_nothing_are_none():
    assert metrics.share([]) is None and metrics.mean([]) is None
    assert metrics.percentile([], 50) is None


def test_percentiles_interpolate_like_numpy():
    values = [40.0, 10.0, 30.0, 20.0]
    assert metrics.percentile(values, 50) == pytest.approx(25.0)
    assert metrics.percentile(values, 95) == pytest.approx(38.5)
    assert metrics.percentile([7.0], 95) == 7.0
    latency = metrics.latency_percentiles(
        [{"total": 10.0, "dense": 1.0}, {"total": 30.0}, {"total": 20.0, "dense": 3.0}]
    )
    assert latency == {"dense": {"p50": 2.0, "p95": 2.9}, "total": {"p50": 20.0, "p95": 29.0}}


def test_overlap_of_half_open_spans():
    assert metrics.overlaps((0, 10), (9, 20))
    assert not metrics.overlaps((0, 10), (10, 20))
    assert metrics.overlaps((5, 6), (0, 100))


def test_locate_evidence_verbatim_and_after_normalisation():
    text = "Intro.\n\nKim told Zinoviev that it would have a “negative   impact” on relations."
    verbatim = locate("Kim told Zinoviev", text)
    assert [text[s:e] for s, e in verbatim] == ["Kim told Zinoviev"]
    spans = locate('would have a "negative impact" on relations', text)
    assert len(spans) == 1
    start, end = spans[0]
    assert text[start:end] == "would have a “negative   impact” on relations"
    assert locate("not in the text", text) == [] and locate("  ", text) == []
    assert len(locate("a", "a b a")) == 2
