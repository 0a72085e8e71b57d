"""How a run went: why it failed, and the report cron and monitoring read.

``failure_reason`` turns a crawl's stats into the one line a failed run prints; ``SourceReport``
is one source's line of the run report (``scrapy crawl`` and ``scrapy crawlall`` print it and
write it as JSON to ``REPORT_FILE``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from jobscrape.writer.lock import STATE_DIR

REPORT_NAME = "report.json"


class FirstErrorHandler(logging.Handler):
    """Counts ERROR-or-worse log records and keeps the first, whatever ``LOG_LEVEL`` hides."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.count = 0
        self.first: str = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if self.first:
            return
        message = record.getMessage().splitlines()[0] if record.getMessage() else ""
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            # the exception first: the context after it may be long
            cause = f"{type(error).__name__}: {error}"
            message = cause if message.startswith("Task exception") else f"{cause} ({message})"
        self.first = " ".join(message.split())[:500]


def failure_reason(stats: dict[str, Any], errors: FirstErrorHandler | None = None) -> str:
    """Why a finished crawl must count as failed, from its stats; ``""`` when it succeeded."""
    missing = stats.get("vcr/missing", 0)
    if missing:
        detail = stats.get("vcr/first_missing", "")
        return f"{missing} request(s) missing from the replayed cassette, first {detail}".strip()
    logged = stats.get("log_count/ERROR", 0) + stats.get("log_count/CRITICAL", 0)
    count = max(logged, errors.count if errors else 0)
    if count:
        first = errors.first if errors and errors.first else "see the log"
        return f"{count} error(s) logged, first: {first}"
    finish_reason = stats.get("finish_reason")
    if finish_reason != "finished":
        return f"the spider closed with reason {finish_reason!r}, not 'finished'"
    read = stats.get("jobscrape/records/read", 0)
    if not read:
        if stats.get("robotstxt/forbidden"):
            return "robots.txt forbids the feed: read no job records from the board"
        return "read no job records from the board"
    skipped = sum(v for k, v in stats.items() if k.startswith("jobscrape/skipped/"))
    # a copy of a job another board posted first is left out on purpose too
    skipped += stats.get("jobscrape/dropped/duplicate_elsewhere", 0)
    posted = stats.get("item_scraped_count", 0) + stats.get("jobscrape/skipped/unchanged", 0)
    if not posted and read > skipped:
        # left out on purpose (e.g. not remote) is fine; dropped by a hard rule, every one of
        # them, means the board changed its feed
        drops = ", ".join(
            f"{count} {key.rsplit('/', 1)[1]}"
            for key, count in sorted(stats.items())
            if key.startswith("jobscrape/dropped/")
        )
        return (
            f"every job record read was dropped ({drops or 'none posted'}): has the feed changed?"
        )
    return ""


@dataclass
class SourceReport:
    """One source's figures in a run."""

    source: str
    ok: bool
    reason: str = ""
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    expired: int = 0
    deleted: int = 0
    dropped: int = 0
    errors: int = 0
    requests: int = 0
    seconds: float = 0.0

    @classmethod
    def from_stats(
        cls, source: str, stats: dict[str, Any], reason: str, errors: int = 0
    ) -> SourceReport:
        def count(key: str) -> int:
            return int(stats.get(key, 0) or 0)

        logged = count("log_count/ERROR") + count("log_count/CRITICAL")
        return cls(
            source=source,
            ok=not reason,
            reason=reason,
            new=count("jobscrape/posts/new"),
            updated=count("jobscrape/posts/updated"),
            unchanged=count("jobscrape/posts/unchanged") + count("jobscrape/posts/kept"),
            expired=count("jobscrape/posts/expired"),
            deleted=count("jobscrape/posts/deleted"),
            dropped=sum(
                int(value) for key, value in stats.items() if key.startswith("jobscrape/dropped/")
            ),
            errors=max(logged, errors),
            requests=count("downloader/request_count"),
            seconds=round(float(stats.get("elapsed_time_seconds", 0) or 0), 2),
        )

    def line(self) -> str:
        """``remoteok: ok, 3 new, 1 updated, 40 unchanged, 2 expired, 0 dropped, 0 errors,
        2 requests, 1.4 s``; a failed source says why after ``FAILED``."""
        status = "ok" if self.ok else "FAILED"
        figures = (
            f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.expired} expired, {self.dropped} dropped, {self.errors} errors, "
            f"{self.requests} requests, {self.seconds:g} s"
        )
        if self.deleted:
            figures += f", {self.deleted} deleted"
        line = f"{self.source}: {status}, {figures}"
        return f"{line} ({self.reason})" if self.reason else line


def default_report_file(content_root: str | os.PathLike[str]) -> Path:
    return Path(content_root) / STATE_DIR / REPORT_NAME


def write_report(
    path: str | os.PathLike[str], sources: list[SourceReport], *, started: str, finished: str
) -> None:
    """The run report as JSON, replaced atomically (a reader never sees half of one)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "started": started,
        "finished": finished,
        "ok": all(source.ok for source in sources),
        "failed": [source.source for source in sources if not source.ok],
        "sources": [asdict(source) for source in sources],
    }
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # monitoring reads it
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(report, file, indent=2)
            file.write("\n")
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
