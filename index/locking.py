"""One writer per collection: Chroma's embedded store is not safe for two writing processes, and
the catalogue's "writing" marker and generation assume one writer at a time.

Beside an SQLite catalogue the lock is a file lock; with a PostgreSQL catalogue shared by several
hosts it is an advisory lock in the server. Either is released when the holder dies."""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.errors import UserError

_BUSY = "the collection is being written by {}; try again when it has finished " + (
    "(questions can still be asked meanwhile)"
)



class WriterBusyError(UserError, RuntimeError):
    """Another process is writing this collection."""


class AdvisoryWriterLock:
    """A PostgreSQL session advisory lock per collection, held on a connection of its own: the
    server drops it when that connection ends, so a writer killed on any host never leaves the
    collection locked. The connection's application_name names the holder (host and pid)."""

    def __init__(self, url: str, collection: str):
        self._url = url
        self._collection = collection

    @contextmanager
    def hold(self) -> Iterator[None]:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import NullPool

        from index.catalogue import LOCK_CLASS_WRITER, writer_lock_key

        holder = f"qa writer on {socket.gethostname()} (pid {os.getpid()})"
        engine = create_engine(
            make_url(self._url).set(drivername="postgresql+psycopg"),
            poolclass=NullPool,  # closing the connection is what releases the lock
            # keepalives: a holder whose host vanishes is noticed in about a minute
            connect_args={
                "application_name": holder[:63],
                "connect_timeout": 10,
                "keepalives_idle": 30,
                "keepalives_interval": 10,
                "keepalives_count": 3,
            },
        )
        keys = {"a": LOCK_CLASS_WRITER, "b": writer_lock_key(self._collection)}
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                got = conn.execute(text("SELECT pg_try_advisory_lock(:a, :b)"), keys).scalar()
                if not got:
                    raise WriterBusyError(_BUSY.format(_holder(conn, keys)))
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:a, :b)"), keys)
        finally:
            engine.dispose()


def _holder(conn, keys: dict[str, int]) -> str:
    from sqlalchemy import text

    row = conn.execute(
        text(
            "SELECT a.application_name, a.client_addr FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :a AND l.objid = :b "
            "AND l.objsubid = 2 AND l.database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        keys,
    ).first()
    if row is None or not row[0]:
        return "another process"
    return row[0] + (f" from {row[1]}" if row[1] else "")


WriterLock = Path | AdvisoryWriterLock


@contextmanager
def writer_lock(lock: WriterLock) -> Iterator[None]:
    """Hold the collection's writer lock for the duration, or fail at once with
    WriterBusyError if another process holds it. `lock` is a lock file's path (an SQLite
    catalogue) or the catalogue's AdvisoryWriterLock. Readers do not take it."""
    if isinstance(lock, AdvisoryWriterLock):
        with lock.hold():
            yield
        return
    with _file_lock(lock):
        yield


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise WriterBusyError(_BUSY.format(holder)) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()
