"""The scraped-item DEBUG line: a posting's label, and not made at all when not shown."""

from __future__ import annotations

from jobscrape.items import JobPosting
from jobscrape.logformatter import PostingLogFormatter
from jobscrape.spiders.remoteok import RemoteokSpider
from tests.conftest import make_crawler


def scraped_line(**settings):
    crawler = make_crawler(RemoteokSpider, **settings)
    formatter = PostingLogFormatter.from_crawler(crawler)
    item = JobPosting(source="remoteok", source_id="7", slug="post-7", title="Engineer")
    return formatter.scraped(item, None, crawler._create_spider())


def test_at_debug_the_line_names_the_posting_not_the_whole_item():
    line = scraped_line(LOG_LEVEL="DEBUG")
    assert line["args"]["item"] == "remoteok:7 'Engineer'"


def test_above_debug_no_line_is_made():
    assert scraped_line(LOG_LEVEL="INFO") is None
    assert scraped_line(LOG_LEVEL="DEBUG", LOG_ENABLED=False) is None
