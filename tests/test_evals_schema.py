"""The eval-set validator: bad lines become errors with line and field; good lines run."""

import json

import pytest

from evals.schema import EvalSetError, load_eval_set, parse_eval_lines

GOOD = {"id": "q1", "question": "Who was summoned?", "answers": ["Zinoviev"], "answerable": True}


def line(**changes):
    record = {**GOOD, **changes}
    return json.dumps({k: v for k, v in record.items() if v is not ...})


@pytest.mark.parametrize(
    "bad, field, message",
    [
        ('{"id": "x", "question": ', None, "not valid JSON"),
        ("[1, 2]", None, "expected a JSON object"),
        (line(id=...), "id", "required"),
        (line(id=""), "id", "required"),
        (line(question="   "), "question", "required"),
        (line(answers=...), "answers", "required"),
        (line(answers="Zinoviev"), "answers", "must be a list of strings"),
        (line(answers=["Zinoviev", 3]), "answers", "entry 2"),
        (line(answerable="yes"), "answerable", "true or false"),
        (line(answers=[]), "answers", "at least one answer"),
        (line(answerable=False), "answers", "must be empty"),
        (line(conversation=["Who?", ""]), "conversation", "entry 2"),
        (line(sources="a.txt"), "sources", "must be a list"),
        (line(must_mention=["pact|"]), "must_mention", "empty alternative"),
    ],
)
def test_a_malformed_line_is_an_error_with_line_and_field(bad, field, message):
    result = parse_eval_lines([line(id="ok"), "", bad])
    assert [item.id for item in result.items] == ["ok"]
    (error,) = result.errors
    assert (error.line, error.field) == (3, field)
    assert message in error.message
    assert str(error).startswith("line 3")


def test_valid_lines_keep_optional_fields_and_ignore_extra_ones():
    result = parse_eval_lines(
        [
            line(
                id=7,
                conversation=["Who was summoned?"],
                evidence=["Kim told Zinoviev"],
                sources=["a.txt"],
                must_mention=["pact|treaty"],
                choices=["a", "b"],
                date="2024-06-21",
            ),
            line(id="u", answers=[], answerable=False),
        ]
    )
    assert result.errors == []
    first, second = result.items
    assert first.id == "7" and first.line == 1
    assert first.conversation == ["Who was summoned?"] and first.sources == ["a.txt"]
    assert first.must_mention == ["pact|treaty"] and first.evidence == ["Kim told Zinoviev"]
    assert second.answerable is False and second.answers == [] and second.conversation == []


def test_duplicate_ids_keep_the_first():
    result = parse_eval_lines([line(question="first"), line(question="second")])
    assert [i.question for i in result.items] == ["first"]
    assert result.errors[0].field == "id" and "duplicate" in result.errors[0].message


def test_whole_file_problems_raise_one_line_errors(tmp_path):
    with pytest.raises(EvalSetError, match="not found"):
        load_eval_set(tmp_path / "missing.jsonl")
    broken = tmp_path / "broken.jsonl"
    broken.write_text("not json\n" + line(answers="x") + "\n")
    with pytest.raises(EvalSetError, match="no valid item.*line 1"):
        load_eval_set(broken)
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(EvalSetError, match="cannot read"):
        load_eval_set(binary)


def test_load_names_the_set_after_the_file(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text(line() + "\nnot json\n")
    loaded = load_eval_set(path)
    assert loaded.name == "mine" and len(loaded.items) == 1 and loaded.errors[0].line == 2


def test_the_shipped_sample_set_is_valid_and_its_gold_strings_occur_in_the_articles():
    from evals.metrics import contains
    from evals.spans import locate
    from index.cleaning import clean_document
    from index.loaders import load_file
    from tests.conftest import SAMPLE_DIR

    texts = {
        path.name: clean_document(raw).text
        for path in sorted(SAMPLE_DIR.iterdir())
        for raw in load_file(path.resolve(), path.read_bytes())
    }
    loaded = load_eval_set(SAMPLE_DIR.parent.parent / "evals" / "sets" / "sample.jsonl")
    assert loaded.errors == [] and 20 <= len(loaded.items) <= 35
    assert sum(not item.answerable for item in loaded.items) >= 5
    assert sum(bool(item.conversation) for item in loaded.items) >= 3
    assert any("ignore all previous instructions" in i.question.lower() for i in loaded.items)
    for item in loaded.items:
        names = item.sources or list(texts)
        assert set(names) <= set(texts), item.id
        alternatives = [alt for group in item.must_mention for alt in group.split("|")]
        for gold in item.answers:
            assert any(contains(texts[n], gold) for n in names), (item.id, gold)
        if alternatives:
            assert any(contains(texts[n], alt) for n in names for alt in alternatives), item.id
        for passage in item.evidence:
            assert any(locate(passage, texts[n]) for n in names), (item.id, passage)
