"""A question's way through: validate → standalone question → retrieve → evidence → refuse, or
answer (extractive, or generated then verified) with exact citations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from index.dates import DateRange
from index.embedding import Embedder
from index.errors import UserError
from index.manifest import Manifest
from qa.answer import REFUSAL, Answer, AnswerSentence, StreamEvent, final_answer
from qa.citations import CitationBuilder
from qa.evidence import Evidence, attach_stored_vectors, candidate_sentences, select_evidence
from qa.extractive import choose_sentences
from qa.generate import compose, stream_draft, verified_sentences
from qa.llm import LLM
from qa.passages import in_context
from qa.reading.model import ReaderModel, load_reader
from qa.reading.reader import read
from qa.reading.short_answer import short_answer
from qa.request import ANSWER_MODES, Request
from qa.retrieval import HybridRetriever, RetrievedChunk
from qa.rewrite import choose_rewrite, llm_rewrite, needs_rewrite
from qa.settings import Settings
from qa.timing import Timings
from qa.turn import PreviousTurn
from qa.verify import CheckedSentence

CLOSEST_PASSAGES = 3
FALLBACK_NOTE = (
    "no generated sentence could be verified against the sentences that answer the question; "
    "showing those sentences"
)


class QuestionError(UserError, ValueError):
    """A question that cannot be asked (empty, too long); the message is one line."""


class EmptyCollectionError(UserError, RuntimeError):
    """Nothing is indexed yet."""


def validate_question(question: str, max_chars: int) -> str:
    question = " ".join(question.split())
    if not question:
        raise QuestionError("the question is empty")
    if len(question) > max_chars:
        raise QuestionError(
            f"the question is too long ({len(question)} characters; the limit is {max_chars})"
        )
    return question


class Assistant:
    def __init__(
        self,
        settings: Settings,
        manifest: Manifest,
        retriever: HybridRetriever,
        embedder: Embedder,
        llm: LLM | None = None,
    ):
        """`llm` loads its model on first use; None means generate mode is unavailable and
        "auto" answers extractively."""
        self.settings = settings
        self.manifest = manifest
        self.retriever = retriever
        self.embedder = embedder
        self.llm = llm

    @property
    def reader(self) -> ReaderModel:
        """The fitted reading model (loaded once per process, on first use)."""
        return load_reader()

    def resolve_mode(self, mode: str | None) -> str:
        mode = mode or self.settings.answer_mode
        if mode not in ANSWER_MODES:
            raise QuestionError(
                f"unknown answer mode '{mode}' (choose from {', '.join(ANSWER_MODES)})"
            )
        if mode == "auto":
            return "generate" if self.llm is not None else "extractive"
        if mode == "generate" and self.llm is None:
            raise QuestionError("generate mode needs an LLM: install one or set QA_LLM_BASE_URL")
        return mode

    def ask(self, question: str, **options: Any) -> Answer:
        """Answer `question`; `options` are the other fields of a `Request`."""
        return final_answer(self.stream(Request(question, **options)))

    def stream(self, request: Request) -> Iterator[StreamEvent]:
        """The answer as events: the standalone question, draft tokens (generate mode), and
        finally the verified answer, which replaces the draft."""
        question = validate_question(request.question, self.settings.max_question_chars)
        mode = self.resolve_mode(request.mode)
        if self.manifest.document_count() == 0:
            raise EmptyCollectionError("no documents are indexed yet: run `qa index PATH` first")
        timings = Timings()
        text_of = lru_cache(maxsize=None)(self._document_text)
        citations = CitationBuilder(self.manifest, text_of)
        with timings.stage("total"):
            with timings.stage("rewrite"):
                standalone = self._standalone(
                    question, list(request.conversation), request.previous, mode
                )
            yield StreamEvent("standalone", text=standalone)
            # No yield inside: the pin belongs to this thread, and a generator can be resumed
            # on another one.
            with self.retriever.pinned():
                chunks, evidence = self.gather(
                    standalone, timings, text_of, request.dates, request.top_k
                )
                with timings.stage("read"):
                    reading = read(
                        standalone,
                        evidence,
                        chunks,
                        self.retriever.idf,
                        self.reader,
                        self.retriever.unknown_words,
                    )
            evidence = reading.evidence
            chosen = choose_sentences(
                evidence,
                self.settings.answer_sentences,
                reading.confidence,
                self.settings.refusal_threshold,
            )
            answer = Answer(question, standalone, REFUSAL, refused=not chosen, mode=mode)
            answer.confidence = answer.evidence_score = round(reading.confidence, 4)
            if reading.never_mentioned:
                answer.notes.append(
                    "the documents never mention " + ", ".join(reading.never_mentioned)
                )
            if chosen:
                answer.short_answer = short_answer(
                    reading.analysis, chosen[0], self.reader.short_answer
                )
            if not chosen:
                answer.closest = [citations.passage(e) for e in evidence[:CLOSEST_PASSAGES]]
            elif mode == "generate":
                show_unverified = (
                    self.settings.show_unverified
                    if request.show_unverified is None
                    else request.show_unverified
                )
                yield from self._generate(
                    answer, standalone, evidence, chosen, citations, timings, show_unverified
                )
            else:
                self._extract(answer, chosen, citations)
        answer.citations = citations.citations
        answer.retrieved = chunks
        answer.timings_ms = timings.ms
        yield StreamEvent("answer", answer=answer)

    def gather(
        self,
        question: str,
        timings: Timings,
        text_of: Callable[[str], str] | None = None,
        dates: DateRange | None = None,
        top_k: int | None = None,
    ) -> tuple[list[RetrievedChunk], list[Evidence]]:
        """Retrieve chunks for a standalone question and score their sentences as evidence."""
        text_of = text_of or self._document_text
        with timings.stage("embed_query"):
            query_vector = self.embedder.embed([question])[0]
        top_k = top_k or self.settings.top_k
        chunks = self.retriever.retrieve(question, query_vector, top_k, timings, dates)
        with timings.stage("evidence"):
            candidates = candidate_sentences(self.manifest, chunks)
            vectors = self.retriever.sentence_vectors([s.id for s, _ in candidates])
            evidence = select_evidence(
                question, query_vector, candidates, vectors, text_of, self.retriever.idf
            )
        return chunks, evidence

    def _standalone(
        self, question: str, conversation: list[str], previous: PreviousTurn | None, mode: str
    ) -> str:
        """The follow-up as a question of its own (see qa/rewrite.py)."""
        if not needs_rewrite(question, conversation):
            return question
        previous = previous or PreviousTurn("")
        rewritten = None
        if mode == "generate" and self.llm is not None:
            rewritten = llm_rewrite(self.llm, question, conversation, previous.answer)
        return choose_rewrite(question, conversation, previous, rewritten)

    def _extract(self, answer: Answer, chosen: list[Evidence], citations: CitationBuilder) -> None:
        parts = []
        for e in chosen:
            citation = citations.cite(e)
            answer.sentences.append(AnswerSentence(e.text, [citation.n], supported=True))
            parts.append(f"{e.text} [{citation.n}]")
        answer.answer = " ".join(parts)

    def _generate(
        self,
        answer: Answer,
        question: str,
        evidence: list[Evidence],
        chosen: list[Evidence],
        citations: CitationBuilder,
        timings: Timings,
        show_unverified: bool,
    ) -> Iterator[StreamEvent]:
        groups = in_context(
            evidence[: self.settings.evidence_in_prompt],
            self._document_text,
            self.settings.evidence_neighbours,
            self.settings.prompt_sentences,
        )
        shown = [e for group in groups for e in group]
        # Vectors pooled from a chunk's forward pass carry its context, and the support check
        # separates worse on them (benchmarks/support_threshold.py): only sentences embedded on
        # their own (QA_SENTENCE_VECTORS=separate) are verified from their stored vectors.
        stored_vectors = not self.manifest.pooled_sentence_vectors()
        if stored_vectors:
            attach_stored_vectors(self.manifest, self.retriever.sentence_vectors, shown)
        draft = ""
        for piece in stream_draft(
            self.llm, question, groups, self.settings.llm_max_tokens, timings
        ):
            draft += piece
            yield StreamEvent("token", text=piece)
        answer.draft = draft
        with timings.stage("verify"):
            checked = verified_sentences(
                draft,
                shown,
                self.embedder,
                self.settings.support_threshold,
                stored_vectors,
                question,
            )
            text, sentences = compose(checked, citations, show_unverified)
        answer.unsupported = [c.text for c in checked if not c.supported]
        answer.unsupported_reasons = [c.reason for c in checked if not c.supported]
        if _answers_from(checked, chosen):
            answer.answer, answer.sentences = text, sentences
        else:
            answer.notes.append(FALLBACK_NOTE)
            self._extract(answer, chosen, citations)

    def _document_text(self, doc_id: str) -> str:
        return self.manifest.text(doc_id) or ""


def _answers_from(checked: list[CheckedSentence], chosen: list[Evidence]) -> bool:
    """Some generated sentence is supported by a sentence the reader chose as answering. A reply
    made only of true statements from the other sentences shown does not answer the question
    ("In the Rankine cycle, heat addition and rejection are isobaric processes." for "What does
    isobaric mean?"): on SQuAD 2.0 dev 16 of 72 generated answers were such replies, 1 of them
    right; the extractive answer was right for 5 (README, Benchmarks: Generated answers)."""
    answering = {(e.doc_id, e.start, e.end) for e in chosen}
    return any(
        c.supported and any((e.doc_id, e.start, e.end) in answering for e in c.evidence)
        for c in checked
    )
