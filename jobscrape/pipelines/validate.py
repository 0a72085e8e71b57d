"""ValidatePostingPipeline: drops postings that cannot become a post."""

from __future__ import annotations

from jobscrape.items import SAFE_ID, JobPosting
from jobscrape.pipelines import PostingPipeline


class ValidatePostingPipeline(PostingPipeline):
    """Guarantees a posting has a file-name-safe id and slug and a non-empty title; drops the
    rest with a WARNING (``no_id``, ``unsafe_id``, ``no_title``)."""

    def process_item(self, item: JobPosting) -> JobPosting:
        if not item.source_id:
            self.drop(item, "no_id", "the record has no id")
        if not SAFE_ID.match(item.source_id) or not SAFE_ID.match(item.slug):
            self.drop(item, "unsafe_id", f"id {item.source_id!r} is not a safe file-name token")
        if not item.title:
            self.drop(item, "no_title", "the record has no position/title")
        return item
