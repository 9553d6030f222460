"""Who "he", "they" or "the ambassador" is in a follow-up, from the previous question and answer.

The follow-up's references come from its spaCy parse: personal pronouns, "the <title>" (a
title word with nothing but adjectives and nouns before it: "the vice foreign minister"), "the
<group>" ("the ministry", taken by a group the previous turn called so), "that <noun>" ("that
treaty", taken by a named one: "the Comprehensive Strategic Partnership Treaty"), "that"/"this"
standing alone, which refers to what the previous answer said happened (an event), not to a
name, and "the two"/"both" standing alone: people named together before ("Cho and Blinken"),
or else the first two people of the previous turn; a "they"/"their" after it in the same
follow-up is theirs. The candidates and their ranking are in qa/mentions.py.
"he"/"she" (and him, his, her) take the first person, by gender-neutral rules (spaCy has no
gender); "they" the first group or several people; "it" the first thing that is not a person
(an LLM rewrite may name another one: `agrees`); "there" the first place; "the ambassador" the
candidate with that title or, when none has it, the first person ("the leaders": two people
named together, never one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from qa.lexicon import GROUP_NOUNS, TITLES, same_name, words
from qa.mentions import WH_TAGS, Mention, a_people
from qa.question_types import AMOUNT, PLACE, TIME
from qa.roles import clause_role, same_verb

_PERSON_WORDS = {"he", "him", "his", "she", "her", "hers", "himself", "herself"}
_GROUP_WORDS = {"they", "them", "their", "theirs", "themselves"}
_THING_WORDS = {"it", "its", "itself"}
_EVENT_WORDS = {"that", "this"}
_DETERMINERS = {"the", "this", "that"}
_ARTICLES = {"the", "a", "an"}
_TITLE_MODIFIERS = {"amod", "compound"}
_PRONOUN_KINDS = {"person", "group", "thing", "pair", "place"}
_PREPOSITION_BEFORE = re.compile(r"\b(?:from|to|in|at|near|around|into|out of)\s+$", re.I)
_ARGUMENT_DEPS = {"nsubj", "nsubjpass", "dobj", "pobj", "dative"}


@dataclass(frozen=True)
class Reference:
    """A word or phrase of the follow-up that stands for something said before."""

    start: int
    end: int
    text: str
    # "person", "group", "thing", "pair" ("the two", "both"), "event" or a title word
    # ("ambassador")
    kind: str
    possessive: bool = False
    verb: str = ""  # see mentions.clause_role
    role: str = "other"
    # The verb as written: spaCy lemmatizes "did he found it" as "find".
    verb_form: str = ""
    plural: bool = False  # "the leaders": several people, never one


@dataclass(frozen=True)
class Resolution:
    """One reference in the follow-up and the mention it stands for."""

    reference: Reference
    mention: Mention


def find_references(question: str) -> list[Reference]:
    """The references of a follow-up, in text order."""
    from index.nlp import parse

    found = []
    for token in parse(question):
        if _stands_for_two(token):
            found.append(_pair_reference(token))
        elif (token.pos_ == "PRON" or token.lower_ == "there") and token.dep_ != "expl":
            kind = _pronoun_kind(token)
            if kind is not None and not _bound_in_question(token, kind):
                verb, role = clause_role(token)
                end = token.idx + len(token)
                possessive = token.tag_ == "PRP$"
                forms = (verb.lemma_.lower(), role, verb.lower_)
                found.append(Reference(token.idx, end, token.text, kind, possessive, *forms))
        elif token.pos_ in {"NOUN", "PROPN"}:
            reference = _title_reference(token)
            if reference is not None:
                found.append(reference)
    return found


def _bound_in_question(token, kind: str) -> bool:
    """A possessive whose antecedent is earlier in the follow-up itself: "its" in "What carries
    a projectile to its target?", "his" in "What did Putin say about his plan?". Not a phrase
    that holds it ("the name of its capital") nor the asked-for one ("What city is its
    capital?", "How many people live in its capital?", "Which company changed its name?")."""
    if token.tag_ != "PRP$":
        return False
    for before in token.doc[: token.i]:
        if before.pos_ not in {"NOUN", "PROPN"} or _holds(before, token) or _asked(before):
            continue
        person = before.ent_type_ == "PERSON" or before.lemma_.lower() in TITLES
        if kind == "person" and a_people(before):
            continue  # "his" is not "the Mongols'"
        if (kind == "person" and person) or (kind == "thing" and not person):
            return True
    return False


def _holds(noun, token) -> bool:
    """ "the name of its capital" holds "its"; "a projectile to its target" (the parser
    attaches "to" either way) does not."""
    inside = set(noun.subtree)
    return any(a in inside and a.lower_ == "of" for a in token.ancestors)


def _asked(noun) -> bool:
    return any(
        c.tag_ in WH_TAGS
        or (c.lower_ in {"many", "much"} and any(g.lower_ == "how" for g in c.children))
        for c in noun.children
    )


def _pronoun_kind(token) -> str | None:
    word = token.lower_
    if word in _PERSON_WORDS:
        return "person"
    if word in _GROUP_WORDS:
        return "group"
    if word in _THING_WORDS:
        return "thing"
    if word == "there" and token.head.lemma_ != "be":  # "meet there"; not "are there lakes"
        return "place"
    # A demonstrative standing alone is tagged DT; the relative "that" (WDT) and the
    # conjunction (IN) refer to nothing before.
    if word in _EVENT_WORDS and token.tag_ == "DT":
        return "event"
    return None


def _stands_for_two(token) -> bool:
    """ "both" or "the two" standing alone ("What did both say?", "Where did the two meet?"),
    not "the two countries" nor "they both"."""
    if token.lower_ == "both":
        return token.dep_ in _ARGUMENT_DEPS
    if token.lower_ != "two" or token.i == 0 or token.nbor(-1).lower_ != "the":
        return False
    after = token.nbor(1) if token.i + 1 < len(token.doc) else None
    # the small parser reads "the two meet" as a noun phrase: a root after "did" is a verb
    return after is None or after.pos_ not in {"NOUN", "PROPN", "ADJ"} or after.dep_ == "ROOT"


def _pair_reference(token) -> Reference:
    """ "the two" or "both" standing alone, for two people named before."""
    det = token.nbor(-1) if token.lower_ == "two" else token
    end = token.idx + len(token)
    verb, role = clause_role(token)
    forms = (verb.lemma_.lower(), role, verb.lower_)
    return Reference(det.idx, end, token.doc.text[det.idx : end], "pair", False, *forms)


def _title_reference(head) -> Reference | None:
    """ "the minister", "the vice foreign minister", "that treaty" (any noun after "this" or
    "that"); not "the minister of Japan" or "Japan's minister", which say who they are."""
    children = list(head.children)
    det = next((c for c in children if c.dep_ == "det"), None)
    if det is None or det.lower_ not in _DETERMINERS or det.i > head.i:
        return None
    demonstrative = det.lower_ != "the"
    if not demonstrative and head.lemma_.lower() not in TITLES | GROUP_NOUNS:
        return None
    comma = next((c.i for c in children if c.i > head.i and c.lower_ == ","), len(head.doc))
    for child in children:
        if child.i > head.i and (demonstrative or child.i >= comma):
            # "that treaty aimed at …", "the president, who …" are still the one named before
            continue
        if child is not det and (
            child.dep_ not in _TITLE_MODIFIERS or child.pos_ == "PROPN" or child.i > head.i
        ):
            return None
    end = head.idx + len(head)
    verb, role = clause_role(head)
    forms = (verb.lemma_.lower(), role, verb.lower_)
    text, kind, plural = head.doc.text[det.idx : end], head.lemma_.lower(), head.tag_ == "NNS"
    return Reference(det.idx, end, text, kind, False, *forms, plural=plural)


def resolve(question: str, candidates: list[Mention]) -> list[Resolution]:
    """Each reference of the follow-up that some candidate matches, with that candidate. A
    pronoun never stands for someone the follow-up names itself ("When did Kublai install
    him?"), nor an object for its verb's subject."""
    free = _free(candidates, question)
    resolved: list[Resolution] = []
    for reference in find_references(question):
        if reference.kind == "event":
            continue
        pool = free if reference.kind in _PRONOUN_KINDS else candidates
        if reference.role == "object":
            pool = [m for m in pool if m.text not in _subjects_of(reference.verb, resolved)]
        # The one the previous turn said the follow-up's verb was done to ("Where was it
        # signed?" after "… the newly signed treaty …"), then the one filling the slot the
        # previous question asked about, then the one with the same role of the same verb:
        # "What do they say?" after "Which country signed the pact?" answered "The ministry
        # said the pact between Russia and ..." is Russia's.
        pool = sorted(
            pool,
            key=lambda m: (
                not _undergone(m, reference),
                not m.answers,
                not _parallel(m, reference),
            ),
        )
        mention = next(
            (m for m in pool if _fits(m, reference.kind) and (m.plural or not reference.plural)),
            None,
        )
        pair = next((r.mention for r in resolved if r.reference.kind == "pair"), None)
        if reference.kind == "group" and pair is not None:
            mention = pair  # "their" after "the two" in the same follow-up is theirs
        several = reference.plural and reference.kind in TITLES  # "the leaders"
        if mention is None and (reference.kind == "pair" or several):
            mention = _two_people(free)
        if mention is None and not several and reference.kind in TITLES:
            # "the minister" whom no title says is a minister: the person the previous turn
            # is about.
            mention = next((m for m in free if m.person), None)
        if mention is not None:
            resolved.append(Resolution(reference, mention))
    return resolved


def _free(candidates: list[Mention], question: str) -> list[Mention]:
    """The candidates a pronoun of `question` can stand for: not those it names itself."""
    named = {w.lower() for w in re.findall(r"[\w-]+", question) if w[:1].isupper()}
    return [m for m in candidates if not m.own_names & named]


def _two_people(candidates: list[Mention]) -> Mention | None:
    """The first two people of the candidates, as one mention: "the two" after "Cho Tae-yul and
    US Secretary of State Antony Blinken condemned ..."."""
    people = []
    for m in candidates:
        if m.person and not m.plural and not any(_same_person(m, p) for p in people):
            people.append(m)
    if len(people) < 2:
        return None
    first, second = people[:2]
    return replace(
        first,
        text=f"{first.text} and {second.text}",
        names=first.names | second.names,
        own_names=first.own_names | second.own_names,
        titles=first.titles | second.titles,
        plural=True,
    )


def _same_person(a: Mention, b: Mention) -> bool:
    return any(same_name(x, y) for x in a.own_names for y in b.own_names)


def _subjects_of(verb: str, resolved: list[Resolution]) -> set[str]:
    """The object of a verb is not its subject (that would be "himself"): "Did he defeat
    him?", "Why did they protest it?". By text: the answer and the question may both have it."""
    return {
        r.mention.text
        for r in resolved
        if r.reference.role == "subject" and r.reference.verb == verb
    }


def has_event_reference(question: str) -> bool:
    """Whether the follow-up says "that"/"this" of what happened ("When did that happen?")."""
    return any(r.kind == "event" for r in find_references(question))


def _parallel(mention: Mention, reference: Reference) -> bool:
    """The same role of the same verb: in "When did he found it?" after "Jesus founded the
    Office", "it" is what was founded."""
    return (
        reference.role != "other"
        and mention.logical_role == reference.role
        and any(same_verb(mention.verb, v) for v in (reference.verb, reference.verb_form))
    )


def _undergone(mention: Mention, reference: Reference) -> bool:
    """ "it" in "Where was it signed?" is "the newly signed treaty"."""
    verbs = (reference.verb, reference.verb_form)
    return reference.role == "object" and any(
        same_verb(done, v) for done in mention.undergone for v in verbs
    )


# A date or an amount is what a sentence says of something, not what "it" or "its" stands for
# ("its imported oil" after "On November 7, 1973, … declared Japan …" is Japan's).
_MEASURES = TIME | AMOUNT | {"ORDINAL"}


def _fits(mention: Mention, kind: str) -> bool:
    if mention.label in _MEASURES:
        return False
    if kind == "person":  # he/she is one person: not "both commanders", "Cho and Blinken"
        return mention.person and not mention.plural
    if kind == "group":
        return mention.group or (mention.plural and mention.person)
    if kind == "pair":  # "the two": people named together ("Cho and Blinken")
        return mention.person and mention.plural and not mention.counted
    if kind == "place":  # "there": a place named before
        return mention.label in PLACE
    if kind == "thing":  # "its" is not "the governments" (but may be "the United States")
        return not mention.person and not (mention.plural and not mention.label)
    if kind in GROUP_NOUNS:  # "the ministry": the group called so ("Seoul's foreign ministry")
        return mention.group and (kind in mention.kinds or kind in words(mention.text))
    if kind in TITLES:
        return kind in mention.titles
    return mention.named and kind in words(mention.text)  # "that treaty": a treaty with a name


def substitute(question: str, resolutions: list[Resolution]) -> str:
    """The follow-up with each reference replaced by what it stands for; a second reference to
    someone already named stays a pronoun ("When did Arthur Woolf obtain his patent?", "What did
    Putin say he would do?")."""
    named_before = {id(r.mention): r.reference.start for r in reversed(resolutions)}
    for r in sorted(resolutions, key=lambda r: -r.reference.start):
        if named_before[id(r.mention)] < r.reference.start and r.reference.kind in _PRONOUN_KINDS:
            continue
        text = r.mention.text
        if r.reference.possessive:
            text += "'" if r.mention.plural and text.endswith("s") else "'s"  # the Acadians'
        if r.reference.kind == "place" and not _PREPOSITION_BEFORE.search(
            question[: r.reference.start]
        ):
            text = "in " + text  # "meet there" -> "meet in Pyongyang"; "from there" keeps "from"
        question = question[: r.reference.start] + text + question[r.reference.end :]
    return question[0].upper() + question[1:] if question else question


def agrees(
    rewritten: str,
    resolutions: list[Resolution],
    question: str = "",
    candidates: list[Mention] | None = None,
) -> bool:
    """Whether a rewrite names what every reference was resolved to (one name or title word of
    each is enough: "Zinoviev" for "Russian Ambassador Georgy Zinoviev"). Only words the rewrite
    adds to the follow-up `question` count: the model often returns "Which kingdom was he king
    of?" unchanged, and its "king" does not name "King Sigismund III Vasa". And the name must
    replace the reference: "With whom did he condemn the treaty? Cho and Blinken." keeps "he".

    "it" may name any thing of the `candidates` instead: which one the sentence's meaning
    decides ("Which article of it …" after "The presidential office protested the pact" is the
    pact's), and the model reads meaning; for a person the roles rank better than the model
    (benchmarks/followups.py: the same for people lost five items, for "it" lost none)."""
    added = words(rewritten) - words(question)
    for r in resolutions:
        named = [r.mention]
        if r.reference.kind == "thing" and candidates:
            named += [m for m in _free(candidates, question) if _fits(m, "thing")]
        if not any(_names(m, added) for m in named):
            return False
        if question and _count(rewritten, r.reference.text) >= _count(question, r.reference.text):
            return False  # the name is added somewhere, but "he" is still there
    return True


def _names(mention: Mention, added: set[str]) -> bool:
    wanted = mention.names or mention.titles or words(mention.text) - _ARTICLES
    return any(same_name(w, x) for w in wanted for x in added)


def _count(text: str, word: str) -> int:
    return len(re.findall(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.I))
