"""Who "he", "they" or "the ambassador" is in a follow-up, from the previous question and answer.

The candidates are the noun phrases of the previous answer and question that name someone or
something (spaCy: named entities, and subjects and objects holding a name or a title such as
"ambassador"), ranked the way a reader resolves a reference: the answer before the question;
in the answer what it adds (a name the question did not have) first, and one with a title the
question asked about ("Who is the foreign minister?"); then the grammatical subject before the
object before anything else, then text order.
"he"/"she" (and him, his, her) take the first person, by gender-neutral rules (spaCy has no
gender); "they" the first group or, failing that, person; "it", and a "that" standing alone,
the first thing that is not a person; "the ambassador" the candidate with that title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_PERSON_WORDS = {"he", "him", "his", "she", "her", "hers", "himself", "herself"}
_GROUP_WORDS = {"they", "them", "their", "theirs", "themselves"}
_SUBJECT_FORMS = {"he", "she", "they"}
_OBJECT_FORMS = {"him", "her", "them"}
_REFERENCE = re.compile(
    r"\b(?:(?:the|this|that)\s+(?P<title>[a-z-]+)|(?P<word>he|him|his|she|her|hers|himself|"
    r"herself|they|them|their|theirs|themselves|it|its)|(?P<that>that|this)(?=\s*[?.!]|$))\b",
    re.IGNORECASE,
)
TITLES = {
    "adviser", "advisor", "ambassador", "author", "bishop", "chairman", "chancellor", "chief",
    "commander", "councillor", "diplomat", "director", "duke", "emperor", "envoy", "general",
    "governor", "khan", "king", "leader", "mayor", "minister", "monarch", "official", "pope",
    "premier", "president", "prince", "princess", "queen", "secretary", "senator", "spokesman",
    "spokeswoman", "sultan", "writer", "founder", "inventor", "scientist", "professor", "man",
    "woman", "player", "coach", "ruler", "physician", "explorer", "architect", "engineer",
}  # fmt: skip
_GROUP_LABELS = {"ORG", "GPE", "NORP"}
_NAMED = {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}
_SUBJECTS = {"nsubj", "nsubjpass"}
_OBJECTS = {"dobj", "pobj", "dative", "attr"}
_CLAUSAL = {"relcl", "acl", "advcl", "ccomp", "xcomp", "punct", "appos"}
_ROLE_RANK = {"subject": 0, "object": 1, "other": 2}
_MAX_WORDS = 8


@dataclass(frozen=True)
class Mention:
    """Someone or something the previous turn talked about."""

    text: str  # as written, short enough to put into a question
    names: frozenset[str]  # its proper-noun words, lower-cased ("georgy", "zinoviev")
    own_names: frozenset[str]  # those of its head, without modifiers and prepositional phrases
    titles: frozenset[str]  # its title words ("ambassador")
    person: bool
    group: bool
    role: str  # "subject", "object" or "other"
    source: str  # "answer" or "question"


@dataclass(frozen=True)
class Resolution:
    """One reference in the follow-up and the mention it stands for."""

    start: int
    end: int
    reference: str
    mention: Mention


def mentions(previous_question: str, previous_answer: str) -> list[Mention]:
    """The candidates, best first (see the module docstring)."""
    from index.nlp import parse_many

    answer = re.sub(r"\s*\[\d+(?:\s*,\s*\d+)*\]", "", previous_answer)
    answer_doc, question_doc = parse_many([answer, previous_question])
    found = _mentions(answer_doc, "answer") + _mentions(question_doc, "question")
    order = {id(m): i for i, m in enumerate(found)}
    asked = {t.lower_ for t in question_doc if t.pos_ == "PROPN"}
    asked_titles = {t.lemma_.lower() for t in question_doc if t.lemma_.lower() in TITLES}

    def rank(m: Mention) -> tuple:
        # What the answer adds (a name the question did not have) is what the answer was
        # about; one with the title the question asked for ("the foreign minister") first.
        new = m.source == "answer" and not (m.own_names & asked)
        return (m.source != "answer", not new, not (m.titles & asked_titles), _ROLE_RANK[m.role])

    return sorted(found, key=lambda m: (*rank(m), order[id(m)]))


def _mentions(doc: Any, source: str) -> list[Mention]:
    found: list[Mention] = []
    covered: set[int] = set()
    for token in doc:
        role = _role(token)
        if role is None or token.pos_ not in {"NOUN", "PROPN"}:
            continue
        tokens = _noun_phrase(token)
        mention = _mention(doc, tokens, role, source)
        if mention is not None:
            found.append(mention)
            covered.update(t.i for t in tokens)
    for entity in doc.ents:
        if entity.label_ in _NAMED and not any(t.i in covered for t in entity):
            mention = _mention(doc, list(entity), "other", source)
            if mention is not None:
                found.append(mention)
    return found


def _role(token: Any) -> str | None:
    if token.dep_ in _SUBJECTS:
        return "subject"
    if token.dep_ in _OBJECTS:
        return "object"
    return None


def _noun_phrase(head: Any, keep_prepositions: bool = True) -> list[Any]:
    tokens = [head]
    for child in head.children:
        if child.dep_ in _CLAUSAL or (child.dep_ == "prep" and not keep_prepositions):
            continue
        tokens.extend(_noun_phrase(child, keep_prepositions))
    return tokens


def _mention(doc: Any, tokens: list[Any], role: str, source: str) -> Mention | None:
    """Names come from the whole phrase, what kind of thing it is from its head without
    prepositional phrases ("the pact to Zinoviev" is a pact, not a person)."""
    core = _noun_phrase(tokens[0], keep_prepositions=False) if len(tokens) > 1 else tokens
    # "Georgy Zinoviev, the top Russian envoy": the apposition says what he is.
    described = core + [t for c in tokens[0].children if c.dep_ == "appos" for t in c.subtree]
    names = frozenset(t.lower_ for t in tokens if t.pos_ == "PROPN" or t.ent_type_ in _NAMED)
    titles = frozenset(t.lemma_.lower() for t in described if t.lemma_.lower() in TITLES)
    if not names and not titles:
        return None
    labels = {t.ent_type_ for t in core if t.ent_type_}
    person = "PERSON" in labels or bool(titles)
    span = _short(doc, tokens) or _short(doc, core)
    if span is None:  # a long phrase: its person or first entity stands for it
        inner = [e for e in doc.ents if e.label_ in _NAMED and e[0] in tokens]
        inner = [e for e in inner if not person or e.label_ == "PERSON"] or inner
        if not inner:
            return None
        span = inner[0]
    text = span.text
    if span.start == 0 and span[0].lower_ == "the":
        text = "the" + text[3:]
    group = bool(labels & _GROUP_LABELS) and not person
    own = frozenset(t.lower_ for t in core if t.pos_ == "PROPN" and t.dep_ != "amod")
    return Mention(text, names, own, titles, person, group, role, source)


def _short(doc: Any, tokens: list[Any]) -> Any | None:
    start, end = min(t.i for t in tokens), max(t.i for t in tokens) + 1
    return doc[start:end] if end - start <= _MAX_WORDS else None


def find_references(question: str) -> list[tuple[int, int, str, str]]:
    """(start, end, reference, kind) for each reference in a follow-up; kind is "person",
    "group", "thing" or a title word."""
    found = []
    for match in _REFERENCE.finditer(question):
        if match.group("title"):
            title = match.group("title").lower()
            if title in TITLES or title.rstrip("s") in TITLES:
                found.append((match.start(), match.end(), match.group(0), title.rstrip("s")))
            continue
        word = (match.group("word") or match.group("that")).lower()
        kind = "person" if word in _PERSON_WORDS else "group" if word in _GROUP_WORDS else "thing"
        found.append((match.start(), match.end(), match.group(0), kind))
    return found


def resolve(question: str, candidates: list[Mention]) -> list[Resolution]:
    """Each reference of the follow-up that some candidate matches, with that candidate. A
    pronoun never stands for someone the follow-up names itself ("When did Kublai install
    him?"), and "him" in a question with "he" is someone else ("Did he defeat him?")."""
    named = {w.lower() for w in re.findall(r"[\w-]+", question) if w[:1].isupper()}
    free = [m for m in candidates if not m.own_names & named]
    resolved: list[Resolution] = []
    for start, end, reference, kind in find_references(question):
        word = reference.lower()
        pool = free if kind in {"person", "group", "thing"} else candidates
        if word in _OBJECT_FORMS:
            taken = {id(r.mention) for r in resolved if r.reference.lower() in _SUBJECT_FORMS}
            pool = [m for m in pool if id(m) not in taken]
        # "they" is a group first (South Korea, the Normans), a person (singular they) failing that.
        mention = next((m for m in pool if _fits(m, kind)), None)
        if mention is None and kind == "group":
            mention = next((m for m in pool if m.person), None)
        if mention is not None:
            resolved.append(Resolution(start, end, reference, mention))
    return resolved


def _fits(mention: Mention, kind: str) -> bool:
    if kind == "person":
        return mention.person
    if kind == "group":
        return mention.group
    if kind == "thing":
        return not mention.person
    return kind in mention.titles


def substitute(question: str, resolutions: list[Resolution]) -> str:
    """The follow-up with each reference replaced by what it stands for."""
    for r in sorted(resolutions, key=lambda r: -r.start):
        word = r.reference.lower()
        possessive = word in {"his", "her", "its", "their", "hers", "theirs"}
        text = r.mention.text + ("'s" if possessive else "")
        if word == "her" and not _possessive_her(question, r.end):
            text = r.mention.text
        question = question[: r.start] + text + question[r.end :]
    return question[0].upper() + question[1:] if question else question


def _possessive_her(question: str, end: int) -> bool:
    """ "her speech" is possessive, "ask her" is not: a word (not punctuation) follows."""
    rest = question[end:].lstrip()
    return bool(rest) and rest[0].isalpha() and not rest.lower().startswith(("about", "to", "in"))


def agrees(rewritten: str, resolutions: list[Resolution], question: str = "") -> bool:
    """Whether a rewrite names what every reference was resolved to (one name or title word of
    each is enough: "Zinoviev" for "Russian Ambassador Georgy Zinoviev"). Only words the rewrite
    adds to the follow-up `question` count: the model often returns "Which kingdom was he king
    of?" unchanged, and its "king" does not name "King Sigismund III Vasa"."""
    words = _words(rewritten) - _words(question)
    for r in resolutions:
        wanted = r.mention.names or r.mention.titles
        if not any(_close(w, x) for w in wanted for x in words):
            return False
    return True


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[\w-]+", text)}


def _close(a: str, b: str) -> bool:
    return a == b or (len(a) >= 4 and len(b) >= 4 and (a.startswith(b) or b.startswith(a)))
