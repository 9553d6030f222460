"""The catalogue of indexed documents (SQLite): texts, chunk spans, sources and file hashes.

The stored text is what every citation offset indexes into. Chroma holds only the vectors; the
manifest is the record of what is indexed, and the BM25 index is rebuilt from it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from index.documents import Chunk, Document, Sentence

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, url TEXT, published TEXT, text TEXT NOT NULL,
    added_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, idx INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks (doc_id);
CREATE TABLE IF NOT EXISTS sources (
    source TEXT PRIMARY KEY, doc_id TEXT NOT NULL, file_path TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sources_doc ON sources (doc_id);
CREATE INDEX IF NOT EXISTS sources_file ON sources (file_path);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, file_hash TEXT NOT NULL, indexed_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sentences (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, idx INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, chunk_id TEXT NOT NULL,
    annotation TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sentences_doc ON sentences (doc_id, start);
"""
# 2: per-sentence records (spans, spaCy annotations; their vectors are in the sentence store).
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


class Manifest:
    """Safe to share between threads: each thread gets its own SQLite connection (WAL lets
    readers run while one writer writes)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._db.executescript(_SCHEMA)
        if self.document_count() == 0:
            self.set_schema_version(SCHEMA_VERSION)

    @property
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            # check_same_thread=False only so that close() may close every thread's connection.
            db = sqlite3.connect(
                str(self._path), timeout=30, isolation_level=None, check_same_thread=False
            )
            db.execute("PRAGMA journal_mode=WAL")
            self._local.db = db
            with self._connections_lock:
                self._connections.append(db)
        return db

    def close(self) -> None:
        with self._connections_lock:
            for db in self._connections:
                db.close()
            self._connections.clear()
        self._local = threading.local()

    # --- meta -------------------------------------------------------------------------------
    def generation(self) -> int:
        """Bumped on every change, so derived indexes (BM25) know when they are stale."""
        row = self._db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def schema_version(self) -> int:
        """1 for a collection indexed before sentence records existed."""
        row = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        return int(row[0]) if row else 1

    def set_schema_version(self, version: int) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(version),))

    def pooled_sentence_vectors(self) -> bool:
        """How this collection's sentence vectors were made (repairs make them the same way):
        pooled from their chunk's forward pass (the default) or embedded on their own."""
        row = self._db.execute("SELECT value FROM meta WHERE key='sentence_vectors'").fetchone()
        return row is None or row[0] == "pooled"

    def set_pooled_sentence_vectors(self, pooled: bool) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO meta VALUES ('sentence_vectors', ?)",
            ("pooled" if pooled else "separate",),
        )

    def mark_writing(self) -> None:
        """Recorded before a writer touches the vectors and cleared when it has finished: if
        the writer dies in between, the next open knows to check the collection."""
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('writing', '1')")

    def clear_writing(self) -> None:
        self._db.execute("DELETE FROM meta WHERE key='writing'")

    def write_interrupted(self) -> bool:
        """Whether a writer started changing the collection and did not finish."""
        return self._db.execute("SELECT 1 FROM meta WHERE key='writing'").fetchone() is not None

    def _bump(self) -> None:
        self._db.execute(
            "INSERT INTO meta VALUES ('generation', '1') ON CONFLICT(key) "
            "DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    # --- files and sources --------------------------------------------------------------------
    def file_hash(self, path: str) -> str | None:
        row = self._db.execute("SELECT file_hash FROM files WHERE path=?", (path,)).fetchone()
        return row[0] if row else None

    def set_file_hash(self, path: str, file_hash: str) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?)", (path, file_hash, time.time())
        )

    def sources_of_file(self, path: str) -> dict[str, str]:
        rows = self._db.execute("SELECT source, doc_id FROM sources WHERE file_path=?", (path,))
        return dict(rows.fetchall())

    def link_source(self, source: str, doc_id: str, file_path: str) -> None:
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute(
                "INSERT OR REPLACE INTO sources VALUES (?, ?, ?)", (source, doc_id, file_path)
            )
            self._bump()

    def unlink_sources(self, sources: list[str]) -> None:
        if not sources:
            return
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany("DELETE FROM sources WHERE source=?", [(s,) for s in sources])
            self._bump()

    def is_referenced(self, doc_id: str) -> bool:
        """Whether any source still names this document."""
        return (
            self._db.execute("SELECT 1 FROM sources WHERE doc_id=?", (doc_id,)).fetchone()
            is not None
        )

    # --- documents ----------------------------------------------------------------------------
    def has_document(self, doc_id: str) -> bool:
        return (
            self._db.execute("SELECT 1 FROM documents WHERE id=?", (doc_id,)).fetchone() is not None
        )

    def add_document(
        self,
        doc: Document,
        chunks: list[Chunk],
        file_path: str,
        sentences: list[Sentence] | None = None,
    ) -> None:
        """Record a document, its chunks, sentences and source in one transaction."""
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?)",
                (doc.id, doc.title, doc.url, doc.published, doc.text, time.time()),
            )
            self._db.execute("DELETE FROM chunks WHERE doc_id=?", (doc.id,))
            self._db.executemany(
                "INSERT INTO chunks VALUES (?, ?, ?, ?, ?)",
                [(c.id, c.doc_id, c.index, c.start, c.end) for c in chunks],
            )
            self._write_sentences(doc.id, sentences or [])
            self._db.execute(
                "INSERT OR REPLACE INTO sources VALUES (?, ?, ?)", (doc.source, doc.id, file_path)
            )
            self._bump()

    def remove_document(self, doc_id: str) -> None:
        with self._db:
            self._db.execute("BEGIN")
            # Forget the file hashes too, so indexing the file again adds the document back.
            self._db.execute(
                "DELETE FROM files WHERE path IN (SELECT file_path FROM sources WHERE doc_id=?)",
                (doc_id,),
            )
            for table, column in (
                ("documents", "id"),
                ("chunks", "doc_id"),
                ("sentences", "doc_id"),
                ("sources", "doc_id"),
            ):
                self._db.execute(f"DELETE FROM {table} WHERE {column}=?", (doc_id,))
            self._bump()

    def resolve_id(self, prefix: str) -> str | None:
        """A full document id from an id or a unique prefix of one."""
        rows = self._db.execute(
            "SELECT id FROM documents WHERE id LIKE ? LIMIT 2", (prefix.replace("%", "") + "%",)
        ).fetchall()
        return rows[0][0] if len(rows) == 1 else None

    def text(self, doc_id: str) -> str | None:
        row = self._db.execute("SELECT text FROM documents WHERE id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def info(self, doc_id: str) -> DocumentInfo | None:
        infos = self._infos("WHERE d.id=?", (doc_id,))
        return infos[0] if infos else None

    def list_documents(self) -> list[DocumentInfo]:
        return self._infos("", ())

    def _infos(self, where: str, args: tuple) -> list[DocumentInfo]:
        rows = self._db.execute(
            "SELECT d.id, d.title, d.url, d.published, d.added_at, "
            "(SELECT COUNT(*) FROM chunks c WHERE c.doc_id=d.id) "
            f"FROM documents d {where} ORDER BY d.added_at, d.id",
            args,
        ).fetchall()
        infos = []
        for doc_id, title, url, published, added_at, chunk_count in rows:
            sources = [
                r[0]
                for r in self._db.execute(
                    "SELECT source FROM sources WHERE doc_id=? ORDER BY source", (doc_id,)
                )
            ]
            infos.append(
                DocumentInfo(doc_id, title, url, published, sources, chunk_count, added_at)
            )
        return infos

    def chunk_spans(self, chunk_ids: list[str]) -> dict[str, tuple[str, int, int]]:
        """chunk id -> (doc id, start, end)."""
        spans = {}
        for chunk_id in chunk_ids:
            row = self._db.execute(
                'SELECT doc_id, start, "end" FROM chunks WHERE id=?', (chunk_id,)
            ).fetchone()
            if row:
                spans[chunk_id] = (row[0], int(row[1]), int(row[2]))
        return spans

    def unreferenced_documents(self) -> list[str]:
        """Documents no source names any more: a removal that was interrupted."""
        rows = self._db.execute(
            "SELECT id FROM documents WHERE id NOT IN (SELECT doc_id FROM sources) ORDER BY id"
        )
        return [r[0] for r in rows.fetchall()]

    def chunk_ids(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT id FROM chunks")}

    def chunk_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    def chunks(self, chunk_ids: set[str]) -> Iterator[tuple[Chunk, str, str | None]]:
        """(chunk, document title, published) for the given ids, document by document."""
        rows = self._db.execute("SELECT doc_id, id FROM chunks ORDER BY doc_id").fetchall()
        doc_ids = sorted({doc_id for doc_id, chunk_id in rows if chunk_id in chunk_ids})
        for doc_id in doc_ids:
            row = self._db.execute(
                "SELECT title, text, published FROM documents WHERE id=?", (doc_id,)
            ).fetchone()
            if row is None:
                continue
            title, text, published = row
            for chunk_id, idx, start, end in self._db.execute(
                'SELECT id, idx, start, "end" FROM chunks WHERE doc_id=? ORDER BY idx', (doc_id,)
            ).fetchall():
                if chunk_id in chunk_ids:
                    yield (
                        Chunk(chunk_id, doc_id, idx, start, end, text[start:end]),
                        title,
                        published,
                    )

    def document_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def iter_chunk_texts(self) -> Iterator[tuple[str, str, str, str | None]]:
        """(chunk id, document title, chunk text, published) for every chunk, in a stable order."""
        docs = self._db.execute("SELECT id, title, text, published FROM documents ORDER BY id")
        for doc_id, title, text, published in docs.fetchall():
            for chunk_id, start, end in self._db.execute(
                'SELECT id, start, "end" FROM chunks WHERE doc_id=? ORDER BY idx', (doc_id,)
            ).fetchall():
                yield chunk_id, title, text[start:end], published

    # --- sentences ----------------------------------------------------------------------------
    def _write_sentences(self, doc_id: str, sentences: list[Sentence]) -> None:
        self._db.execute("DELETE FROM sentences WHERE doc_id=?", (doc_id,))
        self._db.executemany(
            "INSERT INTO sentences VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (s.id, s.doc_id, s.index, s.start, s.end, s.chunk_id, _compact(s.annotation))
                for s in sentences
            ],
        )

    def replace_sentences(self, doc_id: str, sentences: list[Sentence]) -> None:
        """Give an already indexed document its sentence records (upgrading a collection)."""
        with self._db:
            self._db.execute("BEGIN")
            self._write_sentences(doc_id, sentences)
            self._bump()

    def sentences_within(self, spans: list[tuple[str, int, int]]) -> list[Sentence]:
        """The sentences lying inside each (doc id, start, end) span, in the order of the spans
        and then of the document; a sentence inside two spans is listed once."""
        found: list[Sentence] = []
        seen: set[str] = set()
        for doc_id, start, end in spans:
            rows = self._db.execute(
                'SELECT id, doc_id, idx, start, "end", chunk_id, annotation FROM sentences '
                'WHERE doc_id=? AND start>=? AND "end"<=? ORDER BY start',
                (doc_id, start, end),
            ).fetchall()
            for row in rows:
                if row[0] not in seen:
                    seen.add(row[0])
                    found.append(_sentence(row))
        return found

    def sentences_of_chunks(self, chunk_ids: set[str]) -> list[Sentence]:
        """The sentences the given chunks own (for re-embedding them)."""
        found = []
        for chunk_id in sorted(chunk_ids):
            rows = self._db.execute(
                'SELECT id, doc_id, idx, start, "end", chunk_id, annotation FROM sentences '
                "WHERE chunk_id=? ORDER BY idx",
                (chunk_id,),
            ).fetchall()
            found += [_sentence(row) for row in rows]
        return found

    def sentence_ids(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT id FROM sentences")}

    def owner_chunks(self, sentence_ids: set[str]) -> set[str]:
        """The chunks that own the given sentences."""
        owners = set()
        for sid in sentence_ids:
            row = self._db.execute("SELECT chunk_id FROM sentences WHERE id=?", (sid,)).fetchone()
            if row:
                owners.add(row[0])
        return owners

    def documents_without_sentences(self) -> list[str]:
        rows = self._db.execute(
            "SELECT id FROM documents WHERE id NOT IN (SELECT DISTINCT doc_id FROM sentences) "
            "ORDER BY id"
        )
        return [r[0] for r in rows.fetchall()]

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        text = self.text(doc_id) or ""
        return [
            Chunk(chunk_id, doc_id, idx, start, end, text[start:end])
            for chunk_id, idx, start, end in self._db.execute(
                'SELECT id, idx, start, "end" FROM chunks WHERE doc_id=? ORDER BY idx', (doc_id,)
            ).fetchall()
        ]


def _compact(annotation: dict) -> str:
    return json.dumps(annotation, separators=(",", ":"))


def _sentence(row: tuple) -> Sentence:
    sid, doc_id, idx, start, end, chunk_id, annotation = row
    return Sentence(sid, doc_id, int(idx), int(start), int(end), chunk_id, json.loads(annotation))
