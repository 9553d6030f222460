"""The catalogue of indexed documents: texts, chunk spans, sources and file hashes.

The stored text is what every citation offset indexes into. Chroma holds only the vectors; the
manifest is the record of what is indexed, and the BM25 index is rebuilt from it. It lives in
an SQLite file in the data directory, or in PostgreSQL when several hosts share the collection
(index/catalogue.py).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from index.catalogue import (
    CatalogueError,
    create_engine_for,
    create_or_migrate,
    is_server_url,
    redacted,
    schema_exists,
    tables,
    upsert,
)
from index.documents import Chunk, Document, Sentence
from index.locking import AdvisoryWriterLock

_BATCH = 500  # ids per IN (…) list
# The collection's content version: 2, per-sentence records (spans, spaCy annotations; their
# vectors are in the sentence store). Older collections are upgraded by index/consistency.py.
SCHEMA_VERSION = 2


@dataclass
class DocumentInfo:
    id: str
    title: str
    url: str | None
    published: str | None
    sources: list[str]
    chunk_count: int
    added_at: float


@cache
def _statements() -> dict[str, Any]:
    """The reads a question makes, built once: building an SQLAlchemy statement costs more than
    SQLite takes to run it."""
    from sqlalchemy import bindparam, func, select

    t = tables().tables
    documents, chunks, sources, meta = t["documents"], t["chunks"], t["sources"], t["meta"]
    chunk_count = (
        select(func.count())
        .select_from(chunks)
        .where(chunks.c.doc_id == documents.c.id)
        .scalar_subquery()
    )
    info = select(
        documents.c.id,
        documents.c.title,
        documents.c.url,
        documents.c.published,
        documents.c.added_at,
        chunk_count,
    )
    return {
        "meta": select(meta.c.value).where(meta.c.key == bindparam("key")),
        "text": select(documents.c.text).where(documents.c.id == bindparam("id")),
        "has_document": select(documents.c.id).where(documents.c.id == bindparam("id")),
        "file_hash": select(t["files"].c.file_hash).where(t["files"].c.path == bindparam("path")),
        "info": info.where(documents.c.id == bindparam("id")),
        "infos": info.order_by(documents.c.added_at, documents.c.id),
        "sources_of": select(sources.c.source)
        .where(sources.c.doc_id == bindparam("id"))
        .order_by(sources.c.source),
        "all_sources": select(sources.c.doc_id, sources.c.source).order_by(sources.c.source),
        "spans": select(chunks.c.id, chunks.c.doc_id, chunks.c.start, chunks.c.end).where(
            chunks.c.id.in_(bindparam("ids", expanding=True))
        ),
        "documents": select(func.count()).select_from(documents),
        "chunks": select(func.count()).select_from(chunks),
    }


@cache
def _writes() -> dict[str, Any]:
    """The statements every document write makes, built once (see _statements)."""
    from sqlalchemy import Integer, Text, bindparam, cast

    t = tables().tables
    meta = t["meta"]
    return {
        "bump": meta.update()
        .where(meta.c.key == "generation")
        .values(value=cast(cast(meta.c.value, Integer) + 1, Text)),
        "chunks_of": t["chunks"].delete().where(t["chunks"].c.doc_id == bindparam("doc_id")),
        "sentences_of": t["sentences"]
        .delete()
        .where(t["sentences"].c.doc_id == bindparam("doc_id")),
        "add_chunks": t["chunks"].insert(),
        "add_sentences": t["sentences"].insert(),
    }


def _sentence_columns(sentences) -> list:
    c = sentences.c
    return [c.id, c.doc_id, c.idx, c.start, c.end, c.chunk_id, c.annotation]


class Manifest:
    """Safe to share between threads. With SQLite each thread reads on a connection of its own
    and writes in a pooled one (WAL lets readers run while one writer writes); with PostgreSQL
    every call takes a pooled connection.

    `location` is the SQLite file, or a postgresql:// URL. `writer_lock` is what a writer
    holds: the lock file `lock_path` beside an SQLite catalogue, an advisory lock in
    PostgreSQL (released by the server when the writer's connection dies)."""

    def __init__(
        self,
        location: Path | str,
        collection: str = "documents",
        lock_path: Path | None = None,
        create: bool = True,
    ):
        self.collection = collection
        self.on_server = is_server_url(location)
        self.where = redacted(str(location)) if self.on_server else str(location)
        self._engine = create_engine_for(location, collection)
        self._t = tables().tables
        self._q = _statements()
        self._w = _writes()
        # SQLite: one reading connection per thread, kept (opening one costs more than a read).
        self._readers = None if self.on_server else threading.local()
        self._read_engine = (
            None if self.on_server else create_engine_for(location, collection, False)
        )
        self._reader_connections: list[Any] = []
        self._readers_lock = threading.Lock()
        try:
            if not create and self.on_server and not schema_exists(self._engine, collection):
                raise CatalogueMissingError(collection, self.where)
            create_or_migrate(self._engine, collection)
            if self.document_count() == 0:
                self.set_schema_version(SCHEMA_VERSION)
        except CatalogueError:
            self._engine.dispose()
            raise
        except Exception as exc:
            self._engine.dispose()
            if not self.on_server:
                raise
            cause = (
                getattr(exc, "orig", None) or exc
            )  # the driver's error, not SQLAlchemy's wrapper
            raise CatalogueError(
                f"cannot use the catalogue at {self.where} ({type(cause).__name__}: "
                f"{_first_line(cause)})"
            ) from exc
        self.writer_lock: Path | AdvisoryWriterLock | None = (
            AdvisoryWriterLock(location, collection) if self.on_server else lock_path
        )

    @property
    def engine(self):
        """The SQLAlchemy engine (for copying a catalogue into another)."""
        return self._engine

    def close(self) -> None:
        with self._readers_lock:
            for conn in self._reader_connections:
                conn.close()
            self._reader_connections.clear()
        self._readers = None if self.on_server else threading.local()
        self._engine.dispose()

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        """A connection to read on, outside any transaction: each statement sees the latest
        committed state."""
        if self._readers is None:
            with self._engine.connect() as conn:
                yield conn
            return
        conn = getattr(self._readers, "conn", None)
        if conn is None:
            conn = self._read_engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self._readers.conn = conn
            with self._readers_lock:
                self._reader_connections.append(conn)
        yield conn

    def _read(self, statement, params: Any = None) -> list[Any]:
        with self._reading() as conn:
            return list(conn.execute(statement, params) if params else conn.execute(statement))

    # --- meta -------------------------------------------------------------------------------
    def identity(self) -> str:
        """A random id given to the catalogue when it was created (tells two catalogues apart
        whose generations happen to be equal)."""
        return self._meta("catalogue_id") or ""

    def generation(self) -> int:
        """Bumped on every change, so derived indexes (BM25) know when they are stale."""
        return int(self._meta("generation") or 0)

    def _meta(self, key: str) -> str | None:
        rows = self._read(self._q["meta"], {"key": key})
        return rows[0][0] if rows else None

    def schema_version(self) -> int:
        """1 for a collection indexed before sentence records existed."""
        return int(self._meta("schema") or 1)

    def set_schema_version(self, version: int) -> None:
        self._put("schema", str(version))

    def pooled_sentence_vectors(self) -> bool:
        """How this collection's sentence vectors were made (repairs make them the same way):
        pooled from their chunk's forward pass (the default) or embedded on their own."""
        return self._meta("sentence_vectors") in (None, "pooled")

    def set_pooled_sentence_vectors(self, pooled: bool) -> None:
        self._put("sentence_vectors", "pooled" if pooled else "separate")

    def _put(self, key: str, value: str) -> None:
        with self._engine.begin() as conn:
            upsert(conn, self._t["meta"], {"key": key, "value": value})

    def mark_writing(self) -> None:
        """Recorded before a writer touches the vectors and cleared when it has finished: if
        the writer dies in between, the next open knows to check the collection."""
        self._put("writing", "1")

    def clear_writing(self) -> None:
        meta = self._t["meta"]
        with self._engine.begin() as conn:
            conn.execute(meta.delete().where(meta.c.key == "writing"))

    def write_interrupted(self) -> bool:
        """Whether a writer started changing the collection and did not finish."""
        return self._meta("writing") is not None

    def _bump(self, conn) -> None:
        conn.execute(self._w["bump"])

    # --- files and sources --------------------------------------------------------------------
    def file_hash(self, path: str) -> str | None:
        rows = self._read(self._q["file_hash"], {"path": path})
        return rows[0][0] if rows else None

    def set_file_hash(self, path: str, file_hash: str) -> None:
        with self._engine.begin() as conn:
            upsert(
                conn,
                self._t["files"],
                {"path": path, "file_hash": file_hash, "indexed_at": time.time()},
            )

    def sources_of_file(self, path: str) -> dict[str, str]:
        from sqlalchemy import select

        sources = self._t["sources"]
        rows = self._read(
            select(sources.c.source, sources.c.doc_id).where(sources.c.file_path == path)
        )
        return {source: doc_id for source, doc_id in rows}

    def link_source(self, source: str, doc_id: str, file_path: str) -> None:
        with self._engine.begin() as conn:
            row = {"source": source, "doc_id": doc_id, "file_path": file_path}
            upsert(conn, self._t["sources"], row)
            self._bump(conn)

    def unlink_sources(self, sources: list[str]) -> None:
        if not sources:
            return
        table = self._t["sources"]
        with self._engine.begin() as conn:
            for start in range(0, len(sources), _BATCH):
                batch = sources[start : start + _BATCH]
                conn.execute(table.delete().where(table.c.source.in_(batch)))
            self._bump(conn)

    def is_referenced(self, doc_id: str) -> bool:
        """Whether any source still names this document."""
        from sqlalchemy import select

        sources = self._t["sources"]
        return bool(self._read(select(sources.c.source).where(sources.c.doc_id == doc_id).limit(1)))

    # --- documents ----------------------------------------------------------------------------
    def has_document(self, doc_id: str) -> bool:
        return bool(self._read(self._q["has_document"], {"id": doc_id}))

    def add_document(
        self,
        doc: Document,
        chunks: list[Chunk],
        file_path: str,
        sentences: list[Sentence] | None = None,
    ) -> None:
        """Record a document, its chunks, sentences and source in one transaction."""
        with self._engine.begin() as conn:
            row = {
                "id": doc.id,
                "title": doc.title,
                "url": doc.url,
                "published": doc.published,
                "text": doc.text,
                "added_at": time.time(),
            }
            upsert(conn, self._t["documents"], row)
            conn.execute(self._w["chunks_of"], {"doc_id": doc.id})
            if chunks:
                conn.execute(
                    self._w["add_chunks"],
                    [
                        {
                            "id": c.id,
                            "doc_id": c.doc_id,
                            "idx": c.index,
                            "start": c.start,
                            "end": c.end,
                        }
                        for c in chunks
                    ],
                )
            self._write_sentences(conn, doc.id, sentences or [])
            source = {"source": doc.source, "doc_id": doc.id, "file_path": file_path}
            upsert(conn, self._t["sources"], source)
            self._bump(conn)

    def remove_document(self, doc_id: str) -> None:
        from sqlalchemy import select

        t = self._t
        with self._engine.begin() as conn:
            # Forget the file hashes too, so indexing the file again adds the document back.
            files_of_doc = select(t["sources"].c.file_path).where(t["sources"].c.doc_id == doc_id)
            conn.execute(t["files"].delete().where(t["files"].c.path.in_(files_of_doc)))
            conn.execute(t["documents"].delete().where(t["documents"].c.id == doc_id))
            for table in ("chunks", "sentences", "sources"):
                conn.execute(t[table].delete().where(t[table].c.doc_id == doc_id))
            self._bump(conn)

    def resolve_id(self, prefix: str) -> str | None:
        """A full document id from an id or a unique prefix of one."""
        from sqlalchemy import select

        documents = self._t["documents"]
        rows = self._read(
            select(documents.c.id)
            .where(documents.c.id.startswith(prefix, autoescape=True))
            .limit(2)
        )
        return rows[0][0] if len(rows) == 1 else None

    def text(self, doc_id: str) -> str | None:
        rows = self._read(self._q["text"], {"id": doc_id})
        return rows[0][0] if rows else None

    def info(self, doc_id: str) -> DocumentInfo | None:
        infos = self._infos(doc_id)
        return infos[0] if infos else None

    def list_documents(self) -> list[DocumentInfo]:
        return self._infos(None)

    def _infos(self, doc_id: str | None) -> list[DocumentInfo]:
        by_doc: dict[str, list[str]] = {}
        with self._reading() as conn:
            if doc_id is None:
                rows = list(conn.execute(self._q["infos"]))
                for owner, source in conn.execute(self._q["all_sources"]):
                    by_doc.setdefault(owner, []).append(source)
            else:
                rows = list(conn.execute(self._q["info"], {"id": doc_id}))
                by_doc[doc_id] = [r[0] for r in conn.execute(self._q["sources_of"], {"id": doc_id})]
        return [
            DocumentInfo(id_, title, url, published, by_doc.get(id_, []), int(n), added_at)
            for id_, title, url, published, added_at, n in rows
        ]

    def chunk_spans(self, chunk_ids: list[str]) -> dict[str, tuple[str, int, int]]:
        """chunk id -> (doc id, start, end)."""
        spans = {}
        with self._reading() as conn:
            for start in range(0, len(chunk_ids), _BATCH):
                batch = {"ids": chunk_ids[start : start + _BATCH]}
                for chunk_id, doc_id, begin, end in conn.execute(self._q["spans"], batch):
                    spans[chunk_id] = (doc_id, int(begin), int(end))
        return {cid: spans[cid] for cid in chunk_ids if cid in spans}

    def unreferenced_documents(self) -> list[str]:
        """Documents no source names any more: a removal that was interrupted."""
        from sqlalchemy import select

        documents, sources = self._t["documents"], self._t["sources"]
        query = (
            select(documents.c.id)
            .where(documents.c.id.not_in(select(sources.c.doc_id)))
            .order_by(documents.c.id)
        )
        return [r[0] for r in self._read(query)]

    def chunk_ids(self) -> set[str]:
        from sqlalchemy import select

        return {r[0] for r in self._read(select(self._t["chunks"].c.id))}

    def chunk_count(self) -> int:
        return self._count("chunks")

    def document_count(self) -> int:
        return self._count("documents")

    def _count(self, table: str) -> int:
        return int(self._read(self._q[table])[0][0])

    def chunks(self, chunk_ids: set[str]) -> Iterator[tuple[Chunk, str, str | None]]:
        """(chunk, document title, published) for the given ids, document by document."""
        for doc_id, title, text, published, rows in self._documents_with_chunks(chunk_ids):
            for chunk_id, idx, start, end in rows:
                if chunk_id in chunk_ids:
                    yield (
                        Chunk(chunk_id, doc_id, idx, start, end, text[start:end]),
                        title,
                        published,
                    )

    def iter_chunk_texts(self) -> Iterator[tuple[str, str, str, str | None]]:
        """(chunk id, document title, chunk text, published) for every chunk, in a stable order."""
        for _, title, text, published, rows in self._documents_with_chunks(None):
            for chunk_id, _, start, end in rows:
                yield chunk_id, title, text[start:end], published

    def _documents_with_chunks(
        self, chunk_ids: set[str] | None
    ) -> Iterator[tuple[str, str, str, str | None, list[tuple[str, int, int, int]]]]:
        """The documents holding any of `chunk_ids` (None: every chunk), by id, each with all
        its chunks' (id, idx, start, end) in order; texts are read a batch at a time."""
        from sqlalchemy import select

        documents, chunks = self._t["documents"], self._t["chunks"]
        by_doc: dict[str, list[tuple[str, int, int, int]]] = {}
        span_query = select(
            chunks.c.doc_id, chunks.c.id, chunks.c.idx, chunks.c.start, chunks.c.end
        ).order_by(chunks.c.doc_id, chunks.c.idx)
        for doc_id, chunk_id, idx, start, end in self._read(span_query):
            by_doc.setdefault(doc_id, []).append((chunk_id, int(idx), int(start), int(end)))
        wanted = sorted(
            doc_id
            for doc_id, rows in by_doc.items()
            if chunk_ids is None or any(row[0] in chunk_ids for row in rows)
        )
        for start in range(0, len(wanted), _BATCH):
            doc_query = (
                select(documents.c.id, documents.c.title, documents.c.text, documents.c.published)
                .where(documents.c.id.in_(wanted[start : start + _BATCH]))
                .order_by(documents.c.id)
            )
            for doc_id, title, text, published in self._read(doc_query):
                yield doc_id, title, text, published, by_doc[doc_id]

    # --- sentences ----------------------------------------------------------------------------
    def _write_sentences(self, conn, doc_id: str, sentences: list[Sentence]) -> None:
        conn.execute(self._w["sentences_of"], {"doc_id": doc_id})
        if sentences:
            conn.execute(
                self._w["add_sentences"],
                [
                    {
                        "id": s.id,
                        "doc_id": s.doc_id,
                        "idx": s.index,
                        "start": s.start,
                        "end": s.end,
                        "chunk_id": s.chunk_id,
                        "annotation": _compact(s.annotation),
                    }
                    for s in sentences
                ],
            )

    def replace_sentences(self, doc_id: str, sentences: list[Sentence]) -> None:
        """Give an already indexed document its sentence records (upgrading a collection)."""
        with self._engine.begin() as conn:
            self._write_sentences(conn, doc_id, sentences)
            self._bump(conn)

    def sentences_within(self, spans: list[tuple[str, int, int]]) -> list[Sentence]:
        """The sentences lying inside each (doc id, start, end) span, in the order of the spans
        and then of the document; a sentence inside two spans is listed once."""
        from sqlalchemy import and_, or_, select

        if not spans:
            return []
        table = self._t["sentences"]
        rows: list[Any] = []
        for first in range(0, len(spans), _BATCH):  # one query for a question's chunks
            within = or_(
                *(
                    and_(table.c.doc_id == doc_id, table.c.start >= start, table.c.end <= end)
                    for doc_id, start, end in spans[first : first + _BATCH]
                )
            )
            rows += self._read(select(*_sentence_columns(table)).where(within))
        rows.sort(key=lambda row: row[3])  # by start
        found: dict[str, Sentence] = {}
        for doc_id, start, end in spans:
            for row in rows:
                if row[1] == doc_id and row[3] >= start and row[4] <= end and row[0] not in found:
                    found[row[0]] = _sentence(row)
        return list(found.values())

    def sentences_of_chunks(self, chunk_ids: set[str]) -> list[Sentence]:
        """The sentences the given chunks own (for re-embedding them)."""
        from sqlalchemy import select

        table = self._t["sentences"]
        wanted = sorted(chunk_ids)
        found = []
        for start in range(0, len(wanted), _BATCH):
            query = (
                select(*_sentence_columns(table))
                .where(table.c.chunk_id.in_(wanted[start : start + _BATCH]))
                .order_by(table.c.chunk_id, table.c.idx)
            )
            found += [_sentence(row) for row in self._read(query)]
        return found

    def sentence_ids(self) -> set[str]:
        from sqlalchemy import select

        return {r[0] for r in self._read(select(self._t["sentences"].c.id))}

    def owner_chunks(self, sentence_ids: set[str]) -> set[str]:
        """The chunks that own the given sentences."""
        from sqlalchemy import select

        table = self._t["sentences"]
        wanted = sorted(sentence_ids)
        owners: set[str] = set()
        for start in range(0, len(wanted), _BATCH):
            query = select(table.c.chunk_id).where(table.c.id.in_(wanted[start : start + _BATCH]))
            owners.update(r[0] for r in self._read(query))
        return owners

    def documents_without_sentences(self) -> list[str]:
        from sqlalchemy import select

        documents, sentences = self._t["documents"], self._t["sentences"]
        query = (
            select(documents.c.id)
            .where(documents.c.id.not_in(select(sentences.c.doc_id).distinct()))
            .order_by(documents.c.id)
        )
        return [r[0] for r in self._read(query)]

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        from sqlalchemy import select

        chunks = self._t["chunks"]
        text = self.text(doc_id) or ""
        query = (
            select(chunks.c.id, chunks.c.idx, chunks.c.start, chunks.c.end)
            .where(chunks.c.doc_id == doc_id)
            .order_by(chunks.c.idx)
        )
        return [
            Chunk(chunk_id, doc_id, int(idx), int(start), int(end), text[start:end])
            for chunk_id, idx, start, end in self._read(query)
        ]


def _compact(annotation: dict) -> str:
    return json.dumps(annotation, separators=(",", ":"))


def _sentence(row) -> Sentence:
    sid, doc_id, idx, start, end, chunk_id, annotation = row
    return Sentence(sid, doc_id, int(idx), int(start), int(end), chunk_id, json.loads(annotation))


class CatalogueMissingError(CatalogueError):
    """The catalogue server holds no such collection."""

    def __init__(self, collection: str, where: str):
        super().__init__(
            f"no collection '{collection}' in the catalogue at {where}: "
            "index documents first with `qa index PATH`"
        )


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else ""
