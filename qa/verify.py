"""Check each generated sentence against the evidence spans and attach citations ourselves.

Small local models invent names and dates and place [n] markers at random, so their markers are
ignored. A sentence is supported when some evidence span (or two spans together) the model was
shown contains every name, number and date of the sentence, and the sentence is semantically
close to that span (cosine similarity of the embeddings at least `threshold`), and the span does
not contradict who did what (qa/roles.py: the same verb with subject and object exchanged, or done
by another named entity). A sentence whose verbs the span does not share keeps the first two checks
only, so paraphrases are not dropped for their wording.

A bare phrase with no verb ("June 21", "1996") means something only as the answer to the
question: it is compared as "question + phrase", and every content word of it must be in the span.
A news dateline ("SEOUL —") says where a story was filed: its words support nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from index.embedding import Embedder
from index.lexical import stopwords
from index.sentences import sentence_spans
from qa.evidence import Evidence
from qa.lexicon import dateline_end, same_name
from qa.roles import Predicate, compare_roles, predicates

_MARKER = re.compile(r"\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]")
_WORD = re.compile(r"\w+")
_MONTHS = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
}


@dataclass
class CheckedSentence:
    text: str
    supported: bool
    evidence: list[Evidence] = field(default_factory=list)
    similarity: float = 0.0
    missing: list[str] = field(default_factory=list)  # facts found in no shown span
    reason: str = ""  # why it is unsupported, for the answer's details


def split_answer(text: str) -> list[str]:
    """The sentences of a generated answer, with any [n] markers the model wrote removed."""
    text = _MARKER.sub("", text).strip()
    text = re.sub(r"^(answer|a)\s*:\s*", "", text, flags=re.IGNORECASE)
    return [
        text[s.start : s.end].strip() for s in sentence_spans(text) if text[s.start : s.end].strip()
    ]


def facts(sentence: str) -> set[str]:
    """Names, numbers and dates: capitalised words that are not stopwords, digits, month names."""
    stop = stopwords()
    found = set()
    for word in _WORD.findall(sentence):
        lower = word.lower()
        if any(ch.isdigit() for ch in word) or lower in _MONTHS:
            found.add(lower)
        elif word[0].isupper() and lower not in stop:
            found.add(lower)
    return found


def _covered(fact: str, words: set[str]) -> bool:
    # "Russia" is supported by "Russian", and "Korean" by "Korea"; "19" not by "1994".
    return fact in words or any(same_name(fact, w) for w in words)


def verify_sentences(
    sentences: list[str],
    shown: list[Evidence],
    embedder: Embedder,
    threshold: float,
    stored_vectors: bool = False,
    question: str = "",
) -> list[CheckedSentence]:
    """Decide, for each sentence, whether the spans shown to the model support it. With
    `stored_vectors`, a span's vector stored at index time is used instead of embedding it;
    `question` is what a bare-phrase answer is read with."""
    if not sentences:
        return []
    if not shown:
        return [CheckedSentence(s, False, reason="no evidence was shown") for s in sentences]
    texts = sentences + [e.text for e in shown]
    docs = _parsed(texts)
    roles = [predicates(doc) for doc in docs] if docs is not None else [[] for _ in texts]
    claims, span_roles = roles[: len(sentences)], roles[len(sentences) :]
    bare = [docs is not None and _bare_phrase(docs[i]) for i in range(len(sentences))]
    claimed = [
        f"{question} {sentence}" if phrase and question else sentence
        for sentence, phrase in zip(sentences, bare, strict=True)
    ]
    similarity = _similarities(claimed, shown, embedder, stored_vectors)
    span_words = [{w.lower() for w in _WORD.findall(e.text[dateline_end(e.text) :])} for e in shown]
    return [
        _check(sentence, row, shown, span_words, threshold, claim, span_roles, phrase)
        for sentence, row, claim, phrase in zip(sentences, similarity, claims, bare, strict=True)
    ]


def _similarities(
    sentences: list[str], shown: list[Evidence], embedder: Embedder, stored_vectors: bool
) -> np.ndarray:
    """Cosine of each sentence to each shown span; with `stored_vectors`, only the sentences
    (and any span without a stored vector) are embedded."""

    def stored(e: Evidence) -> bool:
        return stored_vectors and e.vector is not None

    embedded = embedder.embed(sentences + [e.text for e in shown if not stored(e)])
    extra = iter(embedded[len(sentences) :])
    spans = np.stack([e.vector if stored(e) else next(extra) for e in shown])
    return embedded[: len(sentences)] @ spans.T


def _parsed(texts: list[str]) -> list[Any] | None:
    """Each text's spaCy Doc, without entities (roles need tags, lemmas and the parse; skipping
    the recognizer halves the time); None (roles unchecked) when the pipeline is missing."""
    from index.nlp import PipelineMissingError, parse_many

    try:
        return list(parse_many(texts, disable=["ner"]))
    except PipelineMissingError:
        return None


def _bare_phrase(doc: Any) -> bool:
    return not any(token.pos_ in ("VERB", "AUX") for token in doc)


def _content_words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)} - stopwords()


def _check(
    sentence: str,
    sims: np.ndarray,
    shown: list[Evidence],
    span_words: list[set[str]],
    threshold: float,
    claim: list[Predicate],
    span_roles: list[list[Predicate]],
    bare_phrase: bool = False,
) -> CheckedSentence:
    """Supported by the first candidate span (close enough, holding every fact) that shares a
    verb with the sentence in the same roles; failing that, by one sharing no verb with it,
    unless some span holding the facts has the sentence's roles the other way round."""
    wanted = facts(sentence) | (_content_words(sentence) if bare_phrase else set())
    order = [int(i) for i in np.argsort(-sims)]
    holds = [all(_covered(f, words) for f in wanted) for words in span_words]
    candidates = [[i] for i in order if sims[i] >= threshold and holds[i]]
    # Two spans together: a sentence may join a name from one with a date from another.
    if len(order) >= 2 and sims[order[0]] >= threshold:
        first, second = order[0], order[1]
        union = span_words[first] | span_words[second]
        if sims[second] >= threshold * 0.8 and all(_covered(f, union) for f in wanted):
            candidates.append([first, second])
    neutral: list[int] | None = None
    for spans in candidates:
        verdict = compare_roles(claim, [p for i in spans for p in span_roles[i]])
        if verdict.confirmed:
            return _supported(sentence, spans, shown, sims)
        if verdict.conflict is None and neutral is None:
            neutral = spans
    conflicts = [compare_roles(claim, span_roles[i]).conflict for i in order if holds[i]]
    conflict = next((c for c in conflicts if c), None)
    if neutral is not None and conflict is None:
        return _supported(sentence, neutral, shown, sims)
    best = order[0]
    missing = sorted(f for f in wanted if not any(_covered(f, w) for w in span_words))
    if conflict:
        why = conflict
    elif missing:
        why = "not in the evidence: " + ", ".join(missing)
    elif sims[best] >= threshold:
        why = "no span close enough to it holds all its names, numbers and dates"
    else:
        why = f"not close enough to any evidence span (similarity {sims[best]:.2f})"
    return CheckedSentence(sentence, False, [], float(sims[best]), missing, why)


def _supported(
    sentence: str, spans: list[int], shown: list[Evidence], sims: np.ndarray
) -> CheckedSentence:
    return CheckedSentence(sentence, True, [shown[i] for i in spans], float(sims[spans[0]]))
