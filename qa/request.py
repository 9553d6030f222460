"""What one question asks of the assistant: the question, the conversation before it, and the
options of this request (an option left None takes the settings' value)."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Literal

if typing.TYPE_CHECKING:
    from index.dates import DateRange
    from qa.turn import PreviousTurn

# "auto": generate when an LLM is available, else extractive.
AnswerMode = Literal["auto", "extractive", "generate"]
ANSWER_MODES: tuple[str, ...] = typing.get_args(AnswerMode)


@dataclass(frozen=True)
class Request:
    question: str
    conversation: tuple[str, ...] = ()  # the earlier standalone questions, oldest first
    previous: PreviousTurn | None = None  # the last turn, so a follow-up can be rewritten
    mode: str | None = None
    top_k: int | None = None  # chunks to read evidence from
    dates: DateRange | None = None  # only documents published in this range
    show_unverified: bool | None = None  # keep unsupported generated sentences, marked
