"""Sentence spans with character offsets: each line is a paragraph, Punkt splits it."""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

from index.documents import Span

_NON_SPACE = re.compile(r"\S")


@cache
def _punkt():
    """English Punkt (knows "U.S.", "Mr.", "p.m."). Its parameters ship inside llama-index-core,
    so nothing is downloaded at run time."""
    import nltk
    from nltk.tokenize.punkt import PunktTokenizer

    spec = importlib.util.find_spec("llama_index.core")
    if spec and spec.submodule_search_locations:
        bundled = Path(next(iter(spec.submodule_search_locations))) / "_static" / "nltk_cache"
        if str(bundled) not in nltk.data.path:
            nltk.data.path.append(str(bundled))
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
