"""RepairTextPipeline: plain fields become clean one-line text, the description loses mojibake."""

from __future__ import annotations

import ftfy

from jobscrape.items import JobPosting
from jobscrape.pipelines import PostingPipeline
from jobscrape.text import plain_text, without_surrogates


class RepairTextPipeline(PostingPipeline):
    """Guarantees ``title``, ``company`` and ``location`` hold no entities, mojibake or runs of
    whitespace, and starts ``body`` as the description with its mojibake repaired (markup and
    entities untouched: SanitizeHtmlPipeline judges those)."""

    def process_item(self, item: JobPosting) -> JobPosting:
        item.title = plain_text(item.title_raw)
        item.company = plain_text(item.company_raw)
        item.location = plain_text(item.location)
        body = item.description_raw
        if not body.isascii():  # mojibake needs non-ASCII characters; most bodies have none
            body = without_surrogates(ftfy.fix_encoding(body))
        item.body = body
        return item
