"""A question's way through: validate → retrieve → evidence → answer with exact citations."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from index.embedding import Embedder
from index.manifest import Manifest
from qa.answer import REFUSAL, Answer, AnswerSentence, Citation, Passage, StreamEvent
from qa.evidence import Evidence, select_evidence
from qa.extractive import choose_sentences
from qa.retrieval import HybridRetriever, RetrievedChunk
from qa.rewrite import rewrite_rule_based
from qa.settings import Settings
from qa.timing import Timings

CLOSEST_PASSAGES = 3
ANSWER_MODES = ("extractive", "generate")


class QuestionError(ValueError):
    """A question that cannot be asked (empty, too long); the message is one line."""


class EmptyCollectionError(RuntimeError):
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
        self, settings: Settings, manifest: Manifest, retriever: HybridRetriever, embedder: Embedder
    ):
        self.settings = settings
        self.manifest = manifest
        self.retriever = retriever
        self.embedder = embedder

    def ask(
        self, question: str, conversation: list[str] | None = None, mode: str | None = None
    ) -> Answer:
        """Answer `question`; `conversation` holds the earlier standalone questions, oldest
        first, so a follow-up can be rewritten into a standalone question."""
        answer = None
        for event in self.stream(question, conversation, mode):
            if event.kind == "answer":
                answer = event.answer
        assert answer is not None
        return answer

    def stream(
        self, question: str, conversation: list[str] | None = None, mode: str | None = None
    ) -> Iterator[StreamEvent]:
        """The answer as events: the standalone question, draft tokens (generate mode), and
        finally the verified answer."""
        question = validate_question(question, self.settings.max_question_chars)
        mode = mode or self.settings.answer_mode
        if mode not in ANSWER_MODES:
            raise QuestionError(
                f"unknown answer mode '{mode}' (choose from {', '.join(ANSWER_MODES)})"
            )
        if self.manifest.document_count() == 0:
            raise EmptyCollectionError("no documents are indexed yet: run `qa index PATH` first")
        timings = Timings()
        text_of = lru_cache(maxsize=None)(self._document_text)
        with timings.stage("total"):
            with timings.stage("rewrite"):
                standalone = rewrite_rule_based(question, conversation or [])
            yield StreamEvent("standalone", text=standalone)
            with timings.stage("embed_query"):
                query_vector = self.embedder.embed([standalone])[0]
            chunks = self.retriever.retrieve(standalone, query_vector, self.settings.top_k, timings)
            with timings.stage("evidence"):
                evidence = select_evidence(
                    standalone, query_vector, chunks, text_of, self.embedder, self.retriever.idf
                )
            with timings.stage("answer"):
                chosen = choose_sentences(
                    evidence, self.settings.answer_sentences, self.settings.refusal_threshold
                )
                answer = self._compose(question, chosen, evidence, text_of)
        answer.standalone_question = standalone
        answer.retrieved = [_retrieved_row(c) for c in chunks]
        answer.timings_ms = timings.ms
        yield StreamEvent("answer", answer=answer)

    def _document_text(self, doc_id: str) -> str:
        return self.manifest.text(doc_id) or ""

    def _compose(
        self, question, chosen: list[Evidence], evidence: list[Evidence], text_of
    ) -> Answer:
        answer = Answer(question, question, REFUSAL, refused=not chosen, mode="extractive")
        if not chosen:
            answer.closest = [self._passage(e, text_of) for e in evidence[:CLOSEST_PASSAGES]]
            return answer
        parts = []
        for e in chosen:
            citation = self._citation(e, answer.citations, text_of)
            answer.sentences.append(AnswerSentence(e.text, [citation.n], supported=True))
            parts.append(f"{e.text} [{citation.n}]")
        answer.answer = " ".join(parts)
        return answer

    def _citation(self, e: Evidence, citations: list[Citation], text_of) -> Citation:
        for existing in citations:
            if (existing.doc_id, existing.start, existing.end) == (e.doc_id, e.start, e.end):
                return existing
        source, title = self._source_and_title(e.doc_id)
        citation = Citation(
            len(citations) + 1,
            e.doc_id,
            source,
            title,
            e.start,
            e.end,
            text_of(e.doc_id)[e.start : e.end],
        )
        citations.append(citation)
        return citation

    def _passage(self, e: Evidence, text_of) -> Passage:
        source, title = self._source_and_title(e.doc_id)
        quote = text_of(e.doc_id)[e.start : e.end]
        return Passage(e.doc_id, source, title, e.start, e.end, quote, round(e.score, 4))

    def _source_and_title(self, doc_id: str) -> tuple[str, str]:
        info = self.manifest.info(doc_id)
        if info is None:
            return "", ""
        return (info.sources[0] if info.sources else ""), info.title


def _retrieved_row(chunk: RetrievedChunk) -> dict:
    return {
        "chunk_id": chunk.chunk_id,
        "doc_id": chunk.doc_id,
        "start": chunk.start,
        "end": chunk.end,
        "score": round(chunk.score, 6),
        "dense_rank": chunk.dense_rank,
        "dense_similarity": None
        if chunk.dense_similarity is None
        else round(chunk.dense_similarity, 4),
        "bm25_rank": chunk.bm25_rank,
        "bm25_score": None if chunk.bm25_score is None else round(chunk.bm25_score, 4),
    }
