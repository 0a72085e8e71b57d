"""Workable's public job widget API: a company account and all its published jobs at once."""

from __future__ import annotations

from typing import Any

from scrapy.http import Response

from jobscrape.items import JobPosting
from jobscrape.spiders.ats import AtsBoardSpider
from jobscrape.spiders.base import remote_flag, tags_of, text


class WorkableSpider(AtsBoardSpider):
    """Workable (https://apply.workable.com/api/v1/widget/accounts/{board}?details=true).

    Built from Workable's documented widget API (no real capture yet): the answer is the
    account, ``{name, description, jobs: [...]}``; the company is the account's ``name``, not a
    field of the job; the id is ``shortcode``; the remote flag is ``telecommuting`` (when it
    is missing, a location saying "remote" means remote, else it is unknown); ``published_on`` (else
    ``created_at``) is a bare date, read as midnight UTC; the location is ``locations[]``
    (``city``, ``region``, ``country``) or else the job's ``city``, ``state``, ``country``;
    ``description`` is HTML only with ``details=true``; ``application_url`` is the apply link;
    no logo and no salary.
    """

    name = "workable"
    board_url = "https://apply.workable.com/api/v1/widget/accounts/{board}?details=true"
    politeness = (
        "a public widget API with no published rate limit: one account every 3 seconds, "
        "run it at most hourly"
    )
    custom_settings = {  # noqa: RUF012 (Scrapy reads it as a class attribute)
        "DOWNLOAD_DELAY": 3.0,
        "DEFAULT_IMAGE": "https://apply.workable.com/favicon.ico",
    }

    records_key = "jobs"
    account_name: str = ""
    """The ``name`` of the account whose answer is being read."""

    def posting_in(
        self, response: Response, feed: Any, record: dict[str, Any]
    ) -> JobPosting | None:
        self.account_name = text(feed.get("name")) if isinstance(feed, dict) else ""
        return super().posting_in(response, feed, record)

    def posting_from(self, record: dict[str, Any]) -> JobPosting:
        url = text(record.get("url") or record.get("shortlink"))
        location = self.location_of(record)
        return self.posting(
            record.get("shortcode"),
            url=url,
            apply_url=text(record.get("application_url")) or url,
            title_raw=text(record.get("title")),
            company_raw=self.account_name,
            tags_raw=tags_of(record.get("department")),
            date_raw=self.date_of(record),
            description_raw=text(record.get("description")),
            location=location,
            employment_type=text(record.get("employment_type")),
            remote=remote_flag(record.get("telecommuting"), location),
        )

    @staticmethod
    def date_of(record: dict[str, Any]) -> str:
        """``published_on`` (else ``created_at``); a bare date is read as midnight UTC."""
        raw = text(record.get("published_on") or record.get("created_at")).strip()
        return raw

    @staticmethod
    def location_of(record: dict[str, Any]) -> str:
        """Every ``locations[]`` entry as ``city, region, country``, else the job's own."""
        places = record.get("locations")
        entries = [place for place in places if isinstance(place, dict)] if places else []
        if not entries:
            entries = [{"city": record.get("city"), "region": record.get("state"),
                        "country": record.get("country")}]  # fmt: skip
        written = []
        for place in entries:
            parts = [text(place.get(key)).strip() for key in ("city", "region", "country")]
            line = ", ".join(part for part in parts if part)
            if line and line not in written:
                written.append(line)
        return "; ".join(written)
