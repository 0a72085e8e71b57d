"""Himalayas' public jobs API: the newest remote jobs, twenty a page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from w3lib.url import add_or_replace_parameters

from jobscrape.items import JobPosting
from jobscrape.pipelines.normalize_date import rfc3339_from_epoch
from jobscrape.spiders.base import JobBoardSpider, integer, salary_amount, tags_of, text

PLACEHOLDER_COMPANY = "name"
"""What ``companyName`` holds in every record when the board's bug strikes."""
_TAG = re.compile(r"<[^>]*>")


def unix_seconds(value: Any) -> int | None:
    """``pubDate``/``expiryDate`` as unix seconds: the captures hold seconds, the board's data
    dictionary says milliseconds, so a value past the year 5000 is read as milliseconds."""
    number = integer(value)
    if number is not None and number > 10**11:
        return number // 1000
    return number


def company_name(record: dict[str, Any]) -> str:
    """``companyName``, unless it is the placeholder ``"name"`` of the board's bug; then the
    text of the description's link to the company page, else the company slug in words
    (``alignment-health`` gives ``Alignment Health``)."""
    name = text(record.get("companyName")).strip()
    if name and name.lower() != PLACEHOLDER_COMPANY:
        return name
    slug = text(record.get("companySlug")).strip()
    if not slug:
        return ""
    link = re.search(
        rf"""<a\s[^>]*href=["']https://himalayas\.app/companies/{re.escape(slug)}/?["'][^>]*>"""
        r"(.*?)</a>",
        text(record.get("description")),
        re.IGNORECASE | re.DOTALL,
    )
    linked = _TAG.sub("", link.group(1)).strip() if link else ""
    return linked or slug.replace("-", " ").title()


def rfc3339_of(epoch: int | None) -> str:
    """Unix seconds as RFC 3339 in UTC, or ``""`` for none or an impossible value."""
    try:
        return rfc3339_from_epoch(epoch) if epoch is not None else ""
    except (OverflowError, OSError, ValueError):
        return ""


def location_names(restrictions: Any) -> str:
    """``locationRestrictions`` (country names; objects with a ``name`` in the documented
    form) as one comma-separated line."""
    names = (
        text(place.get("name")) if isinstance(place, dict) else text(place)
        for place in (restrictions if isinstance(restrictions, list) else [])
    )
    return ", ".join(name for name in names if name.strip())


class HimalayasSpider(JobBoardSpider):
    """Himalayas (https://himalayas.app/jobs/api?offset=0&limit=20).

    Pages of 20 jobs in a wrapper (``comments``, ``updatedAt``, ``offset``, ``limit``,
    ``totalCount``, ``jobs``): the next page starts at ``offset + limit`` while that is below
    ``totalCount`` and the page held jobs. The board lists some 100,000 jobs and asks for few
    calls, so a run reads at most ``max_pages`` pages (``-a max_pages=N``, default 5: the 100
    newest jobs). A body without the wrapper (bare ``{"jobs": [...]}``) has no next page.

    No id field: ``guid`` is the job's URL, and its last segment is unique only within one
    company and often longer than 40 characters, so the id is a hash of the ``guid``.
    ``pubDate`` and ``expiryDate`` are unix seconds. ``categories`` are hyphenated
    (``Business-Development``) and become tags with spaces, beside ``parentCategories``.
    ``minSalary``/``maxSalary`` may be null; ``salaryPeriod`` (``annual``, ``hourly``) came
    later, and the board documents the amounts as annual when it is absent. Some captures have
    every ``companyName`` equal to ``"name"`` and ``companyLogo`` equal to ``"thumbnail_url"``
    (an upstream bug): the company then comes from the description's link to the company
    page or from ``companySlug``, and a logo that is not an http(s) URL is no logo.
    """

    name = "himalayas"
    start_url = "https://himalayas.app/jobs/api?offset=0&limit=20"
    politeness = (
        "the API asks for few calls and answers 429 when pressed: one page every 3 seconds, "
        "at most max_pages (5) pages a run, run it at most hourly"
    )
    custom_settings = {  # noqa: RUF012 (Scrapy reads it as a class attribute)
        "DOWNLOAD_DELAY": 3.0,
        "DEFAULT_IMAGE": "https://himalayas.app/apple-touch-icon.png",
    }

    def parse(self, response: Response, **kwargs: Any) -> Iterator[JobPosting | scrapy.Request]:
        feed, jobs = self.json_feed(response, "jobs")
        for record in jobs:
            self.job_records_read()
            yield self.posting_of(record)
        offset, limit = integer(feed.get("offset")), integer(feed.get("limit"))
        total = integer(feed.get("totalCount"))
        if jobs and offset is not None and limit and limit > 0 and total is not None:
            next_offset = offset + limit
            if next_offset < total:
                next_url = add_or_replace_parameters(
                    response.url, {"offset": str(next_offset), "limit": str(limit)}
                )
                yield from self.next_page(response, next_url)

    def posting_of(self, record: dict[str, Any]) -> JobPosting:
        url = text(record.get("guid")) or text(record.get("applicationLink"))
        logo = text(record.get("companyLogo")).strip()
        low = salary_amount(record.get("minSalary"))
        high = salary_amount(record.get("maxSalary"))
        paid = low is not None or high is not None
        return self.posting(
            None,
            url=url,
            apply_url=text(record.get("applicationLink")) or url,
            title_raw=text(record.get("title")),
            company_raw=company_name(record),
            tags_raw=[
                tag.replace("-", " ")
                for tag in tags_of(record.get("parentCategories"), record.get("categories"))
            ],
            date_epoch=unix_seconds(record.get("pubDate")),
            logo_url=logo if logo.startswith(("https://", "http://")) else "",
            description_raw=text(record.get("description")),
            location=location_names(record.get("locationRestrictions")),
            salary_min=low,
            salary_max=high,
            salary_currency=text(record.get("currency")) if paid else "",
            salary_period=(text(record.get("salaryPeriod")) or "annual") if paid else "",
            employment_type=text(record.get("employmentType")),
            remote=True,
            expires=rfc3339_of(unix_seconds(record.get("expiryDate"))),
        )
