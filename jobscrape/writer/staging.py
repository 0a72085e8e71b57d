"""The state index's rows of the posts the writer process wrote, staged beside the index.

A post the crawl hands to the writer process (``content_dir.PostWriter``) carries its row of
the index (``PostWrite.row``: ``ROW_COLUMNS``). Once the batch's files are in place the writer
adds what only it knows, the bytes' content hash and the file's stamp, and stages the rows in
``<content dir>/.jobscrape/staged.sqlite3``, one transaction a batch. The crawl's process merges
them into the index in one statement (``StateIndex.merge_staged``) while the writer is idle: the
SQLite work of a row is off the crawl's thread.

A row is staged only after its file was renamed into place: a killed run leaves rows of posts
that exist, merged when the index is next opened, and never a row of a post that does not.
The staging file is a cache like the index: written without flushes to disk, and removed with
a WARNING when it is unreadable (the posts on disk stay; a run that sees them again records
them again).

This module imports nothing but the standard library: the writer process starts fast.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from collections.abc import Sequence
from typing import Any

from jobscrape.writer.lock import STATE_DIR

STAGING_FILE = "staged.sqlite3"
ROW_COLUMNS = (
    "slug", "source", "source_id", "listing", "url", "seen", "expires", "expired_at", "posted",
    "company_key", "title_key", "source_hash", "record_hash",
)  # fmt: skip
"""A post's row as the crawl hands it over (``seen``: the run's id), in this order."""
COLUMNS = (*ROW_COLUMNS, "content_hash", "file_stamp")
TABLE = f"CREATE TABLE IF NOT EXISTS staged ({', '.join(COLUMNS)})"
SQLITE_FULL = 13

Row = tuple[Any, ...]


def index_full(error: sqlite3.Error) -> bool:
    """Whether a database could not be written for want of room (``SQLITE_FULL``)."""
    return getattr(error, "sqlite_errorcode", None) == SQLITE_FULL


def staging_path(root: str | os.PathLike[str]) -> str:
    """The staging file of the content directory ``root``."""
    return os.path.join(root, STATE_DIR, STAGING_FILE)


def staged_columns(db: sqlite3.Connection, schema: str = "main") -> tuple[str, ...]:
    """The columns of the staging table in ``schema`` (empty when it has none)."""
    return tuple(row[1] for row in db.execute(f"PRAGMA {schema}.table_info(staged)"))


class Stager:
    """The writer process's side: one connection per content directory, reopened when its
    file was removed or replaced (one the crawl could not merge, and removed)."""

    def __init__(self) -> None:
        self._open: dict[str, tuple[sqlite3.Connection, int]] = {}

    def stage(self, root: str, rows: Sequence[Row]) -> None:
        """Stage ``rows`` (``COLUMNS``) of ``root``'s posts in one transaction; an error names
        the index and says what failed (``OSError``: ENOSPC for a full disk, else EIO)."""
        path = staging_path(root)
        try:
            db = self._connection(root, path)
            with db:
                db.executemany(f"INSERT INTO staged VALUES ({', '.join('?' * len(COLUMNS))})", rows)
        except sqlite3.Error as error:
            self.close(root)
            full = index_full(error)
            code = errno.ENOSPC if full else errno.EIO
            reason = os.strerror(code) if full else f"{error}"
            raise OSError(code, f"cannot write the state index of {root}: {reason}") from error

    def _connection(self, root: str, path: str) -> sqlite3.Connection:
        status = os.stat(path) if os.path.exists(path) else None
        held = self._open.get(root)
        if held is not None and status is not None and held[1] == status.st_ino:
            return held[0]
        self.close(root)
        db = sqlite3.connect(path, timeout=30)
        try:
            db.execute("PRAGMA synchronous = OFF")
            # the journal file is kept between batches: no file created and removed each time
            db.execute("PRAGMA journal_mode = PERSIST")
            db.execute(TABLE)
            db.commit()
            if staged_columns(db) != COLUMNS:  # left by another version: the crawl clears it
                raise sqlite3.DatabaseError(f"{path} holds rows of another shape")
        except BaseException:
            db.close()
            raise
        self._open[root] = (db, os.stat(path).st_ino)
        return db

    def close(self, root: str) -> None:
        held = self._open.pop(root, None)
        if held is not None:
            with contextlib.suppress(sqlite3.Error):
                held[0].close()
