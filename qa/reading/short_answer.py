"""The short answer: the phrase of the best sentence that answers the question, with its exact
span in the document.

Candidates come from the sentence's stored annotation: its named entities, and its noun phrases
(read off the dependency parse: a nominal word with the modifiers to its left); for a why or how
question, its clauses that give a cause, purpose or means ("because ...", "by ..."). Each candidate
gets features (its entity kind against the one expected, words it shares with the question, how
far it is from the words it shares, its role in the sentence, ...) and the short-answer model
(fitted with the reader, see evals/train_reader.py) picks the most probable one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from index.lexical import terms
from qa.answer import ShortAnswer
from qa.evidence import Evidence
from qa.question_types import WH_KINDS, QuestionAnalysis
from qa.roles import stored_clause_role

_NOMINAL = {
    "nsubj", "nsubjpass", "dobj", "pobj", "attr", "appos", "conj", "dative", "oprd", "npadvmod",
    "agent", "pcomp",
}  # fmt: skip
_MODIFIERS = {"compound", "amod", "det", "nummod", "poss", "nmod", "quantmod", "case", "predet"}
_ENTITY_AS_MODIFIER = {"amod", "compound", "nmod"}
_OBJECTS = {"dobj", "pobj", "attr", "oprd", "dative"}
_SUBJECTS = {"nsubj", "nsubjpass", "agent"}
_ATTRIBUTES = {"attr", "appos", "oprd"}
_PRIMARY = {"who": "PERSON", "where": "GPE", "when": "DATE", "how many": "CARDINAL"}

# Entity labels by the kind of thing they name, for the wh-kind x label-group features. Those are
# for the kinds of question that expect no label (who -> PERSON has `type_match`): which kinds
# of phrase answer a "what" is learned, not listed.
_UNTYPED_KINDS = ("what", "how", "why", "other")
_LABEL_GROUPS = {
    "person": {"PERSON"},
    "organisation": {"ORG"},
    "group": {"NORP", "LANGUAGE"},
    "place": {"GPE", "LOC", "FAC"},
    "time": {"DATE", "TIME"},
    "count": {"CARDINAL", "QUANTITY", "ORDINAL"},
    "money_or_share": {"MONEY", "PERCENT"},
    "titled": {"WORK_OF_ART", "LAW", "EVENT", "PRODUCT"},
    "phrase": {""},
    "clause": set(),
}
_GROUP_OF = {label: group for group, labels in _LABEL_GROUPS.items() for label in labels}

CANDIDATE_FEATURES = [
    "type_match",
    "is_entity",
    "question_word_share",  # share of the candidate's words that the question has
    "log_distance",  # words between the candidate and the nearest word shared with the question
    "head_noun_match",
    "is_object",
    "is_subject",
    "after_verb",
    "log_words",
    "in_question",  # the phrase, or every word of it, is already in the question
    "primary_type",  # the wh-word's first kind: who -> PERSON, when -> DATE, ...
    "head_in_question",  # the word it hangs from is one of the question's
    "is_attribute",  # "X is <it>", "X, <it>,", "called <it>"
    *[f"wh_{kind.replace(' ', '_')}_entity" for kind in WH_KINDS],
    "role_agrees",  # doer or done-to in its clause, as the question's wh-word is
    "log_tree_distance",  # dependency-tree steps to the nearest word shared with the question
    "window_share",  # share of the question's words within WINDOW words of it
    "number_for_number",  # it has a digit and the question asks when or how many
    "same_preposition",  # the object of the preposition the question's wh-phrase is under
    "same_slot_word",  # it hangs from the word the question's wh-phrase hangs from
    "same_slot",  # ... and has the wh-phrase's role there
    *[f"{kind}_{group}" for kind in _UNTYPED_KINDS for group in _LABEL_GROUPS],
]
WINDOW = 5


@dataclass(frozen=True)
class Candidate:
    start: int  # relative to the sentence
    end: int
    label: str  # entity label, "" for a noun phrase, CLAUSE for a why/how clause
    dep: str
    head: int  # token index of its head word


def candidates(text: str, annotation: dict, wh: str = "") -> list[Candidate]:
    """Entities and noun phrases of a sentence, each span once (an entity wins). For a question
    of kind `wh` "how", also its "by ..."-like phrases and adverbial clauses; for a "why", only
    its phrases and clauses that give a cause or purpose ("because ...", "to ...")."""
    deps = annotation.get("deps", [])
    children: dict[int, list[int]] = {}
    for i, (_, _, _, head) in enumerate(deps):
        if head != i:
            children.setdefault(head, []).append(i)

    def leftmost(i: int) -> int:
        left = [c for c in children.get(i, []) if c < i and deps[c][2] in _MODIFIERS]
        return min((leftmost(c) for c in left), default=i)

    def token_at(start: int) -> int:
        for i, (s, e, _, _) in enumerate(deps):
            if s <= start < e:
                return i
        return 0

    found: dict[tuple[int, int], Candidate] = {}
    for start, end, label in annotation.get("ents", []):
        t = token_at(end - 1)  # an entity's last word carries its role in the sentence
        dep, head = (deps[t][2], deps[t][3]) if deps else ("", 0)
        if dep in _ENTITY_AS_MODIFIER and head > t and deps[head][2] in _NOMINAL:
            # "Russian" in "the Russian ambassador" names what the phrase is, not the answer
            start, end, dep, head = (
                deps[leftmost(head)][0],
                deps[head][1],
                deps[head][2],
                deps[head][3],
            )
        found[(start, end)] = Candidate(start, end, label, dep, head)
    for i, (start, end, dep, head) in enumerate(deps):
        if dep not in _NOMINAL or not text[start:end][:1].isalnum():
            continue
        span = (deps[leftmost(i)][0], end)
        if span not in found and not any(a <= span[0] and span[1] <= b for a, b in found):
            found[span] = Candidate(span[0], span[1], "", dep, head)
    if wh == "why":
        found = {}  # a cause or purpose is a clause: a name alone does not say why
    if wh in _CUES:
        for i, (_, _, dep, head) in enumerate(deps):
            if dep in _CLAUSES and head != i:
                span = _subtree(deps, children, i)
                if _CUES[wh].match(text[span[0] : span[1]]) or wh == "how" and dep == "advcl":
                    found.setdefault(span, Candidate(span[0], span[1], CLAUSE, dep, head))
    trimmed = {}
    for c in found.values():
        c = _trimmed(c, deps)
        trimmed.setdefault((c.start, c.end), c)
    return sorted(trimmed.values(), key=lambda c: (c.start, c.end))


_TRAILING = {"prep", "det", "cc", "punct", "case", "mark"}
# What answers a why or how: "by a fee per unit", "because of the war", "to protect the coast".
_CLAUSES = {"prep", "agent", "advcl", "xcomp"}
_CUES = {
    "why": re.compile(
        r"(because|since|due to|owing to|so that|so as|to|for|in order|in protest|in response|"
        r"in retaliation|as a result)\b",
        re.I,
    ),
    "how": re.compile(r"(by|through|via|using|with|in|from)\b", re.I),
}
CLAUSE = "clause"  # the label of such a candidate


def _subtree(deps: list, children: dict[int, list[int]], i: int) -> tuple[int, int]:
    """The character extent of token `i` with everything that hangs from it."""
    tokens, todo = [], [i]
    while todo:
        j = todo.pop()
        tokens.append(j)
        todo.extend(children.get(j, []))
    return deps[min(tokens)][0], deps[max(tokens)][1]


def _tokens_in(deps: list, start: int, end: int) -> list[int]:
    """The positions of the tokens inside [start, end) of a sentence's stored parse."""
    return [i for i, (s, e, _, _) in enumerate(deps) if s >= start and e <= end]


