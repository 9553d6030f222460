"""What a question asks for: the expected kind of answer (entity labels), the head noun of a
"which/what X" question, the question's own entities, its main verb and its focus terms.

The question is parsed at ask time with spaCy (index/nlp.py); the sentences it is compared with
were annotated at index time (index/annotation.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from index.lexical import terms
from index.nlp import parse
from qa.roles import clause_role

PERSON_LIKE = frozenset({"PERSON", "ORG", "NORP"})
PLACE = frozenset({"GPE", "LOC", "FAC"})
TIME = frozenset({"DATE", "TIME"})
AMOUNT = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})

# Checked in order against the start of the question (after a leading "and", "so", "in").
_PATTERNS: list[tuple[re.Pattern, str, frozenset[str]]] = [
    (
        re.compile(r"(in )?(what|which) (year|decade|century|date|day|month|time|era)\b"),
        "when",
        TIME,
    ),
    (re.compile(r"when\b"), "when", TIME),
    (re.compile(r"how (many|much)\b"), "how many", AMOUNT),
    (
        re.compile(r"what (percentage|percent|share|proportion|fraction)\b"),
        "how many",
        AMOUNT | {"PERCENT"},
    ),
    (re.compile(r"what (number|amount|size|population)\b"), "how many", AMOUNT),
    (re.compile(r"how (long|old|far|big|large|tall|high|often)\b"), "how many", AMOUNT | TIME),
    (re.compile(r"(who|whom|whose)\b"), "who", PERSON_LIKE),
    (re.compile(r"where\b"), "where", PLACE),
    (
        re.compile(
            r"(in |from |to )?(what|which) "
            r"(country|city|state|town|region|place|continent|nation|province)\b"
        ),
        "where",
        PLACE,
    ),
    (
        re.compile(
            r"(what|which) "
            r"(company|organi[sz]ation|group|team|party|agency|university|school|band)\b"
        ),
        "who",
        frozenset({"ORG"}),
    ),
    (
        re.compile(
            r"(what|which) (person|man|woman|president|leader|king|queen|minister|author|player)\b"
        ),
        "who",
        frozenset({"PERSON"}),
    ),
    (
        re.compile(r"(what|which) (language|nationality|religion)\b"),
        "what",
        frozenset({"NORP", "LANGUAGE"}),
    ),
    (re.compile(r"why\b"), "why", frozenset()),
    (re.compile(r"how\b"), "how", frozenset()),
    (re.compile(r"(what|which)\b"), "what", frozenset()),
]
_WH_WORD = re.compile(r"\b(what|which|who|whom|whose|when|where|why|how)\b", re.I)
# "Where and when ...": the answer may be either kind.
_PAIR = re.compile(r"^(who|where|when) and (who|where|when)\b")
_LEAD = re.compile(r"^(and|so|but|also|then|in|on|at|by|for|from|to|of|with)\s+", re.I)
WH_KINDS = ("who", "where", "when", "how many", "what", "why", "how", "other")


@dataclass
class QuestionAnalysis:
    text: str
    wh: str  # one of WH_KINDS
    expected: frozenset[str]  # spaCy entity labels an answer would be
    head_noun: str = ""  # "which treaty" -> "treaty"
    entities: list[tuple[str, str]] = field(default_factory=list)  # (text, label)
    main_verb: str = ""  # lemma
    focus: set[str] = field(default_factory=set)  # stemmed content words
    # The asked-for thing's role in its clause: "subject" (the doer: "Who invented ...?"),
    # "object" (done to: "What did Savery invent?", "What was invented ...?") or "other".
    wh_role: str = "other"
    # The preposition the asked-for phrase is the object of ("in what city" -> "in"), and the
    # stemmed word that phrase (or that preposition) hangs from ("What did Savery invent?" ->
    # "invent"): the slot in the question that the answer fills.
    wh_preposition: str = ""
    wh_head: str = ""


def analyse(question: str) -> QuestionAnalysis:
    """The question's kind and parts, from its spaCy parse."""
    doc = parse(question)
    wh, expected = classify(question)
    return QuestionAnalysis(
        text=question,
        wh=wh,
        expected=expected,
        head_noun=head_noun(doc),
        entities=[(e.text, e.label_) for e in doc.ents if not _WH_WORD.search(e.text)],
        main_verb=_main_verb(doc),
        focus=terms([question])[0],
        **_wh_slot(doc),
    )


def classify(question: str) -> tuple[str, frozenset[str]]:
    """(kind of question, expected entity labels) from its first words."""
    lowered = question.strip().lower()
    lowered = _LEAD.sub("", lowered)
    pair = _PAIR.match(lowered)
    if pair:
        first, second = classify(pair.group(1)), classify(pair.group(2))
        return first[0], first[1] | second[1]
    for pattern, wh, labels in _PATTERNS:
        if pattern.match(lowered):
            return wh, labels
    # A question with its wh-word later ("The treaty was signed when?") or none at all.
    for pattern, wh, labels in _PATTERNS:
        if pattern.search(lowered):
            return wh, labels
    return "other", frozenset()


def head_noun(doc: Any) -> str:
    """The noun a "which/what" determiner attaches to ("which treaty" -> "treaty")."""
    for token in doc:
        if token.lower_ in {"which", "what"} and token.dep_ == "det":
            return token.head.lemma_.lower()
    return ""


# Read off the words, not the parse: the small pipeline misparses a fronted "In what city ...".
_WH_PREPOSITION = re.compile(
    r"\b(in|on|at|by|with|from|to|for|of|during|under|into|through|after|before|since|against|"
    r"between|about|near|over|within|without|among|as)\s+(what|which|whom|whose)\b",
    re.I,
)


def _wh_slot(doc: Any) -> dict[str, str]:
    """The question's `wh_role`, `wh_preposition` and `wh_head` (see QuestionAnalysis)."""
    found = _WH_PREPOSITION.search(doc.text)
    slot = {"wh_preposition": found.group(1).lower() if found else ""}
    for token in doc:
        if _WH_WORD.fullmatch(token.text):
            asked = token.head if token.dep_ == "det" else token  # "which treaty" -> treaty
            slot["wh_role"] = clause_role(asked)[1]
            hung_from = asked.head.head if asked.dep_ == "pobj" else asked.head
            if hung_from != asked and asked.dep_ != "ROOT":
                slot["wh_head"] = next(iter(terms([hung_from.text])[0]), "")
            break
    return slot


def _main_verb(doc: Any) -> str:
    """The lemma of the question's main content verb (not "do", "be", "have" helpers)."""
    for token in doc:
        if token.dep_ == "ROOT":
            if token.pos_ == "VERB" or token.lemma_ not in {"be", "do", "have"}:
                return token.lemma_.lower()
            for child in token.children:
                if child.pos_ == "VERB" and child.dep_ in {"xcomp", "ccomp", "acomp", "advcl"}:
                    return child.lemma_.lower()
    verbs = [t for t in doc if t.pos_ == "VERB" and t.lemma_ not in {"be", "do", "have"}]
    return verbs[0].lemma_.lower() if verbs else ""
