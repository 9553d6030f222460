"""Sentences in documents that address the assistant instead of informing the reader.

Such sentences are kept out of the evidence: never shown to the LLM, never cited, so an
instruction hidden in a document can neither steer the model nor "support" its output.
"""

from __future__ import annotations

import re

_PATTERNS = re.compile(
    r"""(
        \b(ignore|disregard|forget|override)\b[^.]{0,40}\b(instructions?|prompts?|rules|guidelines|context)\b
      | \b(system|developer)\s+(prompt|message|instructions?)\b
      | \byou\s+(are|must|should|will)\s+now\b
      | \bnew\s+instructions?\b
      | \b(ai|language\s+model|assistant|chatbot|llm)\b[^.]{0,30}
        \b(must|should|reply|respond|answer|say|output)\b
      | \b(reply|respond|answer|say|output|print|write)\s+(only\s+|exactly\s+|just\s+)?
        (with\s+)?["'“]?[A-Z0-9_-]{6,}
      | <\s*/?\s*(system|instructions?|assistant)\s*>
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def looks_like_instruction(sentence: str) -> bool:
    return _PATTERNS.search(sentence) is not None
