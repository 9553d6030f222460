"""Copy one catalogue into another (`qa docs migrate`): every table but `meta`, rows unchanged,
so the chunk ids the vector store holds still match. Vectors are not touched."""

from __future__ import annotations

from index.catalogue import CatalogueError, tables
from index.locking import writer_lock
from index.manifest import Manifest

_BATCH = 1000


def copy_catalogue(source: Manifest, target: Manifest) -> dict[str, int]:
    """Copy every document, chunk span, source, file hash (and any table added since) from
    `source` into the empty `target`, holding both writer locks, in one target transaction;
    returns the rows copied per table."""
    from sqlalchemy import select

    if target.document_count():
        raise CatalogueError(
            f"the catalogue at {target.where} already holds {target.document_count()} "
            f"documents in collection '{target.collection}': migrate into an empty one"
        )
    if source.write_interrupted():
        raise CatalogueError(
            "an indexing run on the source was interrupted: run `qa docs check --repair` first"
        )
    copied: dict[str, int] = {}
    with writer_lock(source.writer_lock), writer_lock(target.writer_lock):
        with source.engine.connect() as read, target.engine.begin() as write:
            for table in tables().sorted_tables:
                if table.name == "meta":
                    continue
                copied[table.name] = 0
                rows = read.execution_options(yield_per=_BATCH).execute(select(table))
                for batch in rows.partitions(_BATCH):
                    write.execute(table.insert(), [row._asdict() for row in batch])
                    copied[table.name] += len(batch)
            meta = tables().tables["meta"]
            write.execute(
                meta.update()
                .where(meta.c.key == "generation")
                .values(value=str(source.generation() + target.generation() + 1))
            )
    return copied
