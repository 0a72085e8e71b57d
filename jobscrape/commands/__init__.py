"""Project commands (``COMMANDS_MODULE``): ``crawl`` and ``crawlall``, with exit codes cron can
trust, one lock per content directory and a run report."""

from __future__ import annotations

import sys

from scrapy.settings import BaseSettings

from jobscrape.report import SourceReport, default_report_file, write_report
from jobscrape.writer.content_dir import DEFAULT_CONTENT_DIR, content_root
from jobscrape.writer.lock import ContentLock, ContentLockBusy
from jobscrape.writer.state import StateIndex, utc_now


def take_lock(settings: BaseSettings, label: str) -> ContentLock | None:
    """The content directory's lock (waiting ``LOCK_TIMEOUT`` s); None, with the reason on
    stderr, when another run holds it."""
    lock = ContentLock(content_root(settings) or settings.get("CONTENT_DIR") or DEFAULT_CONTENT_DIR)
    try:
        lock.acquire(settings.getfloat("LOCK_TIMEOUT"))
    except ContentLockBusy as busy:
        print(f"jobscrape: {label} failed: {busy}", file=sys.stderr)
        return None
    except OSError as error:  # a read-only or full file system
        print(f"jobscrape: {label} failed: cannot lock {lock.path.parent.parent}: "
              f"{error.strerror or error}", file=sys.stderr)  # fmt: skip
        return None
    return lock


def report_run(settings: BaseSettings, sources: list[SourceReport], started: str) -> None:
    """Print one line per source (stdout) and write them as JSON to ``REPORT_FILE``; commit
    and close the state index."""
    StateIndex.close_all()
    for source in sources:
        print(source.line(), flush=True)
    root = content_root(settings) or settings.get("CONTENT_DIR") or DEFAULT_CONTENT_DIR
    path = settings.get("REPORT_FILE") or default_report_file(root)
    try:
        write_report(path, sources, started=started, finished=utc_now())
    except OSError as error:
        sources.append(SourceReport("report", ok=False, reason=f"cannot write {path}: {error}"))
        print(f"jobscrape: cannot write the run report {path}: {error}", file=sys.stderr)
