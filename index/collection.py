"""A collection: where its files live, opening it (catalogue, vector store, BM25), and checking
and repairing it under the writer lock. The findings and the repair steps are in
index/consistency.py."""

from __future__ import annotations

import logging
import subprocess
import sys
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from index import consistency
from index.chroma import StoreDamagedError, StoreError
from index.embedding import Embedder
from index.errors import UserError
from index.lexical import LexicalIndex
from index.locking import WriterBusyError, writer_lock
from index.manifest import SCHEMA_VERSION, Manifest
from index.store import ChunkStore, chroma_dir, forget_embedded_client, open_client

log = logging.getLogger("qa")


class CollectionMissingError(UserError, RuntimeError):
    """Asked to read a collection that was never created."""


@dataclass(frozen=True)
class Location:
    """Where a collection lives: files named after it in the data directory, or a Chroma server
    and a PostgreSQL catalogue instead of the embedded store and the SQLite file."""

    data_dir: Path
    name: str = "documents"
    chroma_url: str | None = None
    chroma_token: str | None = field(default=None, repr=False)  # secrets: never printed
    catalogue_url: str | None = field(default=None, repr=False)

    @property
    def manifest_path(self) -> Path:
        return self.data_dir / f"{self.name}.manifest.sqlite3"

    @property
    def writer_lock_path(self) -> Path:
        """The writer's lock file beside an SQLite catalogue."""
        return self.data_dir / f"{self.name}.writer.lock"

    @property
    def store_dir(self) -> Path | None:
        """The embedded store's files; None with a Chroma server."""
        return None if self.chroma_url else chroma_dir(self.data_dir)

    def lexical_dir(self, manifest: Manifest) -> Path:
        """Where this process keeps its BM25 snapshot. A shared catalogue's is named after the
        catalogue too, so a data directory used with two catalogues never mixes their
        snapshots."""
        if manifest.on_server:
            return self.data_dir / f"{self.name}.{manifest.identity()[:12]}.bm25"
        return self.data_dir / f"{self.name}.bm25"


def open_manifest(location: Location, create: bool = False) -> Manifest:
    """The catalogue alone, for commands that neither embed nor search: the SQLite file in the
    data directory, or the PostgreSQL server of `catalogue_url`."""
    if location.catalogue_url is not None:
        return Manifest(location.catalogue_url, location.name, create=create)
    if not create and not location.manifest_path.exists():
        raise CollectionMissingError(
            f"no collection '{location.name}' in {location.data_dir}: "
            "index documents first with `qa index PATH`"
        )
    return Manifest(location.manifest_path, location.name, lock_path=location.writer_lock_path)


@dataclass
class Collection:
    manifest: Manifest
    store: ChunkStore
    lexical: LexicalIndex
    embedder: Embedder

    def writing(self) -> AbstractContextManager:
        """Hold the writer lock (WriterBusyError at once if another writer holds it)."""
        lock = self.manifest.writer_lock
        return writer_lock(lock) if lock is not None else nullcontext()

    def check(self) -> consistency.Findings:
        """What the catalogue and the vector store disagree on, with no writer at work."""
        with self.writing():
            return consistency.check(self.manifest, self.store)

    def repair(self) -> consistency.Findings:
        """Make the catalogue and the vector store agree; returns what was wrong."""
        with self.writing():
            return consistency.repair(self.manifest, self.store, self.embedder)

    def recover(self) -> None:
        """Repair what an interrupted writer left, saying what was repaired. Call it holding the
        writer lock."""
        found = consistency.repair(self.manifest, self.store, self.embedder)
        if not found.agree:
            log.warning("an earlier indexing run was interrupted; repaired: %s", found.describe())


def open_collection(
    location: Location,
    embedder: Embedder,
    create: bool = False,
    repair: bool = True,
    thorough: bool = False,
) -> Collection:
    """Open the catalogue, the vector store and the BM25 index. If a writer died mid-write and
    none is writing now, repair first; if the embedded store's files are damaged, set them aside
    and rebuild the store from the catalogue. With `repair=False`, change nothing: damage raises
    StoreDamagedError.

    Some damage (garbage inside an HNSW file) crashes chromadb's native code instead of raising,
    so after an interrupted write, or when `thorough`, the store is first probed in a child
    process."""
    manifest = open_manifest(location, create)
    lexical = LexicalIndex(location.lexical_dir(manifest), manifest)
    store, damage = _open_store(location, manifest, embedder, thorough)
    if store is None:
        store = _rebuild(location, manifest, embedder, damage, repair)
        return Collection(manifest, store, lexical, embedder)
    collection = Collection(manifest, store, lexical, embedder)
    if manifest.schema_version() < SCHEMA_VERSION:
        _upgrade(collection, repair)
    if repair and (manifest.write_interrupted() or store.count() != manifest.chunk_count()):
        _recover_unless_writing(collection)
    return collection


def _open_store(
    location: Location, manifest: Manifest, embedder: Embedder, thorough: bool
) -> tuple[ChunkStore | None, str]:
    """The store, or None and what is damaged."""
    store_dir = location.store_dir
    try:
        if store_dir is not None and (thorough or _writer_died(manifest)):
            _probe_in_child(store_dir, location.name, embedder.name)
        store = ChunkStore(_client(location), embedder, location.name)
        store.probe()
        return store, ""
    except StoreDamagedError as exc:
        return None, str(exc)
    except StoreError:
        raise  # a setting to change, not damage
    except Exception as exc:  # chromadb raises its internal errors for damaged files
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def _rebuild(
    location: Location, manifest: Manifest, embedder: Embedder, damage: str, allowed: bool
) -> ChunkStore:
    store_dir = location.store_dir
    if store_dir is None:
        raise StoreError(f"the Chroma server cannot answer ({damage})")
    forget_embedded_client(store_dir)  # chromadb caches even a client that failed to start
    if not allowed:
        raise StoreDamagedError(
            f"the vector store is damaged ({damage}): run `qa docs check --repair` to rebuild "
            "it from the documents"
        )
    with writer_lock(manifest.writer_lock):
        return consistency.rebuild(
            lambda: _client(location), embedder, location.name, manifest, store_dir, damage
        )


def _client(location: Location):
    return open_client(location.data_dir, location.chroma_url, location.chroma_token)


def _writer_died(manifest: Manifest) -> bool:
    if not manifest.write_interrupted():
        return False
    try:
        with writer_lock(manifest.writer_lock):
            return True
    except WriterBusyError:
        return False  # still at work


def _probe_in_child(store_dir: Path, collection: str, model: str) -> None:
    child = subprocess.run(
        [sys.executable, "-c", _PROBE, str(store_dir.parent), collection, model],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if child.returncode < 0:
        raise StoreDamagedError(f"reading it crashed with signal {-child.returncode}")


_PROBE = """
import sys
from pathlib import Path
from index.store import ChunkStore, open_client

class Named:
    name = sys.argv[3]

ChunkStore(open_client(Path(sys.argv[1])), Named(), sys.argv[2]).probe()
"""


def _recover_unless_writing(collection: Collection) -> None:
    try:
        with collection.writing():
            collection.recover()
    except WriterBusyError:
        return  # a writer is at work: the difference is its work in progress


def _upgrade(collection: Collection, allowed: bool) -> None:
    if not allowed:
        raise StoreError(
            "this collection was indexed by an older version (no sentence records): "
            "run `qa docs check --repair` to upgrade it"
        )
    try:
        with collection.writing():
            consistency.upgrade(collection.manifest, collection.store, collection.embedder)
    except WriterBusyError:
        return  # a writer is at work; the next open upgrades (until then: no sentence evidence)
