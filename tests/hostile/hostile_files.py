"""A generated set of hostile files (never committed as blobs): `write_hostile_set(directory)`.

Each `Hostile` says what the indexer must do with it: reject it with an error containing
`error`, or index it (legitimate text) with `expect_text` in the stored document.
"""

from __future__ import annotations

import io
import os
import random
import struct
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from tests.files import make_docx, make_pdf, pdf_with_content

ARTICLE = (
    "The harbour authority opened a new ferry terminal on Friday. "
    "Officials said the terminal will handle two million passengers a year."
)
BIG_TEXT_MB = 200
OVER_FILE_LIMIT_MB = 600  # over index.loaders.MAX_FILE_BYTES; sparse, so it costs no disk
BOMB_GB = 3


@dataclass
class Hostile:
    path: Path
    error: str | None = None  # substring of the one-line error; None = legitimate, indexed
    expect_text: str | None = None  # for indexed files: found in the stored document text
    slow: bool = False  # big files, kept out of the many-file loops


def write_hostile_set(directory: Path, big: bool = True) -> list[Hostile]:
    """Write the hostile files into `directory`; `big=False` skips the 200 MB text file."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    files: list[Hostile] = []

    def add(name: str, data: bytes, error: str | None = None, expect: str | None = None):
        path = directory / name
        path.write_bytes(data)
        files.append(Hostile(path, error, expect))

    for suffix in (".txt", ".md", ".html", ".pdf", ".docx", ".jsonl"):
        add(f"empty{suffix}", b"", "empty file")
    for suffix in (".txt", ".md", ".html", ".jsonl"):
        add(f"random{suffix}", rng.randbytes(64 * 1024), "binary content")
    add("random.pdf", rng.randbytes(64 * 1024), "unreadable PDF")
    add("random.docx", rng.randbytes(64 * 1024), "unreadable DOCX")

    pdf = make_pdf(["Quarterly report.", ARTICLE])
    add("truncated.pdf", pdf[: len(pdf) // 3], "PDF")
    docx = make_docx(["Annual report.", ARTICLE])
    add("truncated.docx", docx[: len(docx) // 2], "unreadable DOCX")
    add("encrypted.pdf", encrypted_pdf(ARTICLE), "encrypted PDF")
    add("bomb.pdf", pdf_flate_bomb(), "compression bomb")
    add("bomb.docx", docx_zip_bomb(docx), "zip bomb")
    add("zip-not-docx.docx", _zip({"hello.txt": b"not a word document"}), "unreadable DOCX")
    add("docx-named.pdf", docx, "unreadable PDF")
    add("no-text.pdf", make_pdf([]), "no extractable text")
    add("deep.html", b"<div>" * 200_000 + b"<p>deep</p>", "no readable main text")
    add("nested.jsonl", b"[" * 100_000 + b"\n", "unreadable JSON")
    add("huge-number.jsonl", b"1" * 5000 + b"\n", "unreadable JSON")
    add("controls.txt", bytes(range(1, 9)) * 500, "binary content")

    # Legitimate text in awkward encodings: indexed, and correctly decoded.
    add("latin1.txt", ("Café crème in Zürich. " + ARTICLE).encode("latin-1"), expect="Café crème")
    add("utf16le-no-bom.txt", ("Naïve résumé. " + ARTICLE).encode("utf-16-le"), expect="Naïve")
    add("utf16be-no-bom.md", ("Ærø ferry. " + ARTICLE).encode("utf-16-be"), expect="Ærø ferry")
    add(
        "invalid-utf8.txt",
        "Smörgåsbord served. ".encode() + b"\xff\xfe\x80 " + ARTICLE.encode(),
        expect="Smörgåsbord",
    )
    add("nuls.txt", (ARTICLE * 10).replace(" ", " \x00", 3).encode(), expect="ferry terminal")

    # Hostile names (a name cannot hold "/" or exceed 255 bytes on disk; those cases are for
    # uploads, see the tests).
    nested = directory / "nested"
    nested.mkdir(exist_ok=True)
    (directory / "dotdot.txt").write_text("Dotdot harbour. " + ARTICLE, encoding="utf-8")
    files.append(Hostile(nested / ".." / "dotdot.txt", expect_text="Dotdot harbour"))
    add("rtl-\u202etxt.exe.txt", ("Mirror bay. " + ARTICLE).encode(), expect="Mirror bay")
    add("line\nbreak.txt", ("Newline point. " + ARTICLE).encode(), expect="Newline point")
    add("L" * 251 + ".txt", ("Longname cove. " + ARTICLE).encode(), expect="Longname cove")

    sparse = directory / "over-file-limit.txt"
    with sparse.open("wb") as handle:
        handle.truncate(OVER_FILE_LIMIT_MB * 2**20)
    files.append(Hostile(sparse, "larger than"))
    if big:
        files.append(Hostile(write_big_text(directory / "big.txt"), "at most", slow=True))
    return files


def write_big_text(path: Path, megabytes: int = BIG_TEXT_MB) -> Path:
    """Legitimate but too big for one document: repeated lines, written in a second or so."""
    block = (ARTICLE + "\n") * 8000
    count = megabytes * 2**20 // len(block) + 1
    with path.open("w", encoding="utf-8") as handle:
        for _ in range(count):
            handle.write(block)
    return path


def encrypted_pdf(text: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([text]))))
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _repeated_deflate(megabytes: int, wbits: int) -> tuple[bytes, int]:
    """`megabytes` MB of zeros deflated in milliseconds: after a full flush the compressor's
    output for the same input block repeats, so the block is compressed once and copied.
    Returns the stream and the uncompressed size (the trailing checksum is not recomputed;
    a reader runs out of memory long before it gets there)."""
    block = bytes(2**20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    head = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeat = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush()
    return head + repeat * (megabytes - 1) + tail, megabytes * 2**20


def pdf_flate_bomb() -> bytes:
    """A valid PDF whose page content is one Flate stream inflating to BOMB_GB GB."""
    stream, _ = _repeated_deflate(BOMB_GB * 1024, zlib.MAX_WBITS)
    return pdf_with_content(stream, "FlateDecode")


def docx_zip_bomb(docx: bytes) -> bytes:
    """A real DOCX whose word/document.xml entry inflates to BOMB_GB GB (just under ZIP64)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    stream, size = _repeated_deflate(BOMB_GB * 1024, -zlib.MAX_WBITS)
    return _zip(parts, {"word/document.xml": (stream, size)})


