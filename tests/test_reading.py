"""Reading: question analysis, sentence features, short-answer spans, the fitted parameters.
The real spaCy pipeline is used (loaded once per test process, a few seconds)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from index.annotation import annotate, entities
from qa.evidence import Evidence
from qa.question_types import PERSON_LIKE, PLACE, TIME, analyse, classify
from qa.reading.features import (
    QUESTION_FEATURES,
    SENTENCE_FEATURES,
    question_features,
    sentence_features,
)
from qa.reading.model import load_reader
from qa.reading.short_answer import CANDIDATE_FEATURES, candidate_features, candidates, short_answer


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


def test_a_large_batch_is_annotated_by_worker_processes_exactly_as_by_one():
    from index.annotation import _INDEX_TIME_DISABLED, _encode
    from index.nlp import parse_each, worker_processes

    texts = [f"On June {d}, South Korea summoned envoy number {d * 7}." for d in range(1, 29)] * 5
    assert worker_processes(len(texts)) == min(4, len(os.sched_getaffinity(0)))
    assert worker_processes(127) == 1
    one = parse_each(texts, _encode, disable=_INDEX_TIME_DISABLED, processes=1)
    assert annotate(texts) == one
    assert parse_each(texts, _encode, disable=_INDEX_TIME_DISABLED, processes=2) == one


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
    # nothing in it gives a cause: no short answer rather than a name
    assert short_answer(analyse("Why was the treaty signed?"), best, reader.short_answer) is None


@pytest.mark.parametrize(
    ("text", "question", "expected"),
    [
        (
            "Seoul summoned the ambassador on Friday because the pact threatens its security.",
            "Why did Seoul summon the ambassador?",
            "because the pact threatens its security",
        ),
        (
            "Packet switching is characterized by a fee per unit of information transmitted.",
            "How is packet switching characterized?",
            "by a fee per unit of information",
        ),
    ],
)
def test_a_why_or_how_question_gets_the_clause_that_answers(text, question, expected):
    annotation = annotate([text])[0]
    best = Evidence("doc", 0, len(text), text, 0.9, 0.9, 0.9, 1, annotation=annotation)
    found = short_answer(analyse(question), best, load_reader().short_answer)
    assert found is not None and found.text.startswith(expected)
    assert text[found.start : found.end] == found.text


def test_why_candidates_are_only_causes_and_purposes():
    text = "The treaty was signed in Pyongyang to deepen military ties, because of the war."
    annotation = annotate([text])[0]
    spans = {text[c.start : c.end] for c in candidates(text, annotation, "why")}
    assert any(s.startswith("to deepen") for s in spans)
    assert any(s.startswith("because of the war") for s in spans)
    assert not any(s.startswith(("in Pyongyang", "The treaty", "the treaty")) for s in spans)
    plain = {text[c.start : c.end] for c in candidates(text, annotation)}
    assert not any(s.startswith("to deepen") for s in plain)  # not for a who/what/when


def test_fitted_parameters_load_and_match_the_features():
    reader = load_reader()
    assert list(reader.ranker.features) == SENTENCE_FEATURES
    assert list(reader.answerability.features) == QUESTION_FEATURES
    rows = np.zeros((3, len(SENTENCE_FEATURES)))
    probabilities = reader.ranker.probability(rows)
    assert probabilities.shape == (3,) and ((0 < probabilities) & (probabilities < 1)).all()


def test_candidate_features_mark_phrases_the_question_already_has():
    text = "Jean de Bethencourt became the King of the Canary Islands in 1404."
    annotation = annotate([text])[0]
    found = candidates(text, annotation)
    question = analyse("Who became the King of the Canary Islands?")
    rows = candidate_features(question, text, annotation, found)
    column = {name: i for i, name in enumerate(CANDIDATE_FEATURES)}
    by_text = {text[c.start : c.end]: row for c, row in zip(found, rows, strict=True)}
    person = next(t for t in by_text if "Bethencourt" in t)
    assert by_text[person][column["in_question"]] == 0.0
    assert by_text[person][column["primary_type"]] == 1.0  # who -> PERSON
    king = next(t for t in by_text if "King" in t)
    assert by_text[king][column["in_question"]] == 1.0


@pytest.mark.parametrize(
    ("question", "role"),
    [
        ("Who invented the steam pump?", "subject"),
        ("What did Savery invent?", "object"),
        ("What was invented by Savery?", "object"),  # the passive's subject is done to
        ("What is the capital of France?", "other"),
    ],
)
def test_the_role_the_question_asks_about(question, role):
    assert analyse(question).wh_role == role


@pytest.mark.parametrize(
    ("question", "preposition", "head"),
    [
        ("In what city is the last Huguenot congregation?", "in", ""),  # misparsed fronted "In"
        ("The pact was signed in which city?", "in", "sign"),
        ("What did Savery invent?", "", "invent"),
        ("With whom did Cho speak?", "with", "speak"),
    ],
)
def test_the_slot_the_question_asks_about(question, preposition, head):
    analysis = analyse(question)
    assert (analysis.wh_preposition, analysis.wh_head) == (preposition, head)


def test_candidate_features_see_the_same_preposition_and_slot():
    text = "The pact was signed in Pyongyang by Putin, in the middle of June."
    annotation = annotate([text])[0]
    found = candidates(text, annotation)
    column = {name: i for i, name in enumerate(CANDIDATE_FEATURES)}
    question = analyse("The pact was signed in which city?")
    rows = candidate_features(question, text, annotation, found)
    by_text = {text[c.start : c.end]: row for c, row in zip(found, rows, strict=True)}
    assert by_text["Pyongyang"][column["same_preposition"]] == 1.0
    assert by_text["Pyongyang"][column["same_slot_word"]] == 1.0  # "in" hangs from "signed"
    assert by_text["Putin"][column["same_preposition"]] == 0.0
    what = candidate_features(analyse("What was signed in June?"), text, annotation, found)
    pact = next(i for i, c in enumerate(found) if text[c.start : c.end] == "The pact")
    assert what[pact, column["what_phrase"]] == 1.0  # the wh-kind x kind-of-phrase cross
    assert what[pact, column["what_place"]] == 0.0


def test_candidate_features_see_the_asked_role_and_the_question_words_around():
    text = "Thomas Savery invented the steam pump in 1698, long before the engines of Watt."
    annotation = annotate([text])[0]
    found = candidates(text, annotation)
    column = {name: i for i, name in enumerate(CANDIDATE_FEATURES)}
    rows = candidate_features(analyse("What did Savery invent?"), text, annotation, found)
    by_text = {text[c.start : c.end]: row for c, row in zip(found, rows, strict=True)}
    pump = next(t for t in by_text if "pump" in t)
    watt = next(t for t in by_text if "Watt" in t)
    assert by_text[pump][column["role_agrees"]] == 1.0  # done to, as "what" is
    assert by_text[watt][column["role_agrees"]] == 0.0
    # the pump hangs from "invented", one step away; Watt is further down the tree
    assert by_text[pump][column["log_tree_distance"]] < by_text[watt][column["log_tree_distance"]]
    assert by_text[pump][column["window_share"]] > by_text[watt][column["window_share"]]
    when = candidate_features(analyse("When did Savery invent the pump?"), text, annotation, found)
    year = next(i for i, c in enumerate(found) if "1698" in text[c.start : c.end])
    assert when[year, column["number_for_number"]] == 1.0
    assert rows[year, column["number_for_number"]] == 0.0  # a "what" question


def test_question_features_see_names_far_from_the_best_sentence():
    question = analyse("Why did Zinoviev attend the meeting?")
    best = _evidence("Seoul summoned the ambassador to attend the meeting on Friday.", 0, 0.7)
    far = _evidence("Zinoviev later said the threats were unacceptable.", 5, 0.4)
    row = question_features(
        question, [best, far], np.array([0.8, 0.3]), lambda w: dict.fromkeys(w, 1.0)
    )[0]
    column = {name: i for i, name in enumerate(QUESTION_FEATURES)}
    assert row[column["question_entities_found"]] == 1.0  # somewhere among the candidates
    assert row[column["question_entities_top"]] == 0.0  # but not where the best sentence is


def test_question_features_see_a_changed_number_name_or_verb():
    """SQuAD 2.0's unanswerable questions often change a year, a name's first part or the verb
    of an answerable one: what the best sentence's area has of each."""
    best = _evidence("In 1850 the city council opened the Smith bridge over the river.", 0, 0.7)
    column = {name: i for i, name in enumerate(QUESTION_FEATURES)}

    def row(question: str):
        return question_features(
            analyse(question), [best], np.array([0.8]), lambda w: dict.fromkeys(w, 1.0)
        )[0]

    asked = row("What did the city council open in 1850?")
    assert asked[column["question_numbers_top"]] == 1.0
    assert asked[column["main_verb_top"]] == 1.0
    changed = row("What did the city council close in 1860?")
    assert changed[column["question_numbers_top"]] == 0.0
    assert changed[column["main_verb_top"]] == 0.0
    assert row("Who opened the John Smith bridge?")[column["question_names_whole_top"]] == 0.0


