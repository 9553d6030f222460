"""Where the catalogue lives: an SQLite file in the data directory, or a PostgreSQL database
shared by several hosts (one schema per collection). Its tables, and their creation and
migration on open, with a version number kept in the `meta` table.

SQLAlchemy Core speaks both dialects; the few statements that differ (upserts, advisory locks)
are chosen by `engine.dialect.name` where they are used.
"""

from __future__ import annotations

import zlib
from functools import cache
from pathlib import Path
from typing import Any

from index.chroma import StoreError

# The tables' layout, migrated on open. 2: the sentences table. (The collection's content
# version, whether its documents have sentence records yet, is the manifest's SCHEMA_VERSION.)
TABLES_VERSION = 2
# Both ids of a PostgreSQL two-key advisory lock are int4; the first says whose lock it is.
LOCK_CLASS_SCHEMA = 0x71610001  # held while a schema is created or migrated
LOCK_CLASS_WRITER = 0x71610002  # held by the one writer of a collection


class CatalogueError(StoreError):
    """The catalogue cannot be used as configured (unreachable, wrong URL, newer schema)."""


def _tables():
    from sqlalchemy import Column, Float, Index, Integer, MetaData, Table, Text

    metadata = MetaData()
    Table(
        "meta",
        metadata,
        Column("key", Text, primary_key=True),
        Column("value", Text, nullable=False),
    )
    Table(
        "documents",
        metadata,
        Column("id", Text, primary_key=True),
        Column("title", Text, nullable=False),
        Column("url", Text),
        Column("published", Text),
        Column("text", Text, nullable=False),
        Column("added_at", Float, nullable=False),
    )

    def span_columns() -> list[Column]:
        """A chunk's or a sentence's place: its id, document, position and characters."""
        return [
            Column("id", Text, primary_key=True),
            Column("doc_id", Text, nullable=False),
            Column("idx", Integer, nullable=False),
            Column("start", Integer, nullable=False),
            Column("end", Integer, nullable=False),
        ]

    chunks = Table("chunks", metadata, *span_columns())
    Index("chunks_doc", chunks.c.doc_id)
    sources = Table(
        "sources",
        metadata,
        Column("source", Text, primary_key=True),
        Column("doc_id", Text, nullable=False),
        Column("file_path", Text, nullable=False),
    )
    Index("sources_doc", sources.c.doc_id)
    Index("sources_file", sources.c.file_path)
    Table(
        "files",
        metadata,
        Column("path", Text, primary_key=True),
        Column("file_hash", Text, nullable=False),
        Column("indexed_at", Float, nullable=False),
    )
    sentences = Table(
        "sentences",
        metadata,
        *span_columns(),
        Column("chunk_id", Text, nullable=False),
        Column("annotation", Text, nullable=False),  # JSON: spaCy entities and parse
    )
    Index("sentences_doc", sentences.c.doc_id, sentences.c.start)
    Index("sentences_chunk", sentences.c.chunk_id)
    return metadata


_metadata = None


def tables():
    """The catalogue's SQLAlchemy MetaData (built on first use: sqlalchemy imports lazily)."""
    global _metadata
    if _metadata is None:
        _metadata = _tables()
    return _metadata


# Steps from one layout to the next: MIGRATIONS[n] turns version n into n + 1. New tables and
# indexes need no code (create_all adds them before the steps run); changed columns would.
MIGRATIONS: dict[int, Any] = {1: lambda conn: None}


def is_server_url(location: Path | str) -> bool:
    return isinstance(location, str) and location.split(":", 1)[0] in {"postgresql", "postgres"}


def redacted(url: str) -> str:
    """The URL without its password, fit for messages and logs."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL: show only its scheme
        return url.split(":", 1)[0] + "://…"


def schema_name(collection: str) -> str:
    """The PostgreSQL schema that holds a collection's tables."""
    return f"qa_{collection}"[:63]


def writer_lock_key(collection: str) -> int:
    return zlib.crc32(schema_name(collection).encode()) & 0x7FFFFFFF


