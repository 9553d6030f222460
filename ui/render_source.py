"""The source panel: a cited span highlighted in its document, character-exact from the offsets."""

from __future__ import annotations

from typing import Any

from ui.html import escape, link, short_source

CONTEXT_CHARS = 700

EMPTY_SOURCE = (
    '<div class="qa-source qa-empty">Click a citation <b>[n]</b> in an answer to see the cited '
    "passage in its document.</div>"
)


def context_bounds(
    text: str, start: int, end: int, context: int = CONTEXT_CHARS
) -> tuple[int, int]:
    """Where to cut the document around [start, end): about `context` characters each side,
    moved out to a whitespace so no word is cut in half."""
    left = max(0, start - context)
    if left > 0:
        space = text.rfind(" ", 0, left)
        newline = text.rfind("\n", 0, left)
        left = max(space, newline) + 1
    right = min(len(text), end + context)
    if right < len(text):
        found = [i for i in (text.find(" ", right), text.find("\n", right)) if i != -1]
        right = min(found) if found else len(text)
    return left, right


def render_source(label: str, span: Any, info: Any | None, text: str | None) -> str:
    """The panel for one cited span: `span` is a qa Citation or Passage (doc_id, source, title,
    start, end, quote), `label` names it ("[2]"). `info` (DocumentInfo) and `text` are the
    document as stored now; if it was removed or changed since the answer, say so and show the
    quote alone."""
    title = (info.title if info else span.title) or short_source(span.source)
    header = (
        f'<div class="qa-source-label">{escape(label)}</div>'
        f'<div class="qa-source-title">{link(info.url if info else None, title)}</div>'
        f'<div class="qa-source-meta">{_meta(span, info)}</div>'
    )
    if text is None:
        body = message_block("This document is no longer in the collection.", span.quote)
    elif text[span.start : span.end] != span.quote:
        body = message_block("The document changed since this answer was given.", span.quote)
    else:
        left, right = context_bounds(text, span.start, span.end)
        body = (
            '<div class="qa-doc-text">'
            + ("… " if left > 0 else "")
            + escape(text[left : span.start])
            + f'<mark class="qa-cited" id="qa-cited" data-doc="{escape(span.doc_id)}" '
            f'data-start="{span.start}" data-end="{span.end}">'
            + escape(text[span.start : span.end])
            + "</mark>"
            + escape(text[span.end : right])
            + (" …" if right < len(text) else "")
            + "</div>"
        )
    return f'<div class="qa-source">{header}{body}</div>'


def message_block(notice: str, quote: str) -> str:
    return (
        f'<div class="qa-message qa-info">{escape(notice)} The cited words were:</div>'
        f'<blockquote class="qa-quote">{escape(quote)}</blockquote>'
    )


def _meta(span: Any, info: Any | None) -> str:
    parts = [escape(short_source(span.source))]
    if info is not None and info.url:
        parts.append(link(info.url, info.url))
    if info is not None and info.published:
        parts.append(f"published {escape(info.published)}")
    parts.append(f"characters {span.start}–{span.end}")
    parts.append(f"document {escape(span.doc_id)}")
    return " · ".join(parts)
