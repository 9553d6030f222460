"""The answer a user sees: text with [n] markers, the cited spans, and per-sentence support."""

from __future__ import annotations

import typing
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

if typing.TYPE_CHECKING:
    from qa.retrieval import RetrievedChunk

REFUSAL = "Not found in the documents."
LIKELY = 0.7  # confidence from which an answer is called "likely in the documents"


def confidence_label(confidence: float, refused: bool) -> str:
    """The confidence in words a user understands."""
    if refused:
        return "not found in the documents"
    return "likely in the documents" if confidence >= LIKELY else "weak evidence: check the passage"


@dataclass
class Citation:
    n: int
    doc_id: str
    source: str
    title: str
    start: int
    end: int
    quote: str  # == document text[start:end]


@dataclass
class ShortAnswer:
    """The phrase that answers (a name, a date, a number), with its exact span."""

    text: str
    doc_id: str
    start: int
    end: int
    quote: str  # == document text[start:end] (== text)
    probability: float  # that this phrase is the answer (qa/reading/short_answer.py)
    sentence: str = ""  # the evidence sentence it was read from (document text)


@dataclass
class AnswerSentence:
    text: str
    citations: list[int]
    supported: bool


@dataclass
class Passage:
    """A retrieved passage shown beside a refusal so the user can check for themselves."""

    doc_id: str
    source: str
    title: str
    start: int
    end: int
    quote: str
    score: float


@dataclass
class Answer:
    question: str
    standalone_question: str
    answer: str
    refused: bool
    mode: str
    citations: list[Citation] = field(default_factory=list)
    sentences: list[AnswerSentence] = field(default_factory=list)
    closest: list[Passage] = field(default_factory=list)
    retrieved: list[RetrievedChunk] = field(default_factory=list)  # fused, best first
    timings_ms: dict[str, float] = field(default_factory=dict)
    # Probability that the documents answer (qa/reading); refused below the threshold.
    # `evidence_score` is the same number, under the name earlier versions gave it.
    confidence: float = 0.0
    evidence_score: float = 0.0
    short_answer: ShortAnswer | None = None
    draft: str = ""  # generate mode: the model's own text, before verification
    unsupported: list[str] = field(default_factory=list)  # generated sentences that were dropped
    unsupported_reasons: list[str] = field(default_factory=list)  # why, one per dropped sentence
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The object `qa ask --json` prints."""
        data = asdict(self)
        data["retrieved"] = [chunk.to_dict() for chunk in self.retrieved]
        return data


@dataclass
class StreamEvent:
    """One step of a streamed answer.

    kind "standalone": `text` is the rewritten standalone question (shown under a follow-up);
    kind "token": `text` is the next piece of the draft answer (generate mode only);
    kind "answer": `answer` is the final, verified answer, which replaces the draft.
    """

    kind: str
    text: str = ""
    answer: Answer | None = None


def final_answer(events: Iterable[StreamEvent]) -> Answer:
    """Run a stream to its end and return the verified answer."""
    answer = None
    for event in events:
        if event.kind == "answer":
            answer = event.answer
    if answer is None:
        raise RuntimeError("the answer stream ended without an answer")
    return answer
