"""Working Nomads' public API: every listed remote job in one bare JSON list."""

from __future__ import annotations

import re
from typing import Any

from jobscrape.items import JobPosting
from jobscrape.spiders.base import JobBoardSpider, tags_of, text

# The only id a record carries is the number in its tracker URL: /job/go/1835309/.
_TRACKER_ID = re.compile(r"/job/go/(\d+)/?(?:[?#]|$)")


def tracker_id(url: str) -> str | None:
    """The job number of a ``/job/go/<number>/`` URL, else None (the URL's hash is used)."""
    match = _TRACKER_ID.search(url)
    return match.group(1) if match else None


class WorkingnomadsSpider(JobBoardSpider):
    """Working Nomads (https://www.workingnomads.com/api/exposed_jobs/).

    A bare JSON list without an id field: the id is the number in ``url``, a tracker redirect
    ``/job/go/<number>/`` (a hash of the URL when it has another shape). ``tags`` is one
    comma-joined string, ``category_name`` is one more tag; there is no logo (the board's
    default image is used). ``pub_date`` is RFC 3339 with a ``-04:00``/``-05:00`` offset;
    ``description`` is HTML with ``<p> </p>`` spacer paragraphs (the space may be U+00A0).
    """

    name = "workingnomads"
    start_url = "https://www.workingnomads.com/api/exposed_jobs/"
    politeness = (
        "no published limit; the whole job list comes in one large answer: run it hourly at most"
    )
    custom_settings = {  # noqa: RUF012 (Scrapy reads it as a class attribute)
        "DOWNLOAD_DELAY": 2.0,
        "DEFAULT_IMAGE": "https://www.workingnomads.com/static/img/wn-logo-square.png",
    }

    def posting_from(self, record: dict[str, Any]) -> JobPosting:
        """Map one Working Nomads job record onto a JobPosting, raw values untouched."""
        url = text(record.get("url"))
        return self.posting(
            tracker_id(url),
            url=url,
            apply_url=url,
            title_raw=text(record.get("title")),
            company_raw=text(record.get("company_name")),
            tags_raw=tags_of(record.get("tags"), record.get("category_name")),
            date_raw=text(record.get("pub_date")),
            description_raw=text(record.get("description")),
            location=text(record.get("location")),
            remote=True,
        )