def _trimmed(c: Candidate, deps: list) -> Candidate:
    """Without trailing function words: the recogniser sometimes ends an entity there
    ("Article 4 of the")."""
    inside = _tokens_in(deps, c.start, c.end)
    while len(inside) > 1 and deps[inside[-1]][2] in _TRAILING:
        inside.pop()
    end = deps[inside[-1]][1] if inside else c.end
    return Candidate(c.start, end, c.label, c.dep, c.head)


def candidate_features(
    analysis: QuestionAnalysis, text: str, annotation: dict, found: list[Candidate]
) -> np.ndarray:
    if not found:
        return np.zeros((0, len(CANDIDATE_FEATURES)), dtype=np.float32)
    question_terms = analysis.focus
    words = [(m_start, m_end) for m_start, m_end, _, _ in annotation.get("deps", [])]
    word_terms = terms([text[s:e] for s, e in words])
    shared = [i for i, w in enumerate(word_terms) if w & question_terms] or [0]
    deps = annotation.get("deps", [])
    verb = next((i for i, d in enumerate(deps) if d[2] == "ROOT"), 0)
    question_lower = analysis.text.lower()
    phrases = terms([text[c.start : c.end] for c in found])
    heads = terms([text[deps[c.head][0] : deps[c.head][1]] if deps else "" for c in found])
    depth = _depths(deps)
    rows = []
    for c, phrase_terms, head_terms in zip(found, phrases, heads, strict=True):
        inside = _tokens_in(deps, c.start, c.end) or [0]
        distance = (
            min(abs(i - j) for i in inside for j in shared if j not in inside)
            if any(j not in inside for j in shared)
            else 0
        )
        is_entity = bool(c.label) and c.label != CLAUSE
        phrase = text[c.start : c.end]
        steps = [_tree_steps(deps, depth, inside[-1], j) for j in shared if j not in inside]
        role = stored_clause_role(deps, inside[-1])
        preposition = _preposition_over(text, deps, inside[-1])
        slot_word = _slot_word(word_terms, deps, inside[-1])
        same_slot_word = bool(analysis.wh_head) and slot_word == analysis.wh_head
        group = "clause" if c.label == CLAUSE else _GROUP_OF.get(c.label, "titled")
        rows.append(
            [
                float(c.label in analysis.expected),
                float(is_entity),
                len(phrase_terms & question_terms) / len(phrase_terms) if phrase_terms else 1.0,
                math.log1p(distance),
                float(
                    bool(analysis.head_noun) and analysis.head_noun in text[c.start : c.end].lower()
                ),
                float(c.dep in _OBJECTS),
                float(c.dep in _SUBJECTS),
                float(inside[0] > verb),
                math.log1p(len(text[c.start : c.end].split())),
                float(
                    text[c.start : c.end].lower() in question_lower
                    or bool(phrase_terms)
                    and phrase_terms <= question_terms
                ),
                float(c.label == _PRIMARY.get(analysis.wh)),
                float(bool(head_terms) and head_terms <= question_terms),
                float(c.dep in _ATTRIBUTES),
                *[float(analysis.wh == kind and is_entity) for kind in WH_KINDS],
                float(analysis.wh_role != "other" and role == analysis.wh_role),
                math.log1p(min(steps, default=_FAR)),
                _window_share(word_terms, inside, question_terms),
                float(analysis.wh in {"when", "how many"} and _DIGIT.search(phrase) is not None),
                float(bool(analysis.wh_preposition) and preposition == analysis.wh_preposition),
                float(same_slot_word),
                float(same_slot_word and analysis.wh_role != "other" and role == analysis.wh_role),
                *[
                    float(analysis.wh == kind and group == g)
                    for kind in _UNTYPED_KINDS
                    for g in _LABEL_GROUPS
                ],
            ]
        )
    return np.asarray(rows, dtype=np.float32)


