"""We Work Remotely's RSS feeds: every job, or one category's."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lxml import etree
from scrapy.http import Response
from scrapy.selector import Selector

from jobscrape.items import JobPosting
from jobscrape.spiders.base import BoardResponseError, JobBoardSpider

CATEGORY_FEED = "https://weworkremotely.com/categories/remote-{}-jobs.rss"
_CATEGORY_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Some guids are /listings/<slug>; the item's own "To apply" link names the same job
# /remote-jobs/<slug>, the form every other item has.
_LISTING = re.compile(r"^(https?://[^/]+)/listings/")
# The feeds declare xmlns:media="http://search.yahoo.com/mrss", without the standard URI's
# trailing slash: match the element by local name and either form of the namespace.
_MEDIA_LOGO = (
    "./*[local-name()='content'][starts-with(namespace-uri(), 'http://search.yahoo.com/mrss')]/@url"
)
# Strict (a truncated feed is an error, not a shorter feed); no DTD, external entity or network.
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def job_url(guid: str) -> str:
    """The job's canonical URL: its guid, a featured ``/listings/`` link read as the
    ``/remote-jobs/`` page it applies to."""
    return _LISTING.sub(r"\1/remote-jobs/", guid.strip())


def split_title(title: str) -> tuple[str, str]:
    """``(company, position)`` from ``Company: Position``, split at the first colon only (a
    position may hold colons of its own); a title without a colon is all position."""
    company, colon, position = title.partition(":")
    return (company, position) if colon else ("", title)


class WeworkremotelySpider(JobBoardSpider):
    """We Work Remotely (https://weworkremotely.com/remote-jobs.rss), RSS 2.0.

    ``-a category=<slug>`` reads ``/categories/remote-<slug>-jobs.rss`` instead (``-a url=``
    overrides both). An item's ``title`` is ``Company: Position``, split at the first colon
    only (``Acme : Dev: Backend ``); ``description`` is HTML escaped into the XML, so one XML
    decode gives the HTML (a logo ``<img>``, a Headquarters/URL block, the ad, a "To apply"
    link); ``pubDate`` and ``expires_at`` are RFC 2822; ``region``, ``country``, ``type`` and
    ``expires_at`` may be missing; the logo is ``media:content/@url`` under a media namespace
    declared without its trailing slash, absent on about a quarter of items. There is no job
    id: the post path is a hash of the job URL (``guid``), so a job listed in several category
    feeds gets one path.
    """

    name = "weworkremotely"
    start_url = "https://weworkremotely.com/remote-jobs.rss"
    politeness = (
        "the feed's <ttl> is 60 minutes: read each feed at most hourly, one feed per run, "
        "2 s between requests"
    )
    custom_settings = {  # noqa: RUF012 (Scrapy reads it as a class attribute)
        # No published crawl delay; a run is robots.txt and one feed, whose <ttl> asks
        # readers to refresh it at most every 60 minutes.
        "DOWNLOAD_DELAY": 2.0,
        # the board's own share image (og:image of its pages)
        "DEFAULT_IMAGE": "https://weworkremotely.com/assets/"
        "wwr-social-fd7d545c56e975b65fae9cf49346aac95a8cdb4774b2c269af89ac8993141380.png",
    }

    def __init__(
        self, *args: Any, category: str | None = None, url: str | None = None, **kwargs: Any
    ) -> None:
        if category is not None and not _CATEGORY_SLUG.match(category):
            raise ValueError(
                f"weworkremotely: category {category!r} is not a slug like 'back-end-programming'"
            )
        feed = CATEGORY_FEED.format(category) if category else None
        super().__init__(*args, url=url or feed, **kwargs)

    def rss_items(self, response: Response) -> list[Selector]:
        """The ``<item>``s of an RSS feed; a clear BoardResponseError for anything else (an
        HTML error page, a truncated or malformed feed)."""
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        answered = (
            f"{self.name}: {response.url} answered {response.status} with "
            f"{content_type or 'no content type'}"
        )
        try:
            root = etree.fromstring(response.body.lstrip(), parser=_XML_PARSER)
        except etree.XMLSyntaxError as error:
            snippet = " ".join(response.body[:120].decode("utf-8", "replace").split())
            raise BoardResponseError(
                f"{answered} that is not well-formed XML ({error}); body starts {snippet!r}"
            ) from None
        if root.getroottree().docinfo.internalDTD is not None:
            # RSS has no use for a DTD; its entities could rewrite or blow up the feed
            raise BoardResponseError(f"{answered}: an XML document with a DTD, not a plain feed")
        feed = Selector(root=root, type="xml")
        if feed.xpath("/rss/channel").get() is None:
            raise BoardResponseError(
                f"{answered}: an XML <{etree.QName(root).localname}> document, not an RSS feed"
            )
        return list(feed.xpath("/rss/channel/item"))

    def parse(self, response: Response, **kwargs: Any) -> Iterator[JobPosting]:
        for item in self.rss_items(response):
            self.job_records_read()
            posting = self.posting_from_item(item)
            if not self.unchanged(posting):
                yield posting
        self.listing_read(response)

    def posting_from_item(self, item: Selector) -> JobPosting:
        """Map one RSS ``<item>`` onto a JobPosting, raw values untouched."""

        def field(name: str) -> str:
            return item.xpath(f"string({name})").get() or ""

        company, position = split_title(field("title"))
        url = job_url(field("guid") or field("link"))
        region, country = field("region").strip(), field("country").strip()
        return self.posting(
            None,  # no job id in the feed: the path is a hash of the job URL
            url=url,
            apply_url=url,  # "To apply" links the job's own page
            title_raw=position,
            company_raw=company,
            tags_raw=item.xpath("category/text()").getall() or [field("type")],
            date_raw=field("pubDate"),
            logo_url=item.xpath(_MEDIA_LOGO).get() or "",
            description_raw=field("description"),
            location=", ".join(part for part in (region, country) if part),
            employment_type=field("type"),
            remote=True,
            expires_raw=field("expires_at"),
        )
