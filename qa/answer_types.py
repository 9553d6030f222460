"""What kind of thing a question asks for (a date, a number, a name), and whether a sentence
holds one. A cheap signal for ordering evidence; never used to decide refusal."""

from __future__ import annotations

import re

_MONTHS = (
    r"(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?"
    r"|oct(ober)?|nov(ember)?|dec(ember)?)"
)
_DATE = re.compile(
    rf"\b({_MONTHS}\.?\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTHS}|(1[0-9]|20)\d{{2}}s?|\d{{1,2}}(st|nd|rd|th)\s+century"
    r"|(mon|tues|wednes|thurs|fri|satur|sun)day|yesterday|today|tomorrow|last (week|month|year)"
    r"|this (week|month|year)|\d{4}-\d{2}-\d{2})\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\b(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty"
    r"|forty|fifty|hundred|thousand|million|billion|dozens?)\b",
    re.IGNORECASE,
)
# Two or more capitalised words in a row, not at the start of the sentence.
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w'’-]+(\s+[A-Z][\w'’-]+)+")

_QUESTION_TYPES = [
    (
        re.compile(
            r"^\s*(when|what (year|date|day|month|time|century)|in what year"
            r"|which (year|date|day))\b",
            re.I,
        ),
        "date",
    ),
    (
        re.compile(
            r"^\s*(how (many|much|long|old|far|big|large)|what (percentage|number|amount))\b", re.I
        ),
        "number",
    ),
    (re.compile(r"^\s*(who|whom|whose)\b", re.I), "name"),
]


def expected_answer_type(question: str) -> str | None:
    for pattern, kind in _QUESTION_TYPES:
        if pattern.search(question):
            return kind
    return None


def contains_answer_type(sentence: str, kind: str) -> bool:
    pattern = {"date": _DATE, "number": _NUMBER, "name": _NAME}[kind]
    return pattern.search(sentence) is not None
