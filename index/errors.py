"""The one base class of errors a user can cause and fix: every front end catches it and shows
its message as one line, never a traceback. It lives in the lowest layer so every layer can
raise it."""

from __future__ import annotations


class UserError(Exception):
    """Bad input, a missing collection or model, a busy writer...: the message (one line) says
    what went wrong and, where it can, what to do."""
