"""Greenhouse job boards: each company's public boards API."""

from __future__ import annotations

from typing import Any

from jobscrape.items import JobPosting
from jobscrape.spiders.ats import AtsBoardSpider
from jobscrape.spiders.base import tags_of, text
from jobscrape.text import unescape_markup


def says_remote(*values: Any) -> bool:
    """Whether any of ``values`` (free text) says remote."""
    return any("remote" in text(value).lower() for value in values)


class GreenhouseSpider(AtsBoardSpider):
    """Greenhouse (https://boards-api.greenhouse.io/v1/boards/{board}/jobs?content=true).

    Every job of a board in one answer under ``jobs`` (``meta.total`` counts them; there are no
    pages). ``content`` is entity-escaped HTML (``&lt;div class=&quot;content-intro&quot;&gt;``,
    with ``&amp;nbsp;`` inside): unescaped once, so the ``&nbsp;`` stays an entity.
    ``location.name`` is free text (``Remote, Italy``, ``Bangalore ``, ``Banglore``), only
    trimmed; ``offices[].location`` is often null. A job is remote when its location, an office
    or a ``metadata`` value named like ``remote`` / ``workplace`` / ``location type`` says
    remote; not remote when it names a place that does not; unknown without any location.
    ``first_published`` (else ``updated_at``) carries the board's local offset (``-04:00``).
    ``departments[].name`` become tags; ``company_name`` is the job's company; there is no
    logo. ``employment`` and ``education`` are application-form switches
    (``employment_required``), not the kind of job: the employment type comes from a
    ``metadata`` value named like ``employment type``. ``application_deadline`` (mostly null)
    is the expiry; ``metadata[].value`` may be null, a string, a list or an object.
    """

    name = "greenhouse"
    board_url = "https://boards-api.greenhouse.io/v1/boards/{board}/jobs?content=true"
    politeness = (
        "a public, unauthenticated API with no published rate limit: one request per company "
        "board, 2 seconds apart, run it at most hourly"
    )
    custom_settings = {  # noqa: RUF012 (Scrapy reads it as a class attribute)
        "DOWNLOAD_DELAY": 2.0,
        "DEFAULT_IMAGE": "https://boards.greenhouse.io/favicon.ico",
    }

    records_key = "jobs"

    def posting_from(self, record: dict[str, Any]) -> JobPosting:
        location = record.get("location")
        location_name = text(location.get("name")).strip() if isinstance(location, dict) else ""
        offices = [office for office in record.get("offices") or [] if isinstance(office, dict)]
        metadata = self.metadata(record)
        remote_values = [
            value for name, value in metadata.items() if any(
                word in name for word in ("remote", "workplace", "location type")
            )
        ]  # fmt: skip
        office_texts = [text(office.get(key)) for office in offices for key in ("name", "location")]
        remote: bool | None = None
        if says_remote(location_name, *office_texts, *remote_values):
            remote = True
        elif location_name or any(office_texts):
            remote = False
        departments = [
            department.get("name")
            for department in record.get("departments") or []
            if isinstance(department, dict)
        ]
        employment_type = next(
            (value for name, value in metadata.items() if "employment type" in name), ""
        )
        return self.posting(
            record.get("id"),
            url=text(record.get("absolute_url")),
            apply_url=text(record.get("absolute_url")),
            title_raw=text(record.get("title")),
            company_raw=text(record.get("company_name")),
            tags_raw=tags_of(departments),
            date_raw=text(record.get("first_published") or record.get("updated_at")),
            description_raw=unescape_markup(text(record.get("content"))),
            location=location_name,
            employment_type=employment_type,
            remote=remote,
            expires_raw=text(record.get("application_deadline")),
        )

    @staticmethod
    def metadata(record: dict[str, Any]) -> dict[str, str]:
        """The job's custom fields with a value, as lowercased name -> text."""
        fields = {}
        for field in record.get("metadata") or []:
            if not isinstance(field, dict):
                continue
            value = field.get("value")
            if isinstance(value, list):
                value = ", ".join(text(part) for part in value if isinstance(part, str | int))
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                fields[text(field.get("name")).strip().lower()] = text(value).strip()
        return fields
