"""The Documents tab as HTML: the document list and the outcome of an indexing run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from index.summary import summary_line
from ui.html import escape, format_time, link, short_source


def render_documents(infos: Sequence[Any]) -> str:
    """A table of the indexed documents (`DocumentInfo`s)."""
    if not infos:
        return '<div class="qa-empty">No documents indexed yet: add some above.</div>'
    rows = "".join(
        "<tr>"
        f"<td>{link(i.url, i.title or i.id)}</td>"
        f"<td>{escape(', '.join(short_source(s) for s in i.sources))}</td>"
        f'<td class="qa-num">{i.chunk_count}</td>'
        f"<td>{escape(i.published or '')}</td>"
        f"<td>{escape(format_time(i.added_at))}</td>"
        f"<td><code>{escape(i.id)}</code></td>"
        "</tr>"
        for i in infos
    )
    total = sum(i.chunk_count for i in infos)
    return (
        f'<div class="qa-doc-count" data-count="{len(infos)}">{len(infos)} document(s), '
        f"{total} chunk(s)</div>"
        '<table class="qa-table qa-docs"><tr><th>title</th><th>file</th><th>chunks</th>'
        f"<th>published</th><th>added</th><th>id</th></tr>{rows}</table>"
    )


def document_choices(infos: Sequence[Any]) -> list[tuple[str, str]]:
    """(label, id) pairs for the remove-a-document picker."""
    return [(f"{i.title or short_source(i.sources[0])} ({i.id[:8]})", i.id) for i in infos]


def render_index_summary(summary: Any, problems: Sequence[tuple[str, str]] = ()) -> str:
    """What an indexing run did, then one line per file that could not be indexed."""
    counts = summary_line(
        summary.added, summary.chunks, summary.unchanged, summary.duplicates, summary.removed
    )
    failures = [*problems, *summary.failed]
    lines = "".join(
        f"<li><b>{escape(short_source(source))}</b>: {escape(reason)}</li>"
        for source, reason in failures
    )
    skipped = "".join(
        f"<li>{escape(short_source(source))}: {escape(reason)}</li>"
        for source, reason in summary.skipped
    )
    html = f'<div class="qa-message qa-info">{escape(counts)}</div>'
    if lines:
        html += (
            '<div class="qa-message qa-error">Could not index:'
            f'<ul class="qa-failures">{lines}</ul></div>'
        )
    if skipped:
        html += f'<div class="qa-message qa-info">Skipped:<ul>{skipped}</ul></div>'
    return html
