"""Whom a follow-up can mean, from the previous turn's answer checked against its evidence.

The candidates are the previous answer's and question's mentions (qa/mentions.py). A generated
answer can fill the question's slot with the wrong one ("Henry Kissinger wanted Israel to
withdraw" from a passage where Ted Heath called for it), or with no one, while its evidence says
who: the short answer the reader picked (qa/reading/short_answer.py) and the quotes it cites.
So a filler from the evidence goes first when
- the answer's own filler is supported by no evidence text: none names it and has the
  question's verb (any verb but a light one: "be", "have", "do", ...) and its numbers;
- the answer fills no slot, and the short answer is probable (p >= SHORT_ANSWER_P);
- the answer is a refusal, and a closest passage has the question's verb with a name the
  question does not have as one of that verb's arguments.
The evidence's filler is the filler of the asked slot in a quote that has the question's verb
and numbers, else the subject of a quote's clause whose object has the words of the question's
object (the same thing said with another verb), else the short answer (as a mention of its
sentence); the filler of a "who" question is a person (a name the recogniser calls an
organisation's, too, if it reads like a person's), and so is any such name of an answer that
fills no slot. When the answer's filler is several people and the probable short answer is one
of them, that one follows the group, for "he".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import Any

from qa.lexicon import GROUP_NOUNS, words
from qa.mentions import Mention, mentions, span_mention
from qa.roles import same_verb
from qa.turn import PreviousTurn

SHORT_ANSWER_P = 0.5
_LIGHT_VERBS = {"be", "have", "do", "get", "make"}
_OBJECT_DEPS = {"dobj", "attr", "oprd"}
# Labels the recogniser gives some people's names ("Maududi" ORG, "Maududi" PRODUCT).
_NAME_LABELS = {"ORG", "PRODUCT"}
_WHO = re.compile(r"\bwho(m|se)?\b", re.IGNORECASE)


def candidates(previous_question: str, previous: PreviousTurn) -> list[Mention]:
    """The mentions a follow-up's references can stand for, best first."""
    found = mentions(previous_question, previous.answer)
    # The answer's people: those filling the asked slot or, when the answer says who with
    # another word than the question's verb ("under the leadership of Jean Ribault" for "Who
    # led …?"), any name it has.
    fills = any(m.source == "answer" and m.answers for m in found)
    found = [
        _as_asked(m, previous_question, m.answers)
        if m.source == "answer" and (m.answers or not fills)
        else m
        for m in found
    ]
    found = _one_of_several(found, previous, previous_question)
    filler = _evidence_filler(previous_question, previous, found)
    if filler is None:
        return found
    # The same one named in the answer keeps the answer's mention (its kind is read from more
    # words: "Papin" alone is tagged a place), put first.
    same = [m for m in found if _same_one(m, filler)]
    first = replace(same[0], answers=True) if same else filler
    return [first] + [m for m in found if not _same_one(m, filler)]


def _one_of_several(found: list[Mention], previous: PreviousTurn, question: str) -> list[Mention]:
    """When the answer's filler cannot be "he", because it is several people ("Michael Faraday
    and James Clerk Maxwell") or no person ("…, Seoul's foreign ministry said"), and the
    probable short answer is one of the people the answer names, that one follows it."""
    filler = next((m for m in found if m.source == "answer" and m.answers), None)
    short = previous.short_answer
    if filler is None or (filler.person and not filler.plural):
        return found
    if short is None or short.probability < SHORT_ANSWER_P:
        return found
    one = _short_answer_mention(previous, set())
    if one is None or one.plural or not one.names:
        return found
    named = [filler] if filler.person else [m for m in found if m.source == "answer" and m.person]
    if not any(one.names <= m.names for m in named):
        return found
    one = replace(_as_asked(one, question), answers=True)
    at = found.index(filler) + 1
    return found[:at] + [one] + [m for m in found[at:] if not _same_one(m, one)]


def _evidence_filler(question: str, previous: PreviousTurn, found: list[Mention]) -> Mention | None:
    from index.nlp import parse

    verbs = _content_verbs(parse(question))
    asked = words(question)
    if previous.refused:
        return _closest_filler(question, previous.closest, verbs, asked)
    short = previous.short_answer
    evidence = [*previous.quotes] + ([short.sentence] if short and short.sentence else [])
    fillers = [m for m in found if m.source == "answer" and m.answers]
    if not fillers and (short is None or short.probability < SHORT_ANSWER_P):
        return None
    relevant = [text for text in evidence if _relevant(text, verbs, question)]
    # Each text parsed once: the support check and the quotes' fillers read the same ones.
    slot_fillers = cache(lambda text: _slot_fillers(question, text))
    if fillers and _supported(fillers[0], relevant, slot_fillers):
        return None
    from_quotes = (
        m for q in previous.quotes if q in relevant for m in slot_fillers(q) if m.names - asked
    )
    paraphrased = (m for q in previous.quotes for m in _paraphrase_fillers(question, q))
    filler = (
        next(from_quotes, None)
        or next((m for m in paraphrased if m.names - asked), None)
        or _short_answer_mention(previous, asked)
    )
    return None if filler is None else _as_asked(filler, question)


def _supported(
    filler: Mention, relevant: list[str], slot_fillers: Callable[[str], list[Mention]]
) -> bool:
    """Whether the evidence says it of the answer's filler: its surname is in the evidence's
    filler of the asked slot or, when the evidence's parse fills none, in the evidence. By
    surname: "Pierre-Louis Moreau de Maupertuis" shares "Louis" with "Louis Pasteur"; and not
    merely named: "Henry Ware was elected …, and Samuel Webber was appointed …" names Ware."""
    surname = _surname(filler)
    slot = [m for text in relevant for m in slot_fillers(text)]
    if slot:
        return any(surname in words(m.text) for m in slot)
    return any(surname in words(text) for text in relevant)


