"""NormalizeTagsPipeline: tags become a clean, lowercased list without duplicates."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from jobscrape.items import JobPosting
from jobscrape.pipelines import PostingPipeline
from jobscrape.text import plain_text, tag_values

MAX_TAGS = 30
MAX_TAG_CHARS = 60


def normalize_tags(raw: Any, limit: int = MAX_TAGS) -> list[str]:
    """Trimmed, lowercased, empties, duplicates and tags longer than MAX_TAG_CHARS removed,
    first-seen order kept, at most ``limit`` of them."""
    tags: dict[str, None] = {}
    for value in tag_values(raw):
        if len(value) > MAX_TAG_CHARS * 4:  # not worth repairing: no tag is that long
            continue
        tag = plain_text(value).lower()
        if tag and len(tag) <= MAX_TAG_CHARS:
            tags.setdefault(tag)
            if len(tags) >= limit:
                break
    return list(tags)


class NormalizeTagsPipeline(PostingPipeline):
    """Guarantees ``tags`` is a list of at most ``MAX_TAGS`` (default 30) distinct, non-empty,
    lowercase plain-text tags of at most 60 characters."""

    in_worker = True

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.limit = crawler.settings.getint("MAX_TAGS", MAX_TAGS)

    def process_item(self, item: JobPosting) -> JobPosting:
        item.tags = normalize_tags(item.tags_raw, self.limit)
        return item
