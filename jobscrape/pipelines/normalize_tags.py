"""NormalizeTagsPipeline: tags become a clean, lowercased list without duplicates."""

from __future__ import annotations

from typing import Any

from jobscrape.items import JobPosting
from jobscrape.pipelines import PostingPipeline
from jobscrape.text import plain_text, tag_values


def normalize_tags(raw: Any) -> list[str]:
    """Trimmed, lowercased, empties and duplicates removed, first-seen order kept."""
    tags: dict[str, None] = {}
    for value in tag_values(raw):
        tag = plain_text(value).lower()
        if tag:
            tags.setdefault(tag)
    return list(tags)


class NormalizeTagsPipeline(PostingPipeline):
    """Guarantees ``tags`` is a list of distinct, non-empty, lowercase plain-text tags."""

    def process_item(self, item: JobPosting) -> JobPosting:
        item.tags = normalize_tags(item.tags_raw)
        return item
