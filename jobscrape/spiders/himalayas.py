"""Himalayas' public jobs API: the newest remote jobs, twenty a page."""

from __future__ import annotations

import re
from typing import Any

from scrapy.http import Response
from w3lib.url import add_or_replace_parameters

from jobscrape.items import JobPosting
from jobscrape.spiders.base import JobBoardSpider, integer, salary_fields, tags_of, text

PLACEHOLDER_COMPANY = "name"
"""What ``companyName`` holds in every record when the board's bug strikes."""
_TAG = re.compile(r"<[^>]*>")
# categories join capitalized words with hyphens (Business-Development, B2B-Sales), but keep
# a hyphen of the words themselves (E-commerce)
_CATEGORY_JOIN = re.compile(r"(?<=[A-Za-z0-9])-(?=[A-Z])")


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

    records_key = "jobs"

    def next_page_url(self, response: Response, feed: Any, records: list[Any]) -> str | None:
        offset, limit = integer(feed.get("offset")), integer(feed.get("limit"))
        total = integer(feed.get("totalCount"))
        if not records or offset is None or not limit or limit < 1 or total is None:
            return None  # a body without the wrapper has no next page
        if offset + limit >= total:
            return None
        return add_or_replace_parameters(
            response.url, {"offset": str(offset + limit), "limit": str(limit)}
        )

    def posting_from(self, record: dict[str, Any]) -> JobPosting:
        url = text(record.get("guid")) or text(record.get("applicationLink"))
        logo = text(record.get("companyLogo")).strip()
        return self.posting(
            None,
            url=url,
            apply_url=text(record.get("applicationLink")) or url,
            title_raw=text(record.get("title")),
            company_raw=company_name(record),
            tags_raw=[
                _CATEGORY_JOIN.sub(" ", tag)
                for tag in tags_of(record.get("parentCategories"), record.get("categories"))
            ],
            date_raw=text(record.get("pubDate")),
            date_epoch=unix_seconds(record.get("pubDate")),
            logo_url=logo if logo.startswith(("https://", "http://")) else "",
            description_raw=text(record.get("description")),
            location=location_names(record.get("locationRestrictions")),
            # the board documents amounts as annual when salaryPeriod is absent
            **salary_fields(
                record.get("minSalary"),
                record.get("maxSalary"),
                record.get("currency"),
                record.get("salaryPeriod") or "annual",
            ),
            employment_type=text(record.get("employmentType")),
            remote=True,
            expires_raw=text(unix_seconds(record.get("expiryDate")) or record.get("expiryDate")),
        )
