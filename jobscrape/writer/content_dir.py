"""A static site's content directory: one Markdown file per post, written atomically."""

from __future__ import annotations

import atexit
import contextlib
import errno
import os
import pickle
import queue
import re
import stat
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urlparse

from scrapy.settings import BaseSettings

from jobscrape.digests import DigestSet
from jobscrape.writer.atomic import (
    Answer,
    ContentDirUnwritable,
    PostWrite,
    Stamp,
    default_mode,
    file_stamp,
    sync_directory,
    widen_pipe,
    write_posts,
)
from jobscrape.writer.staging import Row

DEFAULT_CONTENT_DIR = "content"
POST_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,119}$")


def feed_location(uri: str, settings: BaseSettings | None) -> str:
    """The directory a ``content:[DIR]`` feed URI writes to: DIR, else ``CONTENT_DIR``."""
    parsed = urlparse(uri)
    location = unquote(parsed.netloc + parsed.path)
    content_dir = settings.get("CONTENT_DIR") if settings is not None else None
    return location or content_dir or DEFAULT_CONTENT_DIR


def content_root(settings: BaseSettings) -> str | None:
    """The directory the ``content:`` feed writes to; None when no ``content:`` feed is
    configured."""
    for uri in settings.getdict("FEEDS"):
        if str(uri).startswith("content:"):
            return feed_location(str(uri), settings)
    return None


class UnsafePostPath(ValueError):
    """A post would be written outside the content directory."""


STALE_TEMP_SECONDS = 3600
SYNC_DIRECTORY_EVERY = 100
MAX_BATCHES_IN_FLIGHT = 4
"""Batches handed to the writer process and not yet written: beyond it, a write waits."""


