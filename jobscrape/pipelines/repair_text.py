"""RepairTextPipeline: title, company and location become clean one-line plain text."""

from __future__ import annotations

from jobscrape.items import JobPosting
from jobscrape.pipelines import PostingPipeline
from jobscrape.text import plain_text


class RepairTextPipeline(PostingPipeline):
    """Guarantees ``title``, ``company`` and ``location`` hold no entities, mojibake or runs of
    whitespace (from ``title_raw``, ``company_raw`` and the board's location)."""

    def process_item(self, item: JobPosting) -> JobPosting:
        item.title = plain_text(item.title_raw)
        item.company = plain_text(item.company_raw)
        item.location = plain_text(item.location)
        return item