_FAR = 20
_DIGIT = re.compile(r"\d")


def _preposition_over(text: str, deps: list, i: int) -> str:
    """The preposition token `i` is the object of, lower-cased ("" if none)."""
    if not deps or deps[i][2] != "pobj":
        return ""
    start, end, _, _ = deps[deps[i][3]]
    return text[start:end].lower()


def _slot_word(word_terms: list[set[str]], deps: list, i: int) -> str:
    """The stemmed word token `i` fills a slot of: its head, or its preposition's head."""
    if not deps:
        return ""
    head = deps[i][3]
    if deps[i][2] == "pobj":
        head = deps[head][3]
    return "" if head == i else next(iter(word_terms[head]), "")


def _depths(deps: list) -> list[int]:
    """Each token's number of steps up to the root of its sentence's parse."""
    found = []
    for i in range(len(deps)):
        steps, j = 0, i
        while deps[j][3] != j and steps < len(deps):
            j, steps = deps[j][3], steps + 1
        found.append(steps)
    return found


def _tree_steps(deps: list, depth: list[int], a: int, b: int) -> int:
    """Steps between two tokens in the parse tree (through their lowest common ancestor)."""
    steps = 0
    while a != b and steps < _FAR:
        if depth[a] >= depth[b]:
            a = deps[a][3]
        else:
            b = deps[b][3]
        steps += 1
    return steps


def _window_share(word_terms: list[set[str]], inside: list[int], question: set[str]) -> float:
    if not question:
        return 0.0
    lo, hi = max(0, inside[0] - WINDOW), min(len(word_terms), inside[-1] + WINDOW + 1)
    near = set().union(*(word_terms[i] for i in range(lo, hi) if i not in inside))
    return len(near & question) / len(question)


def short_answer(analysis: QuestionAnalysis, best: Evidence, model) -> ShortAnswer | None:
    """The most probable candidate phrase of `best` (or clause, for a why or how question), or
    None when it has none."""
    found = candidates(best.text, best.annotation, analysis.wh)
    if not found:
        return None
    probabilities = model.probability(
        candidate_features(analysis, best.text, best.annotation, found)
    )
    i = int(np.argmax(probabilities))
    c = found[i]
    phrase = best.text[c.start : c.end]  # best.text is the document's text at best's span
    return ShortAnswer(
        phrase,
        best.doc_id,
        best.start + c.start,
        best.start + c.end,
        phrase,
        float(probabilities[i]),
        best.text,
    )
