"""Log lines that name a posting by board, id and title instead of dumping the whole item."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import logformatter
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.spiders import Spider
from twisted.python.failure import Failure

from jobscrape.items import JobPosting


def _name(item: Any) -> str:
    return item.label if isinstance(item, JobPosting) else repr(item)[:200]


class PostingLogFormatter(logformatter.LogFormatter):
    """Scrapy's log formatter, with postings named by their label. The DEBUG line of each
    scraped item is not even made unless ``LOG_LEVEL`` shows it (a record per item costs)."""

    def __init__(self, *, log_scraped: bool = True) -> None:
        self.log_scraped = log_scraped

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PostingLogFormatter:
        settings = crawler.settings
        level = settings.get("LOG_LEVEL", "DEBUG")
        numeric = logging.getLevelName(level) if isinstance(level, str) else level
        shown = settings.getbool("LOG_ENABLED", True) and (
            not isinstance(numeric, int) or numeric <= logging.DEBUG
        )
        return cls(log_scraped=shown)

    def scraped(self, item: Any, response: Response | Failure | None, spider: Spider):
        if not self.log_scraped:
            return None
        result = super().scraped(item, response, spider)
        return {**result, "args": {**dict(result["args"]), "item": _name(item)}}

    def item_error(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ):
        result = super().item_error(item, exception, response, spider)
        return {**result, "args": {**dict(result["args"]), "item": _name(item)}}

    def dropped(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ):
        result = super().dropped(item, exception, response, spider)
        result["msg"] = "Dropped: %(exception)s"
        return result
