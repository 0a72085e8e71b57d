"""Item pipelines: each one cleans, checks or renders one aspect of a JobPosting.

They run in the order of ``ITEM_PIPELINES`` in settings.py: limit sizes, repair text,
validate, de-duplicate, normalize the date, de-duplicate across boards, carry the index's state;
then what reads only the posting (``in_worker``): normalize tags and salary, choose images,
sanitize HTML, render.
"""

from __future__ import annotations

from typing import ClassVar, NoReturn

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from jobscrape.items import JobPosting
from jobscrape.writer.run import ContentRun, content_run


class PostingPipeline:
    """Base of the project's pipelines: keeps the crawler, counts drops under one namespace."""

    in_worker: ClassVar[bool] = False
    """True for a pipeline that reads only the posting and the settings, and writes only the
    posting and stats: at the end of ``ITEM_PIPELINES`` it may run in the pipeline worker
    process (``jobscrape.pipelines.worker``)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._run: ContentRun | None = None

    @property
    def run(self) -> ContentRun | None:
        """The run's ContentRun (``content_run``), kept once its spider has opened it."""
        if self._run is None:
            self._run = content_run(self.crawler)
        return self._run

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        return cls(crawler)

    def drop(self, posting: JobPosting, reason: str, detail: str) -> NoReturn:
        """Drop ``posting`` for a hard rule: counted as ``jobscrape/dropped/<reason>``, logged
        at WARNING with the record's name and the reason."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"jobscrape/dropped/{reason}")
        keep_post(self.crawler, posting)
        raise PostingDropped(f"{posting.label}: {reason}: {detail}", log_level="WARNING")


class PostingDropped(DropItem):
    """A posting dropped for a hard rule (``PostingPipeline.drop``): its job is still listed."""


def keep_post(crawler: Crawler, posting: JobPosting) -> None:
    """A job still listed whose record now breaks a rule keeps its post: it has not vanished
    (only a listing that no longer holds a job expires it)."""
    run = content_run(crawler)
    if run is not None:
        run.index.touch([posting.slug], run.run)
