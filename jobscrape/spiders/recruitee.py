"""Recruitee's public careers-site API: every published offer of a company at once."""

from __future__ import annotations

from typing import Any

from jobscrape.items import JobPosting
from jobscrape.spiders.ats import AtsBoardSpider
from jobscrape.spiders.base import remote_flag, salary_fields, tags_of, text


class RecruiteeSpider(AtsBoardSpider):
    """Recruitee (https://{board}.recruitee.com/api/offers/).

    Built from Recruitee's documented careers-site API (no real capture yet): the offers sit
    under ``offers``; ``id`` is an int; each offer names its ``company_name``; the description
    is ``description`` followed by ``requirements`` (both HTML); the remote flag is
    ``remote`` (when it is missing, a location saying "remote" means remote, else it is
    unknown); ``published_at`` (else ``created_at``) is ``2024-01-15 10:00:00 UTC``; the URL
    is ``careers_url``, the apply link ``careers_apply_url``; tags are the ``department`` and
    ``tags[]``; ``salary`` is ``{min, max, currency, period}`` with amounts as text or null;
    an offer whose ``status`` is not ``published`` is counted as
    ``jobscrape/skipped/unpublished``; no logo.
    """

    name = "recruitee"
    board_url = "https://{board}.recruitee.com/api/offers/"
    politeness = (
        "a public careers API with no published rate limit: one company every 3 seconds, "
        "run it at most hourly"
    )
    custom_settings = {  # noqa: RUF012 (Scrapy reads it as a class attribute)
        "DOWNLOAD_DELAY": 3.0,
        "DEFAULT_IMAGE": "https://recruitee.com/favicon.ico",
    }

    records_key = "offers"

    def posting_from(self, record: dict[str, Any]) -> JobPosting | None:
        status = text(record.get("status")).strip()
        if status and status != "published":
            self.skipped("unpublished")
            return None
        url = text(record.get("careers_url"))
        salary = record.get("salary")
        if not isinstance(salary, dict):
            salary = {}
        description = "\n".join(
            part
            for part in (text(record.get("description")), text(record.get("requirements")))
            if part.strip()
        )
        return self.posting(
            record.get("id"),
            url=url,
            apply_url=text(record.get("careers_apply_url")) or url,
            title_raw=text(record.get("title")),
            company_raw=text(record.get("company_name")),
            tags_raw=tags_of(record.get("department"), record.get("tags")),
            date_raw=text(record.get("published_at") or record.get("created_at")),
            description_raw=description,
            location=text(record.get("location")),
            employment_type=text(record.get("employment_type_code")),
            remote=remote_flag(record.get("remote"), text(record.get("location"))),
            **salary_fields(
                salary.get("min"), salary.get("max"), salary.get("currency"), salary.get("period")
            ),
        )
