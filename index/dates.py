"""Publication dates as filters: a document's `published` is an ISO date (YYYY-MM-DD)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from index.cleaning import normalise_date
from index.errors import UserError


class DateError(UserError, ValueError):
    """A date typed by the user that does not parse; the message names it."""


def parse_date(value: str | None) -> str | None:
    """The ISO date (YYYY-MM-DD) of a date the user typed; None when blank; DateError when it
    is not a date."""
    value = (value or "").strip()
    if not value:
        return None
    iso = normalise_date(value)
    if iso is None:
        raise DateError(f"'{value}' is not a date (use YYYY-MM-DD)")
    return iso


def day_key(iso: str | None) -> int | None:
    """20240621 for "2024-06-21": Chroma compares numbers, not strings."""
    if not iso or len(iso) < 10:
        return None
    try:
        return int(iso[:10].replace("-", ""))
    except ValueError:
        return None


@dataclass(frozen=True)
class DateRange:
    """Inclusive range of publication dates; an open end is None. Documents without a date
    are outside any range that has an end."""

    since: str | None = None
    until: str | None = None

    @classmethod
    def parse(cls, since: str | None, until: str | None) -> DateRange:
        """The range between two dates the user typed (blank = open end); DateError names the
        end that does not parse."""
        ends = []
        for label, value in (("on or after", since), ("on or before", until)):
            try:
                ends.append(parse_date(value))
            except DateError as exc:
                raise DateError(f"published {label}: {exc}") from None
        return cls(*ends)

    @classmethod
    def week_before(cls, iso: str) -> DateRange:
        day = date.fromisoformat(iso[:10])
        return cls((day - timedelta(days=7)).isoformat(), day.isoformat())

    @property
    def active(self) -> bool:
        return bool(self.since or self.until)

    def contains(self, published: str | None) -> bool:
        if not self.active:
            return True
        key = day_key(published)
        if key is None:
            return False
        low, high = day_key(self.since), day_key(self.until)
        return (low is None or key >= low) and (high is None or key <= high)

    def mask(self, days: np.ndarray) -> np.ndarray:
        """1.0 where a day key (0 = undated) lies in the range, else 0.0; vectorised `contains`."""
        if not self.active:
            return np.ones(len(days), dtype=np.float32)
        low, high = day_key(self.since), day_key(self.until)
        keep = days > 0
        if low is not None:
            keep &= days >= low
        if high is not None:
            keep &= days <= high
        return keep.astype(np.float32)

    def chroma_where(self) -> dict[str, Any] | None:
        conditions = []
        if self.since:
            conditions.append({"published_day": {"$gte": day_key(self.since)}})
        if self.until:
            conditions.append({"published_day": {"$lte": day_key(self.until)}})
        if not conditions:
            return None
        return conditions[0] if len(conditions) == 1 else {"$and": conditions}
