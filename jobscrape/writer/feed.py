"""The ``content:`` feed storage and ``post`` export format.

``FEEDS = {"content:": {"format": "post"}}`` sends every scraped JobPosting to its own file in
the content directory (``CONTENT_DIR``, or the path after ``content:``). Feed options keep
Scrapy's meaning: ``overwrite: true`` (``-O``) rewrites posts whose text changed, ``false``
(``-o``) keeps existing posts as they are.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exporters import BaseItemExporter
from scrapy.spiders import Spider
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import deferred_from_coro

from jobscrape.items import JobPosting
from jobscrape.writer.content_dir import (
    DEFAULT_CONTENT_DIR,
    ContentDirectory,
    ContentDirUnwritable,
    feed_location,
)
from jobscrape.writer.lock import ContentLock
from jobscrape.writer.run import ContentRun, content_run

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_CONTENT_DIR", "ContentDirFeedStorage", "PostBatch", "PostExporter"]


class PostBatch:
    """What the ``content:`` storage hands to the exporter in place of a file: the directory,
    and the tally of what each write did."""

    def __init__(
        self,
        directory: ContentDirectory,
        stats: StatsCollector | None,
        crawler: Crawler | None = None,
    ) -> None:
        self.directory = directory
        self.stats = stats
        self.crawler = crawler
        self._run: ContentRun | None = None
        self._run_looked_up = False  # at the first write: the feed may open before the run
        self.outcomes: dict[str, int] = {}
        self.unwritable = False

    @property
    def run(self) -> ContentRun | None:
        """The run's state keeper when it keeps this directory (the feed may open first)."""
        if not self._run_looked_up:
            self._run_looked_up = True
            run = content_run(self.crawler) if self.crawler is not None else None
            if run is not None and run.directory.root == self.directory.root:
                self._run = run
        return self._run

    def write(self, posting: JobPosting) -> str:
        """Write one post; when the directory cannot be written (a full disk, a read-only
        file system) the run fails once, with an ERROR naming the directory, and stops: a
        post is never left half written, the posts before it stay."""
        if self.unwritable:
            return "failed"
        try:
            run = self.run
            # the post's row goes with it to the writer process, when it takes one
            row = run.row(posting) if run is not None and self.directory.stages_rows else None
            outcome = self.directory.write(posting.slug, posting.post_text, row)
            if run is not None:
                run.wrote(posting, outcome, row)
        except ContentDirUnwritable as error:
            self.unwritable = True
            self.directory.abandon()
            logger.error("%s; stopping the run", error.strerror)
            if self.crawler is not None and self.crawler.engine is not None:
                deferred_from_coro(
                    self.crawler.engine.close_spider_async(reason="content_dir_unwritable")
                )
            return "failed"
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        if self.stats is not None:
            self.stats.inc_value(f"jobscrape/posts/{outcome}")
        return outcome


class ContentDirFeedStorage:
    """Feed storage for ``content:[DIR]`` URIs; an empty DIR means the ``CONTENT_DIR`` setting."""

    def __init__(
        self,
        uri: str,
        *,
        feed_options: dict[str, Any] | None = None,
        crawler: Crawler | None = None,
    ) -> None:
        location = feed_location(uri, crawler.settings if crawler else None)
        # like file: feeds, a feed without the option appends (keeps what exists)
        overwrite = (feed_options or {}).get("overwrite", False)
        settings = crawler.settings if crawler else None
        self.directory = ContentDirectory(
            location,
            overwrite=bool(overwrite),
            fsync=settings.getbool("CONTENT_FSYNC", True) if settings else True,
            batch=settings.getint("CONTENT_WRITE_BATCH", 1) if settings else 1,
        )
        self.stats = crawler.stats if crawler else None
        self.crawler = crawler
        self.batch: PostBatch | None = None

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> ContentDirFeedStorage:
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def open(self, spider: Spider) -> Any:
        self.directory.ensure(locked=ContentLock.held_by_this_process(self.directory.root))
        self.batch = PostBatch(self.directory, self.stats, self.crawler)
        return self.batch

    def store(self, file: Any) -> None:
        try:
            self.directory.sync()
        except ContentDirUnwritable as error:
            file.unwritable = True
            logger.error("%s", error.strerror)
        outcomes = ", ".join(f"{n} {what}" for what, n in sorted(file.outcomes.items()))
        logger.info("Posts in %s: %s", self.directory.root, outcomes or "none")


class PostExporter(BaseItemExporter):
    """Exports each JobPosting as its rendered post, one file per item."""

    def __init__(self, file: PostBatch, **kwargs: Any) -> None:
        super().__init__(dont_fail=True, **kwargs)
        if not isinstance(file, PostBatch):
            raise TypeError("the post format writes only to a content: feed URI")
        self.batch = file

    def export_item(self, item: Any) -> None:
        if not isinstance(item, JobPosting):
            raise TypeError(f"the post format exports JobPosting items, not {type(item).__name__}")
        if not item.post_text:
            raise ValueError(f"{item.label} has no post text: is RenderPostPipeline enabled?")
        self.batch.write(item)
