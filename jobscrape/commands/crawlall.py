"""``scrapy crawlall``: every source (or the ones named) in one process, one after the other,
for one cron line.

A source that fails does not stop the others. At the end one line per source says what the run
did (new, updated, unchanged, expired, dropped, errors, requests, seconds), the same goes as
JSON to ``REPORT_FILE``, and the command exits 1 naming on stderr every source that failed.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import sys
from collections.abc import Callable
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from jobscrape.commands import report_run, take_lock
from jobscrape.report import FirstErrorHandler, SourceReport, failure_reason
from jobscrape.writer.state import utc_now


class Command(ScrapyCommand):
    """Run several spiders in turn in one process; exit 1 when any of them failed."""

    requires_project = True

    def syntax(self) -> str:
        return "[options] [spider ...]"

    def short_desc(self) -> str:
        return "Run every spider (or those named) in turn; exit non-zero if any run failed"

    def long_desc(self) -> str:
        return (
            "Runs each spider of the project (but those that need -a url, such as jobposting), "
            "or those named, one after the other in this process, with the same settings. In -s "
            "values, {spider} stands for the spider's name (e.g. -s "
            "VCR_CASSETTE=fixtures/{spider}/{spider}.yaml); -s VCR_CASSETTE_DIR=DIR replays "
            "each spider from DIR/<name>.yaml. Prints one line per spider and writes them as "
            "JSON to REPORT_FILE (default CONTENT_DIR/.jobscrape/report.json)."
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        # --logfile 'logs/{spider}.log': each source logs to its own file (Scrapy points its
        # log handler at each crawler's LOG_FILE); the command's own lines go to crawlall.log
        self.log_template = str(self.settings.get("LOG_FILE") or "")
        if "{spider}" in self.log_template:
            log_file = self.log_template.replace("{spider}", "crawlall")
            self.settings.set("LOG_FILE", log_file, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None
        assert self.settings is not None
        loader = self.crawler_process.spider_loader
        known = loader.list()
        names = args or sorted(
            name for name in known if not getattr(loader.load(name), "needs_url", False)
        )
        unknown = [name for name in names if name not in known]
        if unknown:
            raise UsageError(f"no such spider: {', '.join(unknown)}")
        lock = take_lock(self.settings, "crawlall")
        if lock is None:
            self.exitcode = 1
            return
        started = utc_now()
        per_spider = [setting for setting in opts.set if "{spider}" in setting]
        if "{spider}" in self.log_template:
            per_spider.append(f"LOG_FILE={self.log_template}")
        sources = Sequence(self, names, per_spider)
        sources.start_next()
        self.crawler_process.start()
        report = sources.finish()
        report_run(self.settings, report, started)
        lock.release()
        failed = [source for source in report if not source.ok]
        for source in failed:
            print(f"jobscrape: crawlall: {source.source} failed: {source.reason}", file=sys.stderr)
        if failed:
            print(
                f"jobscrape: crawlall: {len(failed)} of {len(report)} sources failed: "
                f"{', '.join(source.source for source in failed)}",
                file=sys.stderr,
            )
            self.exitcode = 1


def when_done(running: Any, callback: Callable[[BaseException | None], None]) -> None:
    """Call ``callback`` with the error a crawl ended with (None) when ``running`` (the Task of
    AsyncCrawlerProcess.crawl or the Deferred of CrawlerProcess.crawl) completes."""

    def after_task(task: asyncio.Future[Any]) -> None:
        callback(asyncio.CancelledError() if task.cancelled() else task.exception())

    def after_deferred(outcome: Any) -> None:
        callback(outcome.value if isinstance(outcome, Failure) else None)

    if isinstance(running, Deferred):
        running.addBoth(after_deferred)
    else:
        running.add_done_callback(after_task)


class Sequence:
    """Starts each source's crawler when the one before it has finished, in the same reactor,
    so that each run's errors and stats are its own."""

    def __init__(self, command: Command, names: list[str], per_spider: list[str]) -> None:
        self.command = command
        self.queue = list(names)
        self.per_spider = per_spider
        self.report: list[SourceReport] = []
        self.stopped = False
        self.running: str | None = None

    def crawler(self, name: str) -> Crawler:
        process = self.command.crawler_process
        assert process is not None
        crawler = process.create_crawler(name)
        for setting in self.per_spider:
            key, _, value = setting.partition("=")
            # above cmdline: the command line's own value must not win back
            crawler.settings.set(key, value.replace("{spider}", name), priority=50)
        return crawler

    def start_next(self) -> None:
        process = self.command.crawler_process
        assert process is not None
        while self.queue and not self.stopped:
            name = self.queue.pop(0)
            errors = FirstErrorHandler()
            logging.getLogger().addHandler(errors)
            try:
                crawler = self.crawler(name)
                running = process.crawl(crawler)
            except Exception as error:  # a broken spider or setting fails that source only
                logging.getLogger().removeHandler(errors)
                reason = f"could not start: {type(error).__name__}: {error}"
                self.report.append(SourceReport(name, ok=False, reason=reason))
                continue
            self.running = name
            when_done(running, functools.partial(self.done, name, crawler, errors))
            return

    def done(
        self, name: str, crawler: Crawler, errors: FirstErrorHandler, error: BaseException | None
    ) -> None:
        logging.getLogger().removeHandler(errors)
        self.running = None
        if error is not None:
            errors.first = errors.first or f"{type(error).__name__}: {error}"
        stats = crawler.stats.get_stats() if crawler.stats is not None else {}
        if error is not None or getattr(crawler, "spider", None) is None:
            errors.count = max(errors.count, 1)
            reason = f"could not start: {errors.first or 'see the log'}"
        else:
            reason = failure_reason(stats, errors)
            if stats.get("finish_reason") == "shutdown":
                self.stopped = True  # SIGTERM / Ctrl-C: the sources after this one do not run
        self.report.append(SourceReport.from_stats(name, stats, reason, errors.count))
        self.start_next()

    def finish(self) -> list[SourceReport]:
        if self.running is not None:  # killed (a second SIGTERM) before the source ended
            reason = "interrupted: the run was stopped before this source finished"
            self.report.append(SourceReport(self.running, ok=False, reason=reason))
        for name in self.queue:
            self.report.append(SourceReport(name, ok=False, reason="not run: the run was stopped"))
        self.queue.clear()
        return self.report
