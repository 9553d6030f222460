import json

import pytest
from click.testing import CliRunner

from index.dates import DateError, DateRange, day_key, parse_date
from index.errors import UserError
from qa.cli import main
from qa.factory import build_assistant, build_indexer
from tests.files import write

ARTICLES = [
    ("old", "2022-03-01", "The city council approved the harbour bridge plan after a long debate."),
    ("new", "2023-06-20", "The city council approved the harbour bridge budget in a short vote."),
    ("undated", None, "The city council approved the harbour bridge design without a vote."),
]


def _corpus(tmp_path):
    lines = [
        json.dumps({"id": i, "title": f"Bridge {i}", "published": p, "text": t})
        for i, p, t in ARTICLES
    ]
    return write(tmp_path / "news.jsonl", "\n".join(lines))


def test_date_range_rules():
    assert day_key("2024-06-21") == 20240621 and day_key(None) is None
    week = DateRange.week_before("2023-06-21")
    assert (week.since, week.until) == ("2023-06-14", "2023-06-21")
    assert week.contains("2023-06-20") and not week.contains("2023-06-22")
    assert not week.contains(None) and DateRange().contains(None)
    assert DateRange(since="2023-01-01").chroma_where() == {"published_day": {"$gte": 20230101}}
    assert DateRange().chroma_where() is None


def test_typed_dates_parse_in_one_place():
    assert parse_date(" 21 June 2024 ") == "2024-06-21" and parse_date("  ") is None
    assert DateRange.parse("2023-06-01", "") == DateRange("2023-06-01", None)
    with pytest.raises(DateError, match="published on or before: 'soon' is not a date"):
        DateRange.parse("2023-06-01", "soon")
    assert issubclass(DateError, UserError)


def test_answers_only_cite_documents_in_the_range(settings, fake_embedder, tmp_path):
    build_indexer(settings, embedder=fake_embedder).index([_corpus(tmp_path)])
    assistant = build_assistant(settings, embedder=fake_embedder)
    question = "What did the city council approve for the harbour bridge?"
    everything = assistant.ask(question)
    assert (
        len({c.doc_id for c in everything.citations} | {r.doc_id for r in everything.retrieved})
        == 3
    )
    recent = assistant.ask(question, dates=DateRange(since="2023-01-01"))
    assert {r.doc_id for r in recent.retrieved} == {c.doc_id for c in recent.citations}
    assert all("budget" in c.quote for c in recent.citations) and recent.citations
    older = assistant.ask(question, dates=DateRange(until="2022-12-31"))
    assert all("plan" in c.quote for c in older.citations) and older.citations
    boosted = assistant.retriever.retrieve(
        question,
        fake_embedder.embed([question])[0],
        3,
        dates=DateRange(since="2023-01-01"),
        date_boost=True,
    )
    assert len(boosted) == 3  # boost keeps the others, just lower


def test_cli_since_until(fake_embedder, tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["index", str(_corpus(tmp_path))]).exit_code == 0
    result = runner.invoke(
        main, ["ask", "What did the council approve?", "--since", "2023-06-01", "--json"]
    )
    answer = json.loads(result.output)
    assert answer["citations"] and all("budget" in c["quote"] for c in answer["citations"])
    bad = runner.invoke(main, ["ask", "What?", "--until", "last year"])
    assert bad.exit_code == 2 and "is not a date" in bad.output


def test_vectorised_mask_agrees_with_contains():
    import numpy as np

    published = ["2023-06-14", "2023-06-21", "2023-06-22", None, "2022-01-01"]
    days = np.array([day_key(p) or 0 for p in published])
    for dates in (DateRange.week_before("2023-06-21"), DateRange(since="2023-01-01"), DateRange()):
        assert dates.mask(days).tolist() == [float(dates.contains(p)) for p in published]
