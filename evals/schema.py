"""Eval sets: JSONL, one question a line, in the format of shared/DESIGN.md.

Each line is validated on its own: a malformed line becomes a `LineError` (line number, field,
message) and is skipped, so one bad line never stops a run. Fields other than the known ones
(e.g. `choices`, `date`, `source`, `note`) are allowed and ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import UserError


class EvalSetError(UserError):
    """The set as a whole cannot be used (missing, unreadable, no valid item); one line."""


@dataclass(frozen=True)
class EvalItem:
    id: str
    question: str
    answers: list[str]
    answerable: bool
    conversation: list[str] = field(default_factory=list)  # earlier user questions, oldest first
    evidence: list[str] = field(default_factory=list)  # gold passages, verbatim from a document
    sources: list[str] = field(default_factory=list)  # file names the answer may come from
    must_mention: list[str] = field(default_factory=list)  # groups; "a|b" = either
    line: int = 0


@dataclass(frozen=True)
class LineError:
    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", field '{self.field}'" if self.field else "")
        return f"{where}: {self.message}"


@dataclass
class EvalSet:
    name: str
    items: list[EvalItem]
    errors: list[LineError]


class _FieldError(ValueError):
    def __init__(self, name: str | None, message: str):
        super().__init__(message)
        self.field = name


_OPTIONAL_LISTS = ("conversation", "evidence", "sources", "must_mention")


def load_eval_set(path: Path) -> EvalSet:
    """Read and validate an eval set; raises EvalSetError when no item can be used."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise EvalSetError(f"eval set not found: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalSetError(f"cannot read eval set {path}: {exc}") from exc
    eval_set = parse_eval_lines(text.splitlines(), name=Path(path).stem)
    if not eval_set.items:
        detail = f" ({eval_set.errors[0]})" if eval_set.errors else ""
        raise EvalSetError(f"no valid item in eval set {path}{detail}")
    return eval_set


def parse_eval_lines(lines: Iterable[str], name: str = "eval") -> EvalSet:
    """Validate JSONL lines (blank lines are skipped); bad lines become errors, never raise."""
    items: list[EvalItem] = []
    errors: list[LineError] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(
                LineError(number, None, f"not valid JSON ({exc.msg}, column {exc.colno})")
            )
            continue
        except (ValueError, RecursionError) as exc:  # e.g. a 5000-digit number, [[[[...]]]]
            errors.append(LineError(number, None, f"unreadable JSON ({type(exc).__name__})"))
            continue
        try:
            item = parse_item(record, number)
        except _FieldError as exc:
            errors.append(LineError(number, exc.field, str(exc)))
            continue
        if item.id in seen:
            errors.append(LineError(number, "id", f"duplicate id '{item.id}'"))
            continue
        seen.add(item.id)
        items.append(item)
    return EvalSet(name, items, errors)


def parse_item(record: object, line: int = 0) -> EvalItem:
    """One validated item from a decoded JSON value; raises _FieldError naming the field."""
    if not isinstance(record, dict):
        raise _FieldError(None, f"expected a JSON object, got {type(record).__name__}")
    item_id = record.get("id")
    if isinstance(item_id, int) and not isinstance(item_id, bool):
        item_id = str(item_id)
    if not isinstance(item_id, str) or not item_id.strip():
        raise _FieldError("id", "required: a non-empty string")
    question = record.get("question")
    if not isinstance(question, str) or not question.strip():
        raise _FieldError("question", "required: a non-empty string")
    if "answers" not in record:
        raise _FieldError("answers", "required: a list of strings (empty when unanswerable)")
    answers = _string_list(record, "answers")
    answerable = record.get("answerable")
    if not isinstance(answerable, bool):
        raise _FieldError("answerable", "required: true or false")
    if answerable and not answers:
        raise _FieldError("answers", "an answerable item needs at least one answer")
    if not answerable and answers:
        raise _FieldError("answers", "must be empty when answerable is false")
    lists = {name: _string_list(record, name) for name in _OPTIONAL_LISTS}
    for group in lists["must_mention"]:
        if not all(part.strip() for part in group.split("|")):
            raise _FieldError("must_mention", f"empty alternative in '{group}'")
    return EvalItem(item_id, question, answers, answerable, line=line, **lists)


def _string_list(record: dict, name: str) -> list[str]:
    value = record.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _FieldError(name, f"must be a list of strings, got {type(value).__name__}")
    for position, entry in enumerate(value, start=1):
        if not isinstance(entry, str) or not entry.strip():
            raise _FieldError(name, f"entry {position} must be a non-empty string")
    return list(value)
