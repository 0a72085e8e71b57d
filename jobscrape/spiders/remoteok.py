"""RemoteOK's public JSON API, in every shape it has had since 2017."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from jobscrape.items import JobPosting
from jobscrape.spiders.base import BoardResponseError, JobBoardSpider

# Since 2024 descriptions hold a literal backslash-n (escaped twice upstream) between tags.
_LITERAL_NEWLINE = re.compile(r"(?<=>)\\n|\\n(?=<)")


def _description(value: Any) -> str:
    return _LITERAL_NEWLINE.sub("\n", _text(value))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _salary(value: Any) -> float | None:
    """RemoteOK writes 0 for an unknown salary."""
    number = _int(value)
    return float(number) if number else None


class RemoteokSpider(JobBoardSpider):
    """RemoteOK (https://remoteok.com/api): one JSON array of the latest jobs.

    Element 0 is usually a legal notice whose keys changed over the years (none in 2017,
    ``legal`` in 2020, ``legal``/``explanation`` in 2021, ``last_updated``/``legal`` since
    2024): a job is any element with an ``id``, wherever it stands. ``id`` and ``epoch`` come as
    strings or ints, the logo as ``company_logo`` and/or ``logo``.
    """

    name = "remoteok"
    start_url = "https://remoteok.com/api"
    custom_settings = {  # noqa: RUF012 (Scrapy reads it as a class attribute)
        # robots.txt asks for Crawl-delay: 1; the API terms ask for few calls, and the feed
        # changes a few times an hour, so cron should run it at most hourly.
        "DOWNLOAD_DELAY": 1.0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DEFAULT_IMAGE": "https://remoteok.io/assets/logo-square.png",
    }

    def parse(self, response: Response, **kwargs: Any) -> Iterator[JobPosting]:
        feed = self.parse_json(response)
        if not isinstance(feed, list):
            raise BoardResponseError(
                f"{self.name}: {response.url} answered a JSON {type(feed).__name__}, "
                "not the list of jobs"
            )
        for record in feed:
            if isinstance(record, dict) and "id" in record:
                self.job_records_read()
                yield self.posting_from(record)

    def posting_from(self, record: dict[str, Any]) -> JobPosting:
        """Map one RemoteOK job record onto a JobPosting, raw values untouched."""
        return self.posting(
            record.get("id"),
            url=_text(record.get("url")),
            apply_url=_text(record.get("apply_url")),
            title_raw=_text(record.get("position")),
            company_raw=_text(record.get("company")),
            tags_raw=record.get("tags"),
            date_raw=_text(record.get("date")),
            date_epoch=_int(record.get("epoch")),
            logo_url=_text(record.get("company_logo")) or _text(record.get("logo")),
            description_raw=_description(record.get("description")),
            location=_text(record.get("location")),
            salary_min=_salary(record.get("salary_min")),
            salary_max=_salary(record.get("salary_max")),
            salary_currency="USD" if _salary(record.get("salary_max")) else "",
            salary_period="year" if _salary(record.get("salary_max")) else "",
            remote=True,
        )
