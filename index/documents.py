"""The records that flow through ingestion."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


class LoadError(Exception):
    """A file (or record) that cannot be turned into a document; the message is one line."""


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
