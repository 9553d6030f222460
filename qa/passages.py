"""Evidence sentences in context: each with its neighbours from the same document.

An isolated sentence loses its antecedents ("He also urged Russia to act responsibly" arrives
without its "he"), so the prompt shows each chosen sentence with the sentences around it,
grouped by document (most relevant document first) and in document order within a group. Every
sentence shown is numbered and verifiable: the model may rightly write from a neighbour.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from index.sentences import sentence_spans
from qa.evidence import Evidence
from qa.injection import looks_like_instruction

# How far around a sentence to look for its neighbours: enough for a long sentence each side.
_WINDOW_CHARS = 1500


def in_context(
    chosen: list[Evidence], document_text: Callable[[str], str], neighbours: int
) -> list[list[Evidence]]:
    """Groups of sentences, one group per document: the chosen sentences and up to
    `neighbours` sentences either side of each, distinct, in document order."""
    groups: dict[str, dict[int, Evidence]] = {}
    for e in chosen:
        group = groups.setdefault(e.doc_id, {})
        group[e.start] = e
        if neighbours:
            for n in _neighbours(document_text(e.doc_id), e, neighbours):
                group.setdefault(n.start, n)
    return [[group[start] for start in sorted(group)] for group in groups.values()]


def _neighbours(text: str, e: Evidence, count: int) -> list[Evidence]:
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
                replace(
                    e,
                    start=span.start,
                    end=span.end,
                    text=sentence,
                    score=0.0,
                    similarity=0.0,
                    overlap=0.0,
                    has_answer_type=False,
                    sentence_id="",
                    annotation={},
                    vector=None,
                    position=max(0, e.position + i - at),
                    probability=0.0,
                )
            )
    return found
