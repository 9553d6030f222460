"""The Documents tab's event handlers: upload and index, re-index, list, remove."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import gradio as gr

from index.errors import UserError
from ui.backend import Backend, Step
from ui.errors import describe
from ui.html import message
from ui.index_summary import IndexSummary
from ui.render_docs import document_choices, render_documents, render_index_summary
from ui.uploads import prune


class DocumentsPanel:
    """Handlers bound to one backend. Each returns (status HTML, document list HTML, the
    remove-picker update), so every change refreshes the list."""

    def __init__(self, backend: Backend, max_upload_bytes: int):
        self.backend = backend
        self.max_upload_bytes = max_upload_bytes

    def listing(self) -> tuple[str, Any]:
        infos = self.backend.documents()
        return render_documents(infos), gr.update(choices=document_choices(infos), value=None)

    def index_uploads(
        self,
        files: Sequence[str] | None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (how Gradio finds the progress bar)
    ) -> tuple[str, str, Any, None]:
        """Save the uploaded files, index them with progress; the last output clears the
        upload box."""
        if not files:
            return (message("Choose one or more files first.", "info"), *self.listing(), None)
        status, _ = self._index(self.backend.add_uploads(files, self.max_upload_bytes), progress)
        return (status, *self.listing(), None)

    def reindex(
        self,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple[str, str, Any]:
        """Index every file the collection came from again: changed files are updated,
        unchanged ones skipped."""
        files = self.backend.indexed_files()
        if not files:
            return (message("Nothing to re-index yet.", "info"), *self.listing())
        status, _ = self._index(self.backend.index(files), progress)
        return (status, *self.listing())

    def remove(self, doc_id: str | None) -> tuple[str, str, Any]:
        if not doc_id:
            return (message("Choose a document to remove.", "info"), *self.listing())
        if self.backend.document(doc_id)[0] is None:
            return (
                message("That document is no longer in the collection.", "info"),
                *self.listing(),
            )
        try:
            self.backend.remove(doc_id)
        except UserError as exc:
            return (message(describe(exc)), *self.listing())
        prune(self.backend.upload_dir, self.backend.indexed_files())
        return (message(f"Removed document {doc_id}.", "info"), *self.listing())

    def _index(
        self, steps: Iterator[Step | IndexSummary], progress: gr.Progress
    ) -> tuple[str, IndexSummary | None]:
        summary = None
        try:
            for item in steps:
                if isinstance(item, Step) and item.total:
                    progress((item.done, item.total), desc=f"indexing {item.current}", unit="files")
                else:
                    summary = item
        except UserError as exc:
            return message(describe(exc)), None
        if summary is None:
            summary = IndexSummary()
        return render_index_summary(summary, summary.refused), summary
