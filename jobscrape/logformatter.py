"""Log lines that name a posting by board, id and title instead of dumping the whole item."""

from __future__ import annotations

from typing import Any

from scrapy import logformatter
from scrapy.http import Response
from scrapy.spiders import Spider
from twisted.python.failure import Failure

from jobscrape.items import JobPosting


def _name(item: Any) -> str:
    return item.label if isinstance(item, JobPosting) else repr(item)[:200]


class PostingLogFormatter(logformatter.LogFormatter):
    """Scrapy's log formatter, with postings named by their label."""

    def scraped(self, item: Any, response: Response | Failure | None, spider: Spider):
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
