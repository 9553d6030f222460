"""Turn a follow-up question into a standalone one, without an LLM.

A follow-up ("Why?", "What did he say in response?") leans on the previous question; retrieval
needs the whole question, so the previous standalone question is put in front of it. The LLM
rewriter (generate mode) does better; this is the fallback and is always shown to the user.
"""

from __future__ import annotations

import re

_PRONOUNS = re.compile(
    r"\b(he|she|him|her|his|hers|they|them|their|theirs|it|its|this|that|these|those|there|then)\b",
    re.IGNORECASE,
)
_OPENERS = re.compile(r"^\s*(and|but|so|also|what about|how about|why|why not|what else)\b", re.I)
_SHORT_WORDS = 3


def is_follow_up(question: str) -> bool:
    words = question.split()
    return (
        len(words) <= _SHORT_WORDS
        or _OPENERS.match(question) is not None
        or _PRONOUNS.search(question) is not None
    )


def rewrite_rule_based(question: str, previous_standalone: list[str]) -> str:
    """The standalone form of `question` given the earlier standalone questions (oldest first)."""
    if not previous_standalone or not is_follow_up(question):
        return question
    previous = previous_standalone[-1].strip()
    if not previous.endswith(("?", ".", "!")):
        previous += "?"
    return f"{previous} {question.strip()}"


def plausible_rewrite(question: str, rewritten: str, previous_standalone: list[str]) -> bool:
    """Small models often echo an earlier question instead of rewriting the new one: accept a
    rewrite only if it is new, of sane length, and keeps the follow-up's own content words."""
    from index.lexical import terms

    if not 3 <= len(rewritten) <= 300 or rewritten in previous_standalone:
        return False
    own, kept = terms([question, rewritten])
    return len(own & kept) >= len(own) / 2
