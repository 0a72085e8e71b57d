"""Retry 429 and 503 answers after the delay their ``Retry-After`` header asks for.

Scrapy's RetryMiddleware retries at once, which a board that asked us to wait reads as being
pressed again. This subclass takes its place (priority 550): a 429 or 503 with a valid
``Retry-After`` (delta seconds, or an HTTP date) is retried after that delay, capped by
``RETRY_AFTER_MAX`` seconds, and the wait is a coroutine sleep, so other requests go on
meanwhile. Without the header (or with one that is not valid) Scrapy's behaviour is kept, and
an answer replayed from a cassette is retried at once (there is no server to spare).
Retries are counted and given up as Scrapy does: after ``RETRY_TIMES`` retries, "Gave up
retrying <GET url> (failed N times): 429 Too Many Requests" is logged at ERROR (so the run
fails), and the answer goes on to the spider's errback.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message

if TYPE_CHECKING:
    from scrapy.http import Request, Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

RETRY_AFTER_CODES = frozenset({429, 503})
DEFAULT_RETRY_AFTER_MAX = 120.0
_POLL = 0.25  # seconds between checks that the engine still runs while waiting


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """The delay a ``Retry-After`` value asks for, in seconds (0 for a date in the past), or
    None when the value is missing or neither delta seconds nor an HTTP date."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000": HTTP dates are in GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class RetryAfterMiddleware(RetryMiddleware):
    """RetryMiddleware that waits as long as a 429 / 503 answer's ``Retry-After`` asks."""

    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", DEFAULT_RETRY_AFTER_MAX)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if (
            request.meta.get("dont_retry", False)
            or response.status not in RETRY_AFTER_CODES
            or response.status not in self.retry_http_codes
        ):
            return super().process_response(request, response)
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        if asked is None:
            return super().process_response(request, response)
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response  # given up, logged at ERROR by Scrapy
        wait = max(0.0, min(asked, self.retry_after_max))
        capped = f" (capped by RETRY_AFTER_MAX={self.retry_after_max:g})" if wait < asked else ""
        if "cassette" in response.flags:
            wait, capped = 0.0, " (replayed from a cassette: no server to wait for)"
        logger.info(
            "%s answered %d with Retry-After %g s: retrying in %.1f s%s (retry %d)",
            request.url, response.status, asked, wait, capped, retry.meta["retry_times"],
        )  # fmt: skip
        if not await self._wait(wait):
            logger.info("Not retrying %s: the crawl is stopping", request.url)
            return response
        return retry

    async def _wait(self, seconds: float) -> bool:
        """Sleep ``seconds`` without blocking other requests; False when the engine stopped
        meanwhile (a SIGTERM must not wait out a long Retry-After)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            await sleep(min(left, _POLL))
            engine = getattr(self.crawler, "engine", None)
            if engine is not None and not engine.running:
                return False
        return True
