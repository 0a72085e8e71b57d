"""PostingPipelineManager: plain calls in order, awaiting only what is awaitable."""

from __future__ import annotations

import asyncio
import warnings

from jobscrape.items import JobPosting
from jobscrape.pipelines.manager import PostingPipelineManager
from jobscrape.spiders.remoteok import RemoteokSpider
from tests.conftest import make_crawler

CALLS: list[str] = []


class Plain:
    def process_item(self, item):
        CALLS.append("plain")
        item.title = "plain"
        return item


class Coroutine:
    async def process_item(self, item):
        CALLS.append("coroutine")
        await asyncio.sleep(0)
        item.title += "+coroutine"
        return item


class WantsSpider:
    def process_item(self, item, spider):
        CALLS.append(f"spider:{spider.name}")
        return item


def manager_of(*classes):
    pipelines = {f"{__name__}.{cls.__name__}": 100 + n for n, cls in enumerate(classes)}
    crawler = make_crawler(RemoteokSpider, ITEM_PIPELINES=pipelines)
    crawler.spider = crawler._create_spider()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a process_item taking the spider is deprecated
        return PostingPipelineManager.from_crawler(crawler)


def test_pipelines_run_in_order_and_coroutines_are_awaited():
    CALLS.clear()
    manager = manager_of(Plain, Coroutine, WantsSpider)
    item = asyncio.run(
        manager.process_item_async(JobPosting(source="remoteok", source_id="1", slug="post-1"))
    )
    assert item.title == "plain+coroutine"
    assert CALLS == ["plain", "coroutine", "spider:remoteok"]


def test_the_project_uses_it():
    crawler = make_crawler(RemoteokSpider)
    assert crawler.settings["ITEM_PROCESSOR"].endswith("PostingPipelineManager")
