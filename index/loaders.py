"""Turn files into raw documents: .txt .md .html .pdf .docx, and .jsonl article collections."""

from __future__ import annotations

import io
import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from index.documents import LoadError, RawDocument

TEXT_TYPES = {".txt", ".text", ".md", ".markdown"}
HTML_TYPES = {".html", ".htm"}
SUPPORTED_TYPES = TEXT_TYPES | HTML_TYPES | {".pdf", ".docx", ".jsonl"}
MAX_FILE_BYTES = 512 * 1024 * 1024


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
    if suffix in TEXT_TYPES:
        text = decode_text(data)
        yield RawDocument(source=source, text=text, title=_markdown_title(text, suffix))
    elif suffix in HTML_TYPES:
        yield _load_html(source, decode_text(data))
    elif suffix == ".pdf":
        yield _load_pdf(source, data)
    elif suffix == ".docx":
        yield _load_docx(source, data)
    else:
        yield from _load_jsonl(source, decode_text(data))


def decode_text(data: bytes) -> str:
    """Decode bytes that claim to be text; refuse binary content with a clear message."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data[:8192]:
        raise LoadError("binary content (NUL bytes) in a text file")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Legacy single-byte encodings (Latin-1 / Windows-1252) are the common case left.
            text = data.decode("cp1252", errors="replace")
    controls = sum(
        1 for ch in text[:100_000] if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f"
    )
    if controls > max(2, len(text[:100_000]) // 200):
        raise LoadError("binary content (control characters) in a text file")
    return text


def _markdown_title(text: str, suffix: str) -> str | None:
    if suffix not in {".md", ".markdown"}:
        return None
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip() or None
    return None


def _load_html(source: str, html: str) -> RawDocument:
    import trafilatura

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
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError("encrypted PDF (password required)")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = reader.metadata.title if reader.metadata else None
    except LoadError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise LoadError(f"unreadable PDF ({type(exc).__name__})") from exc
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not text:
        raise LoadError("PDF has no extractable text (scanned images?)")
    return RawDocument(source=source, text=text, title=title)


def _load_docx(source: str, data: bytes) -> RawDocument:
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise LoadError(f"unreadable DOCX ({type(exc).__name__})") from exc
    except Exception as exc:  # python-docx raises its own package errors for malformed parts
        raise LoadError(f"unreadable DOCX ({type(exc).__name__})") from exc
    text = "\n".join(p.text for p in document.paragraphs)
    if not text.strip():
        raise LoadError("DOCX has no text")
    return RawDocument(source=source, text=text, title=document.core_properties.title or None)


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
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield LoadError(f"{source}:{line_no}: record has no 'text' string")
            continue
        record_id = str(record.get("id") or line_no)
        yield RawDocument(
            source=f"{source}#{record_id}",
            text=record["text"],
            title=_str_or_none(record.get("title")),
            url=_str_or_none(record.get("url")),
            published=_str_or_none(record.get("published")),
        )


def _str_or_none(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


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
