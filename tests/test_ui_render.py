"""The web app's HTML: everything escaped, citations clickable, highlights character-exact."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from qa.answer import Answer, AnswerSentence, Citation, Passage
from qa.retrieval import RetrievedChunk
from ui.html import escape, link, safe_url
from ui.render import (
    PendingTurn,
    render_answer_text,
    render_conversation,
    render_details,
    render_pending,
    render_turn,
)
from ui.render_source import context_bounds, render_source

HOSTILE = '<script>alert(1)</script><img src="https://evil.example/x.png" onerror="alert(2)">'


class Tags(HTMLParser):
    """The tags, attributes and text of a piece of HTML, as a browser would parse them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.marked: list[str] = []
        self.text = ""
        self._in_mark = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "mark":
            self._in_mark += 1
            self.marked.append("")

    def handle_endtag(self, tag):
        if tag == "mark":
            self._in_mark -= 1

    def handle_data(self, data):
        self.text += data
        if self._in_mark:
            self.marked[-1] += data

    def names(self) -> set[str]:
        return {tag for tag, _ in self.tags}

    def attributes(self) -> set[str]:
        return {name for _, attrs in self.tags for name in attrs}


def _answer(**overrides) -> Answer:
    citations = [
        Citation(1, "doc1", "/data/a.txt", "Title A", 0, 5, "Alpha"),
        Citation(2, "doc2", "/data/b.txt", "Title B", 10, 14, "Beta"),
    ]
    fields = dict(
        question="Who?",
        standalone_question="Who?",
        answer="Alpha is here. [1] Beta too. [2]",
        refused=False,
        mode="extractive",
        citations=citations,
        sentences=[
            AnswerSentence("Alpha is here.", [1], True),
            AnswerSentence("Beta too.", [2], True),
        ],
        timings_ms={"dense": 1.5, "total": 9.0},
        retrieved=[RetrievedChunk("c1", "doc1", 0, 50, 0.03, dense_rank=1, dense_similarity=0.8)],
    )
    fields.update(overrides)
    return Answer(**fields)


def test_escape_leaves_no_markup_and_keeps_carriage_returns():
    parsed = Tags(f"<p>{escape(HOSTILE)}</p>")
    assert parsed.names() == {"p"}
    assert escape("a\r\nb") == "a&#13;\nb"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:x",
        "//evil.example/path",
        "https://exa mple.com",
        "https://example.com/\nx",
        "",
        None,
    ],
)
def test_unsafe_urls_are_not_links(url):
    assert safe_url(url) is None
    assert "<a " not in link(url, "title")


def test_http_urls_become_external_links():
    html = link("https://example.com/a?b=1&c=2", "T")
    (tag, attrs) = Tags(html).tags[0]
    assert tag == "a" and attrs["href"] == "https://example.com/a?b=1&c=2"
    assert "noopener" in attrs["rel"] and attrs["target"] == "_blank"


def test_answer_has_a_citation_button_per_marker():
    parsed = Tags(render_answer_text(_answer(), turn=3, show_unverified=False))
    buttons = [attrs for tag, attrs in parsed.tags if tag == "button"]
    assert [(b["data-turn"], b["data-n"]) for b in buttons] == [("3", "1"), ("3", "2")]
    assert all(b["class"] == "qa-cite" for b in buttons)


def test_model_output_and_titles_are_escaped_everywhere():
    answer = _answer(
        question=HOSTILE,
        standalone_question=HOSTILE + " again",
        answer=HOSTILE,
        citations=[Citation(1, "d", HOSTILE, HOSTILE, 0, 3, HOSTILE)],
        sentences=[AnswerSentence(HOSTILE, [1], True), AnswerSentence(HOSTILE, [], False)],
    )
    answer.notes, answer.unsupported = [HOSTILE], [HOSTILE]
    parsed = Tags(render_turn(answer, 0, show_unverified=True))
    assert not parsed.names() & {"script", "img", "iframe", "a", "style"}
    assert not {a for a in parsed.attributes() if a.startswith("on")}
    assert "src" not in parsed.attributes()


