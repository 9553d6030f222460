"""The running app (hash embedder, in this process): the /ask API, and what Gradio serves."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from tests.processes import serving

pytestmark = pytest.mark.integration


@pytest.fixture
def running(tmp_path, monkeypatch, settings, sample_dir):
    # The data directory sits inside Gradio's upload folder, which Gradio serves by default:
    # only the blocked path keeps it private.
    gradio_dir = tmp_path / "gradio-uploads"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(gradio_dir))
    settings = settings.model_copy(
        update={"data_dir": gradio_dir / "qa-data", "answer_mode": "extractive"}
    )
    with serving(settings, sorted(sample_dir.glob("*.txt"))) as (url, _):
        yield url, settings.data_dir, gradio_dir


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_ask_api_returns_the_answer_with_citations(running):
    from gradio_client import Client

    url, _, _ = running
    client = Client(url, verbose=False)
    answer = client.predict("Who was summoned and why?", api_name="/ask")
    assert answer["refused"] is False and "Zinoviev" in answer["answer"]
    for c in answer["citations"]:
        assert f"[{c['n']}]" in answer["answer"] and c["quote"]
    with pytest.raises(Exception, match="the question is empty"):
        client.predict("  ", api_name="/ask")


def test_only_ask_and_add_documents_are_api_endpoints(running):
    from gradio_client import Client

    url, _, _ = running
    endpoints = Client(url, verbose=False).view_api(print_info=False, return_format="dict")
    assert sorted(endpoints["named_endpoints"]) == ["/add_documents", "/ask"]
    assert endpoints["unnamed_endpoints"] == {}


def test_add_documents_api_indexes_files_and_reports_the_bad_ones(running, tmp_path):
    from gradio_client import Client, handle_file

    url, _, _ = running
    good = tmp_path / "harbour.txt"
    good.write_text("The harbour of Tallinn reopened on Monday after two years of repairs.\n")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    client = Client(url, verbose=False)
    result = client.predict([handle_file(good), handle_file(empty)], api_name="/add_documents")
    assert result["added"] == 1 and result["documents"] == 3
    assert [name for name, _ in result["failed"]] and "empty" in result["failed"][0][1]
    again = client.predict([handle_file(good)], api_name="/add_documents")
    assert again["added"] == 0 and again["documents"] == 3
    answer = client.predict("Which harbour reopened?", api_name="/ask")
    assert "Tallinn" in answer["answer"]


def test_the_data_directory_is_never_served(running):
    url, data_dir, gradio_dir = running
    control = gradio_dir / "control.txt"
    control.write_text("served")
    assert status_of(f"{url}gradio_api/file={control}") == 200  # the route works
    private = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.name.endswith(".manifest.sqlite3") for p in private)
    for path in private:
        assert status_of(f"{url}gradio_api/file={path}") == 403, path
