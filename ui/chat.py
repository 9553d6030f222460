"""The Chat tab's event handlers: stream an answer, open a cited passage, start over."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import gradio as gr

from index.dates import DateRange
from index.errors import UserError
from qa.assistant import validate_question
from qa.request import Request
from ui.backend import Backend
from ui.errors import describe
from ui.html import message
from ui.render import PendingTurn, render_conversation
from ui.render_source import EMPTY_SOURCE, render_source


class ChatPanel:
    """Handlers bound to one backend; the conversation (a `qa.chat.ChatSession`) lives in the
    browser session's gr.State and is created on the first question."""

    def __init__(self, backend: Backend):
        self.backend = backend
        self._titles: dict[str, str] = {}  # of retrieved documents, for the answer details

    def respond(
        self,
        question: str,
        session: Any,
        mode: str,
        top_k: float,
        show_unverified: bool,
        since: str = "",
        until: str = "",
    ) -> Iterator[tuple[str, str, Any, str]]:
        """Yields (conversation HTML, status HTML, session, question box) as the answer grows."""
        session = session or self.backend.new_session()
        try:  # before the question is echoed: a 100 KB paste gets one line, not a page of it
            validate_question(question, self.backend.settings.max_question_chars)
        except UserError as exc:
            yield self._render(session, show_unverified), message(describe(exc)), session, question
            return
        pending = PendingTurn(question)
        yield self._render(session, show_unverified, pending), "", session, ""
        try:
            request = Request(
                question,
                mode=mode,
                top_k=int(top_k),
                show_unverified=bool(show_unverified),
                dates=DateRange.parse(since, until),
            )
            for event in session.stream(request):
                if event.kind == "standalone":
                    pending.standalone = event.text
                elif event.kind == "token":
                    pending.draft += event.text
                else:
                    continue  # the final answer: the session has recorded it as a turn
                yield self._render(session, show_unverified, pending), "", session, ""
        except UserError as exc:
            yield self._render(session, show_unverified), message(describe(exc)), session, question
            return
        # Only now: the backend's thread was busy with the answer until here.
        retrieved = {chunk.doc_id for chunk in session.turns[-1].retrieved}
        self._titles.update(self.backend.titles(retrieved - self._titles.keys()))
        yield self._render(session, show_unverified), "", session, ""

    def rerender(self, session: Any, show_unverified: bool) -> str:
        return self._render(session, show_unverified)

    def _render(
        self, session: Any, show_unverified: bool, pending: PendingTurn | None = None
    ) -> str:
        turns = session.turns if session else []
        return render_conversation(turns, show_unverified, pending, self._titles)

    def open_source(self, session: Any, event: gr.EventData) -> str:
        """The source panel for the clicked [n] (or closest passage) of an answer."""
        data = {key: getattr(event, key, None) for key in ("turn", "n", "closest", "short")}
        found = self._span(session, data)
        if found is None:
            return EMPTY_SOURCE
        label, span = found
        info, text = self.backend.document(span.doc_id)
        return render_source(label, span, info, text)

    def reset(self, session: Any) -> tuple[str, str, str, Any]:
        if session is not None:
            session.reset()
        return render_conversation([], False), EMPTY_SOURCE, "", session

    @staticmethod
    def _span(session: Any, data: dict) -> tuple[str, Any] | None:
        """(label, the clicked Citation or closest Passage)."""
        try:
            answer = session.turns[int(data["turn"])]
            if data.get("short") is not None:
                return "short answer", short_answer_span(answer)
            if data.get("n") is not None:
                citation = next(c for c in answer.citations if c.n == int(data["n"]))
                return f"[{citation.n}]", citation
            i = int(data["closest"])
            passage = answer.closest[i]
            return f"closest passage {i + 1} (score {passage.score:.2f})", passage
        except (AttributeError, KeyError, IndexError, StopIteration, TypeError, ValueError):
            return None  # a stale click (the conversation was reset) or a malformed event


def short_answer_span(answer: Any) -> Any:
    """The short answer as a span to show: the citation of the sentence it comes from, narrowed
    to the phrase."""
    short = answer.short_answer
    sentence = next(
        c
        for c in answer.citations
        if c.doc_id == short.doc_id and c.start <= short.start and short.end <= c.end
    )
    return dataclasses.replace(sentence, start=short.start, end=short.end, quote=short.quote)
