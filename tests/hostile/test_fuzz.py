"""Property-based fuzzing (Hypothesis) of where untrusted input enters: the loaders, the chunker
and the eval-set parser. Each names the exceptions it may raise; anything else is a bug.

CI runs a short pass (60 examples per test, ~8 s). The long one (4000 per test: ~3 min on 2
shared cores, 18 passed when last run):
    flock /tmp/qa-heavy.lock env QA_FUZZ_EXAMPLES=4000 .venv/bin/python -m pytest \
        tests/hostile/test_fuzz.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from evals.schema import EvalSetError, load_eval_set, parse_eval_lines
from index.chunking import chunk_document
from index.cleaning import clean_document
from index.documents import LoadError, RawDocument
from index.loaders import SUPPORTED_TYPES, decode_text, load_file
from tests.files import make_docx, make_pdf

EXAMPLES = int(os.environ.get("QA_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the work tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# The only exceptions each entry point may raise on any input.
LOADER_ERRORS = (LoadError,)
CHUNKER_ERRORS = (LoadError,)  # from cleaning a text with nothing left in it
EVAL_FILE_ERRORS = (EvalSetError,)  # parse_eval_lines itself never raises

CONTROLS = set(map(chr, [*range(0, 9), 11, *range(14, 32), *range(127, 160)]))
HTML_PIECES = [
    "<html>", "<body>", "<article>", "</article>", "<p>", "</p>", "<div>", "</div>",
    "<script>", "</script>", "<!--", "-->", "<meta charset='utf-16'>", "<title>", "</title>",
    "&amp;", "&#0;", "&#x110000;", "&nbsp;", "<![CDATA[", "]]>", "<br/>", "\u202e", "\x00",
    "The council approved the bridge on Monday. ", "Construction starts in May.\n",
]  # fmt: skip


def _mutations(base: bytes) -> st.SearchStrategy[bytes]:
    """A valid file with random bytes overwritten, inserted or cut: deeper than random bytes."""

    def mutate(edits: list[tuple[int, int, bytes]], cut: int) -> bytes:
        data = bytearray(base)
        for position, kind, chunk in edits:
            position %= max(1, len(data))
            if kind == 0:
                data[position : position + len(chunk)] = chunk
            elif kind == 1:
                data[position:position] = chunk
            else:
                del data[position : position + len(chunk)]
        return bytes(data[: max(0, len(data) - cut)])

    edit = st.tuples(st.integers(0, 2**20), st.integers(0, 2), st.binary(min_size=1, max_size=16))
    return st.builds(mutate, st.lists(edit, max_size=8), st.integers(0, 64))


PDF = make_pdf(["Quarterly report.", "The council approved the bridge (finally)."])
DOCX = make_docx(["Annual report.", "The council approved the bridge."], title="Report")


def _check_loaded(path: Path, data: bytes) -> None:
    try:
        items = list(load_file(path, data))
    except LOADER_ERRORS as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    for item in items:
        assert isinstance(item, RawDocument | LoadError)
        if isinstance(item, RawDocument):
            assert isinstance(item.text, str) and item.text
            assert all(v is None or isinstance(v, str) for v in (item.title, item.url))
            assert not CONTROLS & set(item.text)
            try:
                clean_document(item)
            except LoadError:
                pass


@pytest.mark.parametrize("suffix", sorted(SUPPORTED_TYPES))
@FUZZ
@given(data=st.binary(max_size=4096))
def test_loaders_on_random_bytes(suffix, data):
    _check_loaded(Path(f"fuzz{suffix}"), data)


@FUZZ
@given(data=_mutations(PDF))
def test_pdf_loader_on_mutated_pdfs(data):
    _check_loaded(Path("fuzz.pdf"), data)


@FUZZ
@given(data=_mutations(DOCX))
def test_docx_loader_on_mutated_docx(data):
    _check_loaded(Path("fuzz.docx"), data)


@FUZZ
@given(
    pieces=st.lists(st.sampled_from(HTML_PIECES) | st.text(max_size=20), max_size=60),
    encoding=st.sampled_from(["utf-8", "utf-16", "utf-16-le", "latin-1"]),
)
def test_html_loader_on_tag_soup(pieces, encoding):
    _check_loaded(Path("fuzz.html"), "".join(pieces).encode(encoding, errors="replace"))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
RECORD_KEYS = ["id", "text", "title", "url", "published", "question", "answers", "answerable"]
RECORDS = st.dictionaries(st.sampled_from(RECORD_KEYS), JSON_VALUES | st.text(), max_size=8)
LINES = st.one_of(
    st.text(max_size=80),
    JSON_VALUES.map(json.dumps),
    RECORDS.map(json.dumps),
    st.sampled_from(["[" * 5000, "1" * 5000, '{"text": "\\ud800"}', "\ufeff{}", "\x00"]),
)


@FUZZ
@given(lines=st.lists(LINES, max_size=12))
def test_jsonl_loader_on_random_records(lines):
    _check_loaded(Path("fuzz.jsonl"), "\n".join(lines).encode("utf-8", errors="surrogatepass"))


@FUZZ
@given(text=st.text(alphabet=st.characters(exclude_categories=["Cs", "Cc"]), min_size=1))
def test_utf8_text_decodes_exactly(text):
    assume(text.strip())
    assert decode_text(text.encode("utf-8")) == text


@FUZZ
@given(
    text=st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=4),
    encoding=st.sampled_from(["utf-16-le", "utf-16-be"]),
)
def test_ascii_utf16_without_bom_decodes_exactly(text, encoding):
    assert decode_text(text.encode(encoding)) == text


def _word_tokens(texts: list[str]) -> list[int]:
    return [len(text.split()) for text in texts]


def _char_tokens(texts: list[str]) -> list[int]:  # long "words" cost more than the budget
    return [len(text) // 4 + 1 for text in texts]


TEXTS = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=3000),
    st.lists(
        st.sampled_from(["Mr. Smith went to Washington. ", "U.S. ", "Why?! ", "\n", "\n\n", " "])
        | st.text(max_size=40),
        max_size=80,
    ).map("".join),
)


@FUZZ
@given(
    text=TEXTS,
    max_tokens=st.integers(16, 200),
    overlap=st.integers(0, 3),
    counter=st.sampled_from([_word_tokens, _char_tokens]),
)
def test_chunker_offsets_are_exact_and_cover_the_text(text, max_tokens, overlap, counter):
    try:
        doc = clean_document(RawDocument(source="fuzz.txt", text=text))
    except CHUNKER_ERRORS:
        return
    chunks = chunk_document(doc, counter, max_tokens, overlap)
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert len({c.id for c in chunks}) == len(chunks)
    covered = bytearray(len(doc.text))
    for chunk in chunks:
        assert 0 <= chunk.start < chunk.end <= len(doc.text)
        assert chunk.text == doc.text[chunk.start : chunk.end]
        assert chunk.sentences and chunk.sentences[0].start == chunk.start
        assert chunk.sentences[-1].end == chunk.end
        for span in chunk.sentences:
            assert chunk.start <= span.start < span.end <= chunk.end
        covered[chunk.start : chunk.end] = b"\x01" * (chunk.end - chunk.start)
    assert [c.start for c in chunks] == sorted(c.start for c in chunks)
    missing = [i for i, ch in enumerate(doc.text) if not covered[i] and not ch.isspace()]
    assert not missing, f"characters outside every chunk: {missing[:10]}"


@FUZZ
@given(lines=st.lists(LINES, max_size=12))
def test_eval_parser_never_raises(lines):
    eval_set = parse_eval_lines(lines)  # no exception is expected, whatever the lines
    ids = [item.id for item in eval_set.items]
    assert len(ids) == len(set(ids)) and all(i.strip() for i in ids)
    assert all(1 <= error.line <= len(lines) for error in eval_set.errors)
    assert len(eval_set.items) + len(eval_set.errors) <= len(lines)
    for item in eval_set.items:
        assert item.question.strip() and isinstance(item.answerable, bool)
        assert bool(item.answers) == item.answerable


@FUZZ
@given(data=st.binary(max_size=2048) | st.lists(LINES, max_size=6).map(lambda x: "\n".join(x)))
def test_eval_file_loader_raises_only_eval_set_errors(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("eval") / "set.jsonl"
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogatepass")
    path.write_bytes(data)
    try:
        eval_set = load_eval_set(path)
    except EVAL_FILE_ERRORS as exc:
        assert "\n" not in str(exc).strip() or "line" in str(exc)
        return
    assume(eval_set.items)
