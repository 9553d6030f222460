"""`qa eval` with the hash embedder: report files, comparisons and one-line user errors."""

import json

import pytest
from click.testing import CliRunner

from evals.summary import RATES
from qa.cli import main
from tests.files import write

SET = "\n".join(
    [
        '{"id": "who", "question": "Who was summoned and why?", "answers": ["Zinoviev"],'
        ' "answerable": true}',
        '{"id": "mercury", "question": "What is the boiling point of mercury in kelvin?",'
        ' "answers": [], "answerable": false}',
        '{"id": "when", "question": "When did the summit take place?", "answers": ["June 19"],'
        ' "answerable": true}',
    ]
)


@pytest.fixture
def run(fake_embedder):
    def invoke(*args):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def eval_set(tmp_path):
    return write(tmp_path / "tiny.jsonl", SET + "\n")


def test_eval_indexes_docs_runs_and_writes_the_three_files(run, eval_set, sample_dir, tmp_path):
    out = tmp_path / "out"
    result = run("eval", eval_set, "--docs", sample_dir, "--out", out)
    assert result.exit_code == 0, result.output
    for name in ("report.json", "report.md", "report.png"):
        assert (out / name).stat().st_size > 0
    assert (out / "report.png").read_bytes().startswith(b"\x89PNG")
    report = json.loads((out / "report.json").read_text())
    assert report["meta"]["set"] == "tiny" and report["meta"]["mode"] == "extractive"
    assert [row["id"] for row in report["items"]] == ["who", "mercury", "when"]
    assert "answer_accuracy" in result.output and str(out / "report.md") in result.output
    markdown = (out / "report.md").read_text()
    assert "| answer_accuracy |" in markdown and "## Worst failures" in markdown
    # --docs went into a temporary collection, not the user's data directory
    assert run("docs", "list").exit_code == 1


def test_named_collection_is_kept_and_reused(run, eval_set, sample_dir, tmp_path):
    first = run(
        "eval", eval_set, "--docs", sample_dir, "--collection", "evalset", "--out", tmp_path
    )
    assert first.exit_code == 0, first.output
    again = run(
        "eval", eval_set, "--docs", sample_dir, "--collection", "evalset", "--out", tmp_path
    )
    assert "2 unchanged file(s)" in again.output
    assert run("eval", eval_set, "--collection", "evalset", "--out", tmp_path).exit_code == 0
    assert "no collection 'documents'" in run("eval", eval_set).output


def test_compare_adds_a_side_by_side_table(run, eval_set, sample_dir, tmp_path):
    assert run("eval", eval_set, "--docs", sample_dir, "--out", tmp_path / "a").exit_code == 0
    result = run(
        "eval", eval_set, "--docs", sample_dir, "--out", tmp_path / "b", "--limit", "1",
        "--compare", tmp_path / "a",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    markdown = (tmp_path / "b" / "report.md").read_text()
    assert "## Compared with tiny (extractive)" in markdown
    a = json.loads((tmp_path / "a" / "report.json").read_text())["summary"]
    b = json.loads((tmp_path / "b" / "report.json").read_text())["summary"]
    assert b["items"] == 1
    expected = b["refusal_accuracy"], a["refusal_accuracy"]
    assert expected == (None, 1.0)  # the first item is answerable: no unanswerable in run b
    row = f"| refusal_accuracy | – | {a['refusal_accuracy']:.3f} | – |"
    assert row in markdown
    delta = round(b["hit@5"] - a["hit@5"], 4)
    assert f"| hit@5 | {b['hit@5']:.3f} | {a['hit@5']:.3f} | {delta:+.3f} |" in markdown
    assert set(RATES) <= {line.split(" | ")[0].strip("| ") for line in markdown.splitlines()}


def test_invalid_lines_are_reported_and_skipped(run, sample_dir, tmp_path):
    bad = write(tmp_path / "bad.jsonl", SET + '\n{"id": "x", "question": "Why?"}\n')
    result = run("eval", bad, "--docs", sample_dir, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "line 4, field 'answers': required" in result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["summary"]["items"] == 3 and len(report["set_errors"]) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing.jsonl"], "eval set not found"),
        (["{set}", "--compare", "nothing.json"], "report not found"),
        (["{set}", "--compare", "{set}"], "cannot read report"),
        (["{set}"], "no collection"),
        (["{set}", "--docs", "{set}", "--mode", "poetry"], "Invalid value for '--mode'"),
    ],
)
def test_user_errors_are_one_line(run, eval_set, tmp_path, args, message):
    result = run("eval", *[a.format(set=eval_set) for a in args])
    assert result.exit_code in (1, 2) and message in result.output
    assert "Traceback" not in result.output
    if result.exit_code == 1:  # ours; 2 is click's usage error
        assert len(result.output.strip().splitlines()) == 1


def test_eval_is_listed_with_an_example(run):
    assert "eval" in run("--help").output
    assert "Example" in run("eval", "--help").output
