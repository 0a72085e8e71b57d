"""Any web page carrying schema.org JobPosting structured data (JSON-LD or microdata)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from scrapy import Request
from scrapy.http import Response, TextResponse
from scrapy.utils.sitemap import Sitemap

from jobscrape.items import JobPosting
from jobscrape.pipelines.normalize_date import normalize_date
from jobscrape.spiders.base import JobBoardSpider, salary_fields, tags_of, text
from jobscrape.text import unescape_markup
from jobscrape.writer.content_dir import UnsafePostPath
from jobscrape.writer.run import ContentRun, content_run
from jobscrape.writer.state import PageRecord

_SITEMAP = re.compile(rb"<(?:\w+:)?(urlset|sitemapindex)\b")
# A backslash and what follows: a valid JSON escape (kept) or a lone backslash (doubled).
_ESCAPE = re.compile(r'\\(["\\/bfnrt]|u[0-9a-fA-F]{4})?')
_LD_JSON = (
    "//script[contains(translate(@type, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
    "'abcdefghijklmnopqrstuvwxyz'), 'ld+json')]"
)
_MICRODATA = "//*[@itemscope][contains(@itemtype, 'schema.org/JobPosting')]"
# schema.org's UN/CEFACT unit codes for baseSalary (unitCode) as salary periods
_UNIT_CODES = {"ANN": "year", "MON": "month", "WEE": "week", "DAY": "day", "HUR": "hour"}
_ADDRESS_PARTS = ("addressLocality", "addressRegion", "addressCountry")
_MAX_PLACES = 10
NOT_MODIFIED = 304
# meta: the sitemap's address of a job page, the key of its record in the state index (a
# redirect changes response.url, never this)
_PAGE_URL = "jobposting_page"
_LISTING = "jobposting_listing"  # meta: the start URL a page was found from


def now() -> datetime:
    """The current time (a function, so tests can freeze it)."""
    return datetime.now(UTC)


def load_jsonld(block: str) -> Any:
    """A JSON-LD block read leniently: raw control characters inside strings allowed
    (``strict=False``), then lone backslashes before characters that JSON does not escape
    (``¯\\_(ツ)_/¯``) read as literal backslashes. Raises ValueError when even that fails."""
    block = block.strip()
    block = block.removeprefix("<!--").removesuffix("-->").strip().rstrip(";")
    try:
        return json.loads(block, strict=False)
    except ValueError:
        pass
    repaired = _ESCAPE.sub(lambda match: match.group(0) if match.group(1) else "\\\\", block)
    return json.loads(repaired, strict=False)


def is_job_posting(node: Any) -> bool:
    """Whether a JSON-LD node's ``@type`` (a string or a list) names JobPosting."""
    if not isinstance(node, dict):
        return False
    types = node.get("@type")
    types = types if isinstance(types, list) else [types]
    return any(isinstance(kind, str) and kind.rsplit("/", 1)[-1] == "JobPosting" for kind in types)


def job_nodes(data: Any) -> Iterator[dict[str, Any]]:
    """The JobPosting nodes of a JSON-LD document: top level, in arrays, under ``@graph``."""
    if isinstance(data, list):
        for node in data:
            yield from job_nodes(node)
    elif isinstance(data, dict):
        if is_job_posting(data):
            yield data
        elif "@graph" in data:
            yield from job_nodes(data["@graph"])


def microdata_item(scope: Selector) -> dict[str, Any]:
    """A microdata item (``itemscope``) as a JSON-LD-like dict: its own ``itemprop``s, nested
    items read the same way, repeated properties as lists."""
    depth = len(scope.xpath("ancestor-or-self::*[@itemscope]"))
    item: dict[str, Any] = {"@type": (scope.attrib.get("itemtype") or "").rsplit("/", 1)[-1]}
    for prop in scope.xpath(f".//*[@itemprop][count(ancestor::*[@itemscope]) = {depth}]"):
        value = microdata_value(prop)
        for name in (prop.attrib.get("itemprop") or "").split():
            if name in item:
                previous = item[name]
                item[name] = [*(previous if isinstance(previous, list) else [previous]), value]
            else:
                item[name] = value
    return item


