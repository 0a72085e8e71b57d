"""DedupeAcrossSourcesPipeline: one post per job, whichever boards list it."""

from __future__ import annotations

from datetime import datetime

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from jobscrape.items import JobPosting
from jobscrape.pipelines import PostingPipeline
from jobscrape.text import match_key


def days_apart(first: str, second: str) -> float | None:
    """Days between two RFC 3339 dates; None when either is unreadable."""
    try:
        delta = datetime.fromisoformat(first) - datetime.fromisoformat(second)
    except (TypeError, ValueError):
        return None
    return abs(delta.total_seconds()) / 86400


class DedupeAcrossSourcesPipeline(PostingPipeline):
    """Guarantees that a job posted on two boards (the same company and title after
    normalization, posted within ``DUPLICATE_WINDOW_DAYS`` days) is one post: the post seen first
    keeps its path; a later copy from another board is dropped (``jobscrape/dropped/
    duplicate_elsewhere``) and its URL recorded on the first post, in the state index and, when
    ``POST_EXTRA_FIELDS`` names ``sources``, in its front matter. A copy of a post that has
    expired is a post of its own."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.window = crawler.settings.getfloat("DUPLICATE_WINDOW_DAYS", 30)

    def process_item(self, item: JobPosting) -> JobPosting:
        run = self.run
        company, title = match_key(item.company), match_key(item.title)
        if run is None or not company or not title or run.index.get(item.slug) is not None:
            return item
        for first in run.index.matches(company, title):
            if first.source == item.source or first.slug == item.slug:
                continue
            apart = days_apart(first.posted or "", item.date)
            if apart is None or apart > self.window:
                continue
            if first.expired_at:
                continue  # the first post is gone: this copy is the job's post now
            run.add_source(first.slug, item.url or item.apply_url)
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("jobscrape/dropped/duplicate_elsewhere")
            raise DropItem(
                f"{item.label}: duplicate_elsewhere: the same job as /{first.slug}/ "
                f"({first.source})",
                log_level="INFO",
            )
        return item