def create_engine_for(location: Path | str, collection: str, pooled: bool = True):
    """An engine for an SQLite file (a Path) or a postgresql:// URL; PostgreSQL statements run
    in the collection's schema. `pooled=False` (SQLite): every connect opens a connection of
    its own, for connections a thread keeps."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    if not is_server_url(location):
        path = Path(location)
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            f"sqlite:///{path}",
            connect_args={"timeout": 30, "check_same_thread": False},
            **({} if pooled else {"poolclass": NullPool}),
        )

        @event.listens_for(engine, "connect")
        def _wal(dbapi_connection, _record) -> None:
            # WAL lets readers run while one writer writes.
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

        return engine
    try:
        url = make_url(str(location)).set(drivername="postgresql+psycopg")
    except Exception as exc:
        raise CatalogueError(f"invalid catalogue URL '{redacted(str(location))}'") from exc
    # A small pool: every app process opens a few catalogues, and the server's connections are
    # shared by every host. pre_ping: a restarted server costs no failed request.
    engine = create_engine(
        url,
        pool_size=2,
        max_overflow=8,
        pool_pre_ping=True,
        connect_args={"connect_timeout": 10},
    )
    return engine.execution_options(schema_translate_map={None: schema_name(collection)})


def schema_exists(engine, collection: str) -> bool:
    from sqlalchemy import inspect

    return schema_name(collection) in inspect(engine).get_schema_names()


def create_or_migrate(engine, collection: str) -> None:
    """Create the tables if missing and bring an older layout up to TABLES_VERSION; refuse a
    newer one. On PostgreSQL an advisory lock keeps two hosts opening at once from racing."""
    from sqlalchemy import select, text
    from sqlalchemy.schema import CreateSchema

    metadata = tables()
    meta = metadata.tables["meta"]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(
                text("SELECT pg_advisory_xact_lock(:a, :b)"),
                {"a": LOCK_CLASS_SCHEMA, "b": writer_lock_key(collection)},
            )
            conn.execute(CreateSchema(schema_name(collection), if_not_exists=True))
        metadata.create_all(conn)
        row = conn.execute(select(meta.c.value).where(meta.c.key == "tables_version")).first()
        # A catalogue from before versions were recorded has version 1's tables.
        version = int(row[0]) if row else 1
        if version > TABLES_VERSION:
            raise CatalogueError(
                f"the catalogue's tables have version {version}, newer than this qa knows "
                f"({TABLES_VERSION}): upgrade qa"
            )
        while version < TABLES_VERSION:
            MIGRATIONS[version](conn)
            version += 1
        _put(conn, "tables_version", str(version))
        if conn.execute(select(meta.c.key).where(meta.c.key == "generation")).first() is None:
            conn.execute(meta.insert().values(key="generation", value="0"))
        if conn.execute(select(meta.c.key).where(meta.c.key == "catalogue_id")).first() is None:
            import uuid

            conn.execute(meta.insert().values(key="catalogue_id", value=uuid.uuid4().hex))


def upsert(conn, table, rows: list[dict[str, Any]] | dict[str, Any]) -> None:
    """Insert rows, replacing any with the same primary key, in either dialect."""
    rows = [rows] if isinstance(rows, dict) else rows
    if rows:
        conn.execute(_upsert_statement(conn.dialect.name, table), rows)


@cache
def _upsert_statement(dialect: str, table):
    """Built once per table. SQLAlchemy 2.0 compiles an ON CONFLICT statement anew on every
    execution (it has no cache key), which made adding a document six times slower on SQLite;
    SQLite's INSERT OR REPLACE is a plain insert to SQLAlchemy, compiled once and cached."""
    if dialect != "postgresql":
        return table.insert().prefix_with("OR REPLACE")
    from sqlalchemy.dialects.postgresql import insert

    statement = insert(table)
    keys = [c.name for c in table.primary_key.columns]
    updates = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys}
    return statement.on_conflict_do_update(index_elements=keys, set_=updates)


def _put(conn, key: str, value: str) -> None:
    upsert(conn, tables().tables["meta"], {"key": key, "value": value})
