"""Per-sentence spaCy annotations, computed once at index time and stored with the sentence.

An annotation is a small JSON-able dict, offsets relative to the sentence's start:
- "ents": [[start, end, label], ...]  named entities (PERSON, ORG, GPE, DATE, CARDINAL, ...);
- "deps": [[start, end, dep, head], ...]  one row per token: its dependency label and the index
  of its head token (the root is its own head).
The tagger and lemmatizer are left out at index time: the parse and the entities are what the
reader and the verifier need, and they are a quarter of the cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from index.nlp import parse_each, worker_processes

ANNOTATION_VERSION = 1
_INDEX_TIME_DISABLED = ["tagger", "attribute_ruler", "lemmatizer"]


def annotate(texts: list[str]) -> list[dict[str, Any]]:
    """One annotation per sentence text, parsed in batches; a large batch by one process per core
    (the parse is single-threaded, and indexing runs it before the model's forward passes, which
    use every core)."""
    if not texts:
        return []
    processes = worker_processes(len(texts))
    return parse_each(texts, _encode, disable=_INDEX_TIME_DISABLED, processes=processes)


def _encode(doc: Any) -> dict[str, Any]:
    return {
        "ents": [[e.start_char, e.end_char, e.label_] for e in doc.ents],
        "deps": [[t.idx, t.idx + len(t.text), t.dep_, t.head.i] for t in doc],
    }


@dataclass(frozen=True)
class Entity:
    start: int  # relative to the sentence
    end: int
    label: str
    text: str


def entities(text: str, annotation: dict[str, Any]) -> list[Entity]:
    """The named entities of a sentence from its stored annotation."""
    return [Entity(s, e, label, text[s:e]) for s, e, label in annotation.get("ents", [])]


def root_word(text: str, annotation: dict[str, Any]) -> str:
    """The word at the root of the sentence's parse (its main verb, usually); "" if unknown."""
    for start, end, dep, _head in annotation.get("deps", []):
        if dep == "ROOT":
            return text[start:end]
    return ""
