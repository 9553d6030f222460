"""Run an eval set through the assistant: one scored row per item, then the summary.

`run_eval` is what `qa eval` and the UI's Evals tab call. Items run in set order, each follow-up in
a fresh chat session, so a rerun on the same collection gives the same rows (timings aside).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from evals import calibration
from evals.schema import EvalItem
from evals.scoring import ItemResult, Passage, Response, error_result, score_item
from evals.summary import summarise

ProgressCallback = Callable[[int, int], None]  # (items done, items in the run)


@dataclass
class EvalReport:
    meta: dict[str, Any]
    rows: list[ItemResult]
    summary: dict[str, Any]
    calibration: dict[str, Any] = field(default_factory=dict)
    set_errors: list[str] = field(default_factory=list)  # invalid lines of the set, skipped

    def to_dict(self) -> dict[str, Any]:
        return {
            "meta": self.meta,
            "summary": self.summary,
            "calibration": self.calibration,
            "set_errors": self.set_errors,
            "items": [row.to_dict() for row in self.rows],
        }


class DocumentLookup:
    """Document texts and source paths from the manifest, read once per document."""

    def __init__(self, manifest: Any):
        self._manifest = manifest
        self._texts: dict[str, str] = {}
        self._sources: dict[str, list[str]] = {}

    def text(self, doc_id: str) -> str:
        if doc_id not in self._texts:
            self._texts[doc_id] = self._manifest.text(doc_id) or ""
        return self._texts[doc_id]

    def sources(self, doc_id: str) -> list[str]:
        if doc_id not in self._sources:
            info = self._manifest.info(doc_id)
            self._sources[doc_id] = list(info.sources) if info else []
        return self._sources[doc_id]

    def passage(self, doc_id: str, start: int, end: int) -> Passage:
        return Passage(doc_id, start, end, self.text(doc_id)[start:end], self.sources(doc_id))


def run_eval(
    items: Iterable[EvalItem],
    assistant: Any,
    mode: str | None = None,
    limit: int | None = None,
    progress: ProgressCallback | None = None,
    meta: dict[str, Any] | None = None,
) -> EvalReport:
    """Ask every item (the first `limit` when given), score it, and summarise.

    `mode` goes straight to the assistant (None = its configured mode); an unknown or
    unavailable mode raises QuestionError before anything runs. `progress` is called after each
    item. A failing item becomes an error row; the run goes on."""
    from qa.assistant import EmptyCollectionError

    items = list(items)[:limit] if limit else list(items)
    resolved = assistant.resolve_mode(mode)
    if assistant.manifest.document_count() == 0:
        raise EmptyCollectionError("no documents are indexed yet: run `qa index PATH` first")
    documents = DocumentLookup(assistant.manifest)
    rows = []
    for done, item in enumerate(items, start=1):
        rows.append(run_item(item, assistant, documents, resolved))
        if progress is not None:
            progress(done, len(items))
    settings = assistant.settings
    threshold = settings.refusal_threshold
    run_meta = {
        "mode": resolved,
        "items": len(items),
        "documents": assistant.manifest.document_count(),
        "settings": {
            "embedding_model": settings.embedding_model,
            "chunk_tokens": settings.chunk_tokens,
            "top_k": settings.top_k,
            "candidates": settings.candidates,
            "answer_sentences": settings.answer_sentences,
            "refusal_threshold": threshold,
        },
        **(meta or {}),
    }
    return EvalReport(run_meta, rows, summarise(rows), _calibration(rows, threshold))


def run_item(
    item: EvalItem,
    assistant: Any,
    documents: DocumentLookup,
    mode: str | None = None,
) -> ItemResult:
    """Ask one item (its conversation first, in one chat session) and score the answer."""
    try:
        answer = ask_item(item, assistant, mode)
    except Exception as exc:  # one failing item (e.g. the LLM erred) must not lose the run
        return error_result(item, f"{type(exc).__name__}: {exc}")
    return score_item(item, to_response(answer, documents), documents.text)


def ask_item(item: EvalItem, assistant: Any, mode: str | None = None) -> Any:
    """The assistant's Answer to the item, after asking its conversation in the same session."""
    if not item.conversation:
        return assistant.ask(item.question, mode=mode)
    from qa.chat import ChatSession

    session = ChatSession(assistant)
    for earlier in item.conversation:
        session.ask(earlier, mode=mode)
    return session.ask(item.question, mode=mode)


def to_response(answer: Any, documents: DocumentLookup) -> Response:
    """A qa Answer in the terms of the metrics."""
    return Response(
        answer=answer.answer,
        refused=answer.refused,
        retrieved=[documents.passage(c.doc_id, c.start, c.end) for c in answer.retrieved],
        citations=[documents.passage(c.doc_id, c.start, c.end) for c in answer.citations],
        sentences=[(bool(s.citations), s.supported) for s in answer.sentences],
        standalone_question=answer.standalone_question,
        mode=answer.mode,
        timings_ms=answer.timings_ms,
        evidence_score=answer.evidence_score,
        short_answer=answer.short_answer.text if getattr(answer, "short_answer", None) else None,
    )


def _calibration(rows: list[ItemResult], threshold: float) -> dict[str, Any]:
    curve = calibration.refusal_curve(rows)
    return {
        "threshold": threshold,
        "suggested_threshold": calibration.suggest_threshold(curve),
        "threshold_for_false_refusals_0.10": calibration.threshold_for_false_refusals(curve),
        "reliability": calibration.reliability(rows),
        "curve": curve,
    }
