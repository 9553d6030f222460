"""Numbered citations and shown passages for evidence spans, with exact quotes."""

from __future__ import annotations

from collections.abc import Callable

from index.manifest import Manifest
from qa.answer import Citation, Passage
from qa.evidence import Evidence
from qa.injection import shown_title


class CitationBuilder:
    """Gives each distinct span one number, in order of first use."""

    def __init__(self, manifest: Manifest, document_text: Callable[[str], str]):
        self._manifest = manifest
        self._text = document_text
        self.citations: list[Citation] = []

    def cite(self, e: Evidence) -> Citation:
        for existing in self.citations:
            if (existing.doc_id, existing.start, existing.end) == (e.doc_id, e.start, e.end):
                return existing
        source, title = self._source_and_title(e.doc_id)
        quote = self._text(e.doc_id)[e.start : e.end]
        citation = Citation(len(self.citations) + 1, e.doc_id, source, title, e.start, e.end, quote)
        self.citations.append(citation)
        return citation

    def passage(self, e: Evidence) -> Passage:
        source, title = self._source_and_title(e.doc_id)
        quote = self._text(e.doc_id)[e.start : e.end]
        return Passage(e.doc_id, source, title, e.start, e.end, quote, round(e.probability, 4))

    def _source_and_title(self, doc_id: str) -> tuple[str, str]:
        info = self._manifest.info(doc_id)
        if info is None:
            return "", ""
        source = info.sources[0] if info.sources else ""
        return source, shown_title(info.title)
