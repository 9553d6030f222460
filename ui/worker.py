"""One thread for the app's writes.

Indexing, removal and eval runs are queued on this one long-lived thread, so the app is a single
writer of its collection (as Chroma's embedded store needs) and long jobs never pile up in
parallel on a 2-core machine; questions do not wait for it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
_DONE = object()


class _Abandoned(BaseException):
    """Nobody listens any more: unwinds the producer (a BaseException, so that no
    `except Exception` on the way swallows it)."""


class OwnerThread:
    """Runs calls, one at a time, on a single long-lived thread."""

    def __init__(self, name: str = "qa-owner"):
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Queue `fn(*args)` without waiting for it."""
        return self._executor.submit(fn, *args)

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(*args)` on the owner thread and return its result (or raise its error)."""
        return self._executor.submit(fn, *args).result()

    def stream(self, fn: Callable[..., None], *args: Any) -> Iterator[Any]:
        """Run `fn(emit, *args)` on the owner thread and yield each item it emits, as soon as
        it is emitted. Closing the returned iterator early makes the next `emit` unwind `fn`."""
        items: queue.Queue = queue.Queue()
        stop = threading.Event()

        def emit(item: Any) -> None:
            if stop.is_set():
                raise _Abandoned
            items.put((item, None))

        def produce() -> None:
            try:
                fn(emit, *args)
            except _Abandoned:
                pass
            except BaseException as exc:  # handed to the consumer, who re-raises it
                items.put((None, exc))
            finally:
                items.put((_DONE, None))

        self._executor.submit(produce)
        try:
            while True:
                item, error = items.get()
                if error is not None:
                    raise error
                if item is _DONE:
                    return
                yield item
        finally:
            stop.set()

    def iterate(self, fn: Callable[..., Iterator[T]], *args: Any) -> Iterator[T]:
        """Iterate `fn(*args)` on the owner thread, handing each item over as it is produced."""

        def drain(emit: Callable[[T], None]) -> None:
            for item in fn(*args):
                emit(item)

        return self.stream(drain)

    def shutdown(self) -> None:
        """Finish the queued calls and end the thread."""
        self._executor.shutdown(wait=True)
