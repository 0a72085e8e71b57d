"""One run's hold on the content directory: the state index, the run's time, and at the end of
the run the expiry of jobs that vanished, behind the outage guard.

A job expires (its post gets ``expiryDate``, the run's time, after its other keys; Hugo stops
publishing it, the file stays) when a listing read to its end no longer holds it, or when its
own expiry date has passed. The guard: a run that failed or was cut short expires nothing, and a
listing that holds fewer than ``EXPIRY_MIN_RATIO`` (default half) of the jobs it held last time
expires nothing and fails the run with an ERROR saying so. ``EXPIRED_DELETE_AFTER_DAYS``
(default off) removes posts that have been expired for that many days.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import logging
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

from jobscrape.items import JobPosting
from jobscrape.renderer import EXPIRY_KEY, rerender
from jobscrape.report import FirstErrorHandler, failure_reason
from jobscrape.text import match_key
from jobscrape.writer.content_dir import (
    ContentDirectory,
    ContentDirUnwritable,
    UnsafePostPath,
    content_root,
)
from jobscrape.writer.staging import ROW_COLUMNS, Row, index_full
from jobscrape.writer.state import StateIndex, content_hash, utc_now

logger = logging.getLogger(__name__)

DISK_FULL = os.strerror(errno.ENOSPC)


STAMPS_EVERY = 256
"""Posts recorded between takings of the writer's stamps (memory stays flat)."""


RENDER_SETTINGS = (
    "DEFAULT_IMAGE", "POST_EXTRA_FIELDS", "REMOTE_ONLY", "MAX_TAGS", "MAX_TITLE_CHARS",
    "MAX_COMPANY_CHARS", "MAX_DESCRIPTION_CHARS", "DUPLICATE_WINDOW_DAYS",
)  # fmt: skip
"""Settings that shape a post from its record."""
_RENDER_CODE = ("pipelines", "renderer", "text.py", "salary.py", "items.py")
_MAPPING_CODE = ("spiders", "companies.py", "text.py", "items.py")
"""What maps a board's record onto a posting: part of ``ContentRun.record_salt``."""


@functools.cache
def _code_hash(names: tuple[str, ...] = _RENDER_CODE) -> str:
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.blake2b(digest_size=16)
    for name in names:
        for path in (
            sorted((package / name).rglob("*.py"))
            if (package / name).is_dir()
            else [package / name]
        ):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def render_salt(settings: BaseSettings) -> str:
    """What, beside a record, decides its post: the code of the pipelines and the renderer,
    and the settings they read. A change of either makes every record processed again."""
    values = {name: settings.get(name) for name in RENDER_SETTINGS}
    return f"{_code_hash()}:{json.dumps(values, sort_keys=True, default=str)}"


def content_run(crawler: Crawler) -> ContentRun | None:
    """The crawler's ContentRun once its spider is open; None before, or when the crawler
    writes no content directory."""
    try:
        run = crawler.get_extension(ContentRun)
    except RuntimeError:
        return None
    return run if run is not None and run.is_open else None


