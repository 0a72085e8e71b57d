"""Ashby's public job-board API: every posting of a company's board in one answer."""

from __future__ import annotations

import re
from typing import Any

from jobscrape.items import JobPosting
from jobscrape.spiders.ats import AtsBoardSpider
from jobscrape.spiders.base import remote_flag, salary_fields, tags_of, text

_REMOTE = re.compile(r"\bremote\b", re.IGNORECASE)


class AshbySpider(AtsBoardSpider):
    """Ashby (https://api.ashbyhq.com/posting-api/job-board/{board}?includeCompensation=true).

    Built from Ashby's documented public posting API (no real capture yet): the jobs sit under
    ``jobs`` beside ``apiVersion``; ``id`` is a UUID (36 characters, kept as the path's id);
    ``isListed: false`` postings are hidden from the board and are counted as
    ``jobscrape/skipped/unlisted``; remote is ``isRemote``, else ``workplaceType``
    (``Remote``, ``Hybrid``, ``OnSite``), else the word "remote" in the location; the location
    is ``location`` plus every ``secondaryLocations[].location``; the description is
    ``descriptionHtml``; ``employmentType`` is a code (``FullTime``, ``Contract``...); salary
    comes from ``compensation.summaryComponents`` of type ``Salary`` (``interval`` ``1 YEAR``),
    else the text ``compensation.compensationTierSummary``. Jobs name no company: the companies
    file does.
    """

    name = "ashby"
    board_url = "https://api.ashbyhq.com/posting-api/job-board/{board}?includeCompensation=true"
    politeness = (
        "a public posting API with no published rate limit: one board every 2 seconds, "
        "run it at most hourly"
    )
    custom_settings = {  # noqa: RUF012 (Scrapy reads it as a class attribute)
        "DOWNLOAD_DELAY": 2.0,
        "DEFAULT_IMAGE": "https://www.ashbyhq.com/favicon.ico",
    }

    records_key = "jobs"

    def posting_from(self, record: dict[str, Any]) -> JobPosting | None:
        if record.get("isListed") is False:
            self.skipped("unlisted")
            return None
        location = text(record.get("location")).strip()
        secondary = record.get("secondaryLocations")
        places = [location] if location else []
        if isinstance(secondary, list):
            places += [
                text(place.get("location")).strip()
                for place in secondary
                if isinstance(place, dict) and text(place.get("location")).strip()
            ]
        return self.posting(
            record.get("id"),
            url=text(record.get("jobUrl")),
            apply_url=text(record.get("applyUrl") or record.get("jobUrl")),
            title_raw=text(record.get("title")),
            tags_raw=tags_of(record.get("department"), record.get("team")),
            date_raw=text(record.get("publishedAt")),
            description_raw=text(record.get("descriptionHtml")),
            location="; ".join(places),
            employment_type=text(record.get("employmentType")),
            remote=self.is_remote(record, places),
            **self.salary(record.get("compensation")),
        )

    @staticmethod
    def is_remote(record: dict[str, Any], places: list[str]) -> bool | None:
        """``isRemote``, else ``workplaceType``, else "remote" in a location; None if unknown."""
        workplace = text(record.get("workplaceType")).strip().lower()
        if not isinstance(record.get("isRemote"), bool) and workplace:
            return workplace == "remote"
        return remote_flag(record.get("isRemote"), *places)

    @staticmethod
    def salary(compensation: Any) -> dict[str, Any]:
        """Salary fields from the ``Salary`` component, else the tier summary as text."""
        if not isinstance(compensation, dict):
            return {}
        components = compensation.get("summaryComponents")
        for component in components if isinstance(components, list) else []:
            if isinstance(component, dict) and component.get("compensationType") == "Salary":
                fields = salary_fields(
                    component.get("minValue"),
                    component.get("maxValue"),
                    component.get("currencyCode"),
                    component.get("interval"),
                )
                if fields:
                    return fields
        summary = text(compensation.get("compensationTierSummary")).strip()
        return {"salary_raw": summary} if summary else {}
