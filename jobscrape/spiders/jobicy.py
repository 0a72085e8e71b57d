"""Jobicy's public API: the latest remote jobs (up to 100) in one JSON object."""

from __future__ import annotations

from typing import Any

from jobscrape.items import JobPosting
from jobscrape.spiders.base import JobBoardSpider, salary_fields, tags_of, text

# jobLevel "Any" says nothing about the job: it is not a tag.
_NO_LEVEL = {"", "any"}


class JobicySpider(JobBoardSpider):
    """Jobicy (https://jobicy.com/api/v2/remote-jobs?count=100).

    The jobs sit under ``jobs`` beside ``apiVersion``, ``friendlyNotice``, ``jobCount`` and other
    wrapper keys; ``id`` comes as an int or a string. ``jobIndustry`` is a list of
    entity-escaped names (``Product &amp; Operations``) and becomes the tags, with ``jobLevel``
    unless it is ``Any``; ``jobType`` is a list (``Full-Time``); ``jobGeo`` joins regions with
    double spaces (``LATAM,  Brazil``). ``salaryMin``/``salaryMax``/``salaryCurrency``/
    ``salaryPeriod`` (``yearly``, ``hourly``) are numbers present on some jobs only, 0 when
    unknown. ``pubDate`` is RFC 3339 with its offset.
    """

    name = "jobicy"
    start_url = "https://jobicy.com/api/v2/remote-jobs?count=100"
    politeness = "the API asks for at most one call an hour: run it hourly at most"
    custom_settings = {  # noqa: RUF012 (Scrapy reads it as a class attribute)
        # One API call per run; the delay only spaces it from robots.txt and retries.
        "DOWNLOAD_DELAY": 5.0,
        "DEFAULT_IMAGE": "https://jobicy.com/jobicy-logo-square.png",
    }

    records_key = "jobs"

    def posting_from(self, record: dict[str, Any]) -> JobPosting:
        """Map one Jobicy job record onto a JobPosting, raw values untouched."""
        level = text(record.get("jobLevel"))
        return self.posting(
            record.get("id"),
            url=text(record.get("url")),
            apply_url=text(record.get("url")),
            title_raw=text(record.get("jobTitle")),
            company_raw=text(record.get("companyName")),
            tags_raw=tags_of(
                record.get("jobIndustry"), level if level.strip().lower() not in _NO_LEVEL else None
            ),
            date_raw=text(record.get("pubDate")),
            logo_url=text(record.get("companyLogo")),
            description_raw=text(record.get("jobDescription") or record.get("jobExcerpt")),
            location=text(record.get("jobGeo")),
            **salary_fields(
                record.get("salaryMin"),
                record.get("salaryMax"),
                record.get("salaryCurrency"),
                record.get("salaryPeriod"),
            ),
            employment_type=", ".join(tags_of(record.get("jobType"))),
            remote=True,
        )
