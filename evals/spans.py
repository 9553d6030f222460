"""Find gold evidence passages in a stored document, as character spans of its text.

Cleaning may change whitespace, quotes or punctuation, so a passage that is not found verbatim is
looked for again with both sides normalised (see `evals.metrics.normalise`), and the match is
mapped back to offsets of the original text.
"""

from __future__ import annotations

from evals.metrics import Span, normalise


def locate(passage: str, text: str) -> list[Span]:
    """Every span of `text` holding `passage` (verbatim, or else after normalisation)."""
    passage = passage.strip()
    if not passage:
        return []
    spans = _find_all(text, passage)
    if spans:
        return [(start, start + len(passage)) for start in spans]
    needle = normalise(passage)
    if not needle:
        return []
    folded, origin = _normalise_with_offsets(text)
    found = []
    for start in _find_all(f" {folded} ", f" {needle} "):
        # The padded haystack is shifted by one; the match starts after its leading space.
        first, last = start, start + len(needle) - 1
        found.append((origin[first], origin[last] + 1))
    return found


def _find_all(haystack: str, needle: str) -> list[int]:
    starts, at = [], haystack.find(needle)
    while at != -1:
        starts.append(at)
        at = haystack.find(needle, at + 1)
    return starts


def _normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """`normalise(text)` and, for each of its characters, the index in `text` it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for piece in normalise(char) or " ":
            if piece == " " and (not chars or chars[-1] == " "):
                continue
            chars.append(piece)
            origin.append(index)
    if chars and chars[-1] == " ":
        chars.pop()
        origin.pop()
    return "".join(chars), origin