class ContentRun:
    """Extension (in ``EXTENSIONS``): opens the content directory's state index for the run,
    counts the run's errors, and expires vanished jobs when the spider closes."""

    def __init__(self, crawler: Crawler, root: str) -> None:
        self.crawler = crawler
        self.directory = ContentDirectory(
            root,
            fsync=crawler.settings.getbool("CONTENT_FSYNC", True),
            batch=crawler.settings.getint("CONTENT_WRITE_BATCH", 1),
        )
        self._index: StateIndex | None = None
        self.run = ""
        """The run's id, set when the spider opens: posts it saw have ``last_seen >= run``."""
        self.now = ""
        """The run's time in RFC 3339, for ``expiryDate``."""
        settings = crawler.settings
        self.extra_fields = tuple(settings.getlist("POST_EXTRA_FIELDS"))
        self.min_ratio = settings.getfloat("EXPIRY_MIN_RATIO", 0.5)
        self.delete_after = settings.getfloat("EXPIRED_DELETE_AFTER_DAYS", 0)
        self.errors = FirstErrorHandler()
        self.salt = ""
        self.record_salt = ""
        self._wrote = 0
        self._index_full = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContentRun:
        root = content_root(crawler.settings)
        if root is None:
            raise NotConfigured("no content: feed")
        extension = cls(crawler, root)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        started = datetime.now(UTC)
        self.run = started.isoformat(timespec="microseconds")
        self.now = started.isoformat(timespec="seconds")
        logging.getLogger().addHandler(self.errors)
        self._index = StateIndex.of(self.directory.root, durable=self.directory.fsync)
        self.salt = render_salt(self.crawler.settings)
        self.record_salt = f"{self.salt}:{_code_hash(_MAPPING_CODE)}"
        """``salt`` and the code that maps records (spiders): for hashes of raw records."""

    @property
    def is_open(self) -> bool:
        return self._index is not None

    @property
    def index(self) -> StateIndex:
        """The content directory's state index, open from ``spider_opened`` on (a crawler that
        never runs touches no directory)."""
        if self._index is None:
            raise RuntimeError("the content directory's index opens with the spider")
        return self._index

    # -- during the run ------------------------------------------------------------------------

    def row(self, posting: JobPosting) -> Row:
        """The post's row of the state index (``staging.ROW_COLUMNS``), as the run records it;
        the content hash and the file's stamp come with its write."""
        return (
            posting.slug, posting.source, posting.source_id, posting.listing or posting.source,
            posting.url, self.run, posting.expires or None, posting.expiry_date or None,
            posting.date, match_key(posting.company), match_key(posting.title),
            posting.source_hash or posting.hash_source(self.salt), posting.record_hash or None,
        )  # fmt: skip

    def wrote(self, posting: JobPosting, outcome: str, row: Row | None = None) -> None:
        """Record a post the writer wrote (or found unchanged) in the index; ``row``: the row
        the post's write took to the writer process (``ContentDirectory.write``), staged
        there once a new or changed post is written."""
        self._wrote += 1
        try:
            if self._wrote % STAMPS_EVERY == 0:
                self._take_stamps()
            if row is not None and outcome in ("new", "updated"):
                self.index.stage(row)  # now and then, the staged rows are merged
            elif outcome == "kept":  # overwrite off: the file on disk is what counts
                self._record(posting, self.directory.read_bytes(posting.slug))
            else:
                self._record(posting, posting.post_text.encode("utf-8"))
        except sqlite3.OperationalError as error:
            if not index_full(error):
                raise
            raise ContentDirUnwritable(
                errno.ENOSPC,
                f"cannot write {posting.slug} into {self.directory.root}: {DISK_FULL} (the "
                "state index is full)",
            ) from error

    def _record(self, posting: JobPosting, data: bytes) -> None:
        self.index.record_post(
            **dict(zip(ROW_COLUMNS, self.row(posting), strict=True)), hash_=content_hash(data)
        )

    def unchanged(self, posting: JobPosting) -> bool:
        """Whether ``posting`` would render to the live post the index holds (the same record,
        code and settings): then the post is seen, counted unchanged, and the record needs no
        further work."""
        # the hash of a record mapped alone covers the salt, and every field is made from it:
        # the posting's fields need no second hash
        posting.source_hash = posting.record_hash or posting.hash_source(self.salt)
        listing = posting.listing or posting.source
        found = self.index.made_from(posting.slug, posting.source_hash, listing)
        return found is not None and self.seen_whole(posting.slug, *found)

    def seen_whole(self, slug: str, written: str, stamp: str) -> bool:
        """Whether the post holds the bytes the index says it was written with (``written``,
        their hash; ``stamp``, its file's, if known); if so it is seen by this run and counted
        unchanged."""
        try:
            # the file as it was written (same size, mtime and inode) needs no reading
            on_disk = self.directory.stamp(slug)
            if not stamp or on_disk != stamp:
                if content_hash(self.directory.read_bytes(slug)) != written:
                    return False  # edited or damaged by hand: write it again
                if on_disk:
                    self.index.set_stamps([(slug, on_disk, written)])
        except (OSError, UnsafePostPath):
            return False  # removed by hand: write it again
        self.index.touch_later(slug, self.run)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("jobscrape/posts/unchanged")
        return True

    def seen_unchanged(self, slugs: list[str]) -> int:
        """Posts whose page was not fetched because it did not change: seen, unchanged."""
        touched = self.index.touch(slugs, self.run)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("jobscrape/posts/unchanged", touched)
        return touched

    def add_source(self, slug: str, url: str) -> None:
        """``url`` is the same job as the post ``slug``, on another board."""
        if not url or not self.index.add_source(slug, url):
            return
        record = self.index.get(slug)
        if record is not None and "sources" in self.extra_fields:
            self._patch(slug, {"sources": record.other_sources})

    def _patch(self, slug: str, changes: dict[str, Any]) -> bool:
        """Rewrite the front matter of an existing post; False when it is gone or unreadable."""
        try:
            text = rerender(self.directory.read_text(slug), changes, self.extra_fields)
            self.directory.write(slug, text)
        except (OSError, ValueError, TypeError, UnsafePostPath) as error:
            # a post edited by hand into something unreadable stays as it is
            logger.warning("Cannot update the post %s: %s", slug, error)
            return False
        self.index.set_hash(slug, content_hash(text.encode("utf-8")))
        return True

    # -- at the end ----------------------------------------------------------------------------

    def spider_closed(self, spider: Spider, reason: str) -> None:
        logging.getLogger().removeHandler(self.errors)
        if not self.is_open:
            return
        stats = self.crawler.stats
        assert stats is not None
        try:
            unwritten = self._flush()  # the error handler is gone: a failure here counts too
            failure = unwritten or failure_reason(
                {**stats.get_stats(), "finish_reason": reason}, self.errors
            )
            if failure:
                stats.set_value("jobscrape/expiry/withheld", 1)
                logger.warning("%s: expiring nothing: the run failed (%s)", spider.name, failure)
                return
            read_whole = set(getattr(spider, "listings_read", ()))
            partial = self._partial_answers(spider.name)
            for listing in sorted(read_whole | set(self.index.listings_seen(self.run))):
                try:
                    vanished = listing in read_whole and not partial
                    self._expire(listing, vanished=vanished)
                except Exception:  # one listing's trouble must not stop the others'
                    logger.exception("%s: expiring the jobs of %s failed", spider.name, listing)
        finally:
            self._flush()

    def _flush(self) -> str:
        """Every post handed to the writer written, and every row of the index, committed: a
        failure is the run's ERROR, and what this returns (else "")."""
        failed = ""
        try:
            self.directory.sync()
        except ContentDirUnwritable as error:
            failed = error.strerror or str(error)
            logger.error("%s", failed)
        try:
            self.index.merge_staged()
            self._take_stamps()
            self.index.commit()
            self.index.build_indexes()  # for the expiry, and the next run: the rows are in
        except sqlite3.OperationalError as error:
            if not index_full(error):
                raise
            if not self._index_full:  # the rows are lost: said once
                self._index_full = True
                message = f"cannot write the state index of {self.directory.root}: {DISK_FULL}"
                logger.error("%s", message)
                failed = failed or message
        return failed

    def _take_stamps(self) -> None:
        """The stamps of the posts the writer process wrote, into the index: the next run
        finds them unchanged without reading them."""
        stamps = self.directory.take_stamps()
        # a post's file is <slug>.md (ContentDirectory._file): its name without the suffix
        self.index.set_stamps(
            [(os.path.basename(path)[:-3], stamp, hash_) for path, stamp, hash_ in stamps]
        )

    def _partial_answers(self, source: str) -> bool:
        """Whether some answers of a run that went well were still incomplete: pages robots.txt
        forbade, records too malformed to read. Their jobs may still be listed: none of the
        run's listings expires vanished jobs (their own expiry dates still count)."""
        stats = self.crawler.stats
        assert stats is not None
        causes = {
            "pages forbidden by robots.txt": stats.get_value("robotstxt/forbidden", 0),
            "malformed records": stats.get_value("jobscrape/dropped/malformed", 0),
        }
        found = ", ".join(f"{count} {cause}" for cause, count in causes.items() if count)
        if found:
            stats.set_value("jobscrape/expiry/withheld", 1)
            logger.warning("%s: not expiring vanished jobs: the answers had %s", source, found)
        return bool(found)

    def _expire(self, listing: str, *, vanished: bool) -> None:
        """Expire the listing's jobs past their own expiry and, when it was read whole,
        ``vanished``, those it no longer holds: behind the guard on how many it holds."""
        stats = self.crawler.stats
        assert stats is not None
        seen = self.index.seen_count(listing, self.run)
        before = self.index.listing_jobs(listing)
        if vanished and before and seen < before * self.min_ratio:
            stats.inc_value("jobscrape/expiry/withheld")
            logger.error(
                "%s: listed %d job(s), fewer than %g of the %d it listed last time: expired "
                "nothing. Is the board failing? (-s EXPIRY_MIN_RATIO=0 accepts the drop)",
                listing, seen, self.min_ratio, before,
            )  # fmt: skip
            return
        gone = {r.slug: r for r in self.index.vanished(listing, self.run)} if vanished else {}
        gone.update((record.slug, record) for record in self.index.past_expiry(listing, self.now))
        expired = 0
        for record in gone.values():
            if self._patch(record.slug, {EXPIRY_KEY: self.now}):
                self.index.mark_expired(record.slug, self.now)
                expired += 1
        if expired:
            stats.inc_value("jobscrape/posts/expired", expired)
            logger.info("%s: %d job(s) gone or past their expiry: expired", listing, expired)
        if not vanished:
            return
        self.index.set_listing_jobs(listing, seen, self.now)
        if self.delete_after > 0:
            cutoff = datetime.now(UTC) - timedelta(days=self.delete_after)
            for record in self.index.expired_before(
                listing, cutoff.isoformat(timespec="seconds"), self.run
            ):
                self._delete(record.slug)

    def _delete(self, slug: str) -> None:
        try:
            self.directory.remove(slug)
        except (OSError, UnsafePostPath) as error:
            logger.warning("Cannot remove the expired post %s: %s", slug, error)
            return
        self.index.forget(slug)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("jobscrape/posts/deleted")
        logger.info("Removed %s: expired more than %g day(s) ago", slug, self.delete_after)


__all__ = ["ContentRun", "content_root", "content_run", "utc_now"]
