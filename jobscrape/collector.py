"""GarbageCollection: a long crawl's cyclic garbage collector kept out of the way."""

from __future__ import annotations

import gc

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class GarbageCollection:
    """Extension (in ``EXTENSIONS``): once the engine has started, the objects alive then
    (Scrapy, Twisted, the modules: hundreds of thousands) are frozen out of the cyclic
    collector's passes (``gc.freeze``), and a pass runs after ``GC_THRESHOLD`` new container
    objects rather than Python's 700: a run of 100,000 postings otherwise spends some 5 % of its
    time walking objects that live as long as the process. Reference counting still frees
    almost everything at once; only cycles wait longer. ``GC_THRESHOLD = 0``: Python's
    defaults, untouched."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.before: tuple[int, int, int] | None = None
        self.frozen_before = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GarbageCollection:
        threshold = crawler.settings.getint("GC_THRESHOLD", 10_000)
        if threshold <= 0:
            raise NotConfigured("GC_THRESHOLD is 0")
        extension = cls(threshold)
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_started(self) -> None:
        first, second, third = gc.get_threshold()
        self.before = (first, second, third)
        self.frozen_before = gc.get_freeze_count()
        gc.collect()
        gc.freeze()
        gc.set_threshold(max(first, self.threshold), second, third)

    def engine_stopped(self) -> None:
        if self.before is not None:
            gc.set_threshold(*self.before)
            if not self.frozen_before:  # what another froze stays frozen
                gc.unfreeze()
            self.before = None
