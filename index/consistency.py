"""What the manifest and the vector store disagree on, and the steps that make them agree again:
repair, re-embed, upgrade, rebuild a damaged store (index/collection.py decides when).

The manifest is the record of what is indexed; the vectors are derived from it (each chunk's text
is `document.text[start:end]`), so anything missing from the store can be embedded again. A writer
killed between its two writes leaves them disagreeing; it marks the manifest before it starts
(`Manifest.mark_writing`), so the next open knows to look, at no cost in the normal case.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.annotation import annotate
from index.documents import document_sentences
from index.embedding import Embedder
from index.manifest import SCHEMA_VERSION, Manifest
from index.sentences import sentence_spans
from index.store import ChunkStore, forget_embedded_client
from index.vectors import embed_chunks

log = logging.getLogger("qa")


@dataclass
class Findings:
    stray_chunks: list[str] = field(default_factory=list)  # vectors the manifest does not list
    missing_chunks: list[str] = field(default_factory=list)  # manifest chunks without vectors
    unreferenced_docs: list[str] = field(default_factory=list)  # no source names them any more
    stray_sentences: list[str] = field(default_factory=list)  # sentence vectors, no record
    missing_sentences: list[str] = field(default_factory=list)  # sentence records, no vector

    @property
    def agree(self) -> bool:
        return not (
            self.stray_chunks
            or self.missing_chunks
            or self.unreferenced_docs
            or self.stray_sentences
            or self.missing_sentences
        )

    def describe(self) -> str:
        if self.agree:
            return "the manifest and the vector store agree"
        parts = [
            f"{len(items)} {what}"
            for items, what in (
                (self.stray_chunks, "vector(s) without a manifest entry"),
                (self.missing_chunks, "manifest chunk(s) without vectors"),
                (self.unreferenced_docs, "document(s) left over from an interrupted removal"),
                (self.stray_sentences, "sentence vector(s) without a manifest entry"),
                (self.missing_sentences, "manifest sentence(s) without vectors"),
            )
            if items
        ]
        return "; ".join(parts)


def check(manifest: Manifest, store: ChunkStore) -> Findings:
    """Compare the chunk and sentence ids the store holds with those the manifest records."""
    stored, recorded = store.chunk_ids(), manifest.chunk_ids()
    stored_sentences, recorded_sentences = store.sentences.ids(), manifest.sentence_ids()
    return Findings(
        stray_chunks=sorted(stored - recorded),
        missing_chunks=sorted(recorded - stored),
        unreferenced_docs=manifest.unreferenced_documents(),
        stray_sentences=sorted(stored_sentences - recorded_sentences),
        missing_sentences=sorted(recorded_sentences - stored_sentences),
    )


def repair(manifest: Manifest, store: ChunkStore, embedder: Embedder, batch: int = 256) -> Findings:
    """Make the two agree (call it holding the writer lock); returns what was wrong.

    Leftover documents are removed, stray vectors deleted, and missing vectors embedded again
    from the manifest's text (a missing sentence vector: its chunk is embedded again). The
    marker stays set until the end, so a repair that is itself interrupted is done again next
    time."""
    manifest.mark_writing()
    found = check(manifest, store)
    for doc_id in found.unreferenced_docs:
        manifest.remove_document(doc_id)
    after = check(manifest, store) if found.unreferenced_docs else found
    store.delete_chunks(after.stray_chunks)
    store.sentences.delete(after.stray_sentences)
    redo = set(after.missing_chunks) | manifest.owner_chunks(set(after.missing_sentences))
    reembed(manifest, store, embedder, redo, batch)
    manifest.clear_writing()
    return Findings(
        after.stray_chunks,
        after.missing_chunks,
        found.unreferenced_docs,
        after.stray_sentences,
        after.missing_sentences,
    )


def reembed(
    manifest: Manifest, store: ChunkStore, embedder: Embedder, chunk_ids: set[str], batch: int
) -> int:
    """Embed and store the given manifest chunks (and the sentences they own) again; returns
    how many chunks."""
    pooled = manifest.pooled_sentence_vectors()
    done = 0
    pending: list = []
    for row in manifest.chunks(chunk_ids):
        pending.append(row)
        if len(pending) >= batch:
            done += _store_batch(manifest, store, embedder, pending, pooled)
            pending = []
    return done + _store_batch(manifest, store, embedder, pending, pooled)


def _store_batch(
    manifest: Manifest, store: ChunkStore, embedder: Embedder, rows: list, pooled: bool
) -> int:
    if not rows:
        return 0
    chunks = [chunk for chunk, _, _ in rows]
    titles = {chunk.doc_id: title for chunk, title, _ in rows}
    sentences = manifest.sentences_of_chunks({chunk.id for chunk in chunks})
    vectors, owned, sentence_vectors = embed_chunks(embedder, chunks, titles, sentences, pooled)
    store.add(chunks, vectors, {chunk.doc_id: published for chunk, _, published in rows})
    store.sentences.add(owned, sentence_vectors)
    return len(chunks)


def upgrade(manifest: Manifest, store: ChunkStore, embedder: Embedder, batch: int = 64) -> int:
    """Give a collection indexed before sentence records existed its sentences: spans from the
    stored chunks, spaCy annotations, vectors (call it holding the writer lock). Returns how
    many documents were upgraded."""
    doc_ids = manifest.documents_without_sentences()
    if doc_ids:
        log.warning(
            "upgrading the collection: annotating and embedding the sentences of %d document(s), "
            "once",
            len(doc_ids),
        )
    manifest.mark_writing()
    for start in range(0, len(doc_ids), batch):
        for doc_id in doc_ids[start : start + batch]:
            text = manifest.text(doc_id) or ""
            chunks = manifest.chunks_of(doc_id)
            for chunk in chunks:
                chunk.sentences = sentence_spans(text, chunk.start, chunk.end)
            sentences = document_sentences(chunks)
            for sentence, annotation in zip(
                sentences, annotate([text[s.start : s.end] for s in sentences]), strict=True
            ):
                sentence.annotation = annotation
            info = manifest.info(doc_id)
            _, owned, vectors = embed_chunks(
                embedder,
                chunks,
                {doc_id: info.title if info else ""},
                sentences,
                manifest.pooled_sentence_vectors(),
            )
            store.sentences.add(owned, vectors)
            manifest.replace_sentences(doc_id, sentences)
    manifest.set_schema_version(SCHEMA_VERSION)
    manifest.clear_writing()
    return len(doc_ids)


def rebuild(
    open_client: Callable[[], Any],
    embedder: Embedder,
    collection: str,
    manifest: Manifest,
    store_dir: Path,
    reason: str,
) -> ChunkStore:
    """Set the damaged store aside (replacing an earlier one) and embed every chunk again."""
    forget_embedded_client(store_dir)
    aside = store_dir.with_name(store_dir.name + ".damaged")
    shutil.rmtree(aside, ignore_errors=True)
    if store_dir.exists():
        store_dir.rename(aside)
    store = ChunkStore(open_client(), embedder, collection)
    manifest.mark_writing()
    chunks = reembed(manifest, store, embedder, manifest.chunk_ids(), batch=256)
    manifest.clear_writing()
    log.warning(
        "the vector store was damaged (%s); rebuilt %d chunks from %d documents "
        "(the damaged files are in %s)",
        reason,
        chunks,
        manifest.document_count(),
        aside,
    )
    return store
