"""The app's API for scripts (gradio_client): `/add_documents` uploads and indexes files."""

# No `from __future__ import annotations` here: Gradio reads these type hints at run time to
# describe the endpoint.
from collections.abc import Callable

import gradio as gr
from gradio import FileData

from index.errors import UserError
from ui.backend import Backend
from ui.errors import describe
from ui.index_summary import IndexSummary


def add_documents_endpoint(backend: Backend, max_upload_bytes: int) -> Callable[[list], dict]:
    """The function behind `/add_documents`, bound to a backend."""

    def add_documents(files: list[FileData]) -> dict:
        """Add files (.txt .md .html .pdf .docx .jsonl) to the collection, as the Documents tab
        does. Returns counts (`added`, `duplicates`, `unchanged`, `chunks`), `failed` as
        [file, reason] pairs, and `documents`, the collection's size afterwards."""
        paths = [f["path"] if isinstance(f, dict) else f.path for f in files or []]
        if not paths:
            raise gr.Error("no files given", print_exception=False)
        summary = IndexSummary()
        try:
            for item in backend.add_uploads(paths, max_upload_bytes):
                if isinstance(item, IndexSummary):
                    summary = item
        except UserError as exc:
            raise gr.Error(describe(exc), print_exception=False) from exc
        return {
            "added": summary.added,
            "duplicates": summary.duplicates,
            "unchanged": summary.unchanged,
            "chunks": summary.chunks,
            "failed": [list(pair) for pair in summary.refused + summary.failed],
            "documents": len(backend.documents()),
        }

    return add_documents
