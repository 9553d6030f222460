"""Generate mode: the LLM writes from numbered evidence; every sentence is then verified and
cited by us. Unsupported sentences are dropped (or shown marked); if none survive, the
extractive answer is shown instead."""

from __future__ import annotations

from collections.abc import Iterator

from index.embedding import Embedder
from qa.answer import AnswerSentence
from qa.citations import CitationBuilder
from qa.evidence import Evidence
from qa.llm import LLM
from qa.prompting import answer_messages, declined
from qa.timing import Timings
from qa.verify import CheckedSentence, split_answer, verify_sentences

UNVERIFIED_MARK = "(unverified)"


def stream_draft(
    llm: LLM, question: str, groups: list[list[Evidence]], max_tokens: int, timings: Timings
) -> Iterator[str]:
    """The model's reply piece by piece; time to first token is recorded as prompt processing.
    `groups`: the evidence shown, one list per document (qa/passages.py)."""
    messages = answer_messages(question, groups)
    pieces = llm.stream(messages, max_tokens)
    with timings.stage("prompt"):
        first = next(pieces, None)
    if first is None:
        return
    yield first
    with timings.stage("generate"):
        yield from pieces


def verified_sentences(
    draft: str,
    shown: list[Evidence],
    embedder: Embedder,
    threshold: float,
    stored_vectors: bool = False,
    question: str = "",
) -> list[CheckedSentence]:
    if declined(draft):
        return []
    return verify_sentences(
        split_answer(draft), shown, embedder, threshold, stored_vectors, question
    )


def compose(
    checked: list[CheckedSentence], citations: CitationBuilder, show_unverified: bool
) -> tuple[str, list[AnswerSentence]]:
    """Answer text with our own [n] markers, and the per-sentence report."""
    parts, sentences = [], []
    for sentence in checked:
        if sentence.supported:
            numbers = [citations.cite(e).n for e in sentence.evidence]
            parts.append(sentence.text + " " + "".join(f"[{n}]" for n in numbers))
            sentences.append(AnswerSentence(sentence.text, numbers, supported=True))
        elif show_unverified:
            parts.append(f"{sentence.text} {UNVERIFIED_MARK}")
            sentences.append(AnswerSentence(sentence.text, [], supported=False))
    return " ".join(parts), sentences
