"""The base class of every board spider."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from jobscrape.digests import DigestSet, value_hash
from jobscrape.items import DEFAULT_CATEGORY, JobPosting, url_id
from jobscrape.text import tag_values
from jobscrape.writer.run import ContentRun, content_run

OTHER_CATEGORY = "Jobs"
"""The category of a job that is not remote (kept only with ``REMOTE_ONLY = False``)."""
SHORT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")


def text(value: Any) -> str:
    """A record's value as text: numbers written out; ``""`` for null, and for an object or a
    list where text is due (a feed that changed shape must not publish ``{'a': 1}``)."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, dict | list | tuple | set):
        return ""
    return str(value)


def integer(value: Any) -> int | None:
    """A record's value as an int (from an int or a string of digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _DIGITS.match(value.strip()):
        return int(value.strip())
    return None


_DIGITS = re.compile(r"^-?[0-9]+$")  # ASCII digits: "²³".isdigit() is True, int() refuses it


def json_text(response: Response) -> str:
    """The body of a JSON answer as text: in the charset the answer names when its bytes are
    that charset, else UTF-8 (what JSON is), else Windows-1252 (a board that sends Latin-1
    and calls it UTF-8); mojibake of the other way round is repaired later, by ftfy."""
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    declared = content_type.partition("charset=")[2].split(";")[0].strip().strip("\"'")
    for encoding in (declared, "utf-8-sig", "cp1252"):
        if not encoding:
            continue
        try:
            return response.body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return response.body.decode("utf-8", "replace")


def flag(value: Any) -> bool:
    """A spider argument as a bool: ``0``, ``false``, ``no``, ``off`` (any case) are False."""
    return str(value).strip().lower() not in {"0", "false", "no", "off", ""}


_REMOTE = re.compile(r"\bremote\b", re.IGNORECASE)


def remote_flag(value: Any, *places: str) -> bool | None:
    """A source's remote flag when it is a bool, else True when a location says "remote", else
    None (unknown: not left out by ``REMOTE_ONLY``)."""
    if isinstance(value, bool):
        return value
    return True if any(_REMOTE.search(place or "") for place in places) else None


def salary_amount(value: Any) -> float | None:
    """A salary bound as a number; None for null, text that is no number, and the 0 boards
    write when they do not know."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        amount = float(value)
    except (TypeError, ValueError, OverflowError):  # 10**400 is no salary
        return None
    return amount if amount > 0 else None


def salary_fields(low: Any, high: Any, currency: Any, period: Any) -> dict[str, Any]:
    """JobPosting salary fields from a board's numbers: currency and period only when there is
    an amount, and ``salary_raw`` saying what the board gave (``54000-98000 USD yearly``)."""
    low, high = salary_amount(low), salary_amount(high)
    if low is None and high is None:
        return {}
    currency, period = text(currency).strip(), text(period).strip()
    amounts = "-".join(f"{amount:g}" for amount in (low, high) if amount is not None)
    return {
        "salary_raw": " ".join(part for part in (amounts, currency, period) if part),
        "salary_min": low,
        "salary_max": high,
        "salary_currency": currency,
        "salary_period": period,
    }


def tags_of(*values: Any) -> list[str]:
    """Tag strings from several fields (lists, comma-joined strings, PHP sparse arrays)."""
    return [tag for value in values for tag in tag_values(value)]


class BoardResponseError(ValueError):
    """A board answered with something that is not its feed (an HTML error page, bad JSON)."""


