"""DeduplicatePipeline: one post per path per run."""

from __future__ import annotations

from scrapy.crawler import Crawler

from jobscrape.items import JobPosting
from jobscrape.pipelines import PostingPipeline


class DeduplicatePipeline(PostingPipeline):
    """Guarantees no two postings of a run share a slug: the first one wins, later ones are
    dropped (``duplicate``)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.seen: set[str] = set()

    def process_item(self, item: JobPosting) -> JobPosting:
        if item.slug in self.seen:
            self.drop(item, "duplicate", f"{item.path} was already posted in this run")
        self.seen.add(item.slug)
        return item
