"""Two `qa serve` processes with different data directories (two hosts, in effect) sharing one
`chroma run` and one PostgreSQL catalogue: what one adds the other answers from, what one removes
is gone on the other, a second writer fails fast naming the first, and a writer killed with
SIGKILL mid-upload leaves nothing the next writer cannot repair."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from tests.processes import Host, deployment

# They start `qa serve` processes, a `chroma run` and a PostgreSQL server.
pytestmark = pytest.mark.integration
QUESTION = "Which harbour reopened after two years of repairs?"


@pytest.fixture
def hosts(tmp_path, chroma_server, postgres_url):
    shared = deployment(chroma_server, postgres_url)
    # A's embedder takes half a second per batch, so its big uploads can be caught mid-write.
    a = Host("host-a", tmp_path, shared, delay=0.5)
    b = Host("host-b", tmp_path, shared)
    try:
        yield a.start(), b.start()
    finally:
        a.stop()
        b.stop()


def _harbour(tmp_path: Path) -> Path:
    path = tmp_path / "harbour.txt"
    path.write_text(
        "Harbour news\n\nThe harbour of Tallinn reopened on Monday after two years of repairs, "
        "the port authority said.\n"
    )
    return path


def _records(tmp_path: Path, name: str, count: int) -> Path:
    """A .jsonl collection: the indexer flushes it in batches of 256 chunks."""
    path = tmp_path / f"{name}.jsonl"
    lines = [
        json.dumps(
            {
                "id": f"{name}-{n}",
                "title": f"Bulletin {n} of {name}",
                "text": f"Bulletin {n}: the ferry {name}{n} to the island resumed service.",
            }
        )
        for n in range(count)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def _documents(host: Host) -> list[dict]:
    listed = host.qa("docs", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)


def _cites_tallinn(answer: dict) -> bool:
    return any("Tallinn" in c["quote"] for c in answer["citations"])


def test_upload_on_one_answer_and_remove_on_the_other(hosts, tmp_path):
    a, b = hosts
    other = tmp_path / "orchard.txt"
    other.write_text("Orchard news\n\nThe apple harvest in the valley was early this year.\n")
    assert b.upload(other)["added"] == 1  # so the collection is not empty after the removal
    assert a.upload(_harbour(tmp_path))["added"] == 1
    answer = b.ask(QUESTION)  # B's BM25 snapshot is refreshed by the catalogue's generation
    assert not answer["refused"] and _cites_tallinn(answer)
    [doc] = [d for d in _documents(b) if d["title"] == "Harbour news"]
    shown = json.loads(b.qa("docs", "show", doc["id"], "--json").stdout)
    quote = answer["citations"][0]
    assert shown["text"][quote["start"] : quote["end"]] == quote["quote"]

    removed = b.qa("docs", "remove", doc["id"])
    assert removed.returncode == 0, removed.stderr
    after = a.ask(QUESTION)
    assert not _cites_tallinn(after)
    assert doc["id"] not in {d["id"] for d in _documents(a)}


def test_a_second_writer_fails_fast_naming_the_first(hosts, tmp_path):
    a, b = hosts
    result: dict = {}
    big = _records(tmp_path, "big", 1200)  # five batches at half a second each on A
    writer = threading.Thread(target=lambda: result.update(a.upload(big)))
    writer.start()
    client = b.client()
    _wait_for_writer(b)
    began = time.monotonic()
    with pytest.raises(
        Exception, match=rf"being written by qa writer on .* \(pid {a.process.pid}\)"
    ):
        b.upload(_harbour(tmp_path), client)
    refused_in = time.monotonic() - began
    assert writer.is_alive(), "A finished before B was refused: the test proved nothing"
    writer.join(timeout=120)
    began = time.monotonic()
    assert result["added"] == 1200 and b.upload(_harbour(tmp_path), client)["added"] == 1
    print(
        f"second writer refused in {refused_in:.2f} s; an upload: {time.monotonic() - began:.2f} s"
    )


def test_a_writer_killed_mid_upload_is_repaired_by_the_next(hosts, tmp_path):
    a, b = hosts
    big = _records(tmp_path, "killed", 1500)
    threading.Thread(target=lambda: _ignore_errors(lambda: a.upload(big)), daemon=True).start()
    deadline = time.monotonic() + 60
    while not 0 < len(_documents(b)) < 1500:  # some batches are in, not all
        assert time.monotonic() < deadline, "A never wrote a batch"
        time.sleep(0.2)
    a.stop(kill=True)

    # The server releases A's lock once its connection is seen closed, a moment after the kill.
    deadline = time.monotonic() + 15
    check = b.qa("docs", "check")
    while "being written" in check.stderr and time.monotonic() < deadline:
        time.sleep(0.5)
        check = b.qa("docs", "check")
    assert (
        check.returncode == 1
        and "run `qa docs check --repair`" in check.stderr
        or (
            check.returncode == 0  # the kill fell between two batches: nothing to repair
        )
    )
    # B is the next writer: it repairs what A left, then indexes the file whole, once.
    assert b.upload(big)["added"] > 0
    assert b.qa("docs", "check").stdout.strip() == "the manifest and the vector store agree"
    titles = [d["title"] for d in _documents(b)]
    assert len(titles) == len(set(titles)) == 1500
    assert b.upload(_harbour(tmp_path))["added"] == 1
    restarted = a.start()  # A comes back and answers from what B wrote
    assert _cites_tallinn(restarted.ask(QUESTION))


def _wait_for_writer(host: Host, timeout: float = 30) -> None:
    """Until some process holds an advisory lock in the catalogue's database."""
    import psycopg

    deadline = time.monotonic() + timeout
    with psycopg.connect(host.env["QA_CATALOGUE_URL"], autocommit=True) as conn:
        while time.monotonic() < deadline:
            held = conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            ).fetchone()[0]
            if held:
                return
            time.sleep(0.05)
    pytest.fail("no writer took the lock")


def _ignore_errors(call) -> None:
    try:
        call()
    except Exception:  # the server is killed under this request
        pass
