"""ChooseImagesPipeline: every post gets one image, the company logo or the board's default."""

from __future__ import annotations

from jobscrape.items import JobPosting
from jobscrape.pipelines import PostingPipeline
from jobscrape.text import plain_text


class ChooseImagesPipeline(PostingPipeline):
    """Guarantees ``images`` is ``[logo_url]`` for an http(s) logo, else ``[DEFAULT_IMAGE]``
    (a per-spider setting), else empty."""

    in_worker = True

    def process_item(self, item: JobPosting) -> JobPosting:
        logo = plain_text(item.logo_url)
        if logo.startswith(("https://", "http://")):
            item.images = [logo]
        else:
            default = self.crawler.settings.get("DEFAULT_IMAGE") or ""
            item.images = [default] if default else []
        return item
