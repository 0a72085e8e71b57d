"""The typed item every spider yields and every pipeline reads."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from jobscrape.digests import value_hash

DEFAULT_CATEGORY = "Remote Jobs"

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,79}$")
"""A board id that may appear in a file name: letters, digits and ``-``, at most 80."""


def canonical_url(url: str) -> str:
    """``url`` with its scheme and host lowercased and its fragment dropped."""
    parts = urlsplit(url.strip())
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, "")
    )


def url_id(url: str) -> str:
    """A short id that stays the same for the same job URL on every run."""
    return hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:12]


@dataclass
class JobPosting:
    """One job ad from one board.

    Spiders fill the ``*_raw`` fields and the identifiers exactly as the board gave them;
    pipelines fill the normalized fields beside them (``title`` beside ``title_raw``, ``date``
    beside ``date_raw``), so nothing the board said is lost by cleaning. Field names follow
    schema.org JobPosting / zyte-common-items where they fit.
    """

    source: str
    """The board's spider name, e.g. ``remoteok``."""
    source_id: str
    """The board's own id of the job, as text."""
    slug: str
    """File-name stem and URL path segment of the post, e.g. ``post-71285``."""
    url: str = ""
    """Canonical URL of the job on the board."""
    apply_url: str = ""

    title_raw: str = ""
    title: str = ""
    company_raw: str = ""
    company: str = ""
    tags_raw: Any = None
    tags: list[str] = field(default_factory=list)
    date_raw: str = ""
    date_epoch: int | None = None
    """Unix seconds of the posting date, when the board gives them."""
    date: str = ""
    """datePosted as RFC 3339 with an offset."""
    logo_url: str = ""
    images: list[str] = field(default_factory=list)
    description_raw: str = ""
    body: str = ""
    body_cleaned: bool = False
    """True when the description held markup outside the allowlist and was cleaned."""
    category: str = DEFAULT_CATEGORY

    location: str = ""
    salary_raw: str = ""
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str = ""
    salary_period: str = ""
    employment_type: str = ""
    remote: bool | None = None
    expires_raw: str = ""
    expires: str = ""
    """validThrough as RFC 3339, from ``expires_raw``."""

    listing: str = ""
    """The listing the job was read from (a board, a company's board, a sitemap): jobs that
    vanish from a listing read whole expire."""
    sources: list[str] = field(default_factory=list)
    """URLs of the same job on other boards (set from the content directory's index)."""
    expiry_date: str = ""
    """The post's ``expiryDate`` (RFC 3339): set once the job vanished or its expiry passed."""

    source_hash: str = ""
    """A hash of everything the board gave for the job (``hash_source``), or its
    ``record_hash`` when it has one (a record mapped alone makes every field): the same hash
    next run means the same post, so the record is not processed again."""
    record_hash: str = ""
    """A hash of the board's raw record itself (and the code that maps it), when the spider
    maps a record alone: the same record next run is known before it is even mapped."""

    post_text: str = ""
    """The rendered post (front matter and body), set by RenderPostPipeline."""

    def hash_source(self, salt: str) -> str:
        """A hash of the board's values of this job (ids, raw fields, listing) and ``salt``
        (what else shapes the post: the code and settings that render it)."""
        return value_hash((salt, *[getattr(self, name) for name in _SOURCE_FIELDS]))

    @property
    def path(self) -> str:
        """The site path of the post, ``/post-71285/``."""
        return f"/{self.slug}/"

    @property
    def label(self) -> str:
        """A short name for log lines: board, id and title."""
        title = self.title or self.title_raw
        return f"{self.source}:{self.source_id} {title[:60]!r}"


_SOURCE_FIELDS = (
    "source", "source_id", "slug", "url", "apply_url", "title_raw", "company_raw", "tags_raw",
    "date_raw", "date_epoch", "logo_url", "description_raw", "category", "location", "salary_raw",
    "salary_min", "salary_max", "salary_currency", "salary_period", "employment_type", "remote",
    "expires_raw", "listing",
)  # fmt: skip
"""What a spider sets: everything a post is made from."""
