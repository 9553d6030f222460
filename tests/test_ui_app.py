"""The web app's handlers, called directly, on a real collection built with the hash embedder."""

from __future__ import annotations

import os
import threading
from html.parser import HTMLParser
from types import SimpleNamespace

import gradio as gr
import pytest

from qa.answer import Answer, StreamEvent
from tests.fakes import HashEmbedder
from tests.test_ui_render import Tags
from ui.backend import Backend
from ui.chat import ChatPanel
from ui.documents import DocumentsPanel
from ui.render_source import EMPTY_SOURCE

QUESTION = "Who was summoned and why?"


def no_progress(*args, **kwargs) -> None:
    pass


@pytest.fixture
def backend(settings):
    backend = Backend(settings.model_copy(update={"answer_mode": "extractive"}), HashEmbedder())
    backend.start(warm_up=False)
    yield backend
    backend.stop()


@pytest.fixture
def indexed(backend, sample_dir):
    list(backend.index(sorted(sample_dir.glob("*.txt"))))
    return backend


def ask(chat: ChatPanel, question: str, session=None, show_unverified=False) -> list[tuple]:
    return list(chat.respond(question, session, "extractive", 6, show_unverified))


def click(chat: ChatPanel, session, **data) -> str:
    return chat.open_source(session, gr.EventData(None, data))


def test_an_answer_streams_then_shows_clickable_citations(indexed):
    chat = ChatPanel(indexed)
    steps = ask(chat, QUESTION)
    assert "searching the documents" in steps[0][0] and steps[0][3] == ""
    conversation, status, session, box = steps[-1]
    assert status == "" and box == ""
    assert "Zinoviev" in conversation and 'class="qa-cite" data-turn="0" data-n="1"' in conversation
    assert len(session.turns) == 1
    # The details name every retrieved document, cited or not.
    for row in session.turns[0].retrieved:
        assert f"<td>{row.doc_id[:12]}</td>" not in conversation
    assert conversation.count("<td>South Korea summons Russian ambassador") >= 1


def test_clicking_a_citation_highlights_exactly_its_quote(indexed):
    chat = ChatPanel(indexed)
    session = ask(chat, QUESTION)[-1][2]
    for citation in session.turns[0].citations:
        panel = Tags(click(chat, session, turn=0, n=citation.n, closest=None))
        _, text = indexed.document(citation.doc_id)
        assert panel.marked == [citation.quote] == [text[citation.start : citation.end]]


def test_a_follow_up_shows_the_question_it_was_understood_as(indexed):
    chat = ChatPanel(indexed)
    session = ask(chat, QUESTION)[-1][2]
    conversation = ask(chat, "And why?", session)[-1][0]
    assert conversation.count('class="qa-turn"') == 2
    assert "understood as:" in conversation


def test_a_refusal_offers_the_closest_passages(indexed):
    chat = ChatPanel(indexed)
    conversation, _, session, _ = ask(chat, "What is the boiling point of mercury in kelvin?")[-1]
    assert "Not found in the documents." in conversation and 'data-closest="0"' in conversation
    panel = click(chat, session, turn=0, n=None, closest=0)
    passage = session.turns[0].closest[0]
    assert "closest passage 1" in panel and Tags(panel).marked == [passage.quote]


@pytest.mark.parametrize(
    "question,expected",
    [("   ", "the question is empty"), ("why " * 600, "the question is too long")],
)
def test_a_bad_question_is_one_plain_line_and_is_kept(indexed, question, expected):
    conversation, status, session, box = ask(ChatPanel(indexed), question)[-1]
    assert (
        expected in status and "Traceback" not in status and 'class="qa-message qa-error"' in status
    )
    assert box == question and session.turns == []


def test_an_empty_collection_points_to_the_documents_tab(backend):
    status = ask(ChatPanel(backend), QUESTION)[-1][1]
    assert "No documents are indexed yet: add some in the Documents tab." in status


