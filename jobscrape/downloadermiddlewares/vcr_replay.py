"""Serve and record Scrapy's HTTP through vcrpy cassettes.

vcrpy patches Python's HTTP clients, not Twisted, so Scrapy's downloads never reach it. This
middleware drives vcrpy's own Cassette instead: requests are matched the way ``vcr.VCR()``
matches them (method, scheme, host, port, path, query) and interactions are stored in vcrpy's
YAML format, so a cassette recorded around ``requests`` replays here and one recorded here
replays under ``vcr.use_cassette``.

``-s VCR_CASSETTE=PATH`` turns it on (``{spider}`` in PATH is the spider's name), or
``-s VCR_CASSETTE_DIR=DIR`` with one cassette per spider, ``DIR/<spider>.yaml``;
``-s VCR_RECORD_MODE=none|once|new_episodes|all`` picks
vcrpy's record mode (default ``none``: replay only, a request the cassette lacks fails the run).
"""

from __future__ import annotations

import http
import logging
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils._compression import (
    _DecompressionMaxSizeExceeded,
    _inflate,
    _unbrotli,
    _unzstd,
)
from scrapy.utils.gz import gunzip
from vcr import matchers
from vcr.cassette import Cassette
from vcr.record_mode import RecordMode
from vcr.request import Request as VcrRequest

logger = logging.getLogger(__name__)

MATCH_ON = (
    matchers.method,
    matchers.scheme,
    matchers.host,
    matchers.port,
    matchers.path,
    matchers.query,
)
SENSITIVE_REQUEST_HEADERS = ("authorization", "proxy-authorization", "cookie")
SENSITIVE_RESPONSE_HEADERS = ("set-cookie", "set-cookie2")
# The decoders of Scrapy's HttpCompressionMiddleware, by Content-Encoding token.
DECODERS = {
    b"gzip": gunzip,
    b"x-gzip": gunzip,
    b"deflate": _inflate,
    b"br": _unbrotli,
    b"zstd": _unzstd,
}


def strip_request_secrets(request: VcrRequest) -> VcrRequest:
    """Recorded requests keep no cookies or credentials."""
    for name in SENSITIVE_REQUEST_HEADERS:
        request.headers.pop(name, None)
    return request


def strip_response_secrets(response: dict[str, Any]) -> dict[str, Any]:
    """Recorded responses keep no cookies."""
    headers = response.get("headers") or {}
    for name in list(headers):
        if name.lower() in SENSITIVE_RESPONSE_HEADERS:
            del headers[name]
    return response


def to_vcr_request(request: Request) -> VcrRequest:
    """A Scrapy request as vcrpy sees one."""
    headers = {
        name.decode("latin-1"): b", ".join(values).decode("latin-1")
        for name, values in request.headers.items()
    }
    return VcrRequest(request.method, request.url, request.body or None, headers)


def _content_codings(headers: Headers) -> list[bytes]:
    return [
        token.strip().lower()
        for value in headers.getlist("Content-Encoding")
        for token in value.split(b",")
        if token.strip()
    ]


def decoded_body(headers: Headers, body: bytes, max_size: int = 0) -> bytes | None:
    """``body`` with every Content-Encoding undone, or None when one cannot be, or when it
    inflates past ``max_size`` bytes (0: no cap)."""
    for coding in reversed(_content_codings(headers)):
        decoder = DECODERS.get(coding)
        if decoder is None:
            return None
        try:
            body = decoder(body, max_size=max_size)
        except Exception:
            return None
    return body


