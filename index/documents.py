"""The records that flow through ingestion."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field


class LoadError(Exception):
    """A file (or record) that cannot be turned into a document; the message is one line."""


def display_name(source: str) -> str:
    """A file name safe to print: invisible characters (controls, bidi overrides such as U+202E,
    zero-width marks, newlines) escaped as `\\u202e`: "report<U+202E>txt.exe" cannot pass for
    "reportexe.txt", and a name cannot break an error line in two."""
    return "".join(
        f"\\u{ord(ch):04x}" if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} else ch
        for ch in source
    )


@dataclass
class RawDocument:
    """Text as it came out of a loader, before cleaning."""

    source: str
    text: str
    title: str | None = None
    url: str | None = None
    published: str | None = None


@dataclass
class Document:
    """A cleaned document: `text` is what every chunk and citation offset indexes into."""

    id: str
    source: str
    text: str
    title: str
    url: str | None = None
    published: str | None = None

    @staticmethod
    def id_for(text: str) -> str:
        """Identified by the cleaned text, so one text under two names is one document."""
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass
class Chunk:
    """A passage of a document: `text == document.text[start:end]`."""

    id: str
    doc_id: str
    index: int
    start: int
    end: int
    text: str
    sentences: list[Span] = field(default_factory=list)


@dataclass
class Sentence:
    """A sentence of a document, the unit evidence is chosen from: `text == document.text[start:
    end]`. `chunk_id` is the first chunk that holds it (its vector is pooled from that chunk's
    forward pass); `annotation` holds its spaCy entities and parse (index/annotation.py)."""

    id: str
    doc_id: str
    index: int
    start: int
    end: int
    chunk_id: str
    annotation: dict = field(default_factory=dict)


def document_sentences(chunks: list[Chunk]) -> list[Sentence]:
    """The distinct sentence spans of a document's chunks (overlapping chunks share some), in
    document order, each owned by the first chunk that holds it."""
    sentences: list[Sentence] = []
    seen: set[Span] = set()
    for chunk in chunks:
        for span in chunk.sentences:
            if span in seen:
                continue
            seen.add(span)
            n = len(sentences)
            sentences.append(
                Sentence(f"{chunk.doc_id}:s{n}", chunk.doc_id, n, span.start, span.end, chunk.id)
            )
    return sentences
