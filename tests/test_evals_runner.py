"""The runner end to end on a tiny set, with the hash embedder and a scripted LLM."""

import pytest

from evals.runner import run_eval
from evals.schema import parse_eval_lines
from qa.assistant import EmptyCollectionError, QuestionError
from qa.factory import build_assistant, build_indexer
from tests.conftest import SAMPLE_DIR
from tests.fakes import ScriptedLLM

TINY = [
    '{"id": "who", "question": "Who was summoned and why?", "answers": ["Zinoviev"],'
    ' "answerable": true, "sources": ["003_53e2dd04fa8e1ee0.txt", "000_914482091e5753a7.txt"]}',
    '{"id": "mercury", "question": "What is the boiling point of mercury in kelvin?",'
    ' "answers": [], "answerable": false}',
    '{"id": "follow-up", "question": "What did he say in response?",'
    ' "conversation": ["Who was summoned and why?"], "answers": ["blackmail"],'
    ' "answerable": true}',
    '{"id": "too-long", "question": "' + "x" * 2100 + '", "answers": ["x"], "answerable": true}',
    "this line is not JSON",
]


@pytest.fixture
def items():
    loaded = parse_eval_lines(TINY)
    assert len(loaded.items) == 4 and loaded.errors[0].line == 5
    return loaded.items


@pytest.fixture
def assistant(settings, fake_embedder):
    build_indexer(settings, embedder=fake_embedder).index([SAMPLE_DIR])
    return build_assistant(settings, embedder=fake_embedder)


def test_runner_scores_every_item_and_summarises_the_rows(items, assistant):
    calls = []
    report = run_eval(items, assistant, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    rows = {row.id: row for row in report.rows}
    assert rows["who"].correct and not rows["who"].refused and rows["who"].first_hit
    assert rows["who"].citations and rows["who"].mode == "extractive"
    assert rows["mercury"].refused and rows["mercury"].correct and rows["mercury"].first_hit is None
    # the follow-up was asked after its conversation, in one session: "he" is the person the
    # first answer named ("the Russian ambassador", named Zinoviev in the same answer)
    assert rows["follow-up"].standalone_question == (
        "What did Ambassador Zinoviev say in response?"
    )
    assert rows["too-long"].error.startswith("QuestionError: the question is too long")
    summary = report.summary
    assert (summary["items"], summary["scored"], summary["errors"]) == (4, 3, 1)
    assert summary["refusal_accuracy"] == 1.0
    assert summary["answer_accuracy"] == sum(rows[i].correct for i in ("who", "follow-up")) / 2
    assert summary["latency_ms"]["total"]["p50"] > 0
    assert report.meta["mode"] == "extractive" and report.meta["documents"] == 2


def test_rows_keep_the_evidence_score_the_refusal_was_decided_on(items, assistant):
    report = run_eval(items, assistant)
    threshold = report.calibration["threshold"]
    for row in report.rows:
        if row.error is None:
            assert (row.evidence_score < threshold) == row.refused
    at_threshold = next(p for p in report.calibration["curve"] if p["threshold"] == threshold)
    assert at_threshold["refusal_accuracy"] == report.summary["refusal_accuracy"]
    assert at_threshold["false_refusal_rate"] == report.summary["false_refusal_rate"]


def test_reruns_are_deterministic_apart_from_timings(items, assistant):
    def without_timings(report):
        data = report.to_dict()
        data["summary"].pop("latency_ms")
        for row in data["items"]:
            row.pop("timings_ms")
        return data

    assert without_timings(run_eval(items, assistant)) == without_timings(
        run_eval(items, assistant)
    )


def test_limit_runs_the_first_items(items, assistant):
    report = run_eval(items, assistant, limit=2)
    assert [row.id for row in report.rows] == ["who", "mercury"]


def test_mode_goes_through_to_the_assistant(items, settings, fake_embedder):
    build_indexer(settings, embedder=fake_embedder).index([SAMPLE_DIR])
    llm = ScriptedLLM(
        "South Korea summoned Russian Ambassador to Seoul Georgy Zinoviev to express its stance "
        "on the Russia-North Korea Comprehensive Strategic Partnership Treaty."
    )
    assistant = build_assistant(settings, embedder=fake_embedder, llm=llm)
    report = run_eval(items[:1], assistant, mode="generate")
    assert report.meta["mode"] == "generate" and report.rows[0].mode == "generate"
    assert report.rows[0].correct and llm.prompts


def test_unusable_mode_or_empty_collection_stop_before_running(items, settings, fake_embedder):
    build_indexer(settings, embedder=fake_embedder).index([])
    assistant = build_assistant(settings.model_copy(update={"llm_model": "/nowhere.gguf"}))
    with pytest.raises(QuestionError, match="generate mode needs an LLM"):
        run_eval(items, assistant, mode="generate")
    with pytest.raises(EmptyCollectionError):
        run_eval(items, assistant)
