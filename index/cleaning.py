"""Clean raw text into the stored document text; pull title, URL and date out of it."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from index.documents import Document, LoadError, RawDocument, split_source

# Whole lines that are web page furniture, not article content. Only short lines are tested,
# so a real sentence that happens to start with "Subscribe" survives.
_BOILERPLATE = re.compile(
    r"""^\W*(
        (award\s+)?banner
      | also\s+read\b.* | read\s+(more|also)\b.* | related(\s+(articles|stories|news))?\s*:.*
      | advertisement | sponsored(\s+content)?
      | this\s+website\s+is\s+best\s+viewed\b.*
      | comments?\s*\(\d+\) | \d+\s+comments?
      | share\s+(this|on)\b.* | follow\s+us\b.* | sign\s+up\b.* | subscribe\b.*
      | click\s+here\b.* | (photo|image|video|file\s+photo)(\s+credit)?\s*:.*
      | all\s+rights\s+reserved.* | copyright\b.* | ©.*
    )\W*$""",
    re.IGNORECASE | re.VERBOSE,
)
_BOILERPLATE_MAX_WORDS = 20
_SOURCE_LINE = re.compile(
    r"^\s*(source|url|link|originally published at)\s*:\s*(https?://\S+)\s*$", re.I
)
_DATE_LINE = re.compile(
    r"^\s*(published|date|posted|updated)(\s+on)?\s*:\s*(?P<date>.{6,40}?)\s*$", re.I
)
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d %B %Y", "%B %d, %Y", "%b %d, %Y", "%d %b %Y", "%Y%m%d")
_TITLE_MAX_CHARS = 80
# Invisible format characters (zero-width spaces and joiners, word joiner, BOM, soft hyphen,
# bidirectional controls, tag characters): they let a reader-invisible instruction slip past
# word-based checks ("Ig\u200bnore"), and spoof the order text is shown in.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    "\U000e0000-\U000e007f]"
)


def clean_document(raw: RawDocument) -> Document:
    """Strip boilerplate lines and metadata lines; the result's text is what offsets index into."""
    url, published = raw.url, raw.published
    kept: list[str] = []
    previous = None
    text = remove_invisible(raw.text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", ""))
    for line in text.split("\n"):
        line = line.rstrip()
        stripped = line.strip()
        if not stripped:
            kept.append("")
            continue
        if (source := _SOURCE_LINE.match(stripped)) is not None:
            url = url or source.group(2)
            continue
        if (date := _DATE_LINE.match(stripped)) is not None and normalise_date(date["date"]):
            published = published or date["date"]
            continue
        if len(stripped.split()) <= _BOILERPLATE_MAX_WORDS and _BOILERPLATE.match(stripped):
            continue
        if stripped == previous:  # headlines and banners often appear twice in a row
            continue
        kept.append(line)
        previous = stripped
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    if not text:
        raise LoadError("no text left after removing empty and boilerplate lines")
    return Document(
        id=Document.id_for(text),
        source=raw.source,
        text=text,
        title=remove_invisible(raw.title or "").strip() or derive_title(text, raw.source),
        url=url,
        published=normalise_date(published) if published else None,
    )


def remove_invisible(text: str) -> str:
    return _INVISIBLE.sub("", text)


def derive_title(text: str, source: str) -> str:
    """A headline-like first line, else the start of the first line, else the file name."""
    first = text.split("\n", 1)[0].strip()
    if not first:
        return Path(split_source(source)[0]).stem
    if len(first) <= _TITLE_MAX_CHARS and not first.endswith((".", "?", "!", ":", ";", ",")):
        return first
    cut = first[:_TITLE_MAX_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def normalise_date(value: str | None) -> str | None:
    """ISO date (YYYY-MM-DD) for the common formats; None when it does not parse."""
    if not value:
        return None
    value = value.strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}T", value):
        value = value[:10]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return None
