import json

import pytest

from index.documents import LoadError, RawDocument, record_source, split_source
from index.loaders import decode_text, expand_paths, load_file
from tests.files import make_docx, make_pdf, write

ARTICLE = "The council approved the new bridge on Monday. Construction starts in May."


def _load(path):
    return list(load_file(path, path.read_bytes()))


def test_text_and_markdown(tmp_path):
    [doc] = _load(write(tmp_path / "a.txt", ARTICLE))
    assert doc.text == ARTICLE and doc.title is None
    [md] = _load(write(tmp_path / "b.md", "# Bridge news\n\n" + ARTICLE))
    assert md.title == "Bridge news"


def test_html_main_text_and_metadata(tmp_path):
    html = (
        "<html><head><title>Bridge</title>"
        '<meta property="article:published_time" content="2024-05-02">'
        '<link rel="canonical" href="https://example.org/bridge"></head><body>'
        "<nav>Home | Sport | Weather</nav><article><h1>Council approves bridge</h1>"
        f"<p>{ARTICLE} The vote was unanimous and the mayor thanked residents for their input.</p>"
        "<p>Residents had campaigned for a crossing for more than ten years, the council said.</p>"
        "</article><footer>Copyright 2024</footer></body></html>"
    )
    [doc] = _load(write(tmp_path / "page.html", html))
    assert "approved the new bridge" in doc.text
    assert "Home | Sport" not in doc.text
    assert doc.url == "https://example.org/bridge"
    assert doc.published == "2024-05-02"


def test_pdf(tmp_path):
    [doc] = _load(write(tmp_path / "r.pdf", make_pdf(["Quarterly report.", ARTICLE])))
    assert "approved the new bridge" in doc.text


def test_docx(tmp_path):
    [doc] = _load(write(tmp_path / "r.docx", make_docx(["Intro.", ARTICLE], title="Report")))
    assert "approved the new bridge" in doc.text and doc.title == "Report"


def test_jsonl_records_and_bad_lines(tmp_path):
    lines = [
        json.dumps(
            {
                "id": "a1",
                "title": "T",
                "url": "https://x",
                "published": "2023/01/02",
                "text": ARTICLE,
            }
        ),
        "{not json",
        json.dumps({"id": "a2"}),
        json.dumps({"text": "Second article text."}),
    ]
    items = _load(write(tmp_path / "c.jsonl", "\n".join(lines)))
    docs = [i for i in items if isinstance(i, RawDocument)]
    errors = [i for i in items if isinstance(i, LoadError)]
    assert [split_source(d.source) for d in docs] == [
        (str(tmp_path / "c.jsonl"), r) for r in ("a1", "4")
    ]
    assert docs[0].published == "2023/01/02" and docs[0].url == "https://x"
    assert len(errors) == 2 and ":2:" in str(errors[0]) and ":3:" in str(errors[1])


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"  \n\n ", "empty file"),
        ("bin.txt", bytes(range(256)) * 4, "binary"),
        ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf", "PDF"),
        ("broken.docx", b"PK\x03\x04 not a zip at all", "unreadable DOCX"),
        (
            "noise.html",
            b"<html><body><script>var x=1;</script></body></html>",
            "no readable main text",
        ),
        ("image.png", b"\x89PNG\r\n", "unsupported file type"),
    ],
)
def test_bad_files_give_one_line_errors(tmp_path, name, data, message):
    path = write(tmp_path / name, data)
    with pytest.raises(LoadError) as info:
        _load(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_decode_text_handles_legacy_encodings():
    assert decode_text("café".encode("latin-1")) == "café"
    assert decode_text("naïve".encode("utf-16")) == "naïve"
    assert decode_text("\ufeffbom".encode("utf-8")) == "bom"


def test_expand_paths_recurses_and_reports(tmp_path):
    write(tmp_path / "d" / "a.txt", ARTICLE)
    write(tmp_path / "d" / "sub" / "b.md", ARTICLE)
    write(tmp_path / "d" / ".hidden" / "c.txt", ARTICLE)
    write(tmp_path / "d" / "photo.jpg", b"\xff\xd8")
    files, problems = expand_paths([tmp_path / "d", tmp_path / "missing.txt"])
    assert [f.name for f in files] == ["a.txt", "b.md"]
    reasons = dict(problems)
    assert "unsupported" in reasons[str(tmp_path / "d" / "photo.jpg")]
    assert reasons[str(tmp_path / "missing.txt")] == "no such file or directory"


def test_decode_text_utf16_without_bom_and_damaged_utf8():
    assert decode_text("Plain résumé text".encode("utf-16-le")) == "Plain résumé text"
    assert decode_text("Plain résumé text".encode("utf-16-be")) == "Plain résumé text"
    # A few bad bytes in UTF-8 do not turn the whole file into Latin-1 mojibake.
    assert decode_text("Smörgås ".encode() + b"\xff" + b" end") == "Smörgås \ufffd end"


def test_decode_text_drops_stray_controls_and_refuses_control_only_text():
    assert decode_text(b"The ferry\x00 left. " * 4 + b"\x07" + ARTICLE.encode() * 20).startswith(
        "The ferry left. The ferry left."
    )
    with pytest.raises(LoadError, match="empty file"):
        decode_text(b"\x00")


def test_jsonl_surrogates_and_empty_text(tmp_path):
    lines = ['{"id": "a", "text": "Broken \\ud800 escape."}', '{"id": "b", "text": "  "}']
    doc, error = _load(write(tmp_path / "c.jsonl", "\n".join(lines)))
    assert doc.text == "Broken \ufffd escape."
    assert "empty 'text'" in str(error)


def test_documents_over_the_size_limit_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("index.loaders.MAX_DOCUMENT_BYTES", 1024)
    with pytest.raises(LoadError, match="at most 0 MB"):
        _load(write(tmp_path / "big.txt", ARTICLE * 20))


def test_docx_that_expands_too_far_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("index.loaders.MAX_DOCX_EXPANDED_BYTES", 1024)
    with pytest.raises(LoadError, match="zip bomb"):
        _load(write(tmp_path / "r.docx", make_docx([ARTICLE])))


def test_a_source_splits_into_file_and_record_only_at_a_jsonl_record():
    assert split_source(record_source("/notes/#1/news.JSONL", "a#b")) == (
        "/notes/#1/news.JSONL",
        "a#b",
    )
    assert split_source("/notes/#1/report.txt") == ("/notes/#1/report.txt", None)
