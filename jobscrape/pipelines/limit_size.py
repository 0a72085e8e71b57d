"""LimitSizePipeline: no field so large that it is garbage, before any work is spent on it."""

from __future__ import annotations

from scrapy.crawler import Crawler

from jobscrape.items import JobPosting
from jobscrape.pipelines import PostingPipeline


class LimitSizePipeline(PostingPipeline):
    """Guarantees a posting's title, company and description are of a size a job ad has:
    longer than ``MAX_TITLE_CHARS`` (default 500), ``MAX_COMPANY_CHARS`` (300) or
    ``MAX_DESCRIPTION_CHARS`` (1,000,000) and it is dropped (``title_too_long``,
    ``company_too_long``, ``description_too_long``). Tags are capped later, by
    NormalizeTagsPipeline (``MAX_TAGS``)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.limits = (
            ("title_raw", "title_too_long", settings.getint("MAX_TITLE_CHARS", 500)),
            ("company_raw", "company_too_long", settings.getint("MAX_COMPANY_CHARS", 300)),
            ("description_raw", "description_too_long",
             settings.getint("MAX_DESCRIPTION_CHARS", 1_000_000)),
        )  # fmt: skip

    def process_item(self, item: JobPosting) -> JobPosting:
        for name, reason, limit in self.limits:
            size = len(getattr(item, name))
            if size > limit:
                self.drop(item, reason, f"{size:,} characters, more than {limit:,}")
        return item
