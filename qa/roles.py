"""Who did what to whom: the predicate–argument structure of a sentence's main clause(s).

From a spaCy dependency parse (index/nlp.py), each clause's verb becomes a `Predicate`: its
lemma, its agent (the active subject, or the "by" phrase of a passive) and its patient (the active
object, or the passive subject). Conjoined verbs ("summoned X and urged Y") share the subject;
reported speech ("A said that B would …") yields the outer and the inner clause; a relative clause
("the envoy who warned …") has its noun as subject. Takes a spaCy
Doc or Span, so parses stored at index time can be read the same way.

`role_conflict` compares a generated sentence with a span that seems to support it: the same
predicate with the agent and patient exchanged, done by another named entity, given a doer an
agentless passive does not name, or with another named partner ("signed a pact with X"), is a
conflict.
`asked_slot` finds the words of an answer that fill a question's "who"/"what" (for the
follow-up resolution, qa/mentions.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from qa.lexicon import same_name

_SUBJECT = {"nsubj", "csubj"}
_PASSIVE_SUBJECT = {"nsubjpass", "csubjpass"}
_OBJECT = {"dobj", "obj"}
# Children that start a clause of their own: their words are not part of the argument.
_CLAUSAL = {"relcl", "acl", "ccomp", "advcl", "xcomp", "punct", "cc", "conj", "prep"}
_CONTENT_POS = {"PROPN", "NOUN", "NUM", "ADJ", "PRON"}
_RELATIVE = {"who", "which", "that"}
_MAX_DEPTH = 3
ROLE_REASON_MARK = "who did what"  # every conflict reason starts with this
_WH_WORDS = {"who", "whom", "what", "which", "whose"}
_PARTNER_PREPOSITIONS = {"with", "against", "to", "from"}


@dataclass(frozen=True)
class Argument:
    """A subject or object: its content words and, separately, its proper-noun words."""

    text: str
    words: frozenset[str]
    names: frozenset[str]
    pronoun: bool
    start: int = 0  # its token positions in the parsed text, [start, end)
    end: int = 0
    # A partner's (`_partner`) proper nouns of its prepositional phrases too: "Prussia" of
    # "positions of prominence in Prussia"
    nested_names: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Predicate:
    lemma: str
    agent: Argument | None  # who does it
    patient: Argument | None  # to whom / what
    passive: bool = False
    # The lower-cased words around an agentless passive's patient ("a pact between Russia and
    # North Korea signed …"): the only place such a sentence can say who did it.
    context: frozenset[str] = frozenset()
    # The named partners of the verb by preposition: "signed a pact *with North Korea*".
    partners: tuple[tuple[str, Argument], ...] = ()


def predicates(parsed: Any) -> list[Predicate]:
    """The predicates of every clause of a spaCy Doc or Span, in text order."""
    found = []
    for verb in parsed:
        if verb.pos_ == "VERB" or (verb.pos_ == "AUX" and verb.dep_ == "ROOT"):
            predicate = _predicate(verb)
            if predicate.agent is not None or predicate.patient is not None:
                found.append(predicate)
    return found


def _predicate(verb: Any) -> Predicate:
    predicate = _roles(verb)
    # The parser hangs "with X" on the verb or on its object ("signed a pact with X") alike.
    heads = [verb, *(c for c in verb.children if c.dep_ in _OBJECT)]
    partners = tuple(
        (prep.lower_, _partner(obj))
        for head in heads
        for prep in head.children
        if prep.dep_ == "prep" and prep.lower_ in _PARTNER_PREPOSITIONS
        for obj in prep.children
        if obj.dep_ == "pobj"
    )
    return replace(predicate, partners=partners) if partners else predicate


def _roles(verb: Any) -> Predicate:
    lemma = verb.lemma_.lower()
    passive_subject = _child(verb, _PASSIVE_SUBJECT)
    if passive_subject is not None or _reduced_relative(verb):
        # "X was summoned by Y", and "the pact signed by Y": the subject or the noun is the patient.
        patient = passive_subject if passive_subject is not None else verb.head
        by = _agent(verb)
        if by is not None:
            return Predicate(lemma, _argument(by), _argument(patient), True)
        context = frozenset(t.lower_ for t in patient.subtree)
        return Predicate(lemma, None, _argument(patient), True, context)
    obj = _child(verb, _OBJECT)
    return Predicate(lemma, _subject(verb, 0), _argument(obj) if obj is not None else None)


def _reduced_relative(verb: Any) -> bool:
    """A participle after its noun, "the pact signed by Y" (spaCy tags some of them VBD)."""
    return (
        verb.dep_ == "acl"
        and verb.tag_ in ("VBN", "VBD")
        and _child(verb, _SUBJECT) is None
        and not _opener_main_verb(verb)
    )


def _subject(verb: Any, depth: int) -> Argument | None:
    subject = _child(verb, _SUBJECT)
    if subject is not None:
        if subject.lower_ in _RELATIVE and verb.dep_ == "relcl":
            return _argument(verb.head)  # "the envoy who said …": the envoy said
        return _argument(subject)
    if _opener_main_verb(verb):  # "Summoning X, Y called …": Y called
        return _argument(verb.head)
    opener_subject = _misread_opener_subject(verb)
    if opener_subject is not None:  # "Summoning X, Y called …": Y summoned X
        return _argument(opener_subject)
    if depth >= _MAX_DEPTH:
        return None
    if verb.dep_ == "conj":  # "summoned X and urged Y": one subject
        return _subject(verb.head, depth + 1)
    if verb.dep_ == "xcomp" and verb.tag_ == "VB":
        # "Parliament elects one MSP to serve …": the one elected serves (object control)
        obj = _child(verb.head, _OBJECT)
        if obj is not None and obj.i < verb.i:
            return _argument(obj)
    if verb.dep_ == "xcomp" or (verb.dep_ == "advcl" and verb.tag_ == "VBG"):
        # "Putin agreed to sign …", "Putin spoke, warning that …": the main clause's subject.
        return _subject(verb.head, depth + 1)
    if verb.dep_ == "acl" and verb.tag_ == "VBG":  # "the envoy warning Seoul": the envoy
        return _argument(verb.head)
    return None


def _child(token: Any, deps: set[str]) -> Any | None:
    return next((c for c in token.children if c.dep_ in deps), None)


# A sentence that opens with a participle clause, "Summoning X, Y called on Russia …", is read by
# the small parser as one subjectless clause: "Summoning" the root, Y an apposition of X, and
# "called" a participle after Y ("Y, called on Russia"). Read so, X was summoned by nobody and Y
# was called on: a generated "X was summoned by Y" looked like a role reversal.
def _misread_opener_subject(verb: Any) -> Any | None:
    """Y of "Summoning X, Y called …" for the opening -ing verb; None for any other verb."""
    if verb.tag_ != "VBG" or verb.dep_ not in ("ROOT", "advcl") or not verb.is_sent_start:
        return None
    if _child(verb, _SUBJECT):
        return None
    obj = _child(verb, _OBJECT)
    if obj is None:
        return None
    return next((a for a in obj.children if a.dep_ == "appos" and _carries_main_verb(a)), None)


def _carries_main_verb(apposition: Any) -> bool:
    """The apposition has a past-tense participle with no subject of its own after it: the
    misread main verb ("Y called on …"), not a reduced relative before a comma."""
    return any(
        c.dep_ == "acl"
        and c.tag_ in ("VBD", "VBN")
        and c.i > apposition.i
        and not _child(c, _SUBJECT)
        and not _child(c, {"agent"})
        for c in apposition.children
    )


def _same_token(a: Any | None, b: Any) -> bool:
    return a is not None and a.i == b.i  # spaCy makes a new Token object at every access


def _opener_main_verb(verb: Any) -> bool:
    """ "called" of "Summoning X, Y called …" (see `_misread_opener_subject`)."""
    apposition = verb.head
    return (
        verb.dep_ == "acl"
        and apposition.dep_ == "appos"
        and apposition.head.dep_ in _OBJECT
        and _same_token(_misread_opener_subject(apposition.head.head), apposition)
    )


def _agent(verb: Any) -> Any | None:
    by = _child(verb, {"agent"})
    return None if by is None else _child(by, {"pobj"})


def _argument(head: Any) -> Argument:
    tokens = _phrase(head)
    words = frozenset(t.lower_ for t in tokens if t.pos_ in _CONTENT_POS and not t.is_stop)
    names = frozenset(t.lower_ for t in tokens if t.pos_ == "PROPN")
    positions = [t.i for t in tokens]
    start, end = min(positions), max(positions) + 1
    return Argument(head.doc[start:end].text, words, names, head.pos_ == "PRON", start, end)


def _partner(head: Any) -> Argument:
    """An argument with the names of its prepositional phrases too (`_other_partner`)."""
    nested = frozenset(t.lower_ for t in head.subtree if t.pos_ == "PROPN")
    return replace(_argument(head), nested_names=nested)


def _phrase(head: Any) -> list[Any]:
    """The head with its modifiers and appositions, without clauses and prepositional phrases
    ("the ambassador to Seoul" is the ambassador) but with possessors ("Seoul's envoy")."""
    tokens = [head]
    for child in head.children:
        if child.dep_ in _CLAUSAL or _same_token(_misread_opener_subject(head.head), child):
            continue
        tokens.extend(_phrase(child))
    return tokens


def _same(a: Argument, b: Argument) -> bool:
    return bool(a.words & b.words) or any(same_name(x, y) for x in a.names for y in b.names)


def _named_differently(a: Argument, b: Argument) -> bool:
    """Both arguments are named (proper nouns) and neither's names are all among the other's:
    other entities ("South Korea" and "North Korea", "Kim Hong-kyun" and "Kim Jong-un"; but
    "Zinoviev" is "Ambassador Georgy Zinoviev")."""
    if not (a.names and b.names):
        return False
    return not (_names_within(a.names, b.names) or _names_within(b.names, a.names))


def _other_partner(claim: Argument, source: Argument) -> bool:
    """Named differently, or named where the source's partner is a description that does not
    hold the name: "succeeded to Protestantism" against "succeeded to the French throne", "rose
    to Brandenburg" against "rose to positions of prominence in Prussia"; not against "moved to
    the city of Warsaw" nor "a treaty with it"."""
    if source.pronoun:
        return False
    if source.names:
        return _named_differently(claim, source)
    return bool(claim.names) and not _names_within(claim.names, source.nested_names)