def test_unverified_sentences_are_hidden_or_marked():
    answer = _answer(
        sentences=[
            AnswerSentence("Alpha is here.", [1], True),
            AnswerSentence("Gamma was invented.", [], False),
        ]
    )
    hidden = render_answer_text(answer, 0, show_unverified=False)
    assert "Gamma" not in hidden and "Alpha is here." in hidden
    shown = render_answer_text(answer, 0, show_unverified=True)
    assert "Gamma was invented." in shown
    assert 'class="qa-sentence qa-unverified"' in shown and "unverified</span>" in shown


def test_a_refusal_shows_the_closest_passages_as_clickable():
    answer = _answer(
        answer="Not found in the documents.",
        refused=True,
        citations=[],
        sentences=[],
        closest=[Passage("doc9", "/d/x.txt", "Close <one>", 3, 9, "nearby <b>", 0.21)],
    )
    html = render_answer_text(answer, 1, show_unverified=False)
    parsed = Tags(html)
    assert "Not found in the documents." in html and "nearby &lt;b&gt;" in html
    passages = [a for tag, a in parsed.tags if tag == "button"]
    assert passages == [{"type": "button", "class": "qa-passage", "data-turn": "1",
                         "data-closest": "0"}]  # fmt: skip


def test_the_standalone_question_is_shown_only_when_it_differs():
    same = render_turn(
        _answer(question="Who  was it?", standalone_question="Who was it?"), 0, False
    )
    assert "understood as" not in same
    follow_up = render_turn(
        _answer(question="Why?", standalone_question="Why was Zinoviev summoned?"), 1, False
    )
    assert "understood as: Why was Zinoviev summoned?" in follow_up


def test_details_show_mode_timings_and_retrieval_scores():
    html = render_details(_answer())
    assert html.startswith('<details class="qa-details">')
    assert "extractive" in html and "1.5 ms" in html and "Title A" in html and "0.8" in html


def test_empty_conversation_explains_what_to_do():
    assert "click its <b>[n]</b>" in render_conversation([], False)


TEXT = "Intro <b>bold</b> & more.\r\nThe cited span: «Zinoviev» <script>x</script>.\nTail text."


def _span(start: int, end: int, quote: str | None = None) -> Citation:
    return Citation(
        1, "doc1", "/data/a.txt", "T", start, end, TEXT[start:end] if quote is None else quote
    )


@pytest.mark.parametrize("start,end", [(0, 5), (27, 73), (len(TEXT) - 10, len(TEXT)), (6, 17)])
def test_the_highlight_is_exactly_the_cited_characters(start, end):
    parsed = Tags(render_source("[1]", _span(start, end), None, TEXT))
    assert parsed.marked == [TEXT[start:end]]
    mark = next(attrs for tag, attrs in parsed.tags if tag == "mark")
    assert (mark["data-start"], mark["data-end"], mark["data-doc"]) == (
        str(start),
        str(end),
        "doc1",
    )
    assert "script" not in parsed.names()


def test_context_is_cut_at_whitespace_around_the_span():
    text = "word " * 400 + "CITED" + " word" * 400
    start = text.index("CITED")
    left, right = context_bounds(text, start, start + 5, context=50)
    assert 0 < left < start and right > start + 5 and right < len(text)
    assert text[left - 1] == " " and text[right] == " "
    assert context_bounds("short", 1, 3) == (0, 5)


def test_a_changed_or_removed_document_shows_the_quote_with_a_notice():
    changed = render_source("[1]", _span(0, 5, quote="Other"), None, TEXT)
    assert "changed since this answer" in changed and "<mark" not in changed
    removed = render_source("[1]", _span(0, 5), None, None)
    assert "no longer in the collection" in removed and "Intro" in removed


