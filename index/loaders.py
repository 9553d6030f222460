"""Turn files into raw documents: .txt .md .html .pdf .docx, and .jsonl article collections."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

from index.documents import LoadError, RawDocument, record_source

TEXT_TYPES = {".txt", ".text", ".md", ".markdown"}
HTML_TYPES = {".html", ".htm"}
SUPPORTED_TYPES = TEXT_TYPES | HTML_TYPES | {".pdf", ".docx", ".jsonl"}
# Unicode category Cc except tab, newline, carriage return and form feed.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_SURROGATES = re.compile("[\ud800-\udfff]")
MAX_FILE_BYTES = 512 * 1024 * 1024
# One document's text. Larger texts are refused rather than streamed: a document is stored whole
# (manifest, `qa docs show`, the sources viewer) and embedding 20 MB already takes ~20 minutes.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_DOCX_EXPANDED_BYTES = 512 * 1024 * 1024


def supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_TYPES


def load_file(path: Path, data: bytes) -> Iterator[RawDocument | LoadError]:
    """Yield the documents in one file. A whole-file problem raises LoadError; a bad record of a
    multi-record file (.jsonl) is yielded as a LoadError so the good records still load."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_TYPES:
        raise LoadError(
            f"unsupported file type '{suffix or path.name}' "
            f"(supported: {' '.join(sorted(SUPPORTED_TYPES))})"
        )
    if not data.strip():
        raise LoadError("empty file")
    source = str(path)
    if suffix in TEXT_TYPES | HTML_TYPES:
        _check_size(len(data))
    if suffix in TEXT_TYPES:
        text = decode_text(data)
        yield RawDocument(source=source, text=text, title=_markdown_title(text, suffix))
    elif suffix in HTML_TYPES:
        yield _checked(_load_html(source, decode_text(data)))
    elif suffix == ".pdf":
        yield _checked(_load_pdf(source, data))
    elif suffix == ".docx":
        yield _checked(_load_docx(source, data))
    else:
        yield from _load_jsonl(source, decode_text(data))


def _check_size(size: int) -> None:
    if size > MAX_DOCUMENT_BYTES:
        raise LoadError(
            f"text is {size / 2**20:.0f} MB; one document can hold at most "
            f"{MAX_DOCUMENT_BYTES // 2**20} MB (split the file)"
        )


def _checked(doc: RawDocument) -> RawDocument:
    """Size-checked, with control characters (a PDF's stray NULs...) removed from its text."""
    _check_size(len(doc.text))  # characters: close enough to bytes for a safety limit
    doc.text = _CONTROLS.sub("", doc.text)
    doc.title = _CONTROLS.sub("", doc.title) if doc.title else doc.title
    return doc


def decode_text(data: bytes) -> str:
    """Decode bytes that claim to be text; refuse binary content with a clear message.

    UTF-8 (with or without BOM), UTF-16 (with BOM, or without one when the NUL pattern is
    unmistakable), mostly-UTF-8 with a few bad bytes (those become U+FFFD, the rest stays intact)
    and, failing all that, Windows-1252 / Latin-1. Stray control characters (NULs...) are dropped.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    elif (utf16 := _utf16_without_bom(data)) is not None:
        text = data.decode(utf16, errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("utf-8-sig", errors="replace")
            if not any(ord(ch) > 127 and ch != "\ufffd" for ch in text):
                # No valid multi-byte sequence at all: a legacy single-byte encoding.
                text = data.decode("cp1252", errors="replace")
    sample = text[:100_000]
    controls = len(_CONTROLS.findall(sample))
    if controls > max(2, len(sample) // 200) or sample.count("\ufffd") > max(8, len(sample) // 20):
        raise LoadError("binary content (control characters) in a text file")
    text = _CONTROLS.sub("", text)
    if not text.strip():
        raise LoadError("empty file (no text)")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when every other byte is NUL, as in mostly-ASCII UTF-16 text."""
    sample = data[:8192]
    half = len(sample) // 2
    if half < 4 or len(data) % 2:
        return None
    even, odd = sample[0 : 2 * half : 2].count(0), sample[1 : 2 * half : 2].count(0)
    if odd >= 0.6 * half and even <= 0.05 * half:
        return "utf-16-le"
    if even >= 0.6 * half and odd <= 0.05 * half:
        return "utf-16-be"
    return None


def _markdown_title(text: str, suffix: str) -> str | None:
    if suffix not in {".md", ".markdown"}:
        return None
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip() or None
    return None


def _load_html(source: str, html: str) -> RawDocument:
    import trafilatura

    from index.html_hidden import drop_hidden

    html = drop_hidden(html)
    text = trafilatura.extract(html, output_format="txt", include_comments=False)
    if not text or not text.strip():
        raise LoadError("no readable main text in the HTML page")
    meta = trafilatura.extract_metadata(html)
    return RawDocument(
        source=source,
        text=text,
        title=getattr(meta, "title", None),
        url=getattr(meta, "url", None),
        published=getattr(meta, "date", None),
    )


