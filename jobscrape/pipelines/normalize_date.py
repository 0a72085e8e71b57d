"""NormalizeDatePipeline: the post date becomes RFC 3339 with an offset."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from jobscrape.items import JobPosting
from jobscrape.pipelines import PostingPipeline

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ZONELESS = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")


def is_rfc3339(text: str) -> bool:
    """True for a valid RFC 3339 date-time that carries its offset."""
    if not _RFC3339.match(text):
        return False
    try:
        datetime.fromisoformat(text.upper())
    except ValueError:
        return False
    return True


def rfc3339_from_epoch(epoch: int) -> str:
    """Unix seconds as RFC 3339 in UTC, ``+00:00``."""
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat()


def normalize_date(date_raw: str, epoch: int | None) -> str:
    """The board's date verbatim when it is RFC 3339 with an offset; else from ``epoch`` (or
    digits in ``date_raw``; seconds, or milliseconds past the year 5138) in UTC;
    else an RFC 2822 date with its offset, or a zone-less ISO date-time read as UTC; else ``""``."""
    raw = date_raw.strip()
    if is_rfc3339(raw):
        return raw
    if epoch is None and raw.isascii() and raw.isdigit():
        epoch = int(raw)
    if epoch is not None and epoch > 10**11:  # milliseconds
        epoch //= 1000
    if epoch is not None:
        try:
            return rfc3339_from_epoch(epoch)
        except (OverflowError, OSError, ValueError):
            pass
    parsed = _parse_other(raw)
    return parsed.isoformat() if parsed else ""


def _parse_other(raw: str) -> datetime | None:
    """A zone-less ISO date-time (read as UTC, also with a ``UTC`` suffix) or an RFC 2822 date
    (``Tue, 08 Nov 2022 00:08:24 +0000``, as RSS writes them)."""
    iso = raw[:-4].rstrip() if raw.upper().endswith(" UTC") else raw
    if _DAY.match(iso):
        iso += "T00:00:00"  # a bare day: its midnight, UTC
    if _ZONELESS.match(iso):
        try:
            return datetime.fromisoformat(iso.replace(" ", "T")).replace(tzinfo=UTC)
        except ValueError:
            return None
    try:
        parsed = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class NormalizeDatePipeline(PostingPipeline):
    """Guarantees ``date`` is RFC 3339 with an offset, or drops the posting (``no_date``), and
    ``expires`` is RFC 3339 too (or empty)."""

    def process_item(self, item: JobPosting) -> JobPosting:
        item.date = normalize_date(item.date_raw, item.date_epoch)
        item.expires = normalize_date(item.expires_raw, None) if item.expires_raw else ""
        if not item.date:
            self.drop(
                item,
                "no_date",
                f"no usable date (date {item.date_raw!r}, epoch {item.date_epoch!r})",
            )
        return item