def _as_asked(mention: Mention, question: str, fills_slot: bool = True) -> Mention:
    """The filler of a "who" question is a person, though the recogniser gave its name no kind
    ("Bethencourt"). So is a name it took for something else's ("Maududi", "Jean Ribault": ORG)
    that reads like a person's name (one to three capitalised words, no "the", no acronym, no
    word such as "Ministry" or "League"), filling the slot or not."""
    if mention.person or not _WHO.search(question):
        return mention
    unnamed = fills_slot and not mention.label and not mention.group
    misnamed = mention.label in _NAME_LABELS and not mention.plural and _name_like(mention)
    return replace(mention, person=True, group=False) if unnamed or misnamed else mention


def _name_like(mention: Mention) -> bool:
    parts = mention.text.split()  # "the Muslim Brotherhood" is no one's name
    return 0 < len(parts) <= 3 and all(
        w[:1].isupper() and not w.isupper() and w.lower() not in GROUP_NOUNS for w in parts
    )


def _paraphrase_fillers(question: str, text: str) -> list[Mention]:
    """The subject of a clause whose object has the words of the question's object, when the
    verbs differ: "Bethencourt" in "Bethencourt took the title of King of the Canary Islands"
    for "Who became the King of the Canary Islands?"."""
    from index.nlp import parse

    wanted = [
        _content_words(o)
        for v in parse(question)
        for o in v.children
        if o.dep_ in _OBJECT_DEPS
        and any(c.dep_ == "nsubj" and c.lower_ == "who" for c in v.children)
    ]
    wanted = [w for w in wanted if len(w) >= 2]
    if not wanted:
        return []
    found = []
    doc = parse(text)
    for verb in doc:
        subjects = [c for c in verb.children if c.dep_ == "nsubj" and c.pos_ == "PROPN"]
        objects = [_content_words(o) for o in verb.children if o.dep_ in _OBJECT_DEPS]
        if subjects and any(len(w & o) * 3 >= len(w) * 2 for w in wanted for o in objects):
            subject = subjects[0]
            start, end = subject.left_edge.idx, subject.idx + len(subject)
            mention = span_mention(text, start, end)
            if mention is not None:
                found.append(mention)
    return found


def _content_words(head: Any) -> set[str]:
    return {t.lower_ for t in head.subtree if t.is_alpha and not t.is_stop}


def _relevant(text: str, verbs: set[str], question: str) -> bool:
    """Whether an evidence text has the question's verb (if it has one) and its numbers."""
    from index.nlp import parse

    if not set(re.findall(r"\d+", question)) <= set(re.findall(r"\d+", text)):
        return False  # "around 1800": a passage about 1804 answers another question
    if not verbs:
        return True
    return any(same_verb(v, w) for v in verbs for w in _content_verbs(parse(text)))


def _content_verbs(doc: Any) -> set[str]:
    return {
        t.lemma_.lower() for t in doc if t.pos_ == "VERB" and t.lemma_.lower() not in _LIGHT_VERBS
    }


def _closest_filler(
    question: str, passages: tuple[str, ...], verbs: set[str], asked: set[str]
) -> Mention | None:
    """After a refusal: in the first closest passage with the question's verb, the slot's
    filler, else a named argument of that verb that the question does not name."""
    for passage in passages:
        if not verbs or not _relevant(passage, verbs, question):
            continue
        found = [
            m
            for m in mentions(question, passage)
            if m.source == "answer" and m.named and not m.own_names & asked
        ]
        fillers = [m for m in found if m.answers]
        arguments = [m for m in found if any(same_verb(m.verb, v) for v in verbs)]
        for m in fillers + arguments:
            return replace(m, answers=True)
    return None


def _short_answer_mention(previous: PreviousTurn, asked: set[str]) -> Mention | None:
    """The short answer as a mention of its sentence, when it names someone the question does
    not."""
    short = previous.short_answer
    if short is None or not short.sentence:
        return None
    # As a whole word: "Russia", not the start of "Russian".
    found = re.search(rf"(?<!\w){re.escape(short.text)}(?!\w)", short.sentence)
    if found is None:
        return None
    mention = span_mention(short.sentence, found.start(), found.end())
    if mention is None or not mention.names - asked:
        return None
    return mention


def _slot_fillers(question: str, text: str) -> list[Mention]:
    """The named mentions of `text` that fill the question's slot (its verb, the role asked)."""
    return [
        replace(m, answers=True)
        for m in mentions(question, text)
        if m.source == "answer" and m.answers and m.named
    ]


def _same_one(a: Mention, b: Mention) -> bool:
    """By surname: "Zinoviev" is "Georgy Zinoviev", "Kim" is "Kim Hong-kyun", but "Louis
    Pasteur" is not "Pierre-Louis Moreau de Maupertuis", nor "Robert Koch's 1891 proofs" Koch
    (its own names are those of its head, not its possessor's)."""
    return a.text == b.text or _surname(a) in _own_words(b) or _surname(b) in _own_words(a)


def _own_words(mention: Mention) -> set[str]:
    return set(mention.own_names) or words(mention.text)


def _surname(mention: Mention) -> str:
    last = (mention.text.split() or [""])[-1].lower()
    return last[:-2] if last.endswith("'s") else last