def _zip(stored: dict[str, bytes], deflated: dict[str, tuple[bytes, int]] | None = None) -> bytes:
    """A zip archive written by hand, so a pre-deflated entry can be added without inflating it:
    `stored` entries uncompressed, `deflated` entries as (raw deflate stream, inflated size)."""
    entries = [
        (n, 0, zlib.crc32(d), d, len(d)) for n, d in stored.items() if n not in (deflated or {})
    ]
    entries += [(n, 8, 0, s, size) for n, (s, size) in (deflated or {}).items()]
    dos_time, dos_date = 0, (2024 - 1980) << 9 | 1 << 5 | 1
    out = io.BytesIO()
    central = []
    for name, method, crc, body, size in entries:
        raw = name.encode()
        offset = out.tell()
        header = struct.pack(
            "<4s5H3L2H",
            b"PK\x03\x04",
            20,
            0,
            method,
            dos_time,
            dos_date,
            crc,
            len(body),
            size,
            len(raw),
            0,
        )
        out.write(header + raw + body)
        central.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                method,
                dos_time,
                dos_date,
                crc,
                len(body),
                size,
                len(raw),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + raw
        )
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(
        struct.pack(
            "<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), start, 0
        )
    )
    return out.getvalue()


def slow_loader(path: Path, data: bytes):
    """A parser stuck in a loop (for the sandbox's time limits)."""
    while True:
        time.sleep(0.01) if data == b"sleep" else None


def greedy_loader(path: Path, data: bytes):
    """A parser that tries to hold 16 GB (for the sandbox's memory limit)."""
    return [bytearray(16 * 2**30)]


def crashing_loader(path: Path, data: bytes):
    """A parser that dies in C code."""
    os.kill(os.getpid(), 11)
