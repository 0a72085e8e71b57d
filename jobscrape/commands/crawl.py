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

from jobscrape.commands import report_run, take_lock
from jobscrape.report import FirstErrorHandler, SourceReport, failure_reason
from jobscrape.writer.state import utc_now

__all__ = ["Command", "FirstErrorHandler", "failure_reason"]


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
        lock = take_lock(self.settings, f"crawl {spider_name}")
        if lock is None:
            self.exitcode = 1
            return
        started = utc_now()
        crawler = self._create_crawler(spider_name)
        errors = FirstErrorHandler()
        logging.getLogger().addHandler(errors)
        try:
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            logging.getLogger().removeHandler(errors)
        stats: dict[str, Any] = {}
        if self.crawler_process.bootstrap_failed:
            reason = errors.first or "the crawler could not start"
        else:
            assert crawler.stats is not None
            stats = crawler.stats.get_stats()
            reason = failure_reason(stats, errors)
        report = [SourceReport.from_stats(spider_name, stats, reason, errors.count)]
        report_run(self.settings, report, started)
        lock.release()
        reason = reason or report[-1].reason
        if reason:
            print(f"jobscrape: crawl {spider_name} failed: {reason}", file=sys.stderr)
            self.exitcode = 1
