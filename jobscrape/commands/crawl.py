"""``scrapy crawl`` that fails loudly.

Stock ``scrapy crawl`` exits 0 when callbacks raise, requests fail or nothing is scraped. This
one exits 1 with a one-line reason on stderr when the run logged an ERROR, closed for any
reason but ``finished``, read no job record from its board, dropped every record it read (left
out on purpose, such as not remote, does not count), or asked a replayed cassette for a request
it does not hold.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.utils.conf import feed_process_params_from_cli

from jobscrape.writer.feed import DEFAULT_CONTENT_DIR
from jobscrape.writer.lock import ContentLock, ContentLockBusy


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
    if not stats.get("item_scraped_count", 0) and read > skipped:
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


class Command(ScrapyCrawlCommand):
    """Run a spider; exit 1 with a reason on stderr when the run went wrong."""

    def short_desc(self) -> str:
        return "Run a spider of the project; exit non-zero when the run went wrong"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        project_feeds = self.settings.getdict("FEEDS")
        super().process_options(args, opts)
        if not (opts.output or opts.overwrite_output):
            return
        # Scrapy merges -o/-O feeds with the project's FEEDS, the project winning on equal
        # URIs. A content: feed given on the command line replaces the project's one instead,
        # so that -o (keep existing posts) and -O (overwrite) mean what they say.
        without_project = self.settings.copy()
        without_project.set("FEEDS", {}, priority="cmdline")
        cli_feeds = feed_process_params_from_cli(
            without_project, opts.output, overwrite_output=opts.overwrite_output
        )
        if any(uri.startswith("content:") for uri in cli_feeds):
            project_feeds = {
                uri: options
                for uri, options in project_feeds.items()
                if not uri.startswith("content:")
            }
        self.settings.set("FEEDS", {**project_feeds, **cli_feeds}, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        spider_name = args[0]
        assert self.crawler_process is not None
        assert self.settings is not None
        lock = ContentLock(self.settings.get("CONTENT_DIR") or DEFAULT_CONTENT_DIR)
        if not lock.held_by_parent():
            try:
                lock.acquire(self.settings.getfloat("LOCK_TIMEOUT"))
            except (ContentLockBusy, OSError) as busy:
                print(f"jobscrape: crawl {spider_name} failed: {busy}", file=sys.stderr)
                self.exitcode = 1
                return
        crawler = self._create_crawler(spider_name)
        errors = FirstErrorHandler()
        logging.getLogger().addHandler(errors)
        try:
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            logging.getLogger().removeHandler(errors)
        if self.crawler_process.bootstrap_failed:
            reason = errors.first or "the crawler could not start"
        else:
            assert crawler.stats is not None
            reason = failure_reason(crawler.stats.get_stats(), errors)
        if reason:
            print(f"jobscrape: crawl {spider_name} failed: {reason}", file=sys.stderr)
            self.exitcode = 1
