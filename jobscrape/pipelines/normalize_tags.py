"""NormalizeTagsPipeline: tags become a clean, lowercased list without duplicates."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jobscrape.items import JobPosting
from jobscrape.pipelines import PostingPipeline
from jobscrape.text import plain_text


def tag_values(raw: Any) -> list[str]:
    """The tag strings in whatever shape a board sends: a list, a PHP sparse array (a JSON
    object keyed by index), or one comma-joined string."""
    if raw is None:
        return []
    if isinstance(raw, str):
        return raw.split(",")
    if isinstance(raw, dict):
        values: Iterable[Any] = (raw[key] for key in sorted(raw, key=_index_order))
    elif isinstance(raw, Iterable):
        values = raw
    else:
        values = [raw]
    return [str(value) for value in values if isinstance(value, str | int | float)]


def _index_order(key: Any) -> tuple[int, int, str]:
    text = str(key)
    return (0, int(text), "") if text.isdigit() else (1, 0, text)


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
