"""The app's API for scripts (gradio_client): `/ask` answers one question with its citations."""

# No `from __future__ import annotations` here: Gradio reads these type hints at run time to
# describe the endpoint.
from collections.abc import Callable

import gradio as gr

from index.errors import UserError
from ui.backend import Backend
from ui.errors import describe


def ask_endpoint(backend: Backend) -> Callable[[str], dict]:
    """The function behind `/ask`, bound to a backend."""

    def ask(question: str) -> dict:
        """Answer a question from the indexed documents. Returns the answer as `qa ask --json`
        prints it: `answer` (text with [n] markers), `refused`, `citations` (n, doc_id, source,
        title, start, end, quote), `sentences`, `closest`, `timings_ms`."""
        try:
            return backend.ask(question).to_dict()
        except UserError as exc:
            raise gr.Error(describe(exc), print_exception=False) from exc

    return ask
