"""RenderPostPipeline: attaches the post text to each posting."""

from __future__ import annotations

from scrapy.crawler import Crawler

from jobscrape.items import JobPosting
from jobscrape.pipelines import PostingPipeline
from jobscrape.renderer import check_extra_fields, render_post


class RenderPostPipeline(PostingPipeline):
    """Guarantees ``post_text`` is the post in the site's exact format, with the extra item
    fields named by ``POST_EXTRA_FIELDS`` after the seven standard keys."""

    in_worker = True

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        # a wrong name stops the run at start-up, not on every item
        self.extra_fields = check_extra_fields(crawler.settings.getlist("POST_EXTRA_FIELDS"))

    def process_item(self, item: JobPosting) -> JobPosting:
        item.post_text = render_post(item, self.extra_fields)
        return item
