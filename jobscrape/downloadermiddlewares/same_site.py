"""Refuse redirects that leave the board's site.

A board that answers 3xx with a ``Location`` on another site would hand us that site's data as
if it were the board's. This middleware runs its ``process_response`` before Scrapy's
RedirectMiddleware (a higher priority number than its 600) and refuses such a redirect: an
ERROR naming both URLs (so the run fails) and the request is dropped. The same site is the same
registrable domain (public suffix list, bundled with tldextract, never fetched), so
``remoteok.com`` -> ``www.remoteok.com`` or ``api.remoteok.com`` is followed, and
``remotive.com`` -> ``evil.example`` is not. Hosts with no registrable domain (an IP address,
``localhost``) must match exactly, ``www.`` aside, or be a subdomain of the request's host.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest
from tldextract import TLDExtract
from w3lib.url import safe_url_string

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
# the bundled public suffix list only: no download, no cache written
_split = TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.")


def site_of(url: str) -> str:
    """The registrable domain of ``url``'s host (``api.remoteok.com`` -> ``remoteok.com``), or
    its host without ``www.`` when it has none (an IP address, ``localhost``)."""
    host = _host(url)
    return _split(host).top_domain_under_public_suffix or host


def same_site(source: str, target: str) -> bool:
    """Whether a redirect from ``source`` to ``target`` stays on the same site."""
    site, target_site = site_of(source), site_of(target)
    if not site or not target_site:
        return False
    if site == target_site:
        return True
    # no registrable domain (e.g. a made-up suffix): a subdomain of the request's host is fine
    return _host(target).endswith("." + _host(source))


class SameSiteRedirectMiddleware:
    """Downloader middleware that refuses a redirect to another site."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in REDIRECT_CODES or not location:
            return response
        if (
            request.meta.get("dont_redirect", False)
            or request.meta.get("handle_httpstatus_all", False)
            or response.status in request.meta.get("handle_httpstatus_list", ())
            or response.status in getattr(self.crawler.spider, "handle_httpstatus_list", ())
        ):
            return response  # RedirectMiddleware will not follow it either
        target = safe_url_string(location)
        if location.startswith(b"//"):
            target = f"{urlsplit(request.url).scheme}:{target}"
        target = urljoin(request.url, target)
        if urlsplit(target).scheme not in {"http", "https"} or same_site(request.url, target):
            return response
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("jobscrape/redirect_refused")
        logger.error(
            "Refused the redirect of %s to %s (HTTP %d): it leaves the site %s",
            request.url, target, response.status, site_of(request.url),
        )  # fmt: skip
        raise IgnoreRequest(f"redirect of {request.url} to another site: {target}")