def _load_pdf(source: str, data: bytes) -> RawDocument:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, LimitReachedError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError("encrypted PDF (password required)")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = reader.metadata.title if reader.metadata else None
    except LoadError:
        raise
    except LimitReachedError as exc:
        raise LoadError("PDF stream inflates beyond the size limit (compression bomb?)") from exc
    except FileNotDecryptedError as exc:
        raise LoadError("encrypted PDF (password required)") from exc
    except MemoryError:
        raise
    except Exception as exc:  # pypdf raises many types on malformed input; any of them = bad file
        raise LoadError(f"unreadable PDF ({type(exc).__name__})") from exc
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not text:
        raise LoadError("PDF has no extractable text (scanned images?)")
    return RawDocument(source=source, text=text, title=title)


def _load_docx(source: str, data: bytes) -> RawDocument:
    import zipfile

    import docx

    try:
        _check_expanded_size(zipfile.ZipFile(io.BytesIO(data)))
        document = docx.Document(io.BytesIO(data))
        text = "\n".join(p.text for p in document.paragraphs)
        title = document.core_properties.title or None
    except (LoadError, MemoryError):
        raise
    except zipfile.BadZipFile as exc:
        raise LoadError("unreadable DOCX (not a valid zip archive)") from exc
    except Exception as exc:  # python-docx raises its own package errors for malformed parts
        raise LoadError(f"unreadable DOCX ({type(exc).__name__})") from exc
    if not text.strip():
        raise LoadError("DOCX has no text")
    return RawDocument(source=source, text=text, title=title)


def _check_expanded_size(archive) -> None:
    """python-docx inflates every part into memory; zipfile never inflates an entry past its
    declared size, so the declared sizes bound what parsing can cost."""
    expanded = sum(info.file_size for info in archive.infolist())
    if expanded > MAX_DOCX_EXPANDED_BYTES:
        raise LoadError(
            f"DOCX expands to {expanded / 2**20:.0f} MB, over the "
            f"{MAX_DOCX_EXPANDED_BYTES // 2**20} MB limit (zip bomb?)"
        )


def _load_jsonl(source: str, text: str) -> Iterator[RawDocument | LoadError]:
    """One article per line: `text` required; `id`, `title`, `url`, `published` optional."""
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield LoadError(f"{source}:{line_no}: invalid JSON ({exc.msg})")
            continue
        except (ValueError, RecursionError) as exc:  # e.g. a 5000-digit number, [[[[...]]]]
            yield LoadError(f"{source}:{line_no}: unreadable JSON ({type(exc).__name__})")
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield LoadError(f"{source}:{line_no}: record has no 'text' string")
            continue
        if len(record["text"]) > MAX_DOCUMENT_BYTES:
            limit = MAX_DOCUMENT_BYTES // 2**20
            yield LoadError(f"{source}:{line_no}: text longer than {limit} MB")
            continue
        if not _CONTROLS.sub("", record["text"]).strip():
            yield LoadError(f"{source}:{line_no}: record has an empty 'text'")
            continue
        record_id = _valid_unicode(str(record.get("id") or line_no))
        yield _checked(
            RawDocument(
                source=record_source(source, record_id),
                text=_valid_unicode(record["text"]),
                title=_str_or_none(record.get("title")),
                url=_str_or_none(record.get("url")),
                published=_str_or_none(record.get("published")),
            )
        )


def _str_or_none(value: object) -> str | None:
    return _valid_unicode(str(value)) if value not in (None, "") else None


def _valid_unicode(text: str) -> str:
    """JSON may escape lone surrogates ("\\ud800"), which cannot be stored as UTF-8."""
    return _SURROGATES.sub("\ufffd", text)


def expand_paths(paths: list[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to index under `paths` (directories recursively, hidden entries skipped), plus the
    problems found: missing paths and unsupported files."""
    files: list[Path] = []
    problems: list[tuple[str, str]] = []
    for path in paths:
        if not path.exists():
            problems.append((str(path), "no such file or directory"))
        elif path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path).parts
                if any(part.startswith(".") for part in relative) or not child.is_file():
                    continue
                if supported(child):
                    files.append(child)
                else:
                    problems.append(
                        (str(child), f"skipped: unsupported file type '{child.suffix}'")
                    )
        elif not supported(path):
            problems.append(
                (
                    str(path),
                    f"unsupported file type '{path.suffix or path.name}' "
                    f"(supported: {' '.join(sorted(SUPPORTED_TYPES))})",
                )
            )
        else:
            files.append(path)
    return files, problems
