"""Small, safe HTML building blocks. Every piece of document text and model output goes through
`escape`; links are made only from http(s) URLs; nothing here ever emits an <img>."""

from __future__ import annotations

import html
import time
from pathlib import Path
from urllib.parse import urlsplit


def escape(text: object) -> str:
    """Text as HTML that shows exactly these characters.

    A carriage return is written as a character reference: the HTML parser would turn a raw
    one into a newline, and the highlighted span must equal the document text exactly."""
    return html.escape(str(text), quote=True).replace("\r", "&#13;")


def safe_url(url: str | None) -> str | None:
    """`url` if it is an absolute http(s) URL (never javascript:, data: and the like)."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    return url


def link(url: str | None, text: str) -> str:
    """An external link when the URL is safe, otherwise the escaped text alone."""
    target = safe_url(url)
    if target is None:
        return escape(text)
    return (
        f'<a href="{escape(target)}" target="_blank" rel="noopener noreferrer nofollow">'
        f"{escape(text)}</a>"
    )


def message(text: str, kind: str = "error") -> str:
    """A one-line notice (kind: error, info)."""
    return f'<div class="qa-message qa-{kind}" role="status">{escape(text)}</div>'


def short_source(source: str) -> str:
    """A source as a user recognises it: the file name (with "#record" for a .jsonl record)."""
    return Path(source).name or source


def format_time(timestamp: float | None) -> str:
    if not timestamp:
        return ""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp))
