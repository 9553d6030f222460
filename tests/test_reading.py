"""Reading: question analysis, sentence features, short-answer spans, the fitted parameters.
The real spaCy pipeline is used (loaded once per test process, a few seconds)."""

from __future__ import annotations

import numpy as np
import pytest

from index.annotation import annotate, entities
from qa.evidence import Evidence
from qa.question_types import PERSON_LIKE, PLACE, TIME, analyse, classify
from qa.reading.features import QUESTION_FEATURES, SENTENCE_FEATURES, sentence_features
from qa.reading.model import load_reader
from qa.reading.short_answer import candidates, short_answer


@pytest.mark.parametrize(
    ("question", "kind", "labels"),
    [
        ("Who was summoned and why?", "who", PERSON_LIKE),
        ("When was the treaty signed?", "when", TIME),
        ("In what year did the Normans conquer England?", "when", TIME),
        ("Where and when was the pact signed?", "where", PLACE | TIME),
        ("How many people died?", "how many", {"CARDINAL"}),
        ("Which city hosted the summit?", "where", PLACE),
        ("Why did Seoul protest?", "why", frozenset()),
        ("How did Zinoviev respond?", "how", frozenset()),
        ("What did the council approve?", "what", frozenset()),
    ],
)
def test_question_kinds(question, kind, labels):
    wh, expected = classify(question)
    assert wh == kind
    assert set(labels) <= expected if labels else expected == frozenset()


def test_question_analysis_parts():
    a = analyse("Which treaty did Putin sign in Pyongyang?")
    assert a.head_noun == "treaty" and a.main_verb == "sign"
    assert ("Putin", "PERSON") in a.entities and ("Pyongyang", "GPE") in a.entities
    assert {"treati", "putin", "sign", "pyongyang"} <= a.focus
    assert analyse("In what year did it happen?").entities == []  # "what year" is not named


def _evidence(text: str, position: int = 0, similarity: float = 0.5, rank: int = 1) -> Evidence:
    return Evidence(
        "d", 0, len(text), text, similarity, similarity, 0.5, rank,
        annotation=annotate([text])[0], position=position,
    )  # fmt: skip


def test_sentence_features_see_the_expected_kind_and_the_response_cue():
    question = analyse("How did Zinoviev respond to the summons?")
    names = _evidence("Seoul summoned Russian Ambassador Georgy Zinoviev on Friday.", 0, 0.6)
    reply = _evidence("In response, Zinoviev said the threats were unacceptable.", 1, 0.5)
    rows = sentence_features(question, [names, reply], lambda w: dict.fromkeys(w, 1.0), {1: 0.7})
    assert rows.shape == (2, len(SENTENCE_FEATURES))
    column = {name: i for i, name in enumerate(SENTENCE_FEATURES)}
    assert rows[1, column["cue_match"]] == 1.0 and rows[0, column["cue_match"]] == 0.0
    assert rows[0, column["neighbour_similarity"]] == pytest.approx(0.5)
    assert rows[0, column["chunk_similarity"]] == pytest.approx(0.7)

    when = analyse("When was the ambassador summoned?")
    dated = _evidence("The ambassador was summoned on June 21 in Seoul.")
    undated = _evidence("The ambassador was summoned over the pact.")
    rows = sentence_features(when, [dated, undated], lambda w: dict.fromkeys(w, 1.0), {})
    assert rows[0, column["expected_type_new"]] == 1.0
    assert rows[1, column["expected_type_new"]] == 0.0
    assert rows[1, column["expected_type_missing"]] == 1.0


def test_annotation_offsets_are_relative_to_the_sentence():
    text = "On June 21, South Korea summoned Russian Ambassador Georgy Zinoviev."
    found = {(e.text, e.label) for e in entities(text, annotate([text])[0])}
    assert {("June 21", "DATE"), ("South Korea", "GPE"), ("Georgy Zinoviev", "PERSON")} <= found


def test_short_answer_candidates_and_exact_span():
    text = "The treaty was signed by Vladimir Putin and Kim Jong Un in Pyongyang on June 19."
    annotation = annotate([text])[0]
    spans = {text[c.start : c.end] for c in candidates(text, annotation)}
    assert {
        "Pyongyang",
        "June 19",
        "the treaty" if "the treaty" in spans else "The treaty",
    } <= spans
    reader = load_reader()
    start = 1000  # the sentence sits further into its document
    best = Evidence("doc", start, start + len(text), text, 0.9, 0.9, 0.9, 1, annotation=annotation)
    for question, expected in [
        ("Where was the treaty signed?", "Pyongyang"),
        ("When was the treaty signed?", "June 19"),
    ]:
        found = short_answer(analyse(question), best, reader.short_answer)
        assert found is not None and found.text == expected
        assert (found.start, found.end) == (
            start + text.index(expected),
            start + text.index(expected) + len(expected),
        )
        assert found.quote == found.text and 0.0 <= found.probability <= 1.0
    assert short_answer(analyse("Why was the treaty signed?"), best, reader.short_answer) is None


def test_fitted_parameters_load_and_match_the_features():
    reader = load_reader()
    assert list(reader.ranker.features) == SENTENCE_FEATURES
    assert list(reader.answerability.features) == QUESTION_FEATURES
    rows = np.zeros((3, len(SENTENCE_FEATURES)))
    probabilities = reader.ranker.probability(rows)
    assert probabilities.shape == (3,) and ((0 < probabilities) & (probabilities < 1)).all()
