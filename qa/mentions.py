"""Whom and what the previous turn talked about: the candidates a follow-up's "he" can mean.

The candidates are the noun phrases of the previous answer and question that name someone or
something (spaCy: named entities, and subjects and objects: with a name, a title such as
"ambassador", or a common noun such as "the pact", which only "it" and "they" can take, and named
possessors: "Qutb" of "Qutb's ideas", whom a "Whose ideas …?" question asks for), ranked
the way a reader resolves a reference: the answer before the question; in the answer the phrase
that fills the slot the question asked about ("Who patronized the monks?" — the agent of
"patronised" in the answer), then what the answer adds (a name the question did not have), then
one with a title the question asked about ("Who is the foreign minister?"); then the main clause
before embedded ones, the grammatical subject (a passive's "by" phrase included) before the
object before anything else, then text order.

A description and a name of the same person are one candidate, under the name: an apposition
("Georgy Zinoviev, the top Russian envoy") or a copula ("Thomas Newcomen was the inventor …")
gives the name its title, and an unnamed mention ("the Russian ambassador") whose title a named
person of the same turn has is taken to be that person. Datelines ("SEOUL —") and bylines
("By Jane Doe") say where and by whom a story was written, not whom it is about: left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from qa.answer import REFUSAL
from qa.lexicon import GROUP_NOUNS, KIND_LABELS, TITLES, dateline_end
from qa.question_types import head_noun
from qa.roles import asked_slot, clause_role

_GROUP_LABELS = {"ORG", "GPE", "NORP"}
_NAMED = {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}
_SUBJECTS = {"nsubj", "nsubjpass"}
_OBJECTS = {"dobj", "pobj", "dative", "attr"}
_CLAUSAL = {"relcl", "acl", "advcl", "ccomp", "xcomp", "punct", "appos"}
_ROLE_RANK = {"subject": 0, "object": 1, "other": 2}
_MAX_WORDS = 8
WH_TAGS = {"WDT", "WP", "WP$"}  # which, what, who, whose


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
    named: bool = False  # has a name of its own, not only a title ("the Russian ambassador")
    plural: bool = False  # "the monks", "Cho and Blinken"
    answers: bool = False  # fills, in the answer, the slot the question asked about
    main: bool = True  # in the main clause, not in a clause embedded in it
    verb: str = ""  # the lemma of the verb it is the subject or object of
    logical_role: str = "other"  # "subject" (the doer, a passive's "by" phrase too) or "object"
    label: str = ""  # its head's entity label ("GPE")
    counted: bool = False  # people counted, not named ("The two … agreed"): nothing to put in
    kinds: frozenset[str] = frozenset()  # what group it is called ("party" for "the SNP")
    # Verbs it underwent, as participles before it: "sign" for "the newly signed treaty"
    undergone: frozenset[str] = frozenset()


def mentions(previous_question: str, previous_answer: str) -> list[Mention]:
    """The candidates, best first (see the module docstring)."""
    from index.nlp import parse_many

    if previous_answer.strip() == REFUSAL:
        previous_answer = ""  # "the documents" is no one's referent
    answer = re.sub(r"\s*\[\d+(?:\s*,\s*\d+)*\]", "", previous_answer)
    answer = " ".join(answer.split())  # a no-break space ("SEOUL\u00a0—") derails the parse
    answer_doc, question_doc = parse_many([answer, previous_question])
    slot = asked_slot(question_doc, answer_doc)
    found = _mentions(answer_doc, "answer", slot) + _mentions(question_doc, "question", set())
    asked_noun = head_noun(question_doc)
    found = [_called_as_asked(m, asked_noun) if m.answers else m for m in found]
    order = {id(m): i for i, m in enumerate(found)}
    asked = {t.lower_ for t in question_doc if t.pos_ == "PROPN"}
    asked_titles = {t.lemma_.lower() for t in question_doc if t.lemma_.lower() in TITLES}
    asked_labels = _asked_labels(question_doc)

    def rank(m: Mention) -> tuple:
        # What the answer adds (a name the question did not have) is what the answer was
        # about; one with the title the question asked for ("the foreign minister") first.
        new = m.source == "answer" and m.named and bool(m.own_names - asked)
        return (
            m.source != "answer",
            not m.answers,
            m.label not in asked_labels,
            not new,
            not (m.titles & asked_titles),
            not m.main,
            _ROLE_RANK[m.role],
            order[id(m)],
        )

    return _under_names(sorted(found, key=rank))


def _called_as_asked(mention: Mention, noun: str) -> Mention:
    """The filler of a "which company" question is a group called a company ("Van Gend en
    Loos", which the recogniser takes for a person), for "the company" in a follow-up; the
    filler of a "which artist" question is a person ("Tamara de Lempicka", taken for an
    organisation), for "she"."""
    if mention.plural:
        return mention
    if noun in TITLES:
        return replace(mention, person=True, group=False, titles=mention.titles | {noun})
    if noun not in GROUP_NOUNS:
        return mention
    if mention.person and KIND_LABELS.get(noun) != "ORG":
        return mention  # a person is no country, whatever the answer's parse says
    return replace(mention, group=True, person=False, kinds=mention.kinds | {noun})


def span_mention(text: str, start: int, end: int) -> Mention | None:
    """The mention that `text[start:end]` is (a short answer in its sentence), marked as filling
    the asked slot; None when the span is no name or title."""
    from index.nlp import parse

    doc = parse(text)
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    head = span.root
    tokens = [head] + [t for t in span if t.i != head.i]
    mention = _mention(doc, tokens, _role(head) or "other", "answer", True)
    if mention is None or not mention.named:
        return None
    # Only the span: "Richard Trevithick", not "Around 1800 Richard Trevithick and Oliver Evans".
    plural = any(t.dep_ == "conj" for t in span) or _plural_noun(head)
    return replace(mention, text=span.text, plural=plural)


def _plural_noun(head: Any) -> bool:
    """The tagger calls some names plural ("Hong-kyun", "Ögedei"): a person's name is one
    person, and so is a capitalised word without a plural -s that is its own lemma (a real
    plural such as "People" has another singular)."""
    if head.tag_ not in {"NNS", "NNPS"} or head.ent_type_ == "PERSON":
        return False
    name_like = head.text[:1].isupper() and head.lemma_.lower() == head.lower_
    return not name_like or head.lower_.endswith("s")


def a_people(noun: Any) -> bool:
    """ "the Mongols", "the Camisards": a plural name after "the" is a people, whatever the
    tagger and the recogniser call it (a singular NNP, a PERSON)."""
    plural = noun.tag_ in {"NNS", "NNPS"} or (
        noun.pos_ == "PROPN" and noun.lower_.endswith("s") and not noun.lower_.endswith("ss")
    )
    return plural and any(c.lower_ == "the" for c in noun.children)


def _asked_labels(question: Any) -> set[str]:
    """The entity labels a "which country"/"what company" question asks for."""
    return {
        KIND_LABELS[t.lemma_.lower()]
        for t in question
        if t.lemma_.lower() in KIND_LABELS
        and any(c.lower_ in {"which", "what"} for c in t.children)
    }


def _under_names(ranked: list[Mention]) -> list[Mention]:
    """Each unnamed person ("the ambassador") replaced by the named person with its title, if
    one is mentioned, at the better of the two places."""
    named = [m for m in ranked if m.person and m.named]
    result: list[Mention] = []
    for m in ranked:
        if m.person and not m.named and m.titles:
            m = next((n for n in named if n.titles & m.titles), m)
        if m not in result:
            result.append(m)
    return result


def _mentions(doc: Any, source: str, slot: set[int]) -> list[Mention]:
    found: list[Mention] = []
    skipped = _credit_lines(doc)
    covered = set(skipped)
    for token in doc:
        role = "other" if _possessor(token) else _role(token)
        if role is not None and _counted_people(token):
            found.append(_counted_mention(token, role, source, token.i in slot))
            continue
        if role is None or token.pos_ not in {"NOUN", "PROPN"} or token.i in skipped:
            continue
        tokens = _noun_phrase(token) + _naming_apposition(token)
        if any(t.tag_ in WH_TAGS for t in tokens):
            # "Which Russian leader …?" asks who; it names no one, nor does its "Norman" in
            # "Which Norman crusader …?"
            covered.update(t.i for t in tokens)
            continue
        # A "whose" question's slot is filled by the possessor alone (roles.asked_slot).
        answers = any(t.i in slot for t in tokens if not _possessed(t, token))
        mention = _mention(doc, tokens, role, source, answers)
        name = _copula_name(token) if mention is not None and not mention.names else None
        if name is not None:  # "The party that ran it was the SNP": the SNP, a party
            named = _mention(doc, name, role, source, answers)
            if named is not None and named.names:
                mention = replace(
                    named,
                    titles=named.titles | mention.titles,
                    kinds=named.kinds | mention.kinds,
                    group=named.group or mention.group,
                    person=named.person or mention.person,
                )
                tokens = tokens + name
        if mention is not None:
            found.append(mention)
            covered.update(t.i for t in tokens)
    for entity in doc.ents:
        if entity.label_ in _NAMED and not any(t.i in covered for t in entity):
            mention = _mention(doc, list(entity), "other", source, False)
            if mention is not None:
                found.append(mention)
    return found


_COUNTS = {"two", "three", "four", "both"}


def _counted_people(token: Any) -> bool:
    """ "The two" or "Both" as a subject or object: the people the story named before."""
    if token.lower_ == "both":
        return token.pos_ == "PRON"
    return (
        token.pos_ == "NUM"
        and token.lower_ in _COUNTS
        and any(c.lower_ == "the" for c in token.children)
    )


def _counted_mention(token: Any, role: str, source: str, answers: bool) -> Mention:
    start = min(t.i for t in token.subtree if t.i <= token.i)
    verb, logical_role = clause_role(token)
    text = token.doc[start : token.i + 1].text
    return Mention(
        text, frozenset(), frozenset(), frozenset(), True, False, role, source,
        plural=True, answers=answers, main=_in_main_clause(token), verb=verb.lemma_.lower(),
        logical_role=logical_role, counted=True,
    )  # fmt: skip


def _possessor(token: Any) -> bool:
    """A named possessor, "Qutb" of "Qutb's ideas": someone of their own, besides the phrase."""
    return token.dep_ == "poss" and token.pos_ == "PROPN"


def _naming_apposition(head: Any) -> list[Any]:
    """The name an unnamed head is given by apposition ("the hostage prince Wonjong"): part
    of its phrase, so that the mention is named."""
    if head.pos_ == "PROPN":
        return []
    names = [c for c in head.children if c.dep_ == "appos" and c.pos_ == "PROPN"]
    return [t for c in names for t in _noun_phrase(c)]


def _credit_lines(doc: Any) -> set[int]:
    """Token positions of datelines ("SEOUL —" opening a sentence) and bylines (a sentence
    without a verb that starts with "By")."""
    skipped: set[int] = set()
    for sentence in doc.sents:
        end = sentence.start_char + dateline_end(sentence.text)
        skipped.update(t.i for t in sentence if t.idx < end)
        if sentence[0].lower_ == "by" and not any(t.pos_ in {"VERB", "AUX"} for t in sentence):
            skipped.update(range(sentence.start, sentence.end))
    return skipped


def _role(token: Any) -> str | None:
    if token.dep_ in _SUBJECTS or (token.dep_ == "pobj" and token.head.dep_ == "agent"):
        return "subject"  # "patronised by Robert Guiscard": Guiscard did it
    if token.dep_ == "attr" and _copula_subject(token.head) is not None:
        return None  # "X was the inventor": the inventor is X, described in X's mention
    if token.dep_ in _OBJECTS:
        return "object"
    if token.dep_ == "ROOT":  # an answer without a verb: "National Security Adviser Chang Ho-jin"
        return "subject"
    return None


def _in_main_clause(token: Any) -> bool:
    """Whether the token's clause is the sentence's main one (or joined to it by "and")."""
    verb = token.head if token.dep_ != "pobj" else token.head.head
    while verb.dep_ == "conj":
        verb = verb.head
    return verb.dep_ == "ROOT" or token.dep_ == "ROOT"


def _copula_subject(verb: Any) -> Any | None:
    if verb.lemma_ != "be":
        return None
    return next((c for c in verb.children if c.dep_ in _SUBJECTS), None)


def _noun_phrase(head: Any, keep_prepositions: bool = True) -> list[Any]:
    tokens = [head]
    for child in head.children:
        if child.dep_ in _CLAUSAL or (child.dep_ == "prep" and not keep_prepositions):
            continue
        tokens.extend(_noun_phrase(child, keep_prepositions))
    return tokens


def _copula_name(head: Any) -> list[Any] | None:
    """The named phrase a copula gives an unnamed subject ("The party … was the SNP")."""
    if head.dep_ not in _SUBJECTS or _copula_subject(head.head) != head:
        return None
    attr = next((c for c in head.head.children if c.dep_ == "attr"), None)
    if attr is None or attr.pos_ != "PROPN":
        return None
    return _noun_phrase(attr, keep_prepositions=False)


def _descriptions(head: Any) -> list[Any]:
    """What an apposition ("Georgy Zinoviev, the top Russian envoy") or a copula ("Newcomen was
    the inventor") says the head is."""
    described = [t for c in head.children if c.dep_ == "appos" for t in c.subtree]
    if head.dep_ in _SUBJECTS and _copula_subject(head.head) == head:
        attrs = [c for c in head.head.children if c.dep_ == "attr"]
        described += [t for a in attrs for t in _noun_phrase(a, keep_prepositions=False)]
    return described


def _mention(doc: Any, tokens: list[Any], role: str, source: str, answers: bool) -> Mention | None:
    """Names come from the whole phrase, what kind of thing it is from its head without
    prepositional phrases ("the pact to Zinoviev" is a pact, not a person)."""
    head = tokens[0]
    core = _noun_phrase(head, keep_prepositions=False) if len(tokens) > 1 else tokens
    core = core + [t for t in _naming_apposition(head) if t not in core]
    tokens = _with_whole_entities(doc, tokens)  # "Jesus the Interpreter", not "Jesus"
    names = frozenset(
        t.lower_
        for t in tokens
        if (t.pos_ == "PROPN" or t.ent_type_ in _NAMED) and t.dep_ != "case"
    )
    described = core + _descriptions(head)
    titles = frozenset(t.lemma_.lower() for t in described if t.lemma_.lower() in TITLES)
    kinds = frozenset(t.lemma_.lower() for t in described if t.lemma_.lower() in GROUP_NOUNS)
    if not names and not titles and (head.pos_ != "NOUN" or role == "other"):
        return None  # a common noun counts as a subject or object only: "it" may be "the pact"
    # Its kind is its own: "Putin's plan" is no person, nor is "the Art Deco style" (a common
    # noun is what its title, if any, or the name it is given says: "the despot Isaac Komnenos").
    if head.pos_ == "NOUN":
        labels = {t.ent_type_ for t in [head, *_naming_apposition(head)]} - {""}
    else:
        labels = {t.ent_type_ for t in core if t.ent_type_ and not _possessed(t, head)}
    person = "PERSON" in labels or bool(titles)
    people = a_people(head)
    plural = any(c.dep_ == "conj" for c in head.children) or _plural_noun(head) or people
    text = _text(doc, tokens, core, person, plural)
    if text is None:
        return None
    kind = head.ent_type_ in _GROUP_LABELS or head.lemma_.lower() in GROUP_NOUNS or people
    group = kind and not person
    own = frozenset(
        t.lower_ for t in core if t.pos_ == "PROPN" and t.dep_ != "amod" and not _possessed(t, head)
    )
    named = any(
        t.pos_ == "PROPN" and t.dep_ != "amod" and t.lemma_.lower() not in TITLES for t in tokens
    )
    verb, logical_role = clause_role(head)
    verb = verb.lemma_.lower()
    return Mention(
        text, names, own, titles, person, group, role, source,
        named, plural, answers, _in_main_clause(head), verb, logical_role, head.ent_type_,
        kinds=kinds, undergone=_participles(head),
    )  # fmt: skip


def _participles(head: Any) -> frozenset[str]:
    return frozenset(
        c.lemma_.lower() for c in head.children if c.dep_ == "amod" and c.tag_ == "VBN"
    )


def _possessed(token: Any, head: Any) -> bool:
    """Whether the token is in a possessor's phrase inside the head's phrase."""
    while token.i != head.i and token.head.i != token.i:
        if token.dep_ == "poss":
            return True
        token = token.head
    return False


def _text(doc: Any, tokens: list[Any], core: list[Any], person: bool, plural: bool) -> str | None:
    """What to put into the follow-up: the phrase, or its head's, when short; else its people
    ("Putin and Kim Jong-un") or its first person or entity."""
    tokens, core = _trimmed(tokens), _trimmed(core)
    span = _short(doc, tokens) or _short(doc, _with_of_phrase(core)) or _short(doc, core)
    if span is None:
        inner = [e for e in doc.ents if e.label_ in _NAMED and e[0] in tokens]
        people = [e for e in inner if e.label_ == "PERSON"]
        if plural and len(people) > 1:
            return " and ".join(e.text for e in people)
        inner = (people if person else []) or inner
        if not inner:
            return None
        span = inner[0]
    if span.start == 0 and span[0].lower_ == "the":
        return "the" + span.text[3:]
    return span.text


def _with_of_phrase(core: list[Any]) -> list[Any]:
    """The head's phrase with its "of" phrase only: "a group of Norman Huguenots", when "… under
    the leadership of Jean Ribault" makes the whole too long and "a group" says nothing."""
    head = core[0]
    of = next((c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    if of is None or of.i < head.i:
        return core
    return core + [t for t in of.subtree if t.i > head.i and t not in core]


def _trimmed(tokens: list[Any]) -> list[Any]:
    """Without what a misparse hangs on a name: a coordinator with nothing coordinated ("Richard
    Trevithick and, separately, Oliver Evans" parses Evans as an apposition), a number before
    a person ("Around 1800 Richard Trevithick"), and a possessor's "'s"."""
    head = tokens[0]
    coordinated = any(t.dep_ == "conj" for t in tokens)
    dropped = set()
    for t in tokens:
        if t.dep_ == "cc" and not coordinated:
            dropped.add(t.i)
        if t.dep_ == "nummod" and t.head.i == head.i and head.ent_type_ == "PERSON":
            dropped.update(x.i for x in t.subtree)
    last = max(tokens, key=lambda t: t.i)
    if last.dep_ == "case":  # "Robert Koch", not "Robert Koch's"
        dropped.add(last.i)
    return [t for t in tokens if t.i not in dropped] or tokens


def _with_whole_entities(doc: Any, tokens: list[Any]) -> list[Any]:
    positions = {t.i for t in tokens}
    for entity in doc.ents:
        if entity.start in positions or entity[-1].i in positions:
            positions.update(range(entity.start, entity.end))
    return [doc[i] for i in sorted(positions, key=lambda i: i != tokens[0].i)]


def _short(doc: Any, tokens: list[Any]) -> Any | None:
    start, end = min(t.i for t in tokens), max(t.i for t in tokens) + 1
    return doc[start:end] if end - start <= _MAX_WORDS else None
