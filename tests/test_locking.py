import subprocess
import sys
import textwrap

import pytest

from index.locking import WriterBusyError, writer_lock
from qa.factory import build_assistant, build_indexer
from tests.conftest import SAMPLE_DIR


def test_second_writer_fails_fast_and_readers_keep_working(settings, fake_embedder, tmp_path):
    indexer = build_indexer(settings, embedder=fake_embedder)
    indexer.index([SAMPLE_DIR])
    lock = settings.data_dir / f"{settings.collection}.writer.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sys, time
            sys.path.insert(0, {str(SAMPLE_DIR.parent.parent)!r})
            from index.locking import writer_lock
            from pathlib import Path
            with writer_lock(Path({str(lock)!r})):
                print("locked", flush=True)
                time.sleep(30)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(WriterBusyError, match=f"process {holder.pid}"):
            indexer.index([SAMPLE_DIR])
        with pytest.raises(WriterBusyError):
            indexer.remove("anything")
        answer = build_assistant(settings, embedder=fake_embedder).ask("Who was summoned and why?")
        assert not answer.refused  # reading is not blocked
    finally:
        holder.kill()
        holder.wait()
    assert indexer.index([SAMPLE_DIR]).unchanged_files  # the lock died with its holder


def test_lock_is_released_after_use(tmp_path):
    path = tmp_path / "w.lock"
    with writer_lock(path):
        pass
    with writer_lock(path):
        pass