def microdata_value(prop: Selector) -> Any:
    """The value of one ``itemprop`` element, as microdata defines it per element."""
    attrib = prop.attrib
    tag = prop.xpath("name()").get() or ""
    if "itemscope" in attrib:
        return microdata_item(prop)
    if "content" in attrib:
        return attrib["content"]
    if tag in ("a", "link", "area") and "href" in attrib:
        return attrib["href"]
    if tag in ("img", "source", "audio", "video") and "src" in attrib:
        return attrib["src"]
    if tag == "time" and "datetime" in attrib:
        return attrib["datetime"]
    if "description" in (attrib.get("itemprop") or "").split():
        return "".join(prop.xpath("node()").getall()).strip()
    return " ".join((prop.xpath("string(.)").get() or "").split())


def first(value: Any) -> Any:
    """The first of a list, or the value itself."""
    return (value[0] if value else None) if isinstance(value, list) else value


def name_of(value: Any) -> str:
    """A schema.org thing's name (``{"name": ...}``) or the text itself."""
    value = first(value)
    return text(value.get("name")) if isinstance(value, dict) else text(value)


def url_of(value: Any) -> str:
    """An ImageObject's or URL's address (``{"url": ...}`` or the text itself)."""
    value = first(value)
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return text(value).strip()


def place_text(place: Any) -> str:
    """A Place, PostalAddress, Country or text as one line: ``Leipzig, DE``; null parts and
    repeats (an address of ``Anywhere`` five times) left out."""
    if isinstance(place, dict):
        address = place.get("address", place)
        if isinstance(address, dict):
            parts = [name_of(address.get(key)).strip() for key in _ADDRESS_PARTS]
            parts = [part for part in dict.fromkeys(parts) if part and part != "-"]
            return ", ".join(parts) or name_of(place).strip()
        return text(address).strip()
    return text(place).strip()


def places_text(places: Any) -> str:
    """Several places as one line, at most ``_MAX_PLACES`` of them named."""
    places = places if isinstance(places, list) else [places]
    names = [name for name in dict.fromkeys(place_text(place) for place in places) if name]
    if len(names) > _MAX_PLACES:
        return "; ".join(names[:_MAX_PLACES]) + f" and {len(names) - _MAX_PLACES} more"
    return "; ".join(names)


def salary_of(base: Any) -> dict[str, Any]:
    """JobPosting salary fields from ``baseSalary``: a MonetaryAmount whose ``value`` is a
    QuantitativeValue (``minValue``/``maxValue``/``value``, ``unitText``) or a number or
    string; ``unitCode`` ``ANN`` and friends as a period; a bare string kept as text."""
    if base is None or isinstance(base, bool):
        return {}
    if not isinstance(base, dict):
        fields = salary_fields(base, None, "", "")
        if fields:
            fields["salary_max"] = fields["salary_min"]
            return fields
        return {"salary_raw": text(base)} if text(base).strip() else {}
    value = base.get("value")
    quantity = value if isinstance(value, dict) else {"value": value}
    unit = text(quantity.get("unitText") or base.get("unitText"))
    code = text(quantity.get("unitCode") or base.get("unitCode")).upper()
    period = unit or _UNIT_CODES.get(code, "")
    currency = base.get("currency") or quantity.get("currency")
    low, high = quantity.get("minValue"), quantity.get("maxValue")
    if low is None and high is None:
        fields = salary_fields(quantity.get("value"), None, currency, period)
        if fields:
            fields["salary_max"] = fields["salary_min"]
        elif text(quantity.get("value")).strip():
            fields = {"salary_raw": text(quantity.get("value")), "salary_currency": text(currency)}
        return fields
    return salary_fields(low, high, currency, period)


