"""Turn a follow-up question into a standalone one (always shown to the user).

A follow-up ("Why?", "What did he say in response?") leans on the conversation; retrieval needs
the whole question. References ("he", "the ambassador") are resolved from the previous question
and answer, checked against the answer's evidence (qa/candidates.py, qa/references.py). In
generate mode the LLM rewrites the question, and its rewrite is kept only if it names what the
references were resolved to ("it": any thing said before); otherwise the references are
replaced by rule, and a follow-up without references ("Why?"), with one to what happened ("When
did that happen?") or with one to people the answer only counts ("The two … agreed") gets the
previous standalone question put in front of it.
"""

from __future__ import annotations

import re

from qa.candidates import candidates
from qa.llm import LLM
from qa.prompting import rewrite_messages
from qa.references import agrees, find_references, has_event_reference, resolve, substitute
from qa.turn import PreviousTurn

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
    if rewritten.strip().lower() == question.strip().lower():
        return False  # the follow-up given back: no rewrite (the rules or the prepend instead)
    own, kept = terms([question, rewritten])
    return len(own & kept) >= len(own) / 2


def needs_rewrite(question: str, conversation: list[str]) -> bool:
    return bool(conversation) and (is_follow_up(question) or bool(find_references(question)))


def llm_rewrite(llm: LLM, question: str, conversation: list[str], previous_answer: str) -> str:
    """The LLM's standalone form of the follow-up (its first line), or "" when it gave none."""
    reply = llm.complete(rewrite_messages(question, conversation, previous_answer), 48)
    if not reply.strip():
        return ""
    return " ".join(reply.strip().splitlines()[0].split()).strip('"“”')


def choose_rewrite(
    question: str, conversation: list[str], previous: PreviousTurn, rewritten: str | None
) -> str:
    """The standalone question: the LLM's `rewritten` (None: no LLM) when it is plausible and
    agrees with the resolved references, else the rule-based rewrite."""
    resolved, mentions = [], []
    if find_references(question):
        mentions = candidates(conversation[-1], previous)
        resolved = resolve(question, mentions)
    # "they" for "The two … agreed" is resolved, but to no one a rewrite can name: the previous
    # question goes in front, as for a follow-up without references.
    counted = any(r.mention.counted for r in resolved)
    if rewritten and plausible_rewrite(question, rewritten, conversation):
        if not counted and agrees(rewritten, resolved, question, mentions):
            return rewritten
    if resolved and not counted and not has_event_reference(question):
        return substitute(question, resolved)
    named = [r for r in resolved if not r.mention.counted]
    return rewrite_rule_based(substitute(question, named), conversation)
