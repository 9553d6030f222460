"""Errors a user can cause, shown in the page as one plain line (never a traceback)."""

from __future__ import annotations

from qa.errors import user_error_types

__all__ = ["describe", "user_error_types"]


def describe(error: Exception) -> str:
    """The line to show for a user error; the CLI's hints become the web app's."""
    from qa.assistant import EmptyCollectionError

    if isinstance(error, EmptyCollectionError):
        return "No documents are indexed yet: add some in the Documents tab."
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
