"""The conversation as HTML: questions, answers with clickable [n] citations, refusals with the
closest passages, and collapsible per-answer details. All text is escaped (see ui/html.py)."""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qa.answer import confidence_label
from ui.html import escape, short_source

if typing.TYPE_CHECKING:
    from qa.retrieval import RetrievedChunk

_MARKER = re.compile(r"\[(\d+)\]")

EMPTY_CONVERSATION = (
    '<div class="qa-empty">Ask a question about your documents. Every sentence of an answer '
    "cites a passage: click its <b>[n]</b> to see the passage highlighted in its document.</div>"
)


@dataclass
class PendingTurn:
    """A question being answered: what is known so far."""

    question: str
    standalone: str = ""
    draft: str = ""


def cite_button(turn: int, n: int, title: str) -> str:
    return (
        f'<button type="button" class="qa-cite" data-turn="{turn}" data-n="{n}" '
        f'title="{escape(title)}">[{n}]</button>'
    )


def _with_cite_buttons(text: str, turn: int, titles: dict[int, str]) -> tuple[str, set[int]]:
    """Escaped text whose known [n] markers are buttons; also the numbers found."""
    found: set[int] = set()

    def button(match: re.Match) -> str:
        n = int(match.group(1))
        if n not in titles:
            return match.group(0)
        found.add(n)
        return cite_button(turn, n, titles[n])

    return _MARKER.sub(button, escape(text)), found


def render_sentence(sentence: Any, turn: int, titles: dict[int, str]) -> str:
    """One answer sentence with its citation buttons; an unverified one is marked."""
    body, found = _with_cite_buttons(sentence.text, turn, titles)
    buttons = "".join(cite_button(turn, n, titles[n]) for n in sentence.citations if n not in found)
    if sentence.supported:
        return f'<span class="qa-sentence">{body} {buttons}</span>'
    return (
        '<span class="qa-sentence qa-unverified" title="Not supported by any cited passage">'
        f'<span class="qa-badge">unverified</span> {body}</span>'
    )


def render_answer_text(answer: Any, turn: int, show_unverified: bool) -> str:
    """The answer itself: sentences with citations, or a refusal with the closest passages."""
    titles = {c.n: c.title or short_source(c.source) for c in answer.citations}
    if answer.refused:
        return f'<p class="qa-refusal">{escape(answer.answer)}</p>' + _render_closest(answer, turn)
    sentences = [s for s in answer.sentences if s.supported or show_unverified]
    if sentences:
        body = " ".join(render_sentence(s, turn, titles) for s in sentences)
    else:
        body = _with_cite_buttons(answer.answer, turn, titles)[0]
    return _render_short(answer, turn) + f'<p class="qa-answer-text">{body}</p>'


def _render_short(answer: Any, turn: int) -> str:
    """The short answer, bold and clickable like a citation, with the confidence in words."""
    confidence = getattr(answer, "confidence", None)
    label = "" if confidence is None else confidence_label(confidence, answer.refused)
    short = getattr(answer, "short_answer", None)
    phrase = (
        f'<button type="button" class="qa-cite qa-short-answer" data-turn="{turn}" '
        f'data-short="1" title="show where this comes from"><b>{escape(short.text)}</b></button>'
        if short is not None
        else ""
    )
    if not phrase and not label:
        return ""
    return (
        f'<div class="qa-short">{phrase}<span class="qa-confidence">{escape(label)}</span></div>'
    )


def _render_closest(answer: Any, turn: int) -> str:
    if not answer.closest:
        return ""
    items = "".join(
        f'<li><button type="button" class="qa-passage" data-turn="{turn}" data-closest="{i}">'
        f"{escape(p.title or short_source(p.source))}</button>"
        f' <span class="qa-score">score {p.score:.2f}</span>'
        f'<blockquote class="qa-quote">{escape(p.quote)}</blockquote></li>'
        for i, p in enumerate(answer.closest)
    )
    return (
        '<div class="qa-closest"><div class="qa-closest-title">Closest passages '
        f"(not strong enough to answer):</div><ol>{items}</ol></div>"
    )


