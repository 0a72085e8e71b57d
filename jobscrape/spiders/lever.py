"""Lever job boards: each company's public postings API."""

from __future__ import annotations

import html
from typing import Any

from jobscrape.items import JobPosting
from jobscrape.spiders.ats import AtsBoardSpider
from jobscrape.spiders.base import integer, tags_of, text

WORKPLACE_REMOTE = {"remote": True, "hybrid": False, "onsite": False, "on-site": False}


class LeverSpider(AtsBoardSpider):
    """Lever (https://api.lever.co/v0/postings/{site}?mode=json; EU boards on api.eu.lever.co).

    A bare JSON list of every posting at once (``skip``/``limit`` exist but are not needed
    without a ``limit``). A company's ``region = "eu"`` reads ``api.eu.lever.co``. ``id`` is a
    UUID; ``text`` the title; ``createdAt`` epoch milliseconds; ``hostedUrl`` the job's page and
    ``applyUrl`` its form; ``categories`` holds ``commitment`` (often missing: the employment
    type), ``department`` and ``team`` (tags), ``location`` and ``allLocations``.
    ``workplaceType`` says remote / hybrid / onsite (a hybrid job is not remote); when it is
    ``unspecified`` or missing, a location saying "remote" makes the job remote, else it is
    unknown. The description is ``description`` (the opening and body), then every ``lists``
    entry as ``<h3>text</h3><ul>content</ul>`` (``content`` is bare ``<li>`` fragments, ``text``
    plain text), then ``additional`` (often ``""``); the ``*Plain`` twins hold U+00A0 and are
    not used. No company name, logo or salary: they come from the companies file.
    """

    name = "lever"
    board_url = "https://api.{region}lever.co/v0/postings/{board}?mode=json"
    politeness = (
        "a public, unauthenticated API with no published rate limit; every posting of a "
        "company comes in one answer: one request per company board, 2 seconds apart, run it "
        "at most hourly"
    )
    custom_settings = {  # noqa: RUF012 (Scrapy reads it as a class attribute)
        "DOWNLOAD_DELAY": 2.0,
        "DEFAULT_IMAGE": "https://lever.co/favicon.ico",
    }

    records_key = None

    def posting_from(self, record: dict[str, Any]) -> JobPosting:
        categories = record.get("categories")
        categories = categories if isinstance(categories, dict) else {}
        locations = [
            location
            for location in [categories.get("location"), *tags_of(categories.get("allLocations"))]
            if text(location).strip()
        ]
        remote = WORKPLACE_REMOTE.get(text(record.get("workplaceType")).strip().lower())
        if remote is None and any("remote" in text(location).lower() for location in locations):
            remote = True
        created_at = integer(record.get("createdAt"))
        return self.posting(
            record.get("id"),
            url=text(record.get("hostedUrl")),
            apply_url=text(record.get("applyUrl") or record.get("hostedUrl")),
            title_raw=text(record.get("text")),
            tags_raw=tags_of(categories.get("department"), categories.get("team")),
            date_raw=text(record.get("createdAt")),
            date_epoch=None if created_at is None else created_at // 1000,
            description_raw=self.description(record),
            location=text(categories.get("location")).strip()
            or ", ".join(text(location).strip() for location in locations),
            employment_type=text(categories.get("commitment")),
            remote=remote,
        )

    @staticmethod
    def description(record: dict[str, Any]) -> str:
        """``description``, then each of ``lists`` as a heading and a list, then
        ``additional``."""
        parts = [text(record.get("description"))]
        for entry in record.get("lists") or []:
            if not isinstance(entry, dict):
                continue
            heading = html.escape(text(entry.get("text")).strip(), quote=False)
            parts.append(f"<h3>{heading}</h3><ul>{text(entry.get('content'))}</ul>")
        parts.append(text(record.get("additional")))
        return "\n".join(part for part in parts if part.strip())