def _names_within(names: frozenset[str], others: frozenset[str]) -> bool:
    """Every name is among the others ("Russia" among "Russian"); no name is within anything."""
    return all(any(same_name(n, o) for o in others) for n in names)


def _comparable(arg: Argument | None) -> bool:
    return arg is not None and not arg.pronoun and bool(arg.words or arg.names)


def predicate_conflict(claim: Predicate, source: Predicate) -> str | None:
    """Why `claim` contradicts `source` (same verb), or None when their roles are compatible."""
    if claim.lemma != source.lemma:
        return None
    ca, cp, sa, sp = claim.agent, claim.patient, source.agent, source.patient
    if _comparable(ca) and _comparable(sp) and _same(ca, sp) and not (sa and _same(ca, sa)):
        return _reversed(claim.lemma, source)
    if _comparable(cp) and _comparable(sa) and _same(cp, sa) and not (sp and _same(cp, sp)):
        return _reversed(claim.lemma, source)
    if _comparable(ca) and _comparable(sa) and _named_differently(ca, sa):
        return (
            f"{ROLE_REASON_MARK}: the source has '{sa.text}' as subject of '{claim.lemma}', "
            f"not '{ca.text}'"
        )
    unnamed_doer = sa is None and source.passive and _comparable(ca)
    if unnamed_doer and not _names_within(ca.names, source.context):
        return f"{ROLE_REASON_MARK}: the source does not say that '{ca.text}' did '{claim.lemma}'"
    for preposition, partner in claim.partners:
        # "borrowed from X or directly from Y": a partner is contradicted only by all of them.
        theirs = [other for p, other in source.partners if p == preposition]
        if theirs and _comparable(partner) and all(_other_partner(partner, o) for o in theirs):
            return (
                f"{ROLE_REASON_MARK}: the source has '{claim.lemma} … {preposition} "
                f"{theirs[0].text}', not '{preposition} {partner.text}'"
            )
    return None


