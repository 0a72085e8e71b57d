"""The pipeline worker: a long run's last pipelines in a second process, beside the crawl.

The last item pipelines (those whose class sets ``in_worker = True``: normalizing tags, salary
and images, sanitizing, rendering) read only the posting and the settings. Once a run has put
``PIPELINE_WORKER_AFTER`` postings through them, ``PostingPipelineManager`` starts this module
as a process and hands them the postings in batches there, on the other CPU, while the crawl
goes on parsing. The worker sends back, for each posting, the fields its pipelines changed, the
stats they counted and the lines they logged, or the ``DropItem`` they raised: the crawl's
process applies them as if the pipelines had run in it.

Nothing depends on the worker: until it says it is ready, when it is behind, when it fails on a
posting or ends, those postings go through the same pipelines in the crawl's process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import signal
import struct
import subprocess
import sys
from collections import deque
from typing import Any, BinaryIO, cast

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.settings import BaseSettings, Settings
from scrapy.utils.misc import build_from_crawler, load_object

from jobscrape.items import JobPosting
from jobscrape.pipelines import PostingDropped
from jobscrape.writer.atomic import PIPE_SIZE, die_with, widen_pipe, yield_to_crawl

logger = logging.getLogger(__name__)

BATCH = 32
"""Postings handed over at a time."""
MAX_IN_FLIGHT = 96
"""Postings handed over and not yet answered: beyond it, the crawl's process runs them itself."""
ANSWER_TIMEOUT = 120.0
"""Seconds without an answer, with postings handed over, after which the worker is ended."""
_FRAME = struct.Struct("<I")

Outcome = tuple[Any, ...]
"""A posting's answer: ``("ok", changed fields, stats, log records)``, ``("drop", message,
log level, whether by a hard rule (``PostingDropped``), stats, log records)`` or ``("error",
description)``."""
RUN_HERE: Outcome = ("here",)
"""The answer to a posting the worker could not take: run it in the crawl's process."""


class RecordedStats:
    """The worker's stats collector: what the pipelines count, kept for the crawl's stats."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.calls.append(("inc_value", (key, count, start)))

    def set_value(self, key: str, value: Any) -> None:
        self.calls.append(("set_value", (key, value)))

    def max_value(self, key: str, value: Any) -> None:
        self.calls.append(("max_value", (key, value)))

    def min_value(self, key: str, value: Any) -> None:
        self.calls.append(("min_value", (key, value)))

    def get_value(self, key: str, default: Any = None) -> Any:
        return default  # the run's counts live in the crawl's process


class RecordedLogs(logging.Handler):
    """Log records of the worker's pipelines, kept to be logged by the crawl's process."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


class WorkerCrawler:
    """What a pipeline sees of the crawler in the worker: the settings and a stats collector;
    no extension (no content run: the index stays with the crawl)."""

    def __init__(self, settings: BaseSettings) -> None:
        self.settings = settings
        self.stats = RecordedStats()
        self.spider = None
        self.engine = None

    def get_extension(self, cls: type) -> Any:
        raise RuntimeError("the pipeline worker runs no extensions")


def apply(outcome: Outcome, posting: JobPosting, stats: Any) -> JobPosting:
    """The worker's answer applied in the crawl's process: its stats counted, its log lines
    logged, then the posting updated or the ``DropItem`` (``PostingDropped``) raised."""
    kind = outcome[0]
    calls, records = outcome[-2], outcome[-1]
    if stats is not None:
        for method, args in calls:
            getattr(stats, method)(*args)
    for name, level, message in records:
        logging.getLogger(name).log(level, "%s", message)
    if kind == "drop":
        dropped = PostingDropped if outcome[3] else DropItem
        raise dropped(outcome[1], log_level=outcome[2])
    vars(posting).update(outcome[1])
    return posting


def picklable_settings(settings: BaseSettings) -> dict[str, Any]:
    """The settings the worker's pipelines are built with: every value that pickles."""
    values = {}
    for name, value in settings.copy_to_dict().items():
        try:
            pickle.dumps(value)
        except Exception:  # a setting holding a live object: no pipeline of the worker's reads it
            continue
        values[name] = value
    return values