def test_handlers_work_from_any_thread(indexed):
    """Gradio calls handlers on pool threads; SQLite objects belong to the thread that made
    them, so the backend must do the qa work on its own thread."""
    results = []
    chat = ChatPanel(indexed)
    for _ in range(2):
        thread = threading.Thread(target=lambda: results.append(ask(chat, QUESTION)[-1]))
        thread.start()
        thread.join()
    assert [r[1] for r in results] == ["", ""] and all("qa-cite" in r[0] for r in results)


def test_a_new_conversation_forgets_the_old_one(indexed):
    chat = ChatPanel(indexed)
    session = ask(chat, QUESTION)[-1][2]
    conversation, source, status, session = chat.reset(session)
    assert session.turns == [] and source == EMPTY_SOURCE and "qa-turn" not in conversation
    assert click(chat, session, turn=0, n=1, closest=None) == EMPTY_SOURCE  # a stale click
    assert ask(chat, "And why?", session)[-1][0].count("understood as") == 0


class ScriptedBackend:
    """Stands in for the backend in generate mode: a session whose draft streams, then the
    verified answer."""

    settings = SimpleNamespace(max_question_chars=2000)

    class Session:
        def __init__(self):
            self.turns = []

        def stream(self, request):
            question = request.question
            yield StreamEvent("standalone", text=question)
            for piece in ["<b>Zinoviev", " was", " summoned."]:
                yield StreamEvent("token", text=piece)
            answer = Answer(question, question, "Zinoviev was summoned.", False, "generate")
            self.turns.append(answer)
            yield StreamEvent("answer", answer=answer)

    def new_session(self):
        return self.Session()

    def titles(self, doc_ids):
        return {}


def test_a_streamed_draft_is_shown_escaped_then_replaced():
    steps = ask(ChatPanel(ScriptedBackend()), "Who?")
    drafts = [s[0] for s in steps if "qa-draft" in s[0]]
    assert len(drafts) == 3 and "&lt;b&gt;Zinoviev was summoned." in drafts[-1]
    assert "<b>Zinoviev" not in "".join(drafts)
    assert "qa-draft" not in steps[-1][0] and "Zinoviev was summoned." in steps[-1][0]


# --- Documents tab --------------------------------------------------------------------------


def doc_count(listing_html: str) -> int:
    class Count(HTMLParser):
        count = 0

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if "data-count" in attrs:
                self.count = int(attrs["data-count"])

    parser = Count()
    parser.feed(listing_html)
    return parser.count


@pytest.fixture
def docs(indexed):
    return DocumentsPanel(indexed, max_upload_bytes=2**20)


def upload(docs: DocumentsPanel, *paths) -> tuple:
    return docs.index_uploads([str(p) for p in paths], progress=no_progress)


def test_bad_uploads_are_listed_and_leave_the_collection_intact(docs, tmp_path):
    before = doc_count(docs.listing()[0])
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "empty.txt").write_bytes(b"")
    (incoming / "broken.pdf").write_bytes(b"\x00\x01 not a pdf \xff" * 50)
    (incoming / "tool.exe").write_bytes(b"MZ")
    (incoming / "big.txt").write_text("x" * (2**20 + 1))
    status, listing, picker, cleared = upload(docs, *sorted(incoming.iterdir()))
    for name, reason in [
        ("empty.txt", "empty file"),
        ("broken.pdf", "unreadable PDF"),
        ("tool.exe", "unsupported file type"),
        ("big.txt", "file is larger than 1 MB"),
    ]:
        assert f"<li><b>{name}</b>: {reason}" in status
    assert "Indexed 0 new document(s)" in status and "Traceback" not in status
    assert doc_count(listing) == before and cleared is None
    assert list(docs.backend.upload_dir.iterdir()) == []  # nothing bad is kept


def test_an_upload_is_indexed_listed_and_removable(docs, tmp_path):
    note = tmp_path / "notes.md"
    note.write_text("# Field notes\n\nThe ambassador was summoned on a Friday afternoon.\n")
    status, listing, picker, _ = upload(docs, note)
    assert "Indexed 1 new document(s)" in status and doc_count(listing) == 3
    assert "Field notes" in listing and (docs.backend.upload_dir / "notes.md").exists()
    new_id = next(value for label, value in picker["choices"] if label.startswith("Field notes"))
    status, listing, picker = docs.remove(new_id)
    assert f"Removed document {new_id}" in status and doc_count(listing) == 2
    assert not (docs.backend.upload_dir / "notes.md").exists()


