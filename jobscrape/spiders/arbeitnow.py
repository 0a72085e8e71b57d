"""Arbeitnow's public job-board API: jobs in Germany and Europe, remote ones among them."""

from __future__ import annotations

from typing import Any

from scrapy.http import Response

from jobscrape.items import JobPosting
from jobscrape.spiders.base import JobBoardSpider, integer, tags_of, text
from jobscrape.text import unescape_markup


class ArbeitnowSpider(JobBoardSpider):
    """Arbeitnow (https://www.arbeitnow.com/api/job-board-api).

    Jobs under ``data``; pages follow ``links.next`` until it is null (a body without ``links``
    has no next page), at most ``max_pages`` pages a run (``-a max_pages=N``, default 5).
    The board lists on-site jobs too, and this project publishes remote jobs: a record whose
    ``remote`` is not true is read (``jobscrape/records/read``) but yields no posting, counted
    as ``jobscrape/skipped/not_remote`` (``-a remote_only=0`` publishes every job, its
    ``remote`` flag kept on the item).

    ``slug`` is the id (a hash of ``url`` when longer than a short token); ``created_at`` is
    unix seconds; ``job_types`` are German or mixed free text (``geschäftsleitung``,
    ``professional / experienced``), kept as they are in ``employment_type``; ``tags`` hold
    junk such as ``Central 1000030``; descriptions passed through from Greenhouse are still
    entity-escaped (``&lt;p&gt;...``) in front of the board's unescaped footer, and are
    unescaped once up to the footer; no logo.
    """

    name = "arbeitnow"
    start_url = "https://www.arbeitnow.com/api/job-board-api"
    politeness = (
        "a free public API with no published rate limit: one page every 2 seconds, at most "
        "max_pages (5) pages a run, run it at most hourly"
    )
    custom_settings = {  # noqa: RUF012 (Scrapy reads it as a class attribute)
        "DOWNLOAD_DELAY": 2.0,
        "DEFAULT_IMAGE": "https://www.arbeitnow.com/apple-touch-icon.png",
    }

    records_key = "data"

    def posting_from(self, record: dict[str, Any]) -> JobPosting | None:
        remote = record.get("remote") is True
        return self.posting(
            record.get("slug"),
            url=text(record.get("url")),
            apply_url=text(record.get("url")),
            title_raw=text(record.get("title")),
            company_raw=text(record.get("company_name")),
            tags_raw=tags_of(record.get("tags")),
            date_raw=text(record.get("created_at")),
            date_epoch=integer(record.get("created_at")),
            description_raw=unescape_markup(text(record.get("description"))),
            location=text(record.get("location")),
            employment_type=", ".join(tags_of(record.get("job_types"))),
            remote=remote,
        )

    def next_page_url(self, response: Response, feed: Any, records: list[Any]) -> str | None:
        links = feed.get("links")
        return text(links.get("next")).strip() or None if isinstance(links, dict) else None
