"""Score one answered item: the per-item row every summary number is computed from.

The scorer sees passages (retrieved chunks, cited spans) as document key + character span + the
file names the document came from, so the same rules score our assistant and a baseline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import PurePath
from typing import Any

from evals import metrics
from evals.schema import EvalItem
from evals.spans import locate


@dataclass
class Passage:
    """A retrieved chunk or a cited span: `text == document_text(doc)[start:end]`."""

    doc: str
    start: int
    end: int
    text: str
    sources: list[str] = field(default_factory=list)  # paths or file names of the document


@dataclass
class Response:
    """What a system said for one item, in the terms the metrics need."""

    answer: str
    refused: bool
    retrieved: list[Passage] = field(default_factory=list)  # ranked, best first
    citations: list[Passage] = field(default_factory=list)
    sentences: list[tuple[bool, bool]] = field(default_factory=list)  # (has citation, supported)
    standalone_question: str = ""
    mode: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)
    evidence_score: float | None = None  # the confidence compared with the refusal threshold
    short_answer: str | None = None  # the phrase shown first, when the system gives one


@dataclass
class ItemResult:
    id: str
    question: str
    conversation: list[str]
    answerable: bool
    answers: list[str]
    must_mention: list[str]
    standalone_question: str = ""
    mode: str = ""
    answer: str = ""
    refused: bool = False
    correct: bool = False  # answerable: answered and accurate; unanswerable: refused
    wrong: bool = False  # answered, and not correct
    f1: float = 0.0
    first_hit: int | None = None  # rank of the first relevant retrieved chunk (answerable only)
    retrieved: int = 0
    sentences: int = 0
    cited_sentences: int = 0
    unsupported_sentences: int = 0
    citations: list[dict[str, Any]] = field(default_factory=list)  # with "correct" per citation
    evidence_score: float | None = None
    short_answer: str | None = None
    short_em: float | None = None  # SQuAD exact match of the short answer (answerable items)
    short_f1: float | None = None  # SQuAD token F1 of the short answer (answerable items)
    timings_ms: dict[str, float] = field(default_factory=dict)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class GoldMatcher:
    """Whether a passage holds an item's gold answer: it contains a gold answer string or
    overlaps a gold evidence passage (located in the document text), and it comes from one of
    the gold `sources` when the item names any (file names; compared by base name)."""

    def __init__(self, item: EvalItem, document_text: Callable[[str], str]):
        self._item = item
        self._document_text = document_text
        self._evidence: dict[str, list[metrics.Span]] = {}

    def relevant(self, passage: Passage) -> bool:
        if not self._item.answerable:
            return False
        if self._item.sources and not _from_sources(passage.sources, self._item.sources):
            return False
        if metrics.contains_any(passage.text, self._item.answers):
            return True
        span = (passage.start, passage.end)
        return any(metrics.overlaps(span, gold) for gold in self._evidence_spans(passage.doc))

    def _evidence_spans(self, doc: str) -> list[metrics.Span]:
        if doc not in self._evidence:
            text = self._document_text(doc)
            self._evidence[doc] = [s for p in self._item.evidence for s in locate(p, text)]
        return self._evidence[doc]


def _from_sources(paths: list[str], gold_names: list[str]) -> bool:
    names = {PurePath(path.split("#")[0]).name for path in paths}
    return bool(names & {PurePath(name).name for name in gold_names})


def score_item(
    item: EvalItem, response: Response, document_text: Callable[[str], str]
) -> ItemResult:
    """The row for one item; see `evals.metrics` for the definitions."""
    matcher = GoldMatcher(item, document_text)
    if item.answerable:
        answered_correctly = not response.refused and metrics.answer_correct(
            response.answer, item.answers, item.must_mention
        )
        f1 = 0.0 if response.refused else metrics.best_token_f1(response.answer, item.answers)
        first_hit = metrics.first_relevant_rank([matcher.relevant(p) for p in response.retrieved])
    else:
        # SQuAD 2.0 convention: on an unanswerable item, abstaining is the exact answer.
        answered_correctly = response.refused
        f1 = 1.0 if response.refused else 0.0
        first_hit = None
    short_em = short_f1 = None
    if item.answerable:  # refused, or no short answer: scored 0, as SQuAD scores a blank
        shown = "" if response.refused else (response.short_answer or "")
        short_em = float(any(metrics.exact_match(shown, a) for a in item.answers))
        short_f1 = metrics.best_token_f1(shown, item.answers) if shown else 0.0
    citations = [
        {
            "doc": c.doc,
            "source": c.sources[0] if c.sources else "",
            "start": c.start,
            "end": c.end,
            "quote": c.text,
            "correct": matcher.relevant(c),
        }
        for c in response.citations
    ]
    return ItemResult(
        **_item_fields(item),
        standalone_question=response.standalone_question,
        mode=response.mode,
        answer=response.answer,
        refused=response.refused,
        correct=answered_correctly,
        wrong=metrics.is_wrong(response.refused, answered_correctly),
        f1=round(f1, 4),
        first_hit=first_hit,
        retrieved=len(response.retrieved),
        sentences=len(response.sentences),
        cited_sentences=sum(cited for cited, _ in response.sentences),
        unsupported_sentences=sum(not supported for _, supported in response.sentences),
        citations=citations,
        evidence_score=response.evidence_score,
        short_answer=response.short_answer,
        short_em=short_em,
        short_f1=None if short_f1 is None else round(short_f1, 4),
        timings_ms=dict(response.timings_ms),
    )


def error_result(item: EvalItem, error: str) -> ItemResult:
    """The row of an item the system failed on; it is counted, never scored."""
    return ItemResult(**_item_fields(item), error=error)


def _item_fields(item: EvalItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "question": item.question,
        "conversation": list(item.conversation),
        "answerable": item.answerable,
        "answers": list(item.answers),
        "must_mention": list(item.must_mention),
    }
