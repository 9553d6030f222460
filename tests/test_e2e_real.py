"""End to end with the real parts: the packaged all-MiniLM-L6-v2 and Chroma on disk."""

import json
import re

import numpy as np
import pytest
from click.testing import CliRunner

from qa.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real_run(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("real") / "qa-data"
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, ["--data-dir", str(data_dir), *args], catch_exceptions=False)

    from tests.conftest import SAMPLE_DIR

    result = invoke("index", str(SAMPLE_DIR))
    assert result.exit_code == 0, result.output
    return invoke


def _ask(run, question):
    result = run("ask", question, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _assert_citations_exact(run, answer):
    texts = {}
    for c in answer["citations"]:
        if c["doc_id"] not in texts:
            texts[c["doc_id"]] = json.loads(run("docs", "show", c["doc_id"], "--json").output)[
                "text"
            ]
        assert texts[c["doc_id"]][c["start"] : c["end"]] == c["quote"]


def test_who_was_summoned_and_why(real_run):
    answer = _ask(real_run, "Who was summoned and why?")
    assert not answer["refused"]
    assert "Zinoviev" in answer["answer"]
    assert re.search(r"pact|treaty", answer["answer"], re.I)
    assert re.search(r"\[\d+\]", answer["answer"])
    _assert_citations_exact(real_run, answer)
    # the name and the reason are each backed by a cited quote
    quotes = " ".join(c["quote"] for c in answer["citations"])
    assert "Zinoviev" in quotes and re.search(r"pact|treaty", quotes, re.I)


def test_the_short_answer_comes_first_with_an_exact_span(real_run):
    answer = _ask(real_run, "When was the Russian ambassador summoned?")
    assert not answer["refused"] and answer["confidence"] >= 0.2
    short = answer["short_answer"]
    text = json.loads(real_run("docs", "show", short["doc_id"], "--json").output)["text"]
    assert text[short["start"] : short["end"]] == short["quote"] == short["text"]
    assert any(
        c["start"] <= short["start"] and short["end"] <= c["end"] for c in answer["citations"]
    )
    shown = real_run("ask", "When was the Russian ambassador summoned?").output
    assert shown.splitlines()[0].startswith(short["text"])


def test_a_question_about_an_entity_the_documents_never_mention_is_refused(real_run):
    answer = _ask(real_run, "Why did South Korea summon the ambassador of Brazil?")
    assert answer["refused"] and answer["short_answer"] is None


def test_other_seed_questions_cite_the_right_passage(real_run):
    answer = _ask(real_run, "What did Zinoviev say in response?")
    assert not answer["refused"] and "blackmail" in answer["answer"]
    _assert_citations_exact(real_run, answer)


@pytest.mark.parametrize(
    "question", ["What is the capital of France?", "Who won the 2022 football World Cup?"]
)
def test_unrelated_questions_are_refused(real_run, question):
    answer = _ask(real_run, question)
    assert answer["refused"] and answer["answer"] == "Not found in the documents."


def test_boilerplate_never_reaches_answers(real_run):
    for question in (
        "Which website should I use?",
        "What else should I read?",
        "Are there comments?",
    ):
        answer = _ask(real_run, question)
        for junk in ("best viewed", "ALSO READ", "Comment (0)", "Award Banner"):
            assert junk not in answer["answer"]


def test_counting_a_sentence_longer_than_the_model_window_warns_nobody(tmp_path, capfd):
    """The chunker counts word pieces of whole sentences before cutting the long ones: that
    must not print transformers' "Token indices sequence length is longer…" during `qa index`."""
    from qa.factory import build_embedder
    from qa.settings import Settings

    embedder = build_embedder(Settings(data_dir=tmp_path))
    assert embedder.count_tokens(["word " * 600]) == [600]
    assert "sequence length" not in capfd.readouterr().err


def test_bfloat16_vectors_match_float32_ones(tmp_path):
    """The model in bfloat16 (the default where the CPU has it) gives the vectors float32 does,
    to cosine 0.995, for questions, passages and the sentences pooled from them, so a collection
    indexed in one precision is searched in the other."""
    from qa.factory import build_embedder
    from qa.settings import Settings

    half, full = (
        build_embedder(Settings(data_dir=tmp_path, embedding_precision=p))
        for p in ("bfloat16", "float32")
    )
    questions = ["Who was summoned and why?", "When did Putin and Kim meet in Pyongyang?"]
    assert (half.embed(questions) * full.embed(questions)).sum(axis=1).min() > 0.995
    passage = ["South Korea summoned the Russian ambassador. He said nothing on Friday."]
    spans = [[(0, 44), (45, 71)]]
    (p_half, [s_half]), (p_full, [s_full]) = (
        e.embed_passages(passage, spans) for e in (half, full)
    )
    assert p_half.dtype == s_half.dtype == np.float32
    assert (p_half * p_full).sum() > 0.995 and (s_half * s_full).sum(axis=1).min() > 0.995
