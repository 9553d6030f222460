"""A conversation: follow-up questions are answered in the light of the earlier ones."""

from __future__ import annotations

from collections.abc import Iterator

from index.dates import DateRange
from qa.answer import Answer, StreamEvent, final_answer
from qa.assistant import Assistant


class ChatSession:
    def __init__(
        self, assistant: Assistant, mode: str | None = None, dates: DateRange | None = None
    ):
        self.assistant = assistant
        self.mode = mode
        self.dates = dates
        self.turns: list[Answer] = []

    @property
    def standalone_questions(self) -> list[str]:
        return [turn.standalone_question for turn in self.turns]

    def ask(self, question: str) -> Answer:
        return final_answer(self.stream(question))

    def stream(self, question: str) -> Iterator[StreamEvent]:
        previous = self.turns[-1].answer if self.turns else ""
        for event in self.assistant.stream(
            question, self.standalone_questions, self.mode, previous, self.dates
        ):
            if event.kind == "answer" and event.answer is not None:
                self.turns.append(event.answer)
            yield event

    def reset(self) -> None:
        self.turns.clear()
