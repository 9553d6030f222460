"""`qa eval` on the shipped sample set with the real embedding model (extractive mode)."""

import json

import pytest
from click.testing import CliRunner

from evals.summary import RATES
from qa.cli import main
from tests.conftest import SAMPLE_DIR

pytestmark = pytest.mark.slow

SAMPLE_SET = SAMPLE_DIR.parent.parent / "evals" / "sets" / "sample.jsonl"


def test_sample_set_report_is_complete_and_consistent(tmp_path):
    out = tmp_path / "report"
    result = CliRunner().invoke(
        main,
        ["eval", str(SAMPLE_SET), "--docs", str(SAMPLE_DIR), "--mode", "extractive"]
        + ["--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    for name in ("report.json", "report.md", "report.png"):
        assert (out / name).stat().st_size > 0
    report = json.loads((out / "report.json").read_text())
    summary, rows = report["summary"], report["items"]
    assert report["meta"]["mode"] == "extractive" and summary["errors"] == 0
    assert summary["items"] == len(rows) == len(SAMPLE_SET.read_text().splitlines())
    for name in RATES:
        assert summary[name] is None or 0.0 <= summary[name] <= 1.0, name

    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    assert len(unanswerable) >= 5 and any(r["conversation"] for r in rows)

    def share(flags):
        flags = list(flags)
        return round(sum(flags) / len(flags), 4)

    assert summary["answer_accuracy"] == share(r["correct"] for r in answerable)
    assert summary["refusal_accuracy"] == share(r["refused"] for r in unanswerable)
    assert summary["false_refusal_rate"] == share(r["refused"] for r in answerable)
    assert summary["wrong_rate"] == share(r["wrong"] for r in rows)
    assert summary["hit@5"] == share(
        bool(r["first_hit"]) and r["first_hit"] <= 5 for r in answerable
    )
    assert summary["citation_precision"] == share(
        c["correct"] for r in answerable if not r["refused"] for c in r["citations"]
    )
    assert summary["refused"] == sum(r["refused"] for r in rows)
    for r in rows:
        assert r["refused"] == (r["evidence_score"] < report["calibration"]["threshold"])
        assert r["wrong"] == (not r["refused"] and not r["correct"])
    assert summary["latency_ms"]["total"]["p50"] <= summary["latency_ms"]["total"]["p95"]
    # The pipeline finds the answer for most of its own sample questions.
    assert summary["hit@5"] >= 0.8 and summary["answer_accuracy"] >= 0.6
