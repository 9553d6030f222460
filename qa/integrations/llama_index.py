"""qa inside a llama-index pipeline: the hybrid retriever as a `BaseRetriever`, verified answers
as a `BaseQueryEngine`, and llama-index `Document`s from any reader indexed through qa's cleaning
and chunking. Every node's text is the stored document text at its offsets
(`qa docs show ID --json`'s `text[start_char_idx:end_char_idx]`).

Needs only llama-index-core, a dependency of qa already.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Iterable
from dataclasses import asdict, is_dataclass
from functools import lru_cache
from typing import Any

from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.response.schema import Response
from llama_index.core.schema import (
    Document,
    NodeRelationship,
    NodeWithScore,
    QueryBundle,
    RelatedNodeInfo,
    TextNode,
)

from index.dates import DateRange
from index.embedding import Embedder
from index.errors import UserError
from index.indexer import IndexReport
from qa.answer import Answer, Citation, Passage
from qa.assistant import Assistant, validate_question
from qa.factory import build_indexer
from qa.injection import shown_title
from qa.retrieval import RetrievedChunk
from qa.settings import Settings

# Bookkeeping a downstream embedder or LLM should not read as part of the passage.
_BOOKKEEPING = ["doc_id", "source", "n", "dense_rank", "bm25_rank", "sentence_rank"]
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def span_node(passage: Passage | Citation, node_id: str, **metadata: Any) -> TextNode:
    """A node holding exactly `passage.quote`, the document's text[start:end]."""
    return TextNode(
        id_=node_id,
        text=passage.quote,
        start_char_idx=passage.start,
        end_char_idx=passage.end,
        metadata={
            "doc_id": passage.doc_id,
            "source": passage.source,
            "title": passage.title,
            **metadata,
        },
        excluded_embed_metadata_keys=_BOOKKEEPING,
        excluded_llm_metadata_keys=_BOOKKEEPING,
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=passage.doc_id)},
    )


class QARetriever(BaseRetriever):
    """qa's hybrid retrieval (dense + BM25, fused by reciprocal rank) as llama-index nodes: one
    per chunk, scored by the fused score, with the chunk's dense and BM25 ranks."""

    def __init__(
        self,
        assistant: Assistant,
        top_k: int | None = None,
        dates: DateRange | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self._assistant = assistant
        self._top_k = top_k or assistant.settings.top_k
        self._dates = dates

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        assistant = self._assistant
        question = validate_question(query_bundle.query_str, assistant.settings.max_question_chars)
        vector = assistant.embedder.embed([question])[0]
        chunks = assistant.retriever.retrieve(question, vector, self._top_k, dates=self._dates)
        text_of = lru_cache(maxsize=None)(lambda doc_id: assistant.manifest.text(doc_id) or "")
        nodes = []
        for chunk in chunks:
            node = span_node(
                _chunk_passage(assistant, chunk, text_of(chunk.doc_id)),
                chunk.chunk_id,
                dense_rank=chunk.dense_rank,
                bm25_rank=chunk.bm25_rank,
                sentence_rank=chunk.sentence_rank,
            )
            nodes.append(NodeWithScore(node=node, score=chunk.score))
        return nodes


def _chunk_passage(assistant: Assistant, chunk: RetrievedChunk, text: str) -> Passage:
    info = assistant.manifest.info(chunk.doc_id)
    source = info.sources[0] if info and info.sources else ""
    title = shown_title(info.title) if info else ""
    quote = text[chunk.start : chunk.end]
    return Passage(chunk.doc_id, source, title, chunk.start, chunk.end, quote, chunk.score)


class VerifiedQueryEngine(BaseQueryEngine):
    """qa's whole answer (retrieve → evidence → extractive or generated → every sentence
    verified) as a llama-index `Response`: one source node per citation, holding the exact
    cited span."""

    def __init__(
        self,
        assistant: Assistant,
        mode: str | None = None,
        dates: DateRange | None = None,
        callback_manager: Any = None,
    ):
        super().__init__(callback_manager)
        self._assistant = assistant
        self._mode = mode
        self._dates = dates

    def _query(self, query_bundle: QueryBundle) -> Response:
        answer = self._assistant.ask(query_bundle.query_str, mode=self._mode, dates=self._dates)
        return answer_response(answer)

    async def _aquery(self, query_bundle: QueryBundle) -> Response:
        return await asyncio.to_thread(self._query, query_bundle)

    def _get_prompt_modules(self) -> dict[str, Any]:
        return {}


def answer_response(answer: Answer) -> Response:
    """A verified answer as a llama-index `Response`; `metadata` holds what `qa ask --json`
    adds to the text (refused, sentences, timings_ms, and confidence and short_answer when the
    answer has them)."""
    nodes = [
        NodeWithScore(node=span_node(c, f"{c.doc_id}:{c.start}-{c.end}", n=c.n))
        for c in answer.citations
    ]
    metadata: dict[str, Any] = {
        "refused": answer.refused,
        "sentences": [asdict(s) for s in answer.sentences],
        "timings_ms": dict(answer.timings_ms),
        "mode": answer.mode,
        "standalone_question": answer.standalone_question,
        "closest": [asdict(p) for p in answer.closest],
    }
    for name in ("confidence", "short_answer"):
        value = getattr(answer, name, None)
        if value is not None:
            metadata[name] = asdict(value) if is_dataclass(value) else value
    return Response(response=answer.answer, source_nodes=nodes, metadata=metadata)


def index_documents(
    documents: Iterable[Document],
    settings: Settings,
    name: str = "llama-index",
    embedder: Embedder | None = None,
) -> IndexReport:
    """Index llama-index `Document`s (from any reader) through qa's cleaning, chunking and
    de-duplication. They are written as one JSONL collection of records named `name` in the
    data directory and indexed like a `.jsonl` file: indexing the same `name` again skips what
    is unchanged, replaces what changed and removes documents no longer given."""
    if not _NAME.fullmatch(name):
        raise UserError(f"'{name}' cannot name a document set (letters, digits, . _ -)")
    staging = settings.data_dir / "llama-index" / f"{settings.collection}.{name}.jsonl"
    staging.parent.mkdir(parents=True, exist_ok=True)
    partial = staging.with_suffix(f".part-{os.getpid()}")
    with partial.open("w", encoding="utf-8") as out:
        for record in _records(documents):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    partial.replace(staging)
    return build_indexer(settings, embedder).index([staging])


def _records(documents: Iterable[Document]) -> Iterable[dict[str, Any]]:
    """One JSONL record per document, named by its file (and page) where the reader gives
    them, else by its llama-index id."""
    seen: dict[str, int] = {}
    for doc in documents:
        meta = doc.metadata or {}
        record_id = str(meta.get("file_path") or meta.get("file_name") or doc.doc_id)
        if meta.get("page_label") is not None:
            record_id += f" p.{meta['page_label']}"
        seen[record_id] = seen.get(record_id, 0) + 1
        if seen[record_id] > 1:  # a reader that splits one file into several documents
            record_id += f" ({seen[record_id]})"
        yield {
            "id": record_id,
            "text": doc.text,
            "title": _text(meta.get("title")),  # else qa's own: the headline, or the file name
            "url": _text(meta.get("url")),
            "published": _text(meta.get("published") or meta.get("date")),
        }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
