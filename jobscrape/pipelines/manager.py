"""PostingPipelineManager: the item pipelines called one after another in plain calls."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Sequence
from typing import Any

from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.defer import ensure_awaitable
from scrapy.utils.python import global_object_name
from twisted.internet.defer import Deferred

from jobscrape.items import JobPosting
from jobscrape.pipelines import PostingDropped, keep_post
from jobscrape.pipelines.worker import RUN_HERE, PipelineWorker, apply


class PostingPipelineManager(ItemPipelineManager):
    """Scrapy's item pipeline manager (``ITEM_PROCESSOR``), with each pipeline's result awaited
    only when it is awaitable (a coroutine, or a Deferred, with Scrapy's deprecation warning):
    a posting goes through a dozen synchronous pipelines without a dozen coroutine round
    trips. Pipelines whose ``process_item`` still takes the spider get it, as in Scrapy.

    The last pipelines whose class sets ``in_worker = True`` run in the pipeline worker
    (``jobscrape.pipelines.worker``) once ``PIPELINE_WORKER_AFTER`` postings went through them
    in a run (0: from the first one, the run waits for the worker to start; ``PIPELINE_WORKER =
    False``: never)."""

    _head: list[Any] | None = None
    _tail: Sequence[Any] = ()
    _worker: PipelineWorker | None = None
    _worker_tried = False
    _through_tail = 0
    _in_worker = 0

    async def process_item_async(self, item: Any) -> Any:
        if self._head is None:  # not opened (a test's own call)
            self._split_tail()
            assert self._head is not None
        item = await self._through(self._head, item)
        if not self._tail or type(item) is not JobPosting:
            return await self._through(self._tail, item)
        worker = self._worker_for_tail()
        future = worker.submit(item) if worker is not None else None
        if future is not None:
            outcome = await future
            if outcome is not RUN_HERE and outcome[0] != "error":
                self._in_worker += 1
                assert self.crawler is not None
                try:
                    return apply(outcome, item, self.crawler.stats)
                except PostingDropped:
                    keep_post(self.crawler, item)  # what the drop did not do in the worker
                    raise
        return await self._through(self._tail, item)

    async def _through(self, methods: Sequence[Any], item: Any) -> Any:
        requiring_spider = self._mw_methods_requiring_spider
        for method in methods:
            assert method is not None
            args = (item, self._spider) if method in requiring_spider else (item,)
            result = method(*args)
            if type(result) is not JobPosting and (
                isinstance(result, Deferred) or inspect.isawaitable(result)
            ):
                result = await ensure_awaitable(result, _warn=global_object_name(method))
            item = result
        return item

    def _split_tail(self) -> None:
        """The pipelines in two: the tail is the last ones the worker may run."""
        methods = list(self.methods["process_item"])
        split = len(methods)
        while (
            split
            and methods[split - 1] not in self._mw_methods_requiring_spider
            and getattr(getattr(methods[split - 1], "__self__", None), "in_worker", False)
        ):
            split -= 1
        self._head, self._tail = methods[:split], methods[split:]

    def _worker_for_tail(self) -> PipelineWorker | None:
        """The worker, started once the run put ``PIPELINE_WORKER_AFTER`` postings through
        the tail; None before, or when it is off or cannot run here."""
        if self._worker is not None or self._worker_tried:
            return self._worker
        assert self.crawler is not None
        self._through_tail += 1
        if self._through_tail >= self.crawler.settings.getint("PIPELINE_WORKER_AFTER", 1000):
            self._start_worker()
        return self._worker

    def _start_worker(self) -> None:
        self._worker_tried = True
        assert self.crawler is not None
        settings = self.crawler.settings
        if not self._tail or not settings.getbool("PIPELINE_WORKER", True):
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # not under the asyncio reactor
            return
        paths = [global_object_name(type(method.__self__)) for method in self._tail]
        self._worker = PipelineWorker(settings, paths)

    async def open_spider_async(self) -> None:
        await super().open_spider_async()
        self._split_tail()
        assert self.crawler is not None
        if self.crawler.settings.getint("PIPELINE_WORKER_AFTER", 1000) <= 0:
            self._start_worker()  # from the first posting on: wait until it is ready
            if self._worker is not None:
                await self._worker.started

    async def close_spider_async(self) -> None:
        try:
            await super().close_spider_async()
        finally:
            if self._worker is not None:
                self._worker.close()
                self._worker = None
            if self._in_worker and self.crawler is not None and self.crawler.stats is not None:
                self.crawler.stats.set_value("jobscrape/pipeline_worker/postings", self._in_worker)