def to_vcr_response(response: Response, max_size: int = 0) -> dict[str, Any]:
    """A Scrapy response in vcrpy's cassette shape.

    Like vcrpy's ``decode_compressed_response``, a compressed body is stored decoded, without
    its Content-Encoding: any HTTP client replays it, and the cassette stays readable. A body
    that inflates past ``max_size`` bytes (0: no cap) is stored as it came, compressed.
    """
    try:
        message = http.HTTPStatus(response.status).phrase
    except ValueError:
        message = ""
    body = response.body
    drop = set()
    if response.headers.get("Content-Encoding"):
        decoded = decoded_body(response.headers, body, max_size)
        if decoded is not None:
            body = decoded
            drop = {"content-encoding", "content-length"}
    headers: dict[str, list[str]] = {}
    for name, values in response.headers.items():
        key = name.decode("latin-1")
        if key.lower() not in drop:
            headers[key] = [value.decode("latin-1") for value in values]
    if drop:
        headers["Content-Length"] = [str(len(body))]
    return {
        "status": {"code": response.status, "message": message},
        "headers": headers,
        "body": {"string": body},
    }


def stored_decoded(headers: Headers, body: bytes, max_size: int = 0) -> bool:
    """Whether ``body`` is already decoded although ``headers`` name a Content-Encoding.

    vcrpy under urllib3 2 records the body urllib3 decoded but keeps the server's
    Content-Encoding (vcrpy issue #719); Scrapy's HttpCompressionMiddleware would fail on it.
    The test decodes at most ``max_size`` bytes (0: no cap): a body that inflates past it (a
    decompression bomb) raises ``_DecompressionMaxSizeExceeded``.
    """
    tokens = _content_codings(headers)
    decoder = DECODERS.get(tokens[-1]) if tokens else None
    if decoder is None or not body:
        return False
    try:
        decoder(body, max_size=max_size)
    except _DecompressionMaxSizeExceeded:
        raise
    except Exception:
        return True
    return False


def from_vcr_response(recorded: dict[str, Any], request: Request, max_size: int = 0) -> Response:
    """A Scrapy response built from a recorded vcrpy response; a compressed body that inflates
    past ``max_size`` bytes (0: no cap) raises ``_DecompressionMaxSizeExceeded``."""
    body = (recorded.get("body") or {}).get("string") or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    headers = Headers()
    for name, values in (recorded.get("headers") or {}).items():
        for value in values if isinstance(values, list) else [values]:
            headers.appendlist(name, str(value))
    if stored_decoded(headers, body, max_size):
        del headers["Content-Encoding"]
    status = int((recorded.get("status") or {}).get("code", 200))
    response_class = responsetypes.from_args(headers=headers, url=request.url, body=body)
    return response_class(
        url=request.url, status=status, headers=headers, body=body, request=request,
        flags=["cassette"],
    )  # fmt: skip


def cassette_in(directory: str | Path, spider: str) -> Path:
    """The cassette of ``spider`` in a ``VCR_CASSETTE_DIR``: ``<dir>/<spider>.yaml``, else
    ``<dir>/<spider>/<spider>.yaml`` (the layout of fixtures/), else the first (missing)."""
    flat = Path(directory) / f"{spider}.yaml"
    nested = Path(directory) / spider / f"{spider}.yaml"
    return nested if not flat.exists() and nested.exists() else flat


