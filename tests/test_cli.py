"""The CLI contract, with the hash embedder standing in for the real model."""

import json

import pytest
from click.testing import CliRunner

from qa.cli import main
from tests.files import write

CONTRACT_KEYS = {
    "question",
    "standalone_question",
    "answer",
    "refused",
    "citations",
    "sentences",
    "timings_ms",
}


@pytest.fixture
def run(fake_embedder):
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def indexed(run, sample_dir):
    result = run("index", str(sample_dir))
    assert result.exit_code == 0, result.output
    return sample_dir


def test_index_reports_counts(run, sample_dir):
    result = run("index", str(sample_dir))
    assert "Indexed 2 new document(s)" in result.output
    again = run("index", str(sample_dir))
    assert "Indexed 0 new document(s)" in again.output and "2 unchanged file(s)" in again.output


def test_ask_json_follows_the_contract(run, indexed):
    result = run("ask", "Who was summoned and why?", "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert CONTRACT_KEYS <= answer.keys()
    assert answer["standalone_question"] == "Who was summoned and why?"
    assert answer["refused"] is False and answer["citations"]
    for stage in ("rewrite", "embed_query", "dense", "bm25", "fuse", "evidence", "total"):
        assert answer["timings_ms"][stage] >= 0
    for citation in answer["citations"]:
        assert {"n", "doc_id", "source", "title", "start", "end", "quote"} <= citation.keys()
        assert f"[{citation['n']}]" in answer["answer"]
        shown = json.loads(run("docs", "show", citation["doc_id"], "--json").output)
        assert shown["text"][citation["start"] : citation["end"]] == citation["quote"]
    numbers = {c["n"] for c in answer["citations"]}
    for sentence in answer["sentences"]:
        assert sentence["supported"] and set(sentence["citations"]) <= numbers


def test_plain_ask_prints_answer_then_sources(run, indexed):
    result = run("ask", "Who was summoned and why?")
    answer, _, sources = result.output.partition("\nSources:\n")
    assert "[1]" in answer and sources.startswith("[1] ")


def test_unrelated_question_is_refused_with_closest_passages(run, indexed):
    answer = json.loads(
        run("ask", "What is the boiling point of mercury in kelvin?", "--json").output
    )
    assert answer["refused"] is True
    assert answer["answer"] == "Not found in the documents."
    assert answer["citations"] == [] and answer["closest"]


@pytest.mark.parametrize(
    "question, message",
    [("", "the question is empty"), ("   ", "the question is empty"), ("x" * 100_000, "too long")],
)
def test_bad_questions_are_one_line_errors(run, indexed, question, message):
    result = run("ask", question)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_missing_data_dir(run, tmp_path):
    result = run("--data-dir", str(tmp_path / "nowhere"), "ask", "anything?")
    assert result.exit_code == 1
    assert "no collection" in result.output and "qa index" in result.output
    result = run("--data-dir", str(tmp_path / "nowhere"), "docs", "list")
    assert result.exit_code == 1


def test_bad_inputs_leave_the_collection_answerable(run, indexed, tmp_path):
    write(tmp_path / "bad" / "empty.txt", "")
    write(tmp_path / "bad" / "binary.txt", bytes(range(256)) * 8)
    write(tmp_path / "bad" / "broken.pdf", b"%PDF-1.7 truncated")
    write(tmp_path / "bad" / "good.md", "# Note\n\nThe harbour reopened after the storm passed.")
    result = run(
        "index", str(tmp_path / "bad"), str(tmp_path / "missing.txt"), str(tmp_path / "x.xyz")
    )
    assert result.exit_code == 1
    assert "Indexed 1 new document(s)" in result.output
    for name in ("empty.txt", "binary.txt", "broken.pdf", "missing.txt", "x.xyz"):
        assert name in result.output
    listing = json.loads(run("docs", "list", "--json").output)
    assert len(listing) == 3
    answer = json.loads(run("ask", "Who was summoned and why?", "--json").output)
    assert not answer["refused"]


def test_docs_list_show_remove(run, indexed):
    listing = json.loads(run("docs", "list", "--json").output)
    assert {d["title"] for d in listing} >= {
        "South Korea summons Russian ambassador over pact with North Korea"
    }
    doc = next(d for d in listing if d["url"])
    shown = json.loads(run("docs", "show", doc["id"][:8], "--json").output)
    assert shown["id"] == doc["id"] and shown["url"].startswith("https://")
    assert {"id", "source", "title", "url", "published", "text"} <= shown.keys()
    assert run("docs", "remove", doc["id"]).exit_code == 0
    assert len(json.loads(run("docs", "list", "--json").output)) == len(listing) - 1
    missing = run("docs", "show", doc["id"])
    assert missing.exit_code == 1 and "no document" in missing.output


def test_help_shows_an_example(run):
    assert "qa ask" in run("--help").output
    assert "Example" in run("ask", "--help").output
