"""PostingPipelineManager: the item pipelines called one after another in plain calls."""

from __future__ import annotations

import inspect
from typing import Any

from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.defer import ensure_awaitable
from scrapy.utils.python import global_object_name
from twisted.internet.defer import Deferred

from jobscrape.items import JobPosting


class PostingPipelineManager(ItemPipelineManager):
    """Scrapy's item pipeline manager (``ITEM_PROCESSOR``), with each pipeline's result awaited
    only when it is awaitable (a coroutine, or a Deferred, with Scrapy's deprecation warning):
    a posting goes through a dozen synchronous pipelines without a dozen coroutine round
    trips. Pipelines whose ``process_item`` still takes the spider get it, as in Scrapy."""

    async def process_item_async(self, item: Any) -> Any:
        requiring_spider = self._mw_methods_requiring_spider
        for method in self.methods["process_item"]:
            assert method is not None
            args = (item, self._spider) if method in requiring_spider else (item,)
            result = method(*args)
            if type(result) is not JobPosting and (
                isinstance(result, Deferred) or inspect.isawaitable(result)
            ):
                result = await ensure_awaitable(result, _warn=global_object_name(method))
            item = result
        return item
