"""A static site's content directory: one Markdown file per post, written atomically."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

from scrapy.settings import BaseSettings

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


class ContentDirUnwritable(OSError):
    """A post could not be written: the disk is full, the file system read-only, ..."""


class UnsafePostPath(ValueError):
    """A post would be written outside the content directory."""


@functools.cache
def _default_mode() -> int:
    """0o666 less the umask, read once: reading it means setting it, briefly."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


STALE_TEMP_SECONDS = 3600
SYNC_DIRECTORY_EVERY = 100


class ContentDirectory:
    """Writes ``<root>/<slug>.md`` files, never anything outside ``root``.

    Each write goes to a temporary file in the same directory, is flushed to disk and then
    renamed over the post (``os.replace``), so a killed run leaves either the old post or the
    new one, never a truncated one. The directory itself is flushed every
    ``SYNC_DIRECTORY_EVERY`` posts and on ``sync()``. ``fsync=False`` skips the flushes: a
    killed run still leaves whole posts, but a power cut may leave a new post empty. A post
    whose bytes would not change is not touched. With ``overwrite=False`` an existing post is
    kept as it is.
    """

    def __init__(
        self, root: str | os.PathLike[str], *, overwrite: bool = True, fsync: bool = True
    ) -> None:
        self.root = Path(root).resolve()
        self.overwrite = overwrite
        self.fsync = fsync
        self._mode = _default_mode()
        self._unsynced = 0

    def ensure(self, *, locked: bool = False) -> None:
        """Create the directory if it is missing; remove temporary files that killed runs left
        behind: all of them when this process holds the directory's lock (no other run
        writes), else those older than an hour (a run writing now keeps its own)."""
        self.root.mkdir(parents=True, exist_ok=True)
        cutoff = time.time() - (0 if locked else STALE_TEMP_SECONDS)
        for leftover in self.root.glob(".*.tmp"):
            with contextlib.suppress(OSError):
                if leftover.is_file() and leftover.stat().st_mtime <= cutoff:
                    leftover.unlink()

    def path_for(self, slug: str) -> Path:
        """The file of the post ``slug``, checked to lie directly inside the directory."""
        if not POST_SLUG.match(slug):
            raise UnsafePostPath(f"not a safe post name: {slug!r}")
        path = self.root / f"{slug}.md"
        if path.parent != self.root:
            raise UnsafePostPath(f"{slug!r} leaves the content directory")
        return path

    def write(self, slug: str, text: str) -> str:
        """Write one post; returns what happened: ``new``, ``updated``, ``unchanged`` or
        ``kept`` (it existed and overwriting is off)."""
        path = self.path_for(slug)
        data = text.encode("utf-8")
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise UnsafePostPath(f"{path} is not a regular file; refusing to write through it")
        existed = path.exists()
        if existed:
            if not self.overwrite:
                return "kept"
            if path.read_bytes() == data:
                return "unchanged"
        mode = path.stat().st_mode & 0o7777 if existed else self._mode
        try:
            self._replace(path, data, mode)
        except OSError as error:
            raise ContentDirUnwritable(
                error.errno,
                f"cannot write {path.name} into {self.root}: {error.strerror or error}",
            ) from error
        return "updated" if existed else "new"

    def _replace(self, path: Path, data: bytes, mode: int) -> None:
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=f".{path.stem}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as tmp:
                tmp.write(data)
                tmp.flush()
                if self.fsync:
                    os.fsync(tmp.fileno())
            os.chmod(tmp_name, mode)
            os.replace(tmp_name, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
        # the rename itself survives a power cut only once the directory is on disk; until
        # then a power cut leaves the old post, whole: sync the directory every so many posts
        self._unsynced += 1
        if self._unsynced >= SYNC_DIRECTORY_EVERY:
            self.sync()

    def sync(self) -> None:
        """Flush the directory's entries (the renames of the posts written) to disk."""
        if not self._unsynced or not self.fsync:
            return
        directory = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        self._unsynced = 0
