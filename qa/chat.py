"""A conversation: follow-up questions are answered in the light of the earlier ones."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from qa.answer import Answer, StreamEvent, final_answer
from qa.assistant import Assistant
from qa.request import Request
from qa.turn import PreviousTurn


class ChatSession:
    def __init__(self, assistant: Assistant):
        self.assistant = assistant
        self.turns: list[Answer] = []

    @property
    def standalone_questions(self) -> list[str]:
        return [turn.standalone_question for turn in self.turns]

    def ask(self, question: str, **options: Any) -> Answer:
        """Answer the next question; `options` are the other fields of a `Request`."""
        return final_answer(self.stream(Request(question, **options)))

    def stream(self, request: Request) -> Iterator[StreamEvent]:
        """The events of the next answer; the conversation is this session's."""
        previous = PreviousTurn.of(self.turns[-1]) if self.turns else None
        request = replace(request, conversation=tuple(self.standalone_questions), previous=previous)
        for event in self.assistant.stream(request):
            if event.kind == "answer" and event.answer is not None:
                self.turns.append(event.answer)
            yield event

    def reset(self) -> None:
        self.turns.clear()