class PipelineWorker:
    """The crawl's side of the worker process: ``submit`` hands a posting over and returns the
    future of its outcome (``RUN_HERE`` when the crawl's process must run it)."""

    def __init__(self, settings: BaseSettings, pipelines: list[str]) -> None:
        self.loop = asyncio.get_running_loop()
        self.ready = False
        self.ended = False
        self.in_flight = 0
        self._batch: list[tuple[JobPosting, asyncio.Future[Outcome]]] = []
        self._flush_scheduled = False
        self._sent: deque[list[asyncio.Future[Outcome]]] = deque()
        self._inbox = bytearray()
        self._outbox = bytearray()
        self._answered_since_check = False
        self._watchdog: asyncio.TimerHandle | None = None
        self.started: asyncio.Future[None] = self.loop.create_future()
        """Done once the worker is ready, or has ended."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._write_fd = self.process.stdin.fileno()
        self._read_fd = self.process.stdout.fileno()
        for fd in (self._write_fd, self._read_fd):
            os.set_blocking(fd, False)
            widen_pipe(fd)
        self.loop.add_reader(self._read_fd, self._readable)
        self._send(pickle.dumps((picklable_settings(settings), pipelines), 5))

    def submit(self, posting: JobPosting) -> asyncio.Future[Outcome] | None:
        """The future outcome of ``posting`` in the worker; None when the worker is not ready,
        has ended, or has enough in hand already."""
        if not self.ready or self.ended or self.in_flight >= MAX_IN_FLIGHT:
            return None
        future: asyncio.Future[Outcome] = self.loop.create_future()
        self._batch.append((posting, future))
        self.in_flight += 1
        if len(self._batch) >= BATCH:
            self._flush()
        elif not self._flush_scheduled:
            self._flush_scheduled = True
            self.loop.call_soon(self._flush)
        return future

    def _flush(self) -> None:
        self._flush_scheduled = False
        if not self._batch or self.ended:
            return
        batch, self._batch = self._batch, []
        try:
            data = pickle.dumps([posting for posting, _ in batch], 5)
        except Exception:  # a posting holding something that does not pickle
            for _, future in batch:
                self._resolve(future, RUN_HERE)
            return
        self._sent.append([future for _, future in batch])
        self._send(data)
        if self._watchdog is None:
            self._watchdog = self.loop.call_later(ANSWER_TIMEOUT, self._check)

    def _send(self, data: bytes) -> None:
        self._outbox += _FRAME.pack(len(data))
        self._outbox += data
        self._writable()
        if self._outbox and not self.ended:
            self.loop.add_writer(self._write_fd, self._writable)

    def _writable(self) -> None:
        try:
            while self._outbox:
                written = os.write(self._write_fd, self._outbox)
                del self._outbox[:written]
        except BlockingIOError:
            return
        except OSError:  # its input closed: it is exiting
            self._end(self._exited())
            return
        self.loop.remove_writer(self._write_fd)

    def _readable(self) -> None:
        ended = False
        try:
            while chunk := os.read(self._read_fd, PIPE_SIZE):
                self._inbox += chunk
            ended = True  # end of file: the process is gone
        except BlockingIOError:
            pass
        except OSError:
            ended = True
        try:
            self._answers()
        except Exception as error:  # not a frame of ours: the process is no longer trusted
            self._end(f"its answer was unreadable: {error!r}")
            return
        if ended:  # its output closed: it is exiting
            self._end(self._exited())

    def _exited(self) -> str:
        """Why the worker stopped, once a pipe to it closed: its exit status follows at once."""
        try:
            status = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            status = None
        return f"it ended (exit status {status})"

    def _answers(self) -> None:
        while len(self._inbox) >= _FRAME.size:
            (size,) = _FRAME.unpack_from(self._inbox)
            if len(self._inbox) < _FRAME.size + size:
                return
            frame = bytes(self._inbox[_FRAME.size : _FRAME.size + size])
            del self._inbox[: _FRAME.size + size]
            answer = pickle.loads(frame)
            self._answered_since_check = True
            if not self.ready:
                if answer[0] != "ready":
                    self._end(f"it could not build the pipelines: {answer[1]}")
                    return
                self.ready = True
                if not self.started.done():
                    self.started.set_result(None)
                continue
            futures = self._sent.popleft()
            for future, outcome in zip(futures, answer, strict=True):
                self._resolve(future, outcome)

    def _resolve(self, future: asyncio.Future[Outcome], outcome: Outcome) -> None:
        self.in_flight -= 1
        if not future.done():
            future.set_result(outcome)

    def _check(self) -> None:
        self._watchdog = None
        if not self._sent:
            return
        if not self._answered_since_check:
            self._end(f"it answered nothing for {ANSWER_TIMEOUT:.0f} s")
            return
        self._answered_since_check = False
        self._watchdog = self.loop.call_later(ANSWER_TIMEOUT, self._check)

    def _end(self, why: str) -> None:
        """Stop using the worker: what it holds runs in the crawl's process."""
        if self.ended:
            return
        self.ended = True
        if self._sent or self._batch or not self.ready:
            logger.warning("The pipeline worker stopped (%s): the crawl runs its postings", why)
        self.close()

    def close(self) -> None:
        """End the worker; every posting it holds runs in the crawl's process."""
        self.ended = True
        if not self.started.done():
            self.started.set_result(None)
        with contextlib.suppress(ValueError, OSError):
            self.loop.remove_reader(self._read_fd)
            self.loop.remove_writer(self._write_fd)
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        for futures in self._sent:
            for future in futures:
                self._resolve(future, RUN_HERE)
        self._sent.clear()
        for _, future in self._batch:
            self._resolve(future, RUN_HERE)
        self._batch.clear()
        for pipe in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                if pipe is not None:
                    pipe.close()
        # it holds no posting now and writes nothing: no need to wait for it to finish
        # starting (a run of a thousand postings would wait for its imports)
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()