def test_the_source_panel_shows_title_url_and_date():
    class Info:
        title = "Pact <news>"
        url = "https://example.com/article"
        published = "2024-06-21"

    html = render_source("[1]", _span(0, 5), Info(), TEXT)
    assert "Pact &lt;news&gt;" in html and "published 2024-06-21" in html
    assert 'href="https://example.com/article"' in html and "characters 0–5" in html


# The only elements the renderers ever write; a payload must never add one, nor an attribute
# that runs script or loads anything.
OUR_TAGS = {"div", "p", "span", "button", "b", "details", "summary", "table", "tr", "th", "td"}
OUR_TAGS |= {"ul", "ol", "li", "blockquote", "mark", "code", "a"}


def _every_panel(payload: str, url: str) -> str:
    from types import SimpleNamespace

    from ui.render_docs import render_documents, render_index_summary

    cited = Citation(1, payload, payload, payload, 0, len(payload), payload)
    answer = _answer(
        question=payload,
        standalone_question=payload + " again",
        answer=f"{payload} [1]",
        citations=[cited],
        sentences=[AnswerSentence(f"{payload} [1]", [1], True), AnswerSentence(payload, [], False)],
        closest=[Passage(payload, payload, payload, 0, len(payload), payload, 0.5)],
    )
    answer.notes, answer.unsupported = [payload], [payload]
    refused = _answer(answer=payload, refused=True, closest=answer.closest)
    info = SimpleNamespace(
        id=payload,
        title=payload,
        url=url,
        published=payload,
        sources=[payload],
        chunk_count=1,
        added_at=None,
    )
    summary = SimpleNamespace(
        added=0,
        chunks=0,
        unchanged=0,
        duplicates=0,
        removed=0,
        failed=[(payload, payload)],
        skipped=[(payload, payload)],
    )
    return "".join(
        [
            render_turn(answer, 0, show_unverified=True, doc_titles={payload: payload}),
            render_turn(refused, 1, show_unverified=True),
            render_pending(PendingTurn(payload, payload, payload)),
            render_source(payload, cited, info, payload),
            render_documents([info]),
            render_index_summary(summary, [(payload, payload)]),
        ]
    )


def _hostile_cases():
    from tests.hostile.web_payloads import TEMPLATES, hostile_url, payloads

    for n, payload in enumerate(payloads("http://127.0.0.1:9")):
        yield pytest.param(payload, hostile_url(n), id=TEMPLATES[n][0])


@pytest.mark.parametrize("payload,url", list(_hostile_cases()))
def test_web_payloads_render_as_text_in_every_panel(payload, url):
    parsed = Tags(_every_panel(payload, url))
    assert parsed.names() <= OUR_TAGS
    assert not {a for a in parsed.attributes() if a.startswith("on")}
    assert not parsed.attributes() & {"src", "srcdoc", "style", "action", "formaction"}
    assert all(
        attrs["href"].startswith(("http://", "https://"))
        for tag, attrs in parsed.tags
        if tag == "a"
    )
    assert payload in parsed.text  # shown as the very characters it is


def test_the_short_answer_comes_first_bold_and_clickable_with_the_confidence_in_words():
    from qa.answer import ShortAnswer

    answer = _answer(
        short_answer=ShortAnswer("Alp<ha", "doc1", 0, 3, "Alp<ha", 0.8), confidence=0.91
    )
    html = render_answer_text(answer, 0, show_unverified=False)
    parsed = Tags(html)
    buttons = [attrs for tag, attrs in parsed.tags if tag == "button"]
    assert buttons[0]["data-short"] == "1" and buttons[0]["data-turn"] == "0"
    assert parsed.text.startswith("Alp<ha") and "likely in the documents" in parsed.text
    assert "<b>Alp&lt;ha</b>" in html  # escaped
    weak = Tags(render_answer_text(_answer(confidence=0.5), 0, show_unverified=False))
    assert "weak evidence" in weak.text
