"""The base class of every board spider."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response, TextResponse

from jobscrape.items import JobPosting


class BoardResponseError(ValueError):
    """A board answered with something that is not its feed (an HTML error page, bad JSON)."""


class JobBoardSpider(scrapy.Spider):
    """A spider that reads one job board's feed and yields a JobPosting per job record.

    Subclasses set:

    - ``name``: the board's name, also the ``source`` of its postings;
    - ``start_url``: the feed's URL (``-a url=...`` overrides it);
    - ``custom_settings``: the board's politeness limits and its ``DEFAULT_IMAGE``;

    and implement ``parse``, calling ``self.job_records_read()`` once per job record found
    (whether or not it becomes a post: a run that reads no record at all fails) and
    ``self.parse_json(response)`` to read a JSON body.
    """

    start_url: ClassVar[str] = ""
    slug_prefix: ClassVar[str] = "post-"

    def __init__(self, *args: Any, url: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.url = url or self.start_url

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(self.url, callback=self.parse)

    def job_records_read(self, count: int = 1) -> None:
        """Count job records read from the board (``jobscrape/records/read``)."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("jobscrape/records/read", count)

    def parse_json(self, response: Response) -> Any:
        """The JSON body of ``response``; a clear BoardResponseError for anything else."""
        if isinstance(response, TextResponse):
            text = response.text
        else:
            text = response.body.decode("utf-8", "replace")
        try:
            return json.loads(text)
        except ValueError as error:
            content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
            snippet = " ".join(text[:120].split())
            raise BoardResponseError(
                f"{self.name}: {response.url} answered {response.status} with "
                f"{content_type or 'no content type'} that is not JSON ({error}); "
                f"body starts {snippet!r}"
            ) from None

    def posting(self, source_id: object, **fields: Any) -> JobPosting:
        """A JobPosting of this board with the post slug made from the board's id."""
        text_id = "" if source_id is None else str(source_id).strip()
        return JobPosting(
            source=self.name,
            source_id=text_id,
            slug=f"{self.slug_prefix}{text_id}",
            **fields,
        )

    def parse(self, response: Response, **kwargs: Any) -> Iterable[Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement parse()")
