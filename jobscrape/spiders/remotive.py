"""Remotive's public API: every open remote job in one JSON object."""

from __future__ import annotations

from typing import Any

from jobscrape.items import JobPosting
from jobscrape.spiders.base import JobBoardSpider, tags_of, text


class RemotiveSpider(JobBoardSpider):
    """Remotive (https://remotive.com/api/remote-jobs).

    The jobs sit under ``jobs`` beside a legal notice (``00-warning``, ``0-legal-notice``,
    ``job-count``); ``publication_date`` has no zone (it is UTC); ``salary`` is free text
    (``$31,2k- $52k``, ``$50-$75 /hour``); tags carry trailing spaces.
    """

    name = "remotive"
    start_url = "https://remotive.com/api/remote-jobs"
    politeness = "the API terms ask for at most a few calls a day: every 6 hours at most"
    custom_settings = {  # noqa: RUF012 (Scrapy reads it as a class attribute)
        "DOWNLOAD_DELAY": 5.0,
        "DEFAULT_IMAGE": "https://remotive.com/remotive_logo.png",
    }

    records_key = "jobs"

    def posting_from(self, record: dict[str, Any]) -> JobPosting:
        return self.posting(
            record.get("id"),
            url=text(record.get("url")),
            apply_url=text(record.get("url")),
            title_raw=text(record.get("title")),
            company_raw=text(record.get("company_name")),
            tags_raw=tags_of(record.get("tags"), record.get("category")),
            date_raw=text(record.get("publication_date")),
            logo_url=text(record.get("company_logo") or record.get("company_logo_url")),
            description_raw=text(record.get("description")),
            location=text(record.get("candidate_required_location")),
            salary_raw=text(record.get("salary")),
            employment_type=text(record.get("job_type")),
            remote=True,
        )
