"""Evidence sentences in context: each with its neighbours from the same document.

An isolated sentence loses its antecedents ("He also urged Russia to act responsibly" arrives
without its "he"), so the prompt shows each chosen sentence with the sentences around it,
grouped by document (most relevant document first) and in document order within a group. Every
sentence shown is numbered and verifiable: the model may rightly write from a neighbour.
"""

from __future__ import annotations

from collections.abc import Callable

from index.sentences import sentence_spans
from qa.evidence import Evidence
from qa.injection import looks_like_instruction

# How far around a sentence to look for its neighbours: enough for a long sentence each side.
_WINDOW_CHARS = 1500


def in_context(
    chosen: list[Evidence],
    document_text: Callable[[str], str],
    neighbours: int,
    max_sentences: int | None = None,
) -> list[list[Evidence]]:
    """Groups of sentences, one group per document: the chosen sentences (best first) and up to
    `neighbours` sentences either side of each, distinct, in document order. Prompt processing
    costs ~5 ms a token, so once `max_sentences` are shown no further chosen sentence is added
    (the first always is)."""
    groups: dict[str, dict[int, Evidence]] = {}
    shown = 0
    for e in chosen:
        group = groups.setdefault(e.doc_id, {})
        around = _neighbours(document_text(e.doc_id), e, neighbours)
        added = [x for x in [e, *around] if x.start not in group]
        if shown and max_sentences is not None and shown + len(added) > max_sentences:
            break
        for x in added:
            group[x.start] = x
        shown += len(added)
    return [[group[start] for start in sorted(group)] for group in groups.values() if group]


def _neighbours(text: str, e: Evidence, count: int) -> list[Evidence]:
    if count == 0:
        return []
    lo = max(0, e.start - _WINDOW_CHARS)
    lo = text.rfind("\n", 0, lo) + 1 if lo else 0  # from a line start, so no sentence is cut
    hi = text.find("\n", min(len(text), e.end + _WINDOW_CHARS))
    spans = sentence_spans(text, lo, len(text) if hi == -1 else hi)
    at = next((i for i, s in enumerate(spans) if s.start <= e.start < s.end), None)
    if at is None:
        return []
    found = []
    for i in [*range(max(0, at - count), at), *range(at + 1, min(len(spans), at + 1 + count))]:
        span, sentence = spans[i], text[spans[i].start : spans[i].end]
        if sentence.strip() and not looks_like_instruction(sentence):
            # Only the place is shared with the chosen sentence; scores and stored data are not.
            found.append(
                Evidence(
                    e.doc_id,
                    span.start,
                    span.end,
                    sentence,
                    0.0,
                    0.0,
                    0.0,
                    e.chunk_rank,
                    position=max(0, e.position + i - at),
                )
            )
    return found
