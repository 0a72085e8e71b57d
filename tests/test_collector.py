"""GarbageCollection: the collector runs less often during a crawl, as before after it."""

from __future__ import annotations

import gc

import pytest
from scrapy.exceptions import NotConfigured

from jobscrape.collector import GarbageCollection
from jobscrape.spiders.remoteok import RemoteokSpider
from tests.conftest import make_crawler


def test_the_collector_runs_less_often_while_the_engine_runs():
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    extension = GarbageCollection.from_crawler(make_crawler(RemoteokSpider, GC_THRESHOLD=50_000))
    try:
        extension.engine_started()
        assert gc.get_threshold() == (50_000, *before[1:])
        assert gc.get_freeze_count() > frozen  # the objects alive at the start
    finally:
        extension.engine_stopped()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_a_threshold_of_0_leaves_the_collector_alone():
    with pytest.raises(NotConfigured):
        GarbageCollection.from_crawler(make_crawler(RemoteokSpider, GC_THRESHOLD=0))
    assert (
        "jobscrape.collector.GarbageCollection"
        in make_crawler(RemoteokSpider).settings["EXTENSIONS"]
    )
