"""One writer per collection: Chroma's embedded store is not safe for two writing processes."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.errors import UserError


class WriterBusyError(UserError, RuntimeError):
    """Another process is writing this collection."""


@contextmanager
def writer_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` for the duration, or fail at once if another process
    holds it. The operating system releases it if the holder dies, so a crash never leaves the
    collection locked. Readers do not take it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise WriterBusyError(
                f"the collection is being written by {holder}; try again when it has finished "
                "(questions can still be asked meanwhile)"
            ) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()