def _reversed(lemma: str, source: Predicate) -> str:
    agent = source.agent.text if source.agent else "?"
    patient = source.patient.text if source.patient else "?"
    return f"{ROLE_REASON_MARK}: for '{lemma}' the source has '{agent}' acting on '{patient}'"


@dataclass(frozen=True)
class RoleVerdict:
    """How a source reads a claim: it has a verb of the claim with the same subject or object
    and no role contradicted (`confirmed`), has a shared verb's roles the other way round
    (`conflict` says how), or neither (the roles cannot be compared)."""

    confirmed: bool = False
    conflict: str | None = None


def compare_roles(claim: list[Predicate], source: list[Predicate]) -> RoleVerdict:
    """Compare each predicate of the claim with the source's predicates of the same verb."""
    confirmed = False
    for predicate in claim:
        same_verb = [s for s in source if s.lemma == predicate.lemma]
        if not same_verb:
            continue
        reasons = [predicate_conflict(predicate, s) for s in same_verb]
        if all(reasons):
            return RoleVerdict(conflict=reasons[0])
        confirmed = confirmed or any(
            reason is None and _shares_a_role(predicate, s)
            for reason, s in zip(reasons, same_verb, strict=True)
        )
    return RoleVerdict(confirmed=confirmed)


def _shares_a_role(claim: Predicate, source: Predicate) -> bool:
    pairs = ((claim.agent, source.agent), (claim.patient, source.patient))
    return any(_comparable(a) and _comparable(b) and _same(a, b) for a, b in pairs)