def test_entity_swap_makes_a_plausible_question_the_answering_sentence_does_not_answer():
    from evals.train_reader import entity_swap

    gold = _evidence("Putin signed the pact with Kim Jong Un in Pyongyang.", 0)
    other = _evidence("Yoon Suk Yeol called the pact a threat.", 3)
    question = analyse("Where did Putin sign the pact?")
    assert entity_swap(question, gold, [gold, other]) == "Where did Yoon Suk Yeol sign the pact?"
    alone = analyse("Where was the pact signed?")  # no name to swap
    assert entity_swap(alone, gold, [gold, other]) is None


@pytest.mark.slow
def test_the_training_script_fits_the_same_parameters_twice(tmp_path):
    """evals/train_reader.py on the sample collection (the real data is too big for a test):
    what it gathers fits to the features this code computes, a second fit from the cache it
    writes gives the same parameters, and the decision check of `python -m evals.train_reader
    --check` tells them alike and a changed model apart."""
    from evals.schema import load_eval_set
    from evals.train_reader import (
        agreement,
        extract,
        fit,
        load,
        same_parameters,
        save,
        training_tables,
    )
    from tests.conftest import SAMPLE_DIR

    data = tmp_path / "data"
    data.mkdir()
    (data / "corpus").symlink_to(SAMPLE_DIR)
    items = load_eval_set(SAMPLE_DIR.parent.parent / "evals/sets/sample.jsonl").items
    extracted = extract(data, tmp_path / "index", items=items)
    assert any(g.swapped for g in extracted["gathered"])
    first = fit(extracted)
    assert first["answerability"]["features"] == QUESTION_FEATURES
    save(extracted, tmp_path / "gathered.pkl")
    again = fit(load(tmp_path / "gathered.pkl", data, tmp_path / "index"))
    assert same_parameters(first, again, tolerance=1e-6)
    tables = training_tables(extracted)
    assert agreement(first, again, tables, 0.3) == {
        "best_sentence": 1.0,
        "best_phrase": 1.0,
        "refusal": 1.0,
    }
    reversed_model = {
        part: {**first[part], "coef": [-c for c in first[part]["coef"]]}
        for part in ("ranker", "answerability", "short_answer")
    }
    assert all(share < 0.9 for share in agreement(first, reversed_model, tables, 0.3).values())


def test_a_person_is_found_by_surname():
    question = analyse("What did Georgy Zinoviev say in response?")
    told = _evidence("Kim told Zinoviev that the pact harms South Korea's security.", 0, 0.7)
    row = question_features(question, [told], np.array([0.8]), lambda w: dict.fromkeys(w, 1.0))[0]
    column = {name: i for i, name in enumerate(QUESTION_FEATURES)}
    assert row[column["question_entities_top"]] == 1.0