def test_a_broken_new_version_keeps_the_old_one(docs, tmp_path):
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    (good / "notes.txt").write_text("The envoy was summoned to the ministry.\n")
    (bad / "notes.txt").write_bytes(b"")
    upload(docs, good / "notes.txt")
    status, listing, _, _ = upload(docs, bad / "notes.txt")
    assert "empty file" in status and doc_count(listing) == 3
    saved = docs.backend.upload_dir / "notes.txt"
    assert saved.read_text() == "The envoy was summoned to the ministry.\n"


def test_reindex_picks_up_changed_files(docs, tmp_path):
    note = tmp_path / "notes.txt"
    note.write_text("First version of the notes.\n")
    upload(docs, note)
    (docs.backend.upload_dir / "notes.txt").write_text("Second version, quite different.\n")
    status, listing, _ = docs.reindex(progress=no_progress)
    assert "Indexed 1 new document(s)" in status and "2 unchanged file(s)" in status
    assert "1 replaced or removed" in status and doc_count(listing) == 3


def test_removing_nothing_or_an_unknown_document_is_harmless(docs):
    assert "Choose a document" in docs.remove(None)[0]
    status, listing, _ = docs.remove("0000000000000000")
    assert "no longer in the collection" in status and doc_count(listing) == 2


# --- Evals tab ------------------------------------------------------------------------------


def test_an_eval_run_shows_the_summary_and_plot(indexed):
    from ui.evals_tab import EvalsPanel, bundled_sets

    sample = dict(bundled_sets())["sample"]
    status, summary, plot, files = EvalsPanel(indexed).run(
        sample, None, "extractive", 3, progress=no_progress
    )
    assert "Evaluated 3 item(s) of sample in extractive mode." in status
    assert "<td>hit@1</td>" in summary and "answer_accuracy" in summary
    assert plot.endswith("report.png") and os.path.getsize(plot) > 1000
    assert [os.path.basename(f) for f in files] == ["report.json", "report.md"]


def test_a_bad_eval_set_is_one_plain_line(indexed, tmp_path):
    from ui.evals_tab import EvalsPanel

    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    status, summary, plot, files = EvalsPanel(indexed).run(
        None, str(bad), "extractive", 0, progress=no_progress
    )
    assert "no valid item in eval set" in status and "Traceback" not in status
    assert (summary, plot, files) == ("", None, None)


def test_publication_date_filter(backend, tmp_path):
    import json

    corpus = tmp_path / "news.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps({"id": i, "title": f"Bridge {i}", "published": p, "text": t})
            for i, p, t in [
                ("old", "2022-03-01", "The council approved the bridge plan after a debate."),
                ("new", "2023-06-20", "The council approved the bridge budget in a vote."),
            ]
        )
    )
    list(backend.index([corpus]))
    chat = ChatPanel(backend)
    steps = list(
        chat.respond(
            "What did the council approve?", None, "extractive", 6, False, "2023-01-01", ""
        )
    )
    session = steps[-1][2]
    assert session.turns[-1].citations
    assert all("budget" in c.quote for c in session.turns[-1].citations)
    bad = list(chat.respond("What?", None, "extractive", 6, False, "", "soon"))
    assert "is not a date" in bad[-1][1] and bad[-1][3] == "What?"


def test_clicking_the_short_answer_highlights_exactly_the_phrase(indexed):
    chat = ChatPanel(indexed)
    session = ask(chat, QUESTION)[-1][2]
    short = session.turns[0].short_answer
    assert short is not None
    panel = Tags(click(chat, session, turn=0, short=1))
    _, text = indexed.document(short.doc_id)
    assert panel.marked == [short.quote] == [text[short.start : short.end]]
