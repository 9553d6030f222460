"""Sentence-aware chunking that keeps each chunk's exact character offsets."""

from __future__ import annotations

from collections.abc import Callable

from index.documents import Chunk, Document, Span
from index.sentences import sentence_spans, word_spans

TokenCounter = Callable[[list[str]], list[int]]


def chunk_document(
    doc: Document, count_tokens: TokenCounter, max_tokens: int = 200, overlap_sentences: int = 1
) -> list[Chunk]:
    """Group consecutive sentences into chunks of at most `max_tokens` embedding-model tokens.

    Each chunk is `doc.text[start:end]`. A sentence longer than the budget is cut at word
    boundaries. Consecutive chunks share `overlap_sentences` sentences so that an answer sitting
    at a boundary is still found whole in one chunk.
    """
    units = _units_within_budget(doc.text, sentence_spans(doc.text), count_tokens, max_tokens)
    groups: list[list[tuple[Span, int]]] = []
    current: list[tuple[Span, int]] = []
    used = 0
    for unit in units:
        if current and used + unit[1] > max_tokens:
            groups.append(current)
            carried = current[-overlap_sentences:] if overlap_sentences else []
            # Carry only if the carried sentences leave room for new content.
            if sum(n for _, n in carried) + unit[1] > max_tokens:
                carried = []
            current, used = list(carried), sum(n for _, n in carried)
        current.append(unit)
        used += unit[1]
    if current:
        groups.append(current)
    chunks = []
    for i, group in enumerate(groups):
        start, end = group[0][0].start, group[-1][0].end
        chunks.append(
            Chunk(
                id=f"{doc.id}:{i}",
                doc_id=doc.id,
                index=i,
                start=start,
                end=end,
                text=doc.text[start:end],
                sentences=[span for span, _ in group],
            )
        )
    return chunks


def _units_within_budget(
    text: str, spans: list[Span], count_tokens: TokenCounter, max_tokens: int
) -> list[tuple[Span, int]]:
    """Sentences with their token counts; over-long sentences split into word windows."""
    counts = count_tokens([text[s.start : s.end] for s in spans]) if spans else []
    units: list[tuple[Span, int]] = []
    for span, count in zip(spans, counts, strict=True):
        if count <= max_tokens:
            units.append((span, count))
            continue
        words = word_spans(text, span)
        word_counts = count_tokens([text[w.start : w.end] for w in words])
        window: list[Span] = []
        used = 0
        for word, n in zip(words, word_counts, strict=True):
            if window and used + n > max_tokens:
                units.append((Span(window[0].start, window[-1].end), used))
                window, used = [], 0
            window.append(word)
            used += n
        if window:
            units.append((Span(window[0].start, window[-1].end), used))
    return units


def passage_text(title: str, text: str) -> str:
    """What gets embedded and BM25-indexed for a chunk: the title gives a passage its topic."""
    return text if not title or text.startswith(title) else f"{title}\n{text}"