def render_details(answer: Any, doc_titles: Mapping[str, str] | None = None) -> str:
    """Collapsible details: mode, per-stage timings, retrieval scores, verification notes.
    `doc_titles` names the retrieved documents the answer does not cite."""
    timings = "".join(
        f"<tr><td>{escape(stage)}</td><td class='qa-num'>{ms:.1f} ms</td></tr>"
        for stage, ms in answer.timings_ms.items()
    )
    titles = dict(doc_titles or {})
    titles.update({c.doc_id: c.title for c in answer.citations})
    titles.update({p.doc_id: p.title for p in answer.closest})
    rows = "".join(_retrieved_row(i, row, titles) for i, row in enumerate(answer.retrieved, 1))
    parts = [
        '<details class="qa-details"><summary>Details</summary>',
        f'<div class="qa-mode">mode: <b>{escape(answer.mode)}</b></div>',
        f'<table class="qa-table"><tr><th>stage</th><th>time</th></tr>{timings}</table>',
    ]
    if rows:
        parts.append(
            '<table class="qa-table"><tr><th>#</th><th>document</th><th>chars</th>'
            "<th>fused</th><th>dense rank (cos)</th><th>BM25 rank (score)</th></tr>"
            f"{rows}</table>"
        )
    dropped = getattr(answer, "unsupported", None) or []
    if dropped:
        items = "".join(f"<li>{escape(s)}</li>" for s in dropped)
        parts.append(f"<div>Generated sentences dropped as unsupported:<ul>{items}</ul></div>")
    notes = getattr(answer, "notes", None) or []
    if notes:
        parts.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>")
    parts.append("</details>")
    return "".join(parts)


def _retrieved_row(rank: int, chunk: RetrievedChunk, titles: dict[str, str]) -> str:
    def ranked(position: Any, score: Any) -> str:
        return "–" if position is None else f"{position} ({score})"

    row = chunk.to_dict()  # the scores as rounded for `qa ask --json`
    title = titles.get(chunk.doc_id) or chunk.doc_id[:12]
    numbers = [
        f"{chunk.start}–{chunk.end}",
        row["score"],
        ranked(chunk.dense_rank, row["dense_similarity"]),
        ranked(chunk.bm25_rank, row["bm25_score"]),
    ]
    cells = "".join(f"<td class='qa-num'>{escape(n)}</td>" for n in numbers)
    return f"<tr><td>{rank}</td><td>{escape(title)}</td>{cells}</tr>"


def _standalone_line(question: str, standalone: str) -> str:
    if not standalone or standalone == " ".join(question.split()):
        return ""
    return f'<div class="qa-standalone">understood as: {escape(standalone)}</div>'


def render_turn(
    answer: Any, turn: int, show_unverified: bool, doc_titles: Mapping[str, str] | None = None
) -> str:
    """One question and its answer."""
    return (
        f'<div class="qa-turn" id="qa-turn-{turn}">'
        f'<div class="qa-question">{escape(answer.question)}</div>'
        f"{_standalone_line(answer.question, answer.standalone_question)}"
        f'<div class="qa-answer">{render_answer_text(answer, turn, show_unverified)}'
        f"{render_details(answer, doc_titles)}</div></div>"
    )


def render_pending(pending: PendingTurn) -> str:
    """The question being answered, with the draft so far (generate mode streams it)."""
    if pending.draft:
        body = f'<p class="qa-draft">{escape(pending.draft)}</p>'
        status = "drafting — each sentence is checked against the documents when done"
    else:
        body, status = "", "searching the documents…"
    return (
        '<div class="qa-turn qa-pending">'
        f'<div class="qa-question">{escape(pending.question)}</div>'
        f"{_standalone_line(pending.question, pending.standalone)}"
        f'<div class="qa-answer">{body}<div class="qa-working">{status}</div></div></div>'
    )


def render_conversation(
    answers: Sequence[Any],
    show_unverified: bool,
    pending: PendingTurn | None = None,
    doc_titles: Mapping[str, str] | None = None,
) -> str:
    """Every turn of a conversation, oldest first, and the one being answered."""
    if not answers and pending is None:
        return EMPTY_CONVERSATION
    turns = [render_turn(a, i, show_unverified, doc_titles) for i, a in enumerate(answers)]
    if pending is not None:
        turns.append(render_pending(pending))
    return '<div class="qa-conversation">' + "".join(turns) + "</div>"