class VcrReplayMiddleware:
    """Downloader middleware that answers from, and records into, a vcrpy cassette."""

    def __init__(self, crawler: Crawler, path: str, record_mode: RecordMode) -> None:
        self.crawler = crawler
        if record_mode == RecordMode.NONE and not Path(path).is_file():
            raise FileNotFoundError(
                f"{crawler.spidercls.name}: cassette {path!r} does not exist (record mode none)"
            )
        self.cassette = Cassette.load(
            path=path,
            record_mode=record_mode,
            match_on=MATCH_ON,
            before_record_request=strip_request_secrets,
            before_record_response=strip_response_secrets,
            allow_playback_repeats=True,
        )
        logger.info("Replaying %s (record mode %s, %d interactions)",
                    path, record_mode.value, len(self.cassette))  # fmt: skip

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> VcrReplayMiddleware:
        name = crawler.spidercls.name
        path = str(crawler.settings.get("VCR_CASSETTE") or "").replace("{spider}", name)
        if not path and crawler.settings.get("VCR_CASSETTE_DIR"):
            path = str(cassette_in(crawler.settings.get("VCR_CASSETTE_DIR"), name))
        if not path:
            raise NotConfigured("VCR_CASSETTE is not set")
        mode = crawler.settings.get("VCR_RECORD_MODE") or "none"
        try:
            record_mode = RecordMode(mode)
            if record_mode == RecordMode.ANY:
                raise ValueError(mode)
        except ValueError:
            choices = "|".join(m.value for m in RecordMode if m != RecordMode.ANY)
            raise ValueError(f"VCR_RECORD_MODE must be one of {choices}, not {mode!r}") from None
        # vcrpy logs every recorded response whole at INFO, cookies included, before our
        # hooks strip them: keep that out of cron logs.
        logging.getLogger("vcr").setLevel(logging.WARNING)
        middleware = cls(crawler, str(path), record_mode)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def _inc(self, key: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"vcr/{key}")

    def process_request(self, request: Request) -> Response | None:
        recorded = to_vcr_request(request)
        if self.cassette.can_play_response_for(recorded):
            self._inc("played")
            played = self.cassette.play_response(recorded)
            try:
                return from_vcr_response(played, request, self._max_size(request))
            except _DecompressionMaxSizeExceeded as error:
                return self._too_large(request, error)
        if self.cassette.write_protected:
            return self._missing(request)
        request.meta["vcr_request"] = recorded
        return None

    def _max_size(self, request: Request) -> int:
        """The cap on a decoded body: ``download_maxsize`` meta, else DOWNLOAD_MAXSIZE."""
        return int(
            request.meta.get("download_maxsize", self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
        )

    def _too_large(self, request: Request, error: _DecompressionMaxSizeExceeded) -> Response:
        self._inc("too_large")
        logger.error(
            "Cassette %s: the recorded answer to %s %s inflates past DOWNLOAD_MAXSIZE "
            "(%d B decompressed so far, cap %d B); refusing it",
            self.cassette.path, request.method, request.url, error.decompressed_size,
            error.max_size,
        )  # fmt: skip
        raise IgnoreRequest(f"decompressed body too large: {request.method} {request.url}")

    def _missing(self, request: Request) -> Response:
        if request.url.endswith("/robots.txt"):
            # A cassette recorded without Scrapy (vcrpy around requests) has no robots.txt:
            # read that as "no robots.txt", as Scrapy does for a 404.
            logger.warning("Cassette %s holds no %s; treating it as absent",
                           self.cassette.path, request.url)  # fmt: skip
            self._inc("robots_missing")
            return Response(url=request.url, status=404, request=request, flags=["cassette"])
        assert self.crawler.stats is not None
        self._inc("missing")
        if not self.crawler.stats.get_value("vcr/first_missing"):
            self.crawler.stats.set_value("vcr/first_missing", f"{request.method} {request.url}")
        logger.error(
            "Cassette %s has no recorded response for %s %s (VCR_RECORD_MODE=%s)",
            self.cassette.path, request.method, request.url, self.cassette.record_mode.value,
        )  # fmt: skip
        raise IgnoreRequest(f"not in cassette: {request.method} {request.url}")

    def process_response(self, request: Request, response: Response) -> Response:
        recorded = request.meta.pop("vcr_request", None)
        if recorded is not None and "cassette" not in response.flags:
            self.cassette.append(recorded, to_vcr_response(response, self._max_size(request)))
            self._inc("recorded")
        return response

    def spider_closed(self) -> None:
        # vcrpy's context manager saves through this same call when its block ends.
        self.cassette._save()


def save_cassette(
    path: str | Path,
    interactions: list[tuple[str, str, int, dict[str, list[str]], bytes]],
) -> None:
    """Write a vcrpy cassette of ``(method, url, status, headers, body)`` interactions, as a
    recording run would, replacing any file at ``path``: fixtures are built with this."""
    cassette = Cassette(path=str(path), record_mode=RecordMode.ALL, match_on=MATCH_ON)
    for method, url, status, headers, body in interactions:
        response = {
            "status": {"code": status, "message": http.HTTPStatus(status).phrase},
            "headers": headers,
            "body": {"string": body},
        }
        cassette.append(VcrRequest(method, url, None, {}), response)
    cassette._save(force=True)