class PostWriter:
    """The crawl's writer process (``jobscrape.writer.atomic``): posts handed over in batches
    are written there while the crawl goes on, on the other CPU.

    Until its batch is written a post reads as its queued bytes (``queued``), so the writer is
    invisible to the crawl. A failed batch is reported by the next ``submit`` or ``flush`` for
    its directory, once; the directory's later writes are skipped until then. The process ends
    with the crawl's, even a killed one (Linux), so it writes nothing after it.
    """

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._queued: dict[str, PostWrite] = {}
        self._batch: list[PostWrite] = []
        self._sent: deque[list[PostWrite]] = deque()  # in order, until answered
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        """Batches for the current process's sending thread, pickled on the crawl's own thread
        (the sending thread then holds the GIL only to hand bytes to the pipe, not for the
        pickling, which would keep the crawl's thread waiting); None ends it."""
        self._failures: dict[str, ContentDirUnwritable] = {}
        self._abandoned: set[str] = set()
        self._stamps: dict[str, list[Stamp]] = {}
        """Posts written, per directory, until taken (``take_stamps``)."""
        self._process: subprocess.Popen[bytes] | None = None

    def queued(self, path: str) -> PostWrite | None:
        """The newest write of ``path`` not yet on disk."""
        with self._lock:
            return self._queued.get(path)

    def submit(self, write: PostWrite, batch_size: int) -> None:
        self._raise_failure(write.root)
        with self._lock:
            self._queued[write.path] = write
        self._batch.append(write)
        if len(self._batch) >= batch_size:
            self._dispatch()

    def wait(self) -> None:
        """Wait until every post handed over is written (and its row staged), or failed."""
        self._dispatch()
        with self._lock:
            self._lock.wait_for(lambda: not self._sent)

    def flush(self, root: str) -> None:
        """Wait until every post handed over is written; raise the failure of ``root``'s."""
        self.wait()
        with self._lock:
            if root in self._abandoned:
                self._abandoned.discard(root)
                self._failures.pop(root, None)
        self._raise_failure(root)

    def abandon(self, root: str) -> None:
        """Write no more of ``root``'s queued posts (its run stopped on a failure already
        reported), until its next ``flush``."""
        self._batch = [write for write in self._batch if write.root != root]
        with self._lock:
            self._abandoned.add(root)
            for path in [path for path, write in self._queued.items() if write.root == root]:
                del self._queued[path]

    def take_stamps(self, root: str) -> list[Stamp]:
        """The posts of ``root`` written without a row since the last call: path, file stamp,
        content hash (those with a row were staged with them)."""
        with self._lock:
            return self._stamps.pop(root, [])

    def _raise_failure(self, root: str) -> None:
        with self._lock:
            failure = self._failures.pop(root, None)
        if failure is not None:
            raise failure

    def _dispatch(self) -> None:
        if not self._batch:
            return
        batch, self._batch = self._batch, []
        with self._lock:
            skipped = self._abandoned | self._failures.keys()
            batch = [write for write in batch if write.root not in skipped]
            if not batch:
                return
        data = pickle.dumps(batch, pickle.HIGHEST_PROTOCOL)
        with self._lock:
            self._lock.wait_for(lambda: len(self._sent) < MAX_BATCHES_IN_FLIGHT)
            if self._process is None:
                self._start()
            self._sent.append(batch)
        self._outbox.put(data)

    def _start(self) -> None:
        module = "jobscrape.writer.atomic"
        self._process = subprocess.Popen(
            [sys.executable, "-m", module, str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        for pipe in (self._process.stdin, self._process.stdout):
            widen_pipe(pipe.fileno())  # the sending thread holds the GIL less often
        outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._outbox = outbox
        process = self._process
        threading.Thread(target=self._send, args=(process, outbox), daemon=True).start()
        threading.Thread(target=self._receive, args=(process, outbox), daemon=True).start()

    def _send(
        self, process: subprocess.Popen[bytes], outbox: queue.SimpleQueue[bytes | None]
    ) -> None:
        assert process.stdin is not None
        while (data := outbox.get()) is not None:
            try:
                process.stdin.write(data)
                process.stdin.flush()
            except OSError:
                break  # the process ended: _receive fails what was sent
        with contextlib.suppress(OSError):
            process.stdin.close()

    def _receive(
        self, process: subprocess.Popen[bytes], outbox: queue.SimpleQueue[bytes | None]
    ) -> None:
        assert process.stdout is not None
        while True:
            try:
                answer: Answer = pickle.load(process.stdout)
            except (EOFError, OSError, pickle.UnpicklingError):
                break
            failure, stamps = answer
            with self._lock:
                batch = self._sent.popleft()
                for place, stamp, hash_ in stamps:
                    write = batch[place]
                    self._stamps.setdefault(write.root, []).append((write.path, stamp, hash_))
                self._answered(batch, failure)
                self._lock.notify_all()
        # the process ended: fail what it did not answer, start a new one when needed
        with self._lock:
            while self._sent:
                batch = self._sent.popleft()
                self._answered(batch, None)
                for root in {write.root for write in batch} - self._abandoned:
                    self._failures.setdefault(
                        root,
                        ContentDirUnwritable(
                            errno.EIO,
                            f"cannot write {len(batch)} post(s) into {root}: the writer "
                            f"process ended (exit status {process.poll()})",
                        ),
                    )
            if self._process is process:
                self._process = None
            self._lock.notify_all()
        outbox.put(None)

    def _answered(self, batch: list[PostWrite], failed: tuple[int, str] | None) -> None:
        for write in batch:
            if self._queued.get(write.path) is write:
                del self._queued[write.path]
        if failed is None:
            return
        failure = ContentDirUnwritable(*failed)
        for root in {write.root for write in batch} - self._abandoned:
            self._failures.setdefault(root, failure)

    def close(self) -> None:
        """End the writer process once it wrote what it was given."""
        self._dispatch()
        process = self._process
        if process is not None:
            self._outbox.put(None)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=60)


WRITER = PostWriter()
atexit.register(WRITER.close)


class ContentDirectory:
    """Writes ``<root>/<slug>.md`` files, never anything outside ``root``.

    Each write goes to a temporary file in the same directory, is flushed to disk and then
    renamed over the post (``os.replace``), so a killed run leaves either the old post or the
    new one, never a truncated one. ``fsync=False`` skips the flushes: a killed run still
    leaves whole posts, but a power cut may leave a new post empty. A post whose bytes would
    not change is not touched. With ``overwrite=False`` an existing post is kept as it is.

    With ``batch=1`` each post is written before ``write`` returns, and the directory itself
    is flushed every ``SYNC_DIRECTORY_EVERY`` posts and on ``sync()``. A larger ``batch`` hands
    the posts to the crawl's writer process (``WRITER``) that many at a time: a batch's files
    reach the disk together, then are renamed, then the directory is flushed. Reads through
    this class see queued posts; ``sync()`` waits until all are written.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        overwrite: bool = True,
        fsync: bool = True,
        batch: int = 1,
    ) -> None:
        self.root = Path(root).resolve()
        self._root = str(self.root)
        self.overwrite = overwrite
        self.fsync = fsync
        self.batch = max(1, batch)
        self._mode = default_mode()
        self._unsynced = 0
        self._listed: DigestSet | None = None
        """The posts the directory held when ``ensure`` listed it, and those written since: a
        new post's name outside it needs no look-up on disk (ext4 makes a missing name's
        look-up slow while the writer process creates files beside it)."""

    def ensure(self, *, locked: bool = False) -> None:
        """Create the directory if it is missing and list the posts it holds; remove temporary
        files that killed runs left behind: all of them when this process holds the directory's
        lock (no other run writes), else those older than an hour (a run writing now keeps its
        own)."""
        self.root.mkdir(parents=True, exist_ok=True)
        cutoff = time.time() - (0 if locked else STALE_TEMP_SECONDS)
        listed = DigestSet(bits=32)  # a filter: a name in it is looked at on disk
        with os.scandir(self.root) as entries:
            for entry in entries:
                if entry.name.endswith(".md"):
                    listed.add(entry.name)  # any kind of entry: write() looks at it closely
                elif entry.name.startswith(".") and entry.name.endswith(".tmp"):
                    with contextlib.suppress(OSError):
                        if entry.is_file() and entry.stat().st_mtime <= cutoff:
                            os.unlink(entry.path)
        self._listed = listed

    def path_for(self, slug: str) -> Path:
        """The file of the post ``slug``, checked to lie directly inside the directory."""
        path = Path(self._file(slug))
        if path.parent != self.root:
            raise UnsafePostPath(f"{slug!r} leaves the content directory")
        return path

    def _file(self, slug: str) -> str:
        """``path_for`` as a string: a safe post name holds no separator and no dot."""
        if not POST_SLUG.match(slug):
            raise UnsafePostPath(f"not a safe post name: {slug!r}")
        return os.path.join(self._root, f"{slug}.md")

    def read_bytes(self, slug: str) -> bytes:
        """The post's bytes, as queued when its write is still pending."""
        path = self._file(slug)
        queued = WRITER.queued(path)
        return queued.data if queued is not None else Path(path).read_bytes()

    def read_text(self, slug: str) -> str:
        return self.read_bytes(slug).decode("utf-8")

    def stamp(self, slug: str) -> str | None:
        """The stamp of the post's file on disk (``atomic.file_stamp``); None when it has none
        or a write of it is still queued."""
        path = self._file(slug)
        if WRITER.queued(path) is not None:
            return None
        try:
            return file_stamp(os.stat(path))
        except OSError:
            return None

    def take_stamps(self) -> list[Stamp]:
        """The posts the writer process wrote without a row since the last call, with their
        stamps."""
        return WRITER.take_stamps(str(self.root)) if self.batch > 1 else []

    def exists(self, slug: str) -> bool:
        path = self._file(slug)
        return WRITER.queued(path) is not None or os.path.isfile(path)

    @property
    def stages_rows(self) -> bool:
        """Whether a post's row of the state index can go to the writer process with it."""
        return self.batch > 1

    def write(self, slug: str, text: str, row: Row | None = None) -> str:
        """Write one post; returns what happened: ``new``, ``updated``, ``unchanged`` or
        ``kept`` (it existed and overwriting is off). When ``stages_rows``, a ``row`` of the
        state index (``staging.ROW_COLUMNS``) goes with a new or updated post to the writer
        process, which stages it once the file is written."""
        path = self._file(slug)
        data = text.encode("utf-8")
        mode = self._mode
        queued = WRITER.queued(path)
        listed = self._listed
        if queued is not None:
            existed, same, mode = True, queued.data == data, queued.mode
        elif listed is not None and self.overwrite and f"{slug}.md" not in listed:
            existed = same = False  # not there when listed, not written since
        else:
            try:
                status = os.lstat(path)
            except FileNotFoundError:
                existed = same = False
            else:
                if not stat.S_ISREG(status.st_mode):
                    raise UnsafePostPath(
                        f"{path} is not a regular file; refusing to write through it"
                    )
                existed, mode = True, status.st_mode & 0o7777
                same = status.st_size == len(data) and Path(path).read_bytes() == data
        if existed and not self.overwrite:
            return "kept"
        if same:
            return "unchanged"
        if listed is not None and not existed:
            listed.add(f"{slug}.md")
        if self.batch > 1:
            write = PostWrite(self._root, path, data, mode, self.fsync, row)
            WRITER.submit(write, self.batch)
        else:
            write = PostWrite(self._root, path, data, mode, self.fsync)
            write_posts([write], sync_directories=False)
            self._unsynced += 1
            if self._unsynced >= SYNC_DIRECTORY_EVERY:
                self.sync()
        return "updated" if existed else "new"

    def remove(self, slug: str) -> None:
        """Delete the post (after its queued writes)."""
        self.flush()
        self.path_for(slug).unlink(missing_ok=True)

    def flush(self) -> None:
        """Wait until the posts handed to the writer thread are written."""
        if self.batch > 1:
            WRITER.flush(str(self.root))

    def abandon(self) -> None:
        """Write none of the posts still queued: the run stops on a write failure."""
        if self.batch > 1:
            WRITER.abandon(str(self.root))

    def sync(self) -> None:
        """Write the queued posts; flush the directory's entries (the renames) to disk."""
        self.flush()
        if not self._unsynced or not self.fsync:
            return
        sync_directory(str(self.root))
        self._unsynced = 0
