"""DeduplicatePipeline: one post per path per run, and per path whatever its case."""

from __future__ import annotations

from scrapy.crawler import Crawler

from jobscrape.digests import DigestSet
from jobscrape.items import JobPosting
from jobscrape.pipelines import PostingPipeline


class DeduplicatePipeline(PostingPipeline):
    """Guarantees no two postings of a run share a slug, and no posting takes a name that
    differs from an existing post's only in case (the same file on a case-insensitive file
    system, as macOS and Windows have): the first one wins, later ones are dropped
    (``duplicate``, ``case_collision``)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        # what a run has posted, kept small (a run may post a hundred thousand jobs): the
        # digests of the case-folded names, and the first name only when it is not its own
        # case-folded form (a name in lower case is the folded one)
        self.seen = DigestSet()
        self.cased: dict[str, str] = {}

    def process_item(self, item: JobPosting) -> JobPosting:
        folded = item.slug.casefold()
        first = self.cased.get(folded, folded) if folded in self.seen else None
        if first == item.slug:
            self.drop(item, "duplicate", f"{item.path} was already posted in this run")
        if first is not None:
            self.drop(item, "case_collision", f"{item.path} differs from /{first}/ only in case")
        run = self.run
        twin = run.index.case_twin(item.slug) if run is not None else None
        if twin is not None:
            self.drop(item, "case_collision", f"{item.path} differs from /{twin}/ only in case")
        self.seen.add(folded)
        if item.slug != folded:
            self.cased[folded] = item.slug
        return item
