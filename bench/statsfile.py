"""Extension for the benchmarks: the crawl's stats as JSON in ``BENCH_STATS_FILE`` at close.

The suite adds it to the project's ``EXTENSIONS`` on the command line, so that every run
(the floor without pipelines or feed too) says how many items it scraped, whatever
``LOG_LEVEL`` is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class StatsFile:
    def __init__(self, crawler: Crawler, path: str) -> None:
        self.crawler = crawler
        self.path = Path(path)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        path = crawler.settings.get("BENCH_STATS_FILE")
        if not path:
            raise NotConfigured("BENCH_STATS_FILE is not set")
        extension = cls(crawler, path)
        # after the engine's own close bookkeeping: finish_reason and the final counts
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def closed(self, spider: Any, reason: str) -> None:
        assert self.crawler.stats is not None
        stats = {key: _plain(value) for key, value in self.crawler.stats.get_stats().items()}
        stats.setdefault("finish_reason", reason)
        self.path.write_text(json.dumps(stats, sort_keys=True), "utf-8")


def _plain(value: Any) -> Any:
    return value if isinstance(value, int | float | str | bool) or value is None else str(value)
