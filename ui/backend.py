"""What the web app asks of qa/: answers and document reads run on the request's own thread, in
parallel; writes (indexing, removal) and eval runs queue on one owner thread, the single writer."""

from __future__ import annotations

import threading
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.documents import split_source
from qa.injection import shown_title
from ui.index_summary import IndexSummary
from ui.uploads import save_uploads, settle
from ui.worker import OwnerThread

if typing.TYPE_CHECKING:
    from index.embedding import Embedder
    from qa.answer import Answer
    from qa.chat import ChatSession
    from qa.settings import Settings


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


class Backend:
    """The qa objects of the app, built once from the settings (or with a given embedder, as
    tests do) and shared by every request: the manifest gives each thread its own SQLite
    connection, the embedder and the LLM serialise their own use."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self.upload_dir = settings.data_dir / "uploads"
        self._embedder = embedder
        self._thread = OwnerThread()
        self._objects: _Objects | None = None
        self._build_lock = threading.Lock()

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

        return ChatSession(self._ready().assistant)

    def ask(self, question: str) -> Answer:
        """One question on its own, with the default settings."""
        return self._ready().assistant.ask(question)

    # --- documents ------------------------------------------------------------------------------
    def documents(self) -> list:
        """The indexed documents (`DocumentInfo`), oldest first."""
        return self._ready().manifest.list_documents()

    def document(self, doc_id: str) -> tuple[Any, str | None]:
        """(`DocumentInfo` or None, the text citations index into, or None)."""
        manifest = self._ready().manifest
        return manifest.info(doc_id), manifest.text(doc_id)

    def titles(self, doc_ids: set[str]) -> dict[str, str]:
        """doc id -> title as shown beside answers, for the documents still in the collection."""
        infos = [self._ready().manifest.info(doc_id) for doc_id in doc_ids]
        return {info.id: shown_title(info.title) for info in infos if info is not None}

    def index(self, paths: list[Path]) -> Iterator[Step | IndexSummary]:
        """Index files one by one, reporting progress, then the summary."""
        return self._thread.iterate(self._index, paths)

    def add_uploads(
        self, files: Sequence[str | Path], max_bytes: int
    ) -> Iterator[Step | IndexSummary]:
        """Copy uploaded files into the upload folder and index them, reporting progress, then
        the summary (whose `refused` lists the files not even saved). Saving happens on the
        owner thread too, so two people uploading "report.pdf" at once never overwrite each
        other's file before it is indexed."""
        return self._thread.iterate(self._add_uploads, files, max_bytes)

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
                files.add(Path(split_source(source)[0]))  # a .jsonl record: its file
        return sorted(files)

    # --- shared objects -------------------------------------------------------------------------
    def _ready(self) -> _Objects:
        with self._build_lock:
            if self._objects is None:
                self._objects = self._build()
            return self._objects

    def _build(self) -> _Objects:
        from index.collection import open_collection
        from qa.factory import build_assistant, build_embedder, build_indexer, location

        self._embedder = self._embedder or build_embedder(self.settings)
        # Created when there is none, so a new user can start the app and add documents from
        # the browser.
        collection = open_collection(location(self.settings), self._embedder, create=True)
        return _Objects(
            build_assistant(self.settings, collection=collection),
            build_indexer(self.settings, collection=collection),
            collection.manifest,
        )

    def _warm_up(self) -> None:
        self._embedder.embed(["warm up"])

    # --- on the owner thread (the single writer) -----------------------------------------------
    def _evaluate(self, emit, items: list, mode: str | None, limit: int | None) -> None:
        from evals.runner import run_eval

        report = run_eval(
            items,
            self._ready().assistant,
            mode=mode,
            limit=limit,
            progress=lambda done, total: emit(Step(done, total)),
        )
        emit(report)

    def _add_uploads(
        self, files: Sequence[str | Path], max_bytes: int
    ) -> Iterator[Step | IndexSummary]:
        saved, refused = save_uploads(files, self.upload_dir, max_bytes)
        for item in self._index([upload.path for upload in saved]):
            if isinstance(item, IndexSummary):
                item.refused = refused
                settle(saved, item.rejected_files)
            yield item

    def _index(self, paths: list[Path]) -> Iterator[Step | IndexSummary]:
        indexer = self._ready().indexer
        summary = IndexSummary()
        for done, path in enumerate(paths):
            yield Step(done, len(paths), path.name)
            summary.add(path, indexer.index([path]))
        yield Step(len(paths), len(paths), "")
        yield summary
