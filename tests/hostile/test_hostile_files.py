"""Hostile files thrown at a clean collection: each gets one clear error line (or is indexed
correctly when it is legitimate text), rejected ones change nothing, the sample still answers."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from index.collection import open_collection
from index.documents import LoadError, display_name
from index.sandbox import ParseLimits, load_sandboxed
from qa.cli import main
from qa.factory import build_indexer, location
from tests.files import make_pdf
from tests.hostile import hostile_files
from tests.hostile.hostile_files import write_hostile_set

SAMPLE_SOURCE = "000_914482091e5753a7.txt"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    directory = tmp_path_factory.mktemp("hostile")
    files = write_hostile_set(directory)
    yield files
    shutil.rmtree(directory)  # the 200 MB file must not outlive the module


@pytest.fixture
def clean(settings, fake_embedder, sample_dir):
    indexer = build_indexer(settings, embedder=fake_embedder)
    assert len(indexer.index([sample_dir]).added) == 2
    return indexer


def _documents(settings, embedder):
    return open_collection(location(settings), embedder).manifest.list_documents()


def _ask_cites_sample() -> None:
    result = CliRunner().invoke(main, ["ask", "Who was summoned?", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert not answer["refused"]
    assert any(SAMPLE_SOURCE in citation["source"] for citation in answer["citations"])


def test_the_set_is_big_enough(hostile):
    assert len(hostile) >= 25
    assert sum(h.error is not None for h in hostile) >= 20


def test_every_hostile_file_gets_one_clear_error_or_is_indexed(
    settings, fake_embedder, clean, hostile
):
    expected_count = 2
    problems = []
    for case in hostile:
        report = clean.index([case.path])
        name = case.path.name[:40]
        if case.error is not None:
            reasons = [reason for _, reason in report.failed]
            if len(reasons) != 1 or case.error not in reasons[0] or "\n" in reasons[0]:
                problems.append(f"{name}: expected one error with {case.error!r}, got {reasons}")
            if report.added:
                problems.append(f"{name}: rejected file added documents")
        else:
            if report.failed or len(report.added) != 1:
                problems.append(f"{name}: expected it indexed, got {report.failed}")
            elif case.expect_text not in report.added[0].text:
                problems.append(
                    f"{name}: {case.expect_text!r} not in {report.added[0].text[:60]!r}"
                )
            expected_count += len(report.added)
        count = len(_documents(settings, fake_embedder))
        if count != expected_count:
            problems.append(f"{name}: {count} documents, expected {expected_count}")
    assert not problems, "\n".join(problems)
    _ask_cites_sample()


def test_cli_index_prints_one_line_per_bad_file(fake_embedder, sample_dir, hostile, tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["index", str(sample_dir)]).exit_code == 0
    chosen = {"bomb.pdf", "bomb.docx", "random.txt", "encrypted.pdf", "utf16le-no-bom.txt"}
    folder = tmp_path / "mixed"
    folder.mkdir()
    for case in hostile:
        if case.path.name in chosen:
            shutil.copy(case.path, folder / case.path.name)
    result = runner.invoke(main, ["index", str(folder)])
    assert result.exit_code == 1
    assert "Indexed 1 new document(s)" in result.stdout  # the UTF-16 file is legitimate text
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 4 and all(line.startswith("error: ") for line in errors), errors
    assert "Traceback" not in result.output
    listed = runner.invoke(main, ["docs", "list", "--json"])
    assert len(json.loads(listed.stdout)) == 3
    _ask_cites_sample()


def test_display_name_escapes_invisible_characters():
    shown = display_name("/data/invoice-\u202etxt.exe\nrm.txt")
    assert shown == "/data/invoice-\\u202etxt.exe\\u000arm.txt"
    assert display_name("/data/Zürich notes.md") == "/data/Zürich notes.md"


@pytest.mark.parametrize(
    "loader, limits, message",
    [
        ("slow_loader", ParseLimits(wall_seconds=1), "took longer than 1 s"),
        ("slow_loader", ParseLimits(cpu_seconds=1, wall_seconds=30), "more than 1 s of CPU"),
        ("greedy_loader", ParseLimits(memory_mb=512), "memory limit (512 MB)"),
        ("crashing_loader", ParseLimits(), "the parser crashed (SIGSEGV"),
    ],
)
def test_sandbox_limits_turn_into_one_line_errors(loader, limits, message):
    data = b"sleep" if limits.wall_seconds == 1 else b"spin"
    with pytest.raises(LoadError, match=re.escape(message)):
        list(load_sandboxed(Path("x.pdf"), data, limits, getattr(hostile_files, loader)))
    # the next file parses normally
    [doc] = load_sandboxed(Path("ok.pdf"), make_pdf(["Still working."]))
    assert "Still working." in doc.text


def test_upload_names_stay_inside_the_upload_dir(tmp_path):
    from gradio_client.utils import strip_invalid_filename_characters

    from ui.uploads import safe_name, save_uploads

    assert safe_name("../../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("..\\..\\boot.ini.txt") == "boot.ini.txt"
    assert "\u202e" not in safe_name("invoice-\u202etxt.exe.md")
    # Gradio caps an uploaded name at 200 bytes before our code sees it.
    long_name = safe_name(strip_invalid_filename_characters("é" * 300 + ".txt"))
    assert len(long_name.encode()) <= 200 and long_name.endswith(".txt")

    source = tmp_path / "rtl-\u202etxt.exe.txt"
    source.write_text("Mirror bay.", encoding="utf-8")
    saved, problems = save_uploads([source], tmp_path / "uploads")
    assert not problems and saved[0].path.parent == tmp_path / "uploads"
    assert "\u202e" not in saved[0].path.name


def test_upload_over_the_limit_is_refused(tmp_path):
    from ui.uploads import MAX_UPLOAD_MB, save_uploads

    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate((MAX_UPLOAD_MB + 1) * 2**20)  # sparse: no disk, no time
    saved, problems = save_uploads([big], tmp_path / "uploads")
    assert not saved and "larger than" in problems[0][1]
    assert not (tmp_path / "uploads" / "big.txt").exists()
