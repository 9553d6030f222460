"""Index files into the manifest and the vector store: unchanged files are skipped, changed
files replace their old chunks, and one text under several names is stored once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from index.annotation import annotate
from index.chunking import chunk_document
from index.cleaning import clean_document
from index.collection import Collection
from index.documents import Chunk, Document, LoadError, Sentence, document_sentences
from index.loaders import MAX_FILE_BYTES, expand_paths
from index.memory import release_freed_memory
from index.sandbox import load_sandboxed
from index.vectors import embed_chunks


@dataclass
class IndexReport:
    added: list[Document] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (source, existing doc id)
    unchanged_files: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # doc ids replaced or gone from their file
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, one-line reason)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    chunks: int = 0


@dataclass
class _Pending:
    doc: Document
    chunks: list[Chunk]
    file_key: str
    sentences: list[Sentence] = field(default_factory=list)


class Indexer:
    def __init__(
        self,
        collection: Collection,
        chunk_tokens: int = 200,
        overlap_sentences: int = 1,
        batch_chunks: int = 256,
        progress: bool = False,
        pooled_sentence_vectors: bool = True,
    ):
        self._collection = collection
        self._manifest = collection.manifest
        self._store = collection.store
        self._embedder = collection.embedder
        self._chunk_tokens = chunk_tokens
        self._overlap = overlap_sentences
        self._batch_chunks = batch_chunks
        self._progress = progress
        self._pooled = pooled_sentence_vectors
        self._bar: tqdm | None = None
        self._marked = False  # this run has set the manifest's "writing" marker

    def index(self, paths: list[Path]) -> IndexReport:
        with self._collection.writing():
            self._recover()
            if self._manifest.document_count() == 0:  # a new collection records how it is made
                self._manifest.set_pooled_sentence_vectors(self._pooled)
            report = self._index(paths)
            self._finish()
            return report

    def _index(self, paths: list[Path]) -> IndexReport:
        report = IndexReport()
        files, problems = expand_paths(paths)
        for source, reason in problems:
            (report.skipped if reason.startswith("skipped") else report.failed).append(
                (source, reason)
            )
        with tqdm(total=len(files), unit="file", disable=not self._progress, leave=False) as bar:
            self._bar = bar
            for path in files:
                self._index_file(path.resolve(), report)
                bar.update()
        self._bar = None
        return report

    def remove(self, doc_id: str) -> None:
        with self._collection.writing():
            self._recover()
            self._remove(doc_id)
            self._finish()

    def _recover(self) -> None:
        """Finish what a writer that died (or failed) mid-write left half done."""
        if self._manifest.write_interrupted():
            self._collection.recover()

    def _mark(self) -> None:
        if not self._marked:
            self._manifest.mark_writing()
            self._marked = True

    def _finish(self) -> None:
        # Not reached after an error: the marker stays, and the next writer checks.
        if self._marked:
            self._manifest.clear_writing()
            self._marked = False

    def _remove(self, doc_id: str) -> None:
        # The manifest first: a crash in between leaves stray vectors, which searches skip,
        # rather than a listed document whose chunks cannot be found.
        self._mark()
        self._manifest.remove_document(doc_id)
        self._store.delete_document(doc_id)

    def _index_file(self, path: Path, report: IndexReport) -> None:
        key = str(path)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise LoadError(f"file is larger than {MAX_FILE_BYTES // 2**20} MB")
            data = path.read_bytes()
        except OSError as exc:
            report.failed.append((key, f"cannot read file ({exc.strerror or exc})"))
            return
        except LoadError as exc:
            report.failed.append((key, str(exc)))
            return
        file_hash = hashlib.sha256(data).hexdigest()
        if self._manifest.file_hash(key) == file_hash:
            report.unchanged_files.append(key)
            return
        old_sources = self._manifest.sources_of_file(key)
        seen: set[str] = set()
        pending: list[_Pending] = []
        links: list[tuple[str, str]] = []
        try:
            for item in self._records(path, data):
                if isinstance(item, LoadError):
                    report.failed.append((key, str(item)))
                    continue
                try:
                    doc = clean_document(item)
                except LoadError as exc:
                    report.failed.append((item.source, str(exc)))
                    continue
                seen.add(doc.source)
                if old_sources.get(doc.source) == doc.id:
                    continue
                if self._manifest.has_document(doc.id) or any(p.doc.id == doc.id for p in pending):
                    links.append((doc.source, doc.id))
                    report.duplicates.append((doc.source, doc.id))
                    continue
                chunks = chunk_document(
                    doc, self._embedder.count_tokens, self._chunk_tokens, self._overlap
                )
                pending.append(_Pending(doc, chunks, key, document_sentences(chunks)))
                if sum(len(p.chunks) for p in pending) >= self._batch_chunks:
                    self._flush(pending, report)
                    pending = []
        except LoadError as exc:
            # The whole file is unreadable now: keep whatever an earlier version indexed.
            report.failed.append((key, str(exc)))
            return
        self._mark()  # from here on the manifest changes (sources, removals) even without a flush
        self._flush(pending, report)
        for source, doc_id in links:
            self._manifest.link_source(source, doc_id, key)
        self._manifest.unlink_sources([s for s in old_sources if s not in seen])
        for doc_id in sorted(set(old_sources.values())):
            if not self._manifest.is_referenced(doc_id):
                self._remove(doc_id)
                report.removed.append(doc_id)
        # Last: if anything above is interrupted, the next run indexes this file again.
        self._manifest.set_file_hash(key, file_hash)

    def _records(self, path: Path, data: bytes):
        """The file's documents; a .jsonl collection (thousands of articles in one file) gets
        its own progress bar by record, with a rate and a time-left estimate."""
        items = load_sandboxed(path, data)
        if not self._progress or path.suffix.lower() != ".jsonl":
            return items
        total = data.count(b"\n") + (not data.endswith(b"\n"))
        return tqdm(items, total=total, unit="article", desc=path.name, leave=False)

    def _flush(self, pending: list[_Pending], report: IndexReport) -> None:
        if not pending:
            return
        chunks = [c for p in pending for c in p.chunks]
        sentences = [s for p in pending for s in p.sentences]
        texts = {p.doc.id: p.doc.text for p in pending}
        for sentence, annotation in zip(
            sentences, annotate([texts[s.doc_id][s.start : s.end] for s in sentences]), strict=True
        ):
            sentence.annotation = annotation
        release_freed_memory()  # spaCy's working memory, before the model's
        titles = {p.doc.id: p.doc.title for p in pending}
        vectors, owned, sentence_vectors = embed_chunks(
            self._embedder, chunks, titles, sentences, self._manifest.pooled_sentence_vectors()
        )
        # Vectors first, then the manifest: a crash in between leaves stray vectors (which the
        # next writer removes, or overwrites: same ids), never a manifest entry without vectors.
        self._mark()
        self._store.add(chunks, vectors, {p.doc.id: p.doc.published for p in pending})
        self._store.sentences.add(owned, sentence_vectors)
        for p in pending:
            self._manifest.add_document(p.doc, p.chunks, p.file_key, p.sentences)
            report.added.append(p.doc)
        report.chunks += len(chunks)
        release_freed_memory()
        if self._bar is not None:  # one big .jsonl is one file: show progress inside it too
            self._bar.set_postfix(docs=len(report.added), chunks=report.chunks)