def role_conflict(claim: list[Predicate], source: list[Predicate]) -> str | None:
    """A reason when some predicate of the claim is, in the source, only found with its roles
    contradicted; None when the roles agree or the two share no comparable predicate."""
    return compare_roles(claim, source).conflict


def clause_role(token: Any) -> tuple[Any, str]:
    """The verb a noun or pronoun is an argument of and its role there as doer ("subject") or
    done-to ("object"); a passive's subject is done to, its "by" phrase the doer."""
    if token.dep_ == "pobj":
        return token.head.head, "subject" if token.head.dep_ == "agent" else "other"
    return token.head, _ROLE_OF_DEP.get(token.dep_, "other")


def stored_clause_role(deps: list, i: int) -> str:
    """`clause_role`'s role for token `i` of a parse stored at index time (index/annotation.py:
    rows of [start, end, dep, head])."""
    dep = deps[i][2] if deps else ""
    if dep == "pobj":
        return "subject" if deps[deps[i][3]][2] == "agent" else "other"
    return _ROLE_OF_DEP.get(dep, "other")


_ROLE_OF_DEP = {"nsubj": "subject", "nsubjpass": "object", "dobj": "object", "dative": "object"}


def asked_slot(question: Any, answer: Any) -> set[int]:
    """Positions of the answer's words that fill the question's "who"/"what" slot: the agent
    (or patient) of the answer's clause with the question's verb."""
    wanted = []
    for p in predicates(question):
        for slot, other in (("agent", "patient"), ("patient", "agent")):
            argument = getattr(p, slot)
            wh = argument.text.split()[0].lower() if argument is not None else ""
            if wh in _WH_WORDS:
                if _determiner_split_off(argument, getattr(p, other)):
                    slot = other
                wanted.append((p.lemma, slot, wh == "whose"))
    found: set[int] = set()
    for p in predicates(answer):
        for lemma, slot, whose in wanted:
            argument = getattr(p, slot)
            if argument is not None and not argument.pronoun and same_verb(lemma, p.lemma):
                positions = range(argument.start, argument.end)
                found.update(_possessors(answer, positions) if whose else positions)
    return found


def _determiner_split_off(argument: Argument, other: Argument | None) -> bool:
    """The small parser sometimes parses "Which Scottish king married …?" as "Which" (object)
    and "Scottish king" (subject): the asked slot is the noun phrase the lone "which" opens."""
    return (
        argument.end - argument.start == 1
        and argument.text.lower() in {"which", "what"}
        and other is not None
        and other.start == argument.end
    )


def _possessors(parsed: Any, positions: range) -> set[int]:
    """ "Whose ideas …?" is answered by the possessor: "Qutb" of "Qutb's ideas" (the whole
    argument when it has none)."""
    owners = [t for i in positions if (t := parsed[i]).dep_ == "poss" and t.head.i in positions]
    if not owners:
        return set(positions)
    return {t.i for owner in owners for t in owner.subtree if t.i in positions}


def same_verb(a: str, b: str) -> bool:
    """Two lemmas of one verb: British and American spellings ("patronise", "patronize") and
    the lemmatizer's slips ("installing" gives "instal")."""
    if a == b:
        return True
    if min(len(a), len(b)) < 5:
        return False
    return a.startswith(b) or b.startswith(a) or (len(a) >= 6 and a[:-2] == b[:-2])