def future_date(raw: Any) -> str:
    """``raw`` when it is a date after now (validThrough); ``""`` for a past one, the 1970
    placeholder or anything unreadable."""
    raw = text(raw).strip()
    date = normalize_date(raw, None) if raw else ""
    if not date:
        return ""
    try:
        when = datetime.fromisoformat(date)
    except ValueError:
        return ""
    if when <= now():
        return ""
    return raw


def header(response: Response, name: str) -> str:
    """A response header's value as text; ``""`` when it is absent."""
    value = response.headers.get(name)
    return value.decode("latin-1").strip() if value else ""


def domain_of(url: str) -> str:
    """A page's host as a path token: ``www.example.co.uk`` gives ``example-co-uk``."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    return re.sub(r"[^a-z0-9]+", "-", host).strip("-")


class JobpostingSpider(JobBoardSpider):
    """Any page with schema.org JobPosting structured data: career pages, job boards.

    ``-a url=`` is a job page, an XML sitemap or a sitemap index (their ``<loc>``s are followed,
    ``<lastmod>`` kept in the request's ``meta``; ``-a follow=REGEX`` keeps only page URLs that
    match), or ``-a urls_file=PATH`` lists pages or sitemaps, one URL a line. Every JSON-LD
    block (a top-level object, an array, ``@graph``; ``@type`` a string or a list) and every
    microdata item of type JobPosting on a page is a job. Real pages are broken in real ways:
    raw newlines inside JSON strings (read with ``strict=False``), an invalid ``\\_`` escape
    (the lone backslash is kept as text), entity-escaped descriptions (unescaped once),
    ``description: null`` (not posted: a WARNING says so), ``datePosted`` as
    ``2020-10-20 20:28:32 UTC``, ``validThrough`` in 1970 (no expiry: only a future
    validThrough becomes the expiry), addresses of ``Anywhere``, ``url`` naming the company's
    site, ``baseSalary`` as a bare string or with ``unitCode`` ``ANN``. A block that stays
    unreadable is a WARNING naming the page and the parser's reason. The path is
    ``/post-<domain>-<id>/``: the page's host without ``www.``, and the JobPosting's
    ``identifier`` when it is a short safe token, else a hash of the job's URL. A job is remote
    for ``jobLocationType`` TELECOMMUTE or a location that says remote.

    Re-crawls are incremental when there is a content directory: a page a sitemap lists is
    remembered in the state index with the posts it gave, its ``<lastmod>``, ``ETag`` and
    ``Last-Modified``. The next run does not fetch it while its ``<lastmod>`` is the same, and
    asks with ``If-None-Match`` / ``If-Modified-Since`` otherwise; a 304 answer means
    unchanged. Either way its posts count as seen and unchanged (they do not expire), the page
    under ``jobscrape/pages/not_modified``. A page is fetched whole when any of its posts is
    missing from the index or the directory, or was expired. Start URLs are always fetched.
    """

    name = "jobposting"
    needs_url = True  # any site: -a url=, -a urls_file=
    politeness = (
        "pages of any site: robots.txt obeyed, one request at a time per site, 2 s between "
        "requests; follow a sitemap with -a follow=REGEX to read only job pages"
    )
    custom_settings = {  # noqa: RUF012 (Scrapy reads it as a class attribute)
        "DOWNLOAD_DELAY": 2.0,
        # schema.org's own logo: a page whose job and company have no logo
        "DEFAULT_IMAGE": "https://schema.org/docs/schemaorg.png",
    }

    def __init__(
        self,
        *args: Any,
        url: str | None = None,
        urls_file: str | None = None,
        follow: str | None = None,
        **kwargs: Any,
    ) -> None:
        if not url and not urls_file:
            raise ValueError("jobposting: give -a url=<page or sitemap> or -a urls_file=<path>")
        super().__init__(*args, url=url, **kwargs)
        self.urls_file = urls_file
        self.follow = re.compile(follow) if follow else None
        self.pages_unfetched: set[str] = set()
        """Known pages this run left unfetched (a page two sitemaps list counts once)."""

    def start_urls_list(self) -> list[str]:
        """The URLs to start from: ``-a url=``, or every line of ``-a urls_file=`` (blank lines
        and ``#`` comments left out)."""
        if not self.urls_file:
            return [self.url]
        lines = Path(self.urls_file).read_text("utf-8").splitlines()
        return [line.strip() for line in lines if line.strip() and not line.startswith("#")]

    @property
    def listing(self) -> str:
        return f"{self.name}:{self.url}"

    def listing_of(self, response: Response) -> str:
        """Each start URL (a site's sitemap) is a listing of its own: one site's outage must
        not count against another's jobs."""
        return str(response.meta.get(_LISTING) or self.listing)

    async def start(self) -> AsyncIterator[Any]:
        for url in self.start_urls_list():
            yield self.request(url, meta={_LISTING: f"{self.name}:{url}"})

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A sitemap (follow its ``<loc>``s), a page (its JobPostings), or a known page's 304
        answer (its posts seen, unchanged)."""
        # the pages a start URL names are all read, or the run fails and expires nothing
        self.listing_read(response)
        if response.status == NOT_MODIFIED:
            self.page_not_modified(response)
        elif _SITEMAP.search(response.body[:4096]):
            yield from self.parse_sitemap(response)
        else:
            yield from self.parse_page(response)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """Follow a sitemap index's sitemaps and a sitemap's pages (those ``follow`` matches),
        each page's ``<lastmod>`` in its request's ``meta``; a known page only when it may
        have changed (``page_request``)."""
        sitemap = Sitemap(response.body)
        run = content_run(self.crawler)
        for entry in sitemap:
            loc = response.urljoin(entry["loc"])
            if sitemap.type == "sitemapindex":
                yield self.request(loc, meta={_LISTING: self.listing_of(response)})
            elif self.follow is None or self.follow.search(loc):
                for request in self.page_request(run, loc, entry.get("lastmod", "")):
                    request.meta[_LISTING] = self.listing_of(response)
                    yield request

    def page_request(self, run: ContentRun | None, url: str, lastmod: str) -> Iterator[Request]:
        """The request of a job page a sitemap lists: none when the index knows the page with
        this same non-empty ``lastmod`` and all its posts are live (they are seen, unchanged);
        a conditional request, answered 304 when unchanged, when it knows the page's validators;
        else a plain request. Without a content directory every page is fetched."""
        meta: dict[str, Any] = {"lastmod": lastmod, _PAGE_URL: url}
        record = run.index.page(url) if run is not None else None
        if run is None or record is None or not self.posts_live(run, record.slugs):
            yield self.request(url, meta=meta)
            return
        if lastmod and lastmod == record.lastmod:
            if url not in self.pages_unfetched:
                self.pages_unfetched.add(url)
                self.not_modified(run, record)
            return
        headers = {}
        if record.etag:
            headers["If-None-Match"] = record.etag
        if record.last_modified:
            headers["If-Modified-Since"] = record.last_modified
        if headers:
            # a 304 is the answer we hope for, not an HTTP error for the errback
            meta["handle_httpstatus_list"] = [NOT_MODIFIED]
        yield self.request(url, meta=meta, headers=headers)

    def posts_live(self, run: ContentRun, slugs: list[str]) -> bool:
        """Whether every post of ``slugs`` (at least one) is in the index, not expired, and on
        disk: only then may its page go unfetched."""
        if not run.index.has_posts(slugs):
            return False
        for slug in slugs:
            record = run.index.get(slug)
            # an expired job listed again is fetched, so that its post comes back to life
            if record is None or record.expired_at:
                return False
            try:
                if not run.directory.exists(slug):
                    return False
            except UnsafePostPath:
                return False
        return True

    def not_modified(self, run: ContentRun, record: PageRecord) -> None:
        """A known page did not change: its posts are seen by this run and unchanged."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("jobscrape/pages/not_modified")
        run.seen_unchanged(record.slugs)
        # its jobs were read (from the index) and left unfetched on purpose: a run where
        # nothing changed reads jobs and does not fail as an empty board would
        self.job_records_read(len(record.slugs))
        for _ in record.slugs:
            self.skipped("not_modified")

    def page_not_modified(self, response: Response) -> None:
        """A 304 answer to a conditional request: the page's posts are seen, unchanged, and its
        record keeps the sitemap's new ``lastmod`` and any new validators."""
        run = content_run(self.crawler)
        url = response.meta.get(_PAGE_URL) or response.url
        record = run.index.page(url) if run is not None else None
        if run is None or record is None:
            # only a known page is asked conditionally: its posts cannot be named now
            self.logger.error(
                "%s: %s answered 304 Not Modified to a request that was not conditional",
                self.name, response.url,
            )  # fmt: skip
            return
        self.not_modified(run, record)
        run.index.remember_page(
            url, record.slugs,
            lastmod=text(response.meta.get("lastmod")),
            etag=header(response, "ETag") or record.etag,
            last_modified=header(response, "Last-Modified") or record.last_modified,
        )  # fmt: skip

    def parse_page(self, response: Response) -> Iterator[Any]:
        """Every JobPosting of a page, remote ones only unless ``REMOTE_ONLY`` is off. A page a
        sitemap listed is remembered in the state index, once read, with the slugs of the
        postings it gave, its ``lastmod`` and its validators. A page without a JobPosting is a
        list page when ``-a follow=`` is given: its links are followed (``follow_links``)."""
        slugs: list[str] = []
        nodes = self.page_jobs(response)
        if not nodes and self.follow is not None and isinstance(response, TextResponse):
            yield from self.follow_links(response)
        for node in nodes:
            self.job_records_read()
            posting = self.mapped(response, None, node)  # a node mapping cannot read: dropped
            if posting is None:
                continue
            if not posting.description_raw.strip():
                # a job ad with no text is no job ad (LinkedIn's guest pages carry null)
                self.logger.warning(
                    "%s: %s: JobPosting %r has no description: not posted",
                    self.name, response.url, posting.title_raw,
                )  # fmt: skip
                assert self.crawler.stats is not None
                self.crawler.stats.inc_value("jobscrape/dropped/no_description")
                continue
            if not posting.date_raw:
                posting.date_raw = text(response.meta.get("lastmod"))  # the sitemap's date
            posting.listing = self.listing_of(response)
            if posting.remote is False and self.keeps_remote_only():
                self.skipped("not_remote")
                continue
            slugs.append(posting.slug)
            yield posting
        self.remember_page(response, slugs)

    def follow_links(self, response: TextResponse) -> Iterator[Request]:
        """The links of a list page on the page's own site: those ``follow`` matches, and its
        ``rel="next"`` page. A job's ``<time datetime>`` in the link's list item (``li``,
        ``tr``, ``article``) or a ``data-lastmod`` on the link is its last change, used as a
        sitemap's ``<lastmod>``: a known job page that did not change is not fetched again."""
        assert self.follow is not None
        run = content_run(self.crawler)
        host = urlsplit(response.url).hostname
        for link in response.xpath("//a[@href]"):
            url = response.urljoin(link.attrib["href"]).split("#", 1)[0]
            if urlsplit(url).hostname != host or not url.startswith(("http://", "https://")):
                continue
            if "next" in link.attrib.get("rel", "").split():
                yield self.request(url, meta={_LISTING: self.listing_of(response)})
                continue
            if not self.follow.search(url):
                continue
            lastmod = link.attrib.get("data-lastmod") or link.xpath(
                "ancestor::*[self::li or self::tr or self::article][1]//time/@datetime"
            ).get("")
            for request in self.page_request(run, url, lastmod.strip()):
                request.meta[_LISTING] = self.listing_of(response)
                yield request

    def remember_page(self, response: Response, slugs: list[str]) -> None:
        """Record a page a sitemap listed in the state index; no slugs (no job, or none kept)
        also replaces what was known, so the page is fetched again next time."""
        run = content_run(self.crawler)
        url = response.meta.get(_PAGE_URL)
        if run is None or not url:
            return
        run.index.remember_page(
            url, slugs,
            lastmod=text(response.meta.get("lastmod")),
            etag=header(response, "ETag"),
            last_modified=header(response, "Last-Modified"),
        )  # fmt: skip

    def page_jobs(self, response: Response) -> list[dict[str, Any]]:
        """The JobPosting nodes of a page's JSON-LD blocks and microdata items; an unreadable
        block is a WARNING (counted as a dropped job when it mentions JobPosting)."""
        if not isinstance(response, TextResponse):
            self.logger.warning("%s: %s is not a text page: skipped", self.name, response.url)
            self.skipped("not_a_page")
            return []
        nodes: list[dict[str, Any]] = []
        for number, block in enumerate(response.xpath(_LD_JSON), 1):
            source = block.xpath("string(.)").get() or ""
            try:
                data = load_jsonld(source)
            except ValueError as error:
                self.logger.warning(
                    "%s: %s: JSON-LD block %d is not JSON even read leniently (%s): skipped",
                    self.name, response.url, number, error,
                )  # fmt: skip
                assert self.crawler.stats is not None
                self.crawler.stats.inc_value("jobscrape/jsonld/invalid")
                if "JobPosting" in source:
                    self.job_records_read()
                    self.crawler.stats.inc_value("jobscrape/dropped/invalid_jsonld")
                continue
            nodes.extend(job_nodes(data))
        nodes.extend(microdata_item(scope) for scope in response.xpath(_MICRODATA))
        if not nodes:
            self.logger.info("%s: %s has no JobPosting", self.name, response.url)
        return nodes

    def posting_in(
        self, response: Response, feed: Any, record: dict[str, Any]
    ) -> JobPosting | None:
        return self.posting_from_node(record, response.url)

    def posting_from_node(self, node: dict[str, Any], page_url: str) -> JobPosting:
        """Map one JobPosting node onto a JobPosting, raw values untouched."""
        organization = first(node.get("hiringOrganization"))
        company = name_of(organization)
        logo = url_of(organization.get("logo")) if isinstance(organization, dict) else ""
        identifier = first(node.get("identifier"))
        if isinstance(identifier, dict):
            identifier = identifier.get("value")
        # a logo or image may be relative to the page
        logo = urljoin(page_url, logo) if logo else ""
        image = url_of(node.get("image"))
        image = urljoin(page_url, image) if image else ""
        url = url_of(node.get("url"))
        if domain_of(url) != domain_of(page_url) or not url.startswith(("https://", "http://")):
            url = page_url  # WWR's url is the company's site; the job is the page
        kinds = node.get("jobLocationType")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        telecommute = any(text(kind).strip().upper() == "TELECOMMUTE" for kind in kinds)
        where = places_text(node.get("applicantLocationRequirements")) or places_text(
            node.get("jobLocation")
        )
        location = (f"Remote: {where}" if where else "Remote") if telecommute else where
        employment = node.get("employmentType")
        employment = employment if isinstance(employment, list) else [employment]
        description = node.get("description")
        posted = text(first(node.get("datePosted")))
        return self.posting(
            text(first(identifier)),
            url=url,
            apply_url=url,
            title_raw=text(first(node.get("title"))),
            company_raw=company,
            tags_raw=tags_of(node.get("occupationalCategory"), node.get("skills")),
            date_raw=posted,
            logo_url=logo or image,
            description_raw=unescape_markup(description) if isinstance(description, str) else "",
            location=location,
            employment_type=", ".join(text(kind) for kind in employment if text(kind)),
            remote=telecommute or "remote" in location.lower(),
            expires_raw=future_date(first(node.get("validThrough"))),
            **salary_of(first(node.get("baseSalary"))),
        )

    def posting(self, board_id: object, **fields: Any) -> JobPosting:
        """A posting whose path is ``/post-<domain>-<id>/``, the domain the job page's host."""
        posting = super().posting(board_id, **fields)
        posting.slug = f"post-{domain_of(fields.get('url') or '')}-{posting.source_id}"
        return posting
