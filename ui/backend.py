"""What the web app asks of qa/: answers, documents and indexing, all run on one owner thread."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.dates import DateRange
from ui.index_summary import IndexSummary
from ui.worker import OwnerThread

if typing.TYPE_CHECKING:
    from index.embedding import Embedder
    from qa.answer import Answer, StreamEvent
    from qa.chat import ChatSession
    from qa.settings import Settings


@dataclass(frozen=True)
class AskOptions:
    """The per-browser settings of the chat panel."""

    mode: str | None = None  # None: the settings' answer_mode
    top_k: int | None = None
    show_unverified: bool | None = None
    dates: DateRange | None = None  # only documents published in this range


@dataclass
class Step:
    """Progress of a long job: `done` of `total`, working on `current`."""

    done: int
    total: int
    current: str = ""


@dataclass
class _Objects:
    assistant: Any
    indexer: Any
    manifest: Any


def answer_modes() -> tuple[str, ...]:
    """The answer modes the settings accept (e.g. auto, extractive, generate)."""
    from qa.settings import Settings

    return typing.get_args(Settings.model_fields["answer_mode"].annotation)


class Backend:
    """The qa objects of the app, built from the settings (or with a given embedder, as tests
    do) on the owner thread, and only used there."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self.upload_dir = settings.data_dir / "uploads"
        self._embedder = embedder
        self._thread = OwnerThread()
        self._objects: _Objects | None = None

    def start(self, warm_up: bool = True) -> None:
        """Open (or create) the collection now, so a bad setting fails before the server starts;
        then load the embedding model in the background, so the first question is quick."""
        self._thread.call(self._ready)
        if warm_up:
            self._thread.submit(self._warm_up)

    def stop(self) -> None:
        self._thread.shutdown()

    # --- questions ------------------------------------------------------------------------------
    def new_session(self) -> ChatSession:
        """A conversation of its own for one browser session."""
        from qa.chat import ChatSession

        return ChatSession(self._thread.call(self._ready).assistant)

    def stream(
        self, session: ChatSession, question: str, options: AskOptions
    ) -> Iterator[StreamEvent]:
        """The events of one answer in a conversation."""
        return self._thread.iterate(self._stream, session, question, options)

    def ask(self, question: str) -> Answer:
        """One question on its own, with the default settings."""
        return self._thread.call(self._ask, question)

    # --- documents ------------------------------------------------------------------------------
    def documents(self) -> list:
        """The indexed documents (`DocumentInfo`), oldest first."""
        return self._thread.call(lambda: self._ready().manifest.list_documents())

    def document(self, doc_id: str) -> tuple[Any, str | None]:
        """(`DocumentInfo` or None, the text citations index into, or None)."""
        return self._thread.call(self._document, doc_id)

    def titles(self, doc_ids: set[str]) -> dict[str, str]:
        """doc id -> title, for the documents still in the collection."""
        return self._thread.call(self._titles, doc_ids)

    def index(self, paths: list[Path]) -> Iterator[Step | IndexSummary]:
        """Index files one by one, reporting progress, then the summary."""
        return self._thread.iterate(self._index, paths)

    def evaluate(self, items: list, mode: str | None, limit: int | None) -> Iterator[Any]:
        """Run eval items (evals.schema.EvalItem) on the collection: yields a `Step` after each
        item, then the `evals.runner.EvalReport`."""
        return self._thread.stream(self._evaluate, items, mode, limit)

    def remove(self, doc_id: str) -> None:
        self._thread.call(lambda: self._ready().indexer.remove(doc_id))

    def indexed_files(self) -> list[Path]:
        """The files the indexed documents came from (for re-indexing)."""
        files = set()
        for info in self.documents():
            for source in info.sources:
                path = Path(source)
                if not path.exists() and "#" in source:  # a record of a .jsonl file
                    path = Path(source.rsplit("#", 1)[0])
                files.add(path)
        return sorted(files)

    # --- on the owner thread --------------------------------------------------------------------
    def _ready(self) -> _Objects:
        if self._objects is None:
            from qa.factory import build_assistant, build_embedder, build_indexer, open_manifest

            self._embedder = self._embedder or build_embedder(self.settings)
            # The indexer creates an empty collection when there is none, so a new user can
            # start the app and add documents from the browser.
            indexer = build_indexer(self.settings, self._embedder)
            self._objects = _Objects(
                build_assistant(self.settings, self._embedder),
                indexer,
                open_manifest(self.settings),
            )
        return self._objects

    def _warm_up(self) -> None:
        self._embedder.embed(["warm up"])

    def _configure(self, options: AskOptions) -> None:
        # The assistant reads top_k and show_unverified from its settings; each request sets
        # them from the browser's choices (requests run one at a time on this thread).
        wanted = {"top_k": options.top_k, "show_unverified": options.show_unverified}
        update = {
            k: v
            for k, v in wanted.items()
            if v is not None and k in type(self.settings).model_fields
        }
        self._ready().assistant.settings = self.settings.model_copy(update=update)

    def _stream(
        self, session: ChatSession, question: str, options: AskOptions
    ) -> Iterator[StreamEvent]:
        self._configure(options)
        session.mode = options.mode
        session.dates = options.dates
        yield from session.stream(question)

    def _ask(self, question: str) -> Answer:
        from qa.chat import ChatSession

        self._configure(AskOptions())
        return ChatSession(self._ready().assistant).ask(question)

    def _titles(self, doc_ids: set[str]) -> dict[str, str]:
        infos = [self._ready().manifest.info(doc_id) for doc_id in doc_ids]
        return {info.id: info.title for info in infos if info is not None}

    def _document(self, doc_id: str) -> tuple[Any, str | None]:
        manifest = self._ready().manifest
        return manifest.info(doc_id), manifest.text(doc_id)

    def _evaluate(self, emit, items: list, mode: str | None, limit: int | None) -> None:
        from evals.runner import run_eval

        self._configure(AskOptions())
        report = run_eval(
            items,
            self._ready().assistant,
            mode=mode,
            limit=limit,
            progress=lambda done, total: emit(Step(done, total)),
        )
        emit(report)

    def _index(self, paths: list[Path]) -> Iterator[Step | IndexSummary]:
        indexer = self._ready().indexer
        summary = IndexSummary()
        for done, path in enumerate(paths):
            yield Step(done, len(paths), path.name)
            summary.add(path, indexer.index([path]))
        yield Step(len(paths), len(paths), "")
        yield summary
