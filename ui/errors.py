"""Errors a user can cause, shown in the page as one plain line (never a traceback)."""

from __future__ import annotations

from index.errors import UserError
from qa.assistant import EmptyCollectionError


def describe(error: UserError) -> str:
    """The line to show for a user error (the web app catches `UserError`); the CLI's hints
    become the web app's."""
    if isinstance(error, EmptyCollectionError):
        return "No documents are indexed yet: add some in the Documents tab."
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
