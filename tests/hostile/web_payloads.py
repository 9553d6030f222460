"""Thirty hostile strings for the web surface. Each would, if the page ever treated it as markup
or followed it, either run script that sets `window.__xss_<n>` (or opens an alert) or make the
browser request `<leak>/<kind>/<n>` from a listener the test runs. `payloads(leak)` fills in
the listener's address; the numbers make any hit traceable to its payload."""

from __future__ import annotations

import json
from pathlib import Path

# (name, template): "NUM" is the payload's number, "LEAK" the listener's base URL. Plain
# replacement, not str.format, so braces in the template-injection payloads stay as they are.
TEMPLATES: list[tuple[str, str]] = [
    ("script tag", "<script>window.__xss_NUM=1</script>"),
    ("mixed-case script", "<ScRiPt>window.__xss_NUM=1</sCrIpT>"),
    ("img onerror", '<img src=x onerror="window.__xss_NUM=1">'),
    ("img onerror unquoted mixed case", "<IMG SRC=x oNeRrOr=window.__xss_NUM=1>"),
    ("remote img", '<img src="LEAK/img/NUM">'),
    ("svg onload", '<svg onload="window.__xss_NUM=1"></svg>'),
    ("svg script", "<svg><script>window.__xss_NUM=1</script></svg>"),
    ("mouseover", '<div onmouseover="window.__xss_NUM=1" style="position:fixed;inset:0">NUM</div>'),
    (
        "details ontoggle",
        '<details open ontoggle="window.__xss_NUM=1"><summary>NUM</summary></details>',
    ),
    ("autofocus onfocus", '<input autofocus onfocus="window.__xss_NUM=1">'),
    ("video source onerror", '<video><source onerror="window.__xss_NUM=1"></video>'),
    ("html javascript link", '<a href="javascript:window.__xss_NUM=1">link NUM</a>'),
    ("html data link", '<a href="data:text/html,<script>alert(NUM)</script>">data NUM</a>'),
    ("markdown javascript link", "[click NUM](javascript:window.__xss_NUM=1)"),
    (
        "markdown data link",
        "[open NUM](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    ),
    ("markdown remote image", "![x](LEAK/md/NUM)"),
    ("markdown image with title", '![chart](LEAK/mdtitle/NUM "chart")'),
    ("iframe src", '<iframe src="LEAK/iframe/NUM"></iframe>'),
    ("iframe srcdoc", '<iframe srcdoc="<script>parent.__xss_NUM=1</script>"></iframe>'),
    (
        "math mutation",
        '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss_NUM=1">',
    ),
    ("style import", "<style>@import 'LEAK/css/NUM';</style>"),
    ("inline style url", '<div style="background:url(LEAK/bg/NUM)">NUM</div>'),
    ("meta refresh", '<meta http-equiv="refresh" content="0;url=LEAK/meta/NUM">'),
    ("link stylesheet", '<link rel="stylesheet" href="LEAK/link/NUM">'),
    ("object data", '<object data="LEAK/object/NUM"></object>'),
    (
        "form javascript action",
        '<form action="javascript:alert(NUM)"><button>go NUM</button></form>',
    ),
    ("attribute breakout", '"><img src=x onerror="window.__xss_NUM=1">'),
    ("pre-escaped entities", "&lt;img src=x onerror=window.__xss_NUM=1&gt;"),
    ("js template literal", "${window.__xss_NUM=1}"),
    ("handlebars template", "{{constructor.constructor('window.__xss_NUM=1')()}}"),
]
assert len(TEMPLATES) == 30

# URLs a document may claim; only http(s) may ever become a link.
HOSTILE_URLS = [
    "javascript:window.__xss_NUM=1",
    "JaVaScRiPt:window.__xss_NUM=1",
    " javascript:window.__xss_NUM=1",
    "data:text/html,<script>window.__xss_NUM=1</script>",
    "java\tscript:window.__xss_NUM=1",
    "vbscript:msgbox(NUM)",
]

# Elements and attributes none of the payloads may produce in the page.
FORBIDDEN_TAGS = (
    "script, iframe, object, embed, img, svg, math, style, meta, link, base, form, input, video,"
    " source"
)


def payloads(leak: str) -> list[str]:
    return [t.replace("LEAK", leak).replace("NUM", str(n)) for n, (_, t) in enumerate(TEMPLATES)]


def hostile_url(n: int) -> str:
    return HOSTILE_URLS[n % len(HOSTILE_URLS)].replace("NUM", str(n))


def write_documents(directory: Path, leak: str) -> list[Path]:
    """The payloads as documents: one JSONL record each (the payload in the title, the text and
    a hostile URL), a Markdown note with them all, and a text file named like a payload."""
    directory.mkdir(parents=True, exist_ok=True)
    records = [
        {
            "id": f"harbour-{n}",
            "title": f"Harbour note {n} {p}",
            "url": hostile_url(n),
            "text": f"The harbour festival note {n} recorded this line: {p} and then the lanterns.",
        }
        for n, p in enumerate(payloads(leak))
    ]
    notes = directory / "harbour.jsonl"
    notes.write_text("".join(json.dumps(r) + "\n" for r in records))
    markdown = directory / "festival.md"
    markdown.write_text(
        "# Festival <script>window.__xss_md=1</script> log\n\n"
        + "\n\n".join(
            f"The harbour festival log {n} kept {p} safe." for n, p in enumerate(payloads(leak))
        )
    )
    named = directory / "<img src=x onerror=window.__xss_name=1>.txt"
    named.write_text("The harbour festival file name is hostile, the lanterns were lit.")
    return [notes, markdown, named]


def llm_reply(leak: str) -> str:
    """A model answer carrying every payload, each in a sentence that cites a passage."""
    return " ".join(
        f"The harbour festival note {n} recorded this line: {p} and then the lanterns [1]."
        for n, p in enumerate(payloads(leak))
    )