class JobBoardSpider(scrapy.Spider):
    """A spider that reads one job board's feed and yields a JobPosting per job record.

    Subclasses set:

    - ``name``: the board's name, also the ``source`` of its postings and part of their path
      (``/post-<name>-<id>/``);
    - ``start_url``: the feed's URL (``-a url=...`` overrides it);
    - ``custom_settings``: the board's politeness limits and its ``DEFAULT_IMAGE``, and
      ``politeness``: those limits in words;

    and, for a JSON feed, ``records_key`` and ``posting_from(record)``, which returns
    ``self.posting(board_id, url=..., ...)``; paged boards also implement ``next_page_url``.
    The default ``parse`` counts every job record read (``jobscrape/records/read``; a run that
    reads none fails), whether or not it becomes a post. A feed of another kind overrides
    ``parse``, calling ``self.job_records_read()`` once per record. Every request is made with
    ``self.request(url)``, so that a failed page fails the run (the posts of the pages read
    before it are written).
    """

    start_url: ClassVar[str] = ""
    needs_url: ClassVar[bool] = False
    """True for spiders with no feed of their own (``-a url=`` required): ``crawlall`` runs
    them only when named."""
    records_key: ClassVar[str | None] = None
    """Where a JSON feed keeps its job records (None: the body is the list)."""
    politeness: ClassVar[str] = ""
    """The board's limits in words (also in the README's politeness table)."""
    slug_prefix: ClassVar[str | None] = None
    """Defaults to ``post-<name>-``."""
    id_from_url: ClassVar[bool] = True
    """Replace an id that is missing or not a short safe token by a hash of the job's URL."""
    max_pages: int = 5
    """Pages a run reads at most, on boards that page (``-a max_pages=N``)."""

    def __init__(
        self,
        *args: Any,
        url: str | None = None,
        max_pages: int | str | None = None,
        remote_only: bool | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.url = url or self.start_url
        self._content_run: ContentRun | None = None  # looked up at the first record
        self._content_run_looked_up = False
        self._record_context: tuple[str, str, str, bool] | None = None
        """What shapes a post beside its record (``record_hash``), once the run is known."""
        self._slugs_read = DigestSet()  # digests, not names: memory must not grow per job
        self.listings_read: set[str] = set()
        """Listings this run read to their last page: their jobs that were not seen expire."""
        self.remote_only = None if remote_only is None else flag(remote_only)
        if max_pages is not None:
            self.max_pages = int(max_pages)
            if self.max_pages < 1:
                raise ValueError(f"{self.name}: max_pages must be at least 1, not {max_pages!r}")

    async def start(self) -> AsyncIterator[Any]:
        yield self.request(self.url)

    def request(self, url: str, callback: Any = None, **kwargs: Any) -> scrapy.Request:
        """A request of this board whose failure (HTTP error, network error) is logged as an
        ERROR naming the URL and the cause, so the run fails."""
        return scrapy.Request(
            url, callback=callback or self.parse, errback=self.request_failed, **kwargs
        )

    def request_failed(self, failure: Failure) -> None:
        """Errback of the board's requests: log the cause as an ERROR."""
        error = failure.value
        if isinstance(error, HttpError):
            response = error.response
            self.logger.error("%s: %s answered HTTP %s", self.name, response.url, response.status)
        elif isinstance(error, IgnoreRequest):
            if "DOWNLOAD_MAXSIZE" in str(error):  # a gzip bomb, or an answer of absurd size
                self.logger.error("%s: %s", self.name, error)
            # else robots.txt, a replayed cassette or a refused redirect said no, and says why

        else:
            request = getattr(failure, "request", None)
            url = request.url if request is not None else self.url
            self.logger.error(
                "%s: %s failed: %s: %s", self.name, url, type(error).__name__,
                failure.getErrorMessage(),
            )  # fmt: skip

    def job_records_read(self, count: int = 1) -> None:
        """Count job records read from the board (``jobscrape/records/read``)."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("jobscrape/records/read", count)

    def parse_json(self, response: Response) -> Any:
        """The JSON body of ``response``; a clear BoardResponseError for anything else."""
        text = json_text(response)
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as error:
            content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
            snippet = " ".join(text[:120].split())
            raise BoardResponseError(
                f"{self.name}: {response.url} answered {response.status} with "
                f"{content_type or 'no content type'} that is not JSON ({error}); "
                f"body starts {snippet!r}"
            ) from None

    def json_records(self, response: Response, key: str | None = None) -> list[dict[str, Any]]:
        """The job records of a JSON feed: the list under ``key`` (or the whole body), keeping
        only objects; anything else is a BoardResponseError."""
        return self.json_feed(response, key)[1]

    def json_feed(
        self, response: Response, key: str | None = None
    ) -> tuple[Any, list[dict[str, Any]]]:
        """The whole JSON feed (for its paging keys) and its job records, as ``json_records``."""
        feed = self.parse_json(response)
        keyed = feed.get(key) if key is not None and isinstance(feed, dict) else None
        records = feed if key is None else keyed
        if not isinstance(records, list):
            where = f"a list under {key!r}" if key else "a list of jobs"
            raise BoardResponseError(
                f"{self.name}: {response.url} answered a JSON {type(feed).__name__} without {where}"
            )
        return feed, [record for record in records if isinstance(record, dict)]

    def next_page(self, response: Response, url: str) -> Iterator[scrapy.Request]:
        """The request of the page after ``response``, unless this run has read ``max_pages``
        pages already (``-a max_pages=N`` on paged boards, default ``max_pages``)."""
        page = response.meta.get("page", 1)
        if page >= self.max_pages:
            self.logger.info("%s: stopping after %d page(s) (max_pages)", self.name, page)
            return
        next_url = response.urljoin(url)
        if urlsplit(next_url).hostname != urlsplit(response.url).hostname:
            self.logger.error("%s: the next page %s leaves the board's host", self.name, next_url)
            return
        yield self.request(next_url, meta={"page": page + 1})

    def posting(self, board_id: object, **fields: Any) -> JobPosting:
        """A JobPosting of this board, its slug made from the board's id, or from a hash of
        ``fields["url"]`` when the id is missing or not a short safe token."""
        source_id = "" if board_id is None else str(board_id).strip()
        if self.id_from_url and not SHORT_ID.match(source_id) and fields.get("url"):
            source_id = url_id(fields["url"])
        prefix = self.slug_prefix if self.slug_prefix is not None else f"post-{self.name}-"
        remote = fields.get("remote")
        fields.setdefault("category", OTHER_CATEGORY if remote is False else DEFAULT_CATEGORY)
        fields.setdefault("listing", self.listing)
        return JobPosting(
            source=self.name, source_id=source_id, slug=f"{prefix}{source_id}", **fields
        )

    @property
    def listing(self) -> str:
        """The listing being read: the board's feed, or the feed ``-a url=`` names (a filtered
        feed is a listing of its own: it must not expire the jobs it leaves out)."""
        return self.name if self.url == self.start_url else f"{self.name}:{self.url}"

    def listing_of(self, response: Response) -> str:
        """The listing ``response`` is a page of."""
        return self.listing

    def listing_read(self, response: Response) -> None:
        """The listing of ``response`` was read to its end (jobs it no longer holds may
        expire)."""
        self.listings_read.add(self.listing_of(response))

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Read a JSON feed: every job record under ``records_key`` becomes a posting
        (``posting_from``), then the next page, if ``next_page_url`` names one."""
        feed, records = self.json_feed(response, self.records_key)
        for record in records:
            if not self.is_job_record(record):
                continue
            self.job_records_read()
            record_hash = self.record_hash(record)
            if record_hash and self.known_record(record_hash):
                continue
            posting = self.mapped(response, feed, record)
            if posting is None:
                continue
            posting.record_hash = record_hash
            if posting.remote is False and self.keeps_remote_only():
                self.skipped("not_remote")
                continue
            if self.unchanged(posting):
                continue
            yield posting
        next_url = self.next_page_url(response, feed, records)
        if next_url:
            yield from self.next_page(response, next_url)
        else:
            self.listing_read(response)

    def mapped(self, response: Response, feed: Any, record: dict[str, Any]) -> JobPosting | None:
        """``posting_in``, or None when the record is so malformed that mapping it raised: the
        record is dropped with a WARNING naming it and the reason (``jobscrape/dropped/
        malformed``), and the other records of the answer are still read."""
        try:
            return self.posting_in(response, feed, record)
        except (
            TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError,
            OverflowError,
        ) as e:  # fmt: skip
            self.malformed(response, record, e)
            return None

    def malformed(self, response: Response, record: Any, error: BaseException) -> None:
        """Drop a record that could not be read: WARNING, ``jobscrape/dropped/malformed``."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("jobscrape/dropped/malformed")
        record_id = "?"
        if isinstance(record, dict):
            for key in ("id", "guid", "identifier", "title", "name"):
                if record.get(key) not in (None, ""):
                    record_id = record[key]
                    break
        self.logger.warning(
            "%s: %s: dropped record %.80r: malformed: %s: %s",
            self.name, response.url, record_id, type(error).__name__, str(error)[:200],
        )  # fmt: skip

    def record_hash(self, record: Any) -> str:
        """A hash of a raw record, with what else shapes its post (the listing, the
        remote-only choice, the mapping and rendering code and settings), for spiders that map
        a record alone (no ``posting_in`` of their own) into a content directory; else "".

        A record whose hash made a live post that is whole on disk needs no mapping at all
        (``known_record``)."""
        context = self._record_context
        if context is None:
            run = self._run()
            if run is None or type(self).posting_in is not JobBoardSpider.posting_in:
                return ""
            context = (run.record_salt, self.name, self.listing, self.keeps_remote_only())
            self._record_context = context  # the same for every record of the run
        try:
            return value_hash((*context, record))
        except RecursionError:
            return ""

    def known_record(self, record_hash: str) -> bool:
        """Whether the record is the very one a live post was made from, and the post is whole
        on disk: seen, counted unchanged. A job read twice in one run goes the long way, to be
        dropped as a repeat."""
        run = self._run()
        assert run is not None
        found = run.index.made_from_record(record_hash, self.listing)
        if found is None or found[0] in self._slugs_read:
            return False
        slug, written, stamp = found
        if not run.seen_whole(slug, written, stamp):
            return False
        self._slugs_read.add(slug)
        self.skipped("unchanged")
        return True

    def _run(self) -> ContentRun | None:
        """The run's ContentRun, looked up at the first record (None: no content directory)."""
        if not self._content_run_looked_up:
            self._content_run_looked_up = True
            self._content_run = content_run(self.crawler)
        return self._content_run

    def unchanged(self, posting: JobPosting) -> bool:
        """Whether the record needs no processing: the content directory holds this job's post
        made from this very record (and the same code and settings): counted unchanged
        (``jobscrape/skipped/unchanged``); or the job was read already in this run: dropped
        as a ``duplicate`` with a WARNING, the first one stands. Without a content directory,
        repeats are left to the pipelines."""
        if posting.slug in self._slugs_read:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("jobscrape/dropped/duplicate")
            self.logger.warning(
                "Dropped: %s: duplicate: %s was already posted in this run",
                posting.label, posting.path,
            )  # fmt: skip
            return True
        run = self._run()
        if run is None:
            return False
        self._slugs_read.add(posting.slug)
        if not run.unchanged(posting):
            return False
        self.skipped("unchanged")
        return True

    def keeps_remote_only(self) -> bool:
        """Whether jobs that are not remote are left out: ``-a remote_only=...``, else the
        ``REMOTE_ONLY`` setting."""
        if self.remote_only is not None:
            return self.remote_only
        return self.crawler.settings.getbool("REMOTE_ONLY", True)

    def is_job_record(self, record: dict[str, Any]) -> bool:
        """Whether an object of the feed is a job (not a notice); every object by default."""
        return True

    def posting_in(
        self, response: Response, feed: Any, record: dict[str, Any]
    ) -> JobPosting | None:
        """``posting_from(record)``; spiders that need the answer around a record (its wrapper,
        the request's company) read it here, with no other record read in between."""
        return self.posting_from(record)

    def posting_from(self, record: dict[str, Any]) -> JobPosting | None:
        """Map one job record onto a JobPosting, raw values untouched; None to leave out a job
        on purpose (count it under ``jobscrape/skipped/<reason>``)."""
        raise NotImplementedError(f"{type(self).__name__} must implement posting_from()")

    def next_page_url(self, response: Response, feed: Any, records: list[Any]) -> str | None:
        """The URL of the feed's next page: by default the answer's ``Link: <url>;
        rel="next"`` header (RFC 8288), if any; boards that page otherwise say how."""
        for link in response.headers.getlist(b"Link"):
            for part in link.decode("latin-1").split(","):
                target, _, params = part.partition(";")
                if re.search(r"""\brel\s*=\s*"?next\b""", params) and target.strip().startswith(
                    "<"
                ):
                    return target.strip()[1:].split(">", 1)[0]
        return None

    def skipped(self, reason: str) -> None:
        """Count a job record left out on purpose (``jobscrape/skipped/<reason>``)."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"jobscrape/skipped/{reason}")
