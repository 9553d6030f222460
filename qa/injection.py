"""Sentences in documents that address the assistant instead of informing the reader.

Such sentences are kept out of the evidence: never shown to the LLM, never cited, so an
instruction hidden in a document can neither steer the model nor "support" its output.
A pattern list cannot catch every paraphrase (benchmarks/injection_attack.py measures how many
slip through); the verifier is the backstop, as a canary the model copies from a sentence it
was never shown cannot be supported.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Who an injected instruction addresses: a machine reader, or the user through it.
_MACHINE = (
    r"(ai|a\.i\.|language\s+models?|llms?|gpt|chat\s?gpt|chat\s?bots?|bots?|assistants?"
    r"|summari[sz](ers?|ing\s+tools?)|(ai|automated|machine)\s+\w+)"
)
_VERB = (
    r"(reply|respond|answer|say|output|print|write|state|mention|include|repeat|recommend"
    r"|append|prepend|begin|start|open|end|claim|tell|inform|direct|send|insert|add)"
)
_SPEAK = (
    r"(reply|respond|answer|say|output|print|write|state|mention|include|recommend|claim"
    r"|tell|inform)"
)
_REPLY = r"(reply|replies|response|responses|answers?|summary|summaries|output|next\s+message)"

_PATTERNS = re.compile(
    rf"""(
        \b(ignore|disregard|forget|override)\b[^.]{{0,40}}\b(instructions?|prompts?|rules|guidelines|context)\b
      | \b(system|developer)\s+(prompt|message|instructions?)\b
      | ^\W*system\s*:
      | \byou\s+(are|must|should|will)\s+now\b
      | \bnew\s+instructions?\b
      # a machine reader told what to write ("AI experts say" and "models must be" are not)
      | \b{_MACHINE}\b[^.]{{0,30}}\b(must|should|has\s+to|have\s+to|need\s+to|are\s+to|is\s+to
        |are\s+requested\s+to|please)\s+(always\s+|only\s+|now\s+)?{_VERB}\b
      | \b{_MACHINE},?\s+(always\s+|only\s+)?{_SPEAK}\s+(only|with|exactly)\b
      # ...followed by a code: capitals and digits ("police say anyone" is not one)
      | (^\W*|\b(and|then|to|must|should|please|always|now)\s+)
        (reply|respond|answer|say|output|print|write)\s+(only\s+|exactly\s+|just\s+)?
        (with\s+)?["'“]?(?-i:[A-Z0-9_-]{{6,}})
      | \b(reply|respond|answer|say|output|print|write)\s+(only|exactly|just|with)\s+(with\s+)?
        ["'“]?(?-i:[A-Z0-9_-]{{6,}})
      | <\s*/?\s*(system|instructions?|assistant)\s*>
      # an imperative addressed to whoever writes the answer
      # (after at most a short leading clause: "For questions about X, say that ...")
      | ^\W*([^,;:]{{0,80}}[,;:]\s*)?(please\s+)?{_SPEAK}\s+
        (with|that|the\s+(user|reader)|readers?|users?|only|this)\b
      | ^\W*(when|whenever|if|before|while)\b[^,]{{0,60}},\s*(please\s+)?(always\s+)?{_SPEAK}\s+\w
      | \b(tell|inform)\s+(the\s+(user|reader|visitor)s?|readers)\b
      | \blet\s+(the\s+)?readers?\s+know\b
      | \b(in|to|into|with)\s+your\s+{_REPLY}\b
      | \b{_VERB}\w*\b[^.]{{0,30}}\b(your|their|each|every)\s+{_REPLY}\b
      | \b(your|their)\s+{_REPLY}\s+(must|should|has\s+to|needs?\s+to)\b
      | \bif\s+you\s+are\s+(an?\s+)?{_MACHINE}
      | \b(assistants?|chat\s?bots?|bots?|llms?|summari[sz]ers?|language\s+models?
        |(ai|automated|machine)\s+\w+)\s*:\s*\w
    )""",
    re.IGNORECASE | re.VERBOSE,
)


@lru_cache(maxsize=1 << 15)  # every question checks the same stored sentences again
def looks_like_instruction(sentence: str) -> bool:
    return _PATTERNS.search(_normalised(sentence)) is not None


def shown_title(title: str | None) -> str:
    """A title is document text too: one that addresses the assistant is not shown beside
    answers (the document list still shows it, so the user can find and remove the file)."""
    return "" if not title or looks_like_instruction(title) else title


def _normalised(sentence: str) -> str:
    """Compatibility forms folded (full-width letters) and invisible format characters gone,
    so "Ｉｇｎｏｒｅ" and "Ig\u200bnore" read as "Ignore"."""
    text = sentence
    if not text.isascii():  # ASCII has no compatibility forms and no format characters
        text = unicodedata.normalize("NFKC", text)
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(text.split())
