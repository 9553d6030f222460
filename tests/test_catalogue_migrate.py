"""`qa docs migrate --to postgresql://…`: an SQLite collection copied into PostgreSQL."""

from __future__ import annotations

import json

from click.testing import CliRunner

from qa.cli import main


def _qa(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def test_migrate_copies_the_catalogue_and_leaves_the_vectors(
    postgres_url, fake_embedder, sample_dir, monkeypatch
):
    monkeypatch.setenv("QA_COLLECTION", "migrated")
    assert _qa("index", str(sample_dir)).exit_code == 0
    before = json.loads(_qa("docs", "list", "--json").output)
    texts = {d["id"]: json.loads(_qa("docs", "show", d["id"], "--json").output) for d in before}
    stored: list = []
    monkeypatch.setattr(
        "index.store.ChunkStore.add", lambda self, chunks, *_: stored.extend(chunks)
    )

    result = _qa("docs", "migrate", "--to", postgres_url)
    assert result.exit_code == 0, result.output
    assert "2 documents" in result.output and postgres_url.split("@")[0] not in result.output

    shared = {"QA_CATALOGUE_URL": postgres_url}
    assert json.loads(_qa("docs", "list", "--json", env=shared).output) == before
    for doc_id, shown in texts.items():
        assert json.loads(_qa("docs", "show", doc_id, "--json", env=shared).output) == shown
    answer = json.loads(_qa("ask", "Who was summoned and why?", "--json", env=shared).output)
    assert not answer["refused"] and answer["citations"]
    assert stored == []  # no chunk was stored again: the vectors were untouched
    again = _qa("index", str(sample_dir), env=shared)  # the file hashes came along too
    assert "Indexed 0 new document(s), 0 chunk(s); 2 unchanged file(s)" in again.output

    refused = _qa("docs", "migrate", "--to", postgres_url)
    assert refused.exit_code == 1 and "already holds 2 documents" in refused.output
    assert "Error: --to takes a postgresql:// URL" in _qa("docs", "migrate", "--to", "x.db").output