# -- the worker process ------------------------------------------------------------------------


def _read_frame(stream: BinaryIO) -> bytes | None:
    head = stream.read(_FRAME.size)
    if len(head) < _FRAME.size:
        return None
    (size,) = _FRAME.unpack(head)
    data = stream.read(size)
    return data if len(data) == size else None


def _write_frame(stream: BinaryIO, data: bytes) -> None:
    stream.write(_FRAME.pack(len(data)) + data)
    stream.flush()


def _outcome(posting: JobPosting, methods: list[Any], crawler: WorkerCrawler,
             logs: RecordedLogs) -> Outcome:  # fmt: skip
    stats = crawler.stats
    stats.calls, logs.records = [], []
    before = dict(vars(posting))
    try:
        for method in methods:
            posting = method(posting)
            if type(posting) is not JobPosting:
                return ("error", f"{method.__qualname__} returned {type(posting).__name__}")
    except DropItem as drop:
        hard_rule = isinstance(drop, PostingDropped)
        return ("drop", str(drop), drop.log_level, hard_rule, stats.calls, logs.records)
    except Exception as error:  # the crawl's process runs it again and reports it there
        return ("error", repr(error))
    changed = {  # what a pipeline set anew, and every list and dict (changed in place?)
        name: value
        for name, value in vars(posting).items()
        if before.get(name, before) is not value or isinstance(value, (list, dict))
    }
    return ("ok", changed, stats.calls, logs.records)


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """Build the pipelines the first frame names, then answer each batch of postings."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the crawl decides when to stop
    first = _read_frame(requests)
    if first is None:
        return
    values, paths = pickle.loads(first)
    crawler = WorkerCrawler(Settings(values))
    logs = RecordedLogs()
    logging.getLogger().addHandler(logs)
    logging.getLogger().setLevel(crawler.settings.get("LOG_LEVEL") or logging.DEBUG)
    try:
        as_crawler = cast(Crawler, crawler)  # what the pipelines read of a crawler
        pipelines = [build_from_crawler(load_object(path), as_crawler) for path in paths]
    except Exception as error:
        _write_frame(answers, pickle.dumps(("failed", repr(error))))
        return
    methods = [pipeline.process_item for pipeline in pipelines]
    _write_frame(answers, pickle.dumps(("ready",)))
    while (frame := _read_frame(requests)) is not None:
        postings: list[JobPosting] = pickle.loads(frame)
        outcomes = [_outcome(posting, methods, crawler, logs) for posting in postings]
        _write_frame(answers, pickle.dumps(outcomes, 5))


if __name__ == "__main__":
    from jobscrape.pipelines import worker  # the module by its name: one WorkerCrawler class

    die_with(int(sys.argv[1]))
    yield_to_crawl()
    # the answers get the pipe to themselves: what a pipeline prints goes to stderr
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    worker.serve(sys.stdin.buffer, answers)
