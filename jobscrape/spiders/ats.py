"""The base of spiders that read companies' own boards on an applicant-tracking platform."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar

from scrapy.http import Response

from jobscrape.companies import DEFAULT_COMPANIES_FILE, Company, load_companies
from jobscrape.items import JobPosting
from jobscrape.spiders.base import JobBoardSpider


class AtsBoardSpider(JobBoardSpider):
    """Reads every company of ``companies.toml`` on one platform (``-a board=<token>`` reads
    one board, listed or not).

    Subclasses set ``name`` (the platform), ``board_url`` (a template with ``{board}``, and
    ``{region}`` where the platform has regions), ``records_key``, ``politeness`` and
    ``custom_settings``, and implement ``posting_from(record)``, calling
    ``self.posting(job_id, ...)``: the path becomes ``/post-<platform>-<board>-<id>/``, the
    company's name, logo and tags from the companies file fill what the job lacks.
    """

    board_url: ClassVar[str] = ""

    def __init__(self, *args: Any, board: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.board = board
        self.company: Company | None = None  # the board whose answer is being read

    def companies(self) -> list[Company]:
        """The companies this run reads: the ``-a board`` one, else every one listed."""
        path = self.crawler.settings.get("COMPANIES_FILE") or DEFAULT_COMPANIES_FILE
        listed = [company for company in load_companies(path) if company.platform == self.name]
        if self.board is None:
            return listed
        chosen = [company for company in listed if company.board == self.board]
        return chosen or [Company(platform=self.name, board=self.board)]

    async def start(self) -> AsyncIterator[Any]:
        companies = self.companies()
        if not companies:
            self.logger.error(
                "%s: no company is listed for this platform in the companies file; "
                "add one or name a board with -a board=<token>", self.name
            )  # fmt: skip
            return
        if self.url:
            yield self.request(self.url, meta={"company": companies[0]})
            return
        for company in companies:
            yield self.request(self.board_api_url(company), meta={"company": company})

    def board_api_url(self, company: Company) -> str:
        """The first request of ``company``'s board: ``board_url`` with its token (and, where
        the platform has regions, ``{region}`` as ``<region>.``, empty for the default one)."""
        region = company.region.strip().strip(".").lower()
        return self.board_url.format(board=company.board, region=f"{region}." if region else "")

    def posting_in(
        self, response: Response, feed: Any, record: dict[str, Any]
    ) -> JobPosting | None:
        # set right before the record is mapped: answers of several boards may interleave
        self.company = response.meta.get("company") or Company(self.name, self.board or "")
        return super().posting_in(response, feed, record)

    @property
    def listing(self) -> str:
        """The company's board being read (or the feed ``-a url=`` names)."""
        if self.url:
            return f"{self.name}:{self.url}"
        company = self.company or Company(self.name, self.board or "")
        return f"{self.name}/{company.board}"

    def listing_of(self, response: Response) -> str:
        if self.url:
            return f"{self.name}:{self.url}"
        company = response.meta.get("company") or Company(self.name, self.board or "")
        return f"{self.name}/{company.board}"

    def posting(self, board_id: object, **fields: Any) -> JobPosting:
        """A posting of the company being read: path ``/post-<platform>-<board>-<id>/``;
        company name, logo and tags from the companies file where the job has none."""
        company = self.company or Company(self.name, self.board or "")
        fields.setdefault("company_raw", "")
        fields["company_raw"] = fields["company_raw"] or company.name or company.board
        fields["logo_url"] = fields.get("logo_url") or company.logo
        fields["tags_raw"] = [*(fields.get("tags_raw") or []), *company.tags]
        posting = super().posting(board_id, **fields)
        posting.slug = f"post-{self.name}-{company.board}-{posting.source_id}"
        return posting
