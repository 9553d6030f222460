"""The previous turn of a conversation, as a follow-up needs it: what was said and what it rests on.

A follow-up's "he" is resolved from the previous question and answer (qa/mentions.py,
qa/references.py). The generated answer's own wording can name the wrong person (small models
mix up who did what), so the turn also keeps its *evidence*: the short answer the reader picked
and the sentence it is in, the quotes the answer cites, and, after a refusal, the closest
passages that were shown instead. Built from an `Answer` by `PreviousTurn.of`; the chat session
(qa/chat.py) passes it down in the next `Request`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qa.answer import Answer


@dataclass(frozen=True)
class ShortAnswerText:
    """The reader's short answer, as text: the phrase, its sentence and its probability."""

    text: str
    sentence: str
    probability: float


@dataclass(frozen=True)
class PreviousTurn:
    answer: str  # the answer's text, with its [n] markers
    refused: bool = False
    short_answer: ShortAnswerText | None = None
    quotes: tuple[str, ...] = ()  # the cited spans, in citation order
    closest: tuple[str, ...] = ()  # a refusal's closest passages, best first

    @classmethod
    def of(cls, answer: Answer) -> PreviousTurn:
        """The turn of a finished answer."""
        short = answer.short_answer
        return cls(
            answer.answer,
            answer.refused,
            None
            if short is None
            else ShortAnswerText(short.text, short.sentence, short.probability),
            tuple(c.quote for c in answer.citations),
            tuple(p.quote for p in answer.closest),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (benchmarks record it to score the rules again without the LLM)."""
        short = self.short_answer
        return {
            "answer": self.answer,
            "refused": self.refused,
            "short_answer": None if short is None else vars(short).copy(),
            "quotes": list(self.quotes),
            "closest": list(self.closest),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PreviousTurn:
        short = data.get("short_answer")
        return cls(
            data.get("answer", ""),
            bool(data.get("refused", False)),
            None if not short else ShortAnswerText(**short),
            tuple(data.get("quotes", ())),
            tuple(data.get("closest", ())),
        )
