"""Sentence spans with character offsets: each line is a paragraph, Punkt splits it."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from index.documents import Span

_NON_SPACE = re.compile(r"\S")


_NLTK_DATA = Path(__file__).parent / "nltk_data"  # English Punkt parameters, vendored


@cache
def _punkt():
    """English Punkt (knows "U.S.", "Mr.", "p.m."), from the parameters vendored in
    index/nltk_data, so nothing is downloaded at run time."""
    import nltk
    from nltk.tokenize.punkt import PunktTokenizer

    if str(_NLTK_DATA) not in nltk.data.path:
        nltk.data.path.insert(0, str(_NLTK_DATA))  # ours first: the same splits everywhere
    return PunktTokenizer("english")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Spans of the sentences in text[start:end], in document offsets, whitespace trimmed."""
    end = len(text) if end is None else end
    spans: list[Span] = []
    line_start = start
    while line_start < end:
        line_end = text.find("\n", line_start, end)
        if line_end == -1:
            line_end = end
        line = text[line_start:line_end]
        if line.strip():
            for a, b in _punkt().span_tokenize(line):
                spans.append(Span(line_start + a, line_start + b))
        line_start = line_end + 1
    return spans


def word_spans(text: str, span: Span) -> list[Span]:
    """Spans of the whitespace-separated words inside `span`."""
    return [
        Span(span.start + m.start(), span.start + m.end())
        for m in re.finditer(r"\S+", text[span.start : span.end])
    ]
