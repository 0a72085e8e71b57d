"""The content directory's state index: what jobscrape knows of every post it wrote.

One SQLite file, ``<content dir>/.jobscrape/index.sqlite3`` (the site generator skips dot
folders). For every post: its source, the source's id, the listing it came from, its canonical
URL, the hash of its text, when it was first and last seen, its own expiry, when it was expired,
the keys that find the same job on another board, and the URLs of those other boards. For
listings: how many jobs each held the last time it was read whole. For job pages: their
``lastmod`` and HTTP validators, so an unchanged page is not fetched again.

The posts are the truth and the index a cache of them: a missing or unreadable index is rebuilt
from the posts on disk (with a WARNING), never fatal, and never touches a post.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from jobscrape.digests import DigestSet
from jobscrape.renderer import EXPIRY_KEY, split_post
from jobscrape.text import match_key
from jobscrape.writer.atomic import content_hash
from jobscrape.writer.content_dir import WRITER
from jobscrape.writer.lock import STATE_DIR
from jobscrape.writer.staging import COLUMNS as STAGED_COLUMNS
from jobscrape.writer.staging import ROW_COLUMNS, Row, staged_columns, staging_path

logger = logging.getLogger(__name__)

INDEX_FILE = "index.sqlite3"
SCHEMA_VERSION = 6
COMMIT_EVERY = 10_000
COMMIT_SECONDS = 2.0
"""Writes between commits: at most ``COMMIT_EVERY``, or what ``COMMIT_SECONDS`` wrote. A killed
run loses at most that much of the index (posts on disk are never lost; the next run reads them
back). Each commit writes back every page its writes touched (some 30 KB a post in a large
index, keyed by hashes): fewer, larger commits write each page once."""
TOUCH_BATCH = 500
"""Posts seen unchanged whose ``last_seen`` is written in one statement."""

SCHEMA = """
CREATE TABLE posts (
    slug TEXT PRIMARY KEY,
    source TEXT,
    source_id TEXT,
    listing TEXT,
    url TEXT,
    content_hash TEXT,
    first_seen TEXT,
    last_seen TEXT,
    expires TEXT,
    expired_at TEXT,
    posted TEXT,
    company_key TEXT,
    title_key TEXT,
    sources TEXT NOT NULL DEFAULT '[]',
    source_hash TEXT,
    file_stamp TEXT,
    record_hash TEXT
);
CREATE INDEX posts_match ON posts (company_key, title_key);
CREATE TABLE listings (
    listing TEXT PRIMARY KEY,
    jobs INTEGER NOT NULL,
    read_at TEXT NOT NULL
);
CREATE TABLE pages (
    url TEXT PRIMARY KEY,
    slugs TEXT NOT NULL DEFAULT '[]',
    lastmod TEXT NOT NULL DEFAULT '',
    etag TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT ''
);
"""


_UPSERT = (
    "ON CONFLICT (slug) DO UPDATE SET source = excluded.source,"
    " source_id = excluded.source_id, listing = excluded.listing, url = excluded.url,"
    " content_hash = excluded.content_hash, last_seen = excluded.last_seen,"
    " expires = excluded.expires, expired_at = excluded.expired_at,"
    " posted = excluded.posted, company_key = excluded.company_key,"
    " title_key = excluded.title_key, source_hash = excluded.source_hash,"
    " record_hash = excluded.record_hash"
)
"""A post's new row over its old one: first seen and other boards' URLs stay."""
_MERGE = (
    "INSERT INTO posts (slug, source, source_id, listing, url, content_hash, first_seen,"
    " last_seen, expires, expired_at, posted, company_key, title_key, source_hash, record_hash,"
    " file_stamp) SELECT slug, source, source_id, listing, url, content_hash, seen, seen,"
    " expires, expired_at, posted, company_key, title_key, source_hash, record_hash,"
    f" file_stamp FROM staging.staged WHERE true ORDER BY rowid {_UPSERT},"
    " file_stamp = excluded.file_stamp"
)
"""The staged rows into the index (``WHERE true``: an upsert after a SELECT needs a WHERE)."""
_ROW_SLUG, _ROW_RECORD, _ROW_COMPANY, _ROW_TITLE = (
    ROW_COLUMNS.index(name) for name in ("slug", "record_hash", "company_key", "title_key")
)

LATE_INDEXES = {
    "posts_listing": "CREATE INDEX posts_listing ON posts (listing, last_seen)",
    "posts_slug_nocase": "CREATE INDEX posts_slug_nocase ON posts (slug COLLATE NOCASE)",
    "posts_record": "CREATE INDEX posts_record ON posts (record_hash)",
}
"""Indexes of the posts that only a run's end (its listings' expiry) and rare look-ups (a
record or a name in another case the in-memory digests could not rule out) ask. A new index
(no posts yet: a site's first run, tens of thousands of jobs in one go) is filled without
them, and they are built once from its rows, when a run asks by listing or ends
(``build_indexes``), rather than kept up at every row written: about a third of a row's
cost. A look-up before then reads the table."""


def utc_now() -> str:
    """Now, as the RFC 3339 UTC time the index and ``expiryDate`` use."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class PostRecord:
    """One row of the index."""

    slug: str
    source: str | None
    source_id: str | None
    listing: str | None
    url: str | None
    content_hash: str | None
    first_seen: str | None
    last_seen: str | None
    expires: str | None
    expired_at: str | None
    posted: str | None
    company_key: str | None
    title_key: str | None
    sources: str
    source_hash: str | None
    file_stamp: str | None = None
    record_hash: str | None = None

    @property
    def other_sources(self) -> list[str]:
        """URLs of the same job on other boards."""
        try:
            urls = json.loads(self.sources or "[]")
        except ValueError:
            return []
        return [url for url in urls if isinstance(url, str)]


@dataclass
class PageRecord:
    url: str
    slugs: list[str]
    lastmod: str
    etag: str
    last_modified: str


class StateIndex:
    """The index of one content directory; one shared object per directory and process
    (``StateIndex.of(root)``), so that the runs of ``crawlall`` and the parts of one run see
    each other's rows."""

    _open: ClassVar[dict[Path, StateIndex]] = {}

    @classmethod
    def of(cls, root: str | os.PathLike[str], *, durable: bool = True) -> StateIndex:
        """The index of ``root``; ``durable=False`` (the run writes posts without fsync):
        its commits are not flushed to disk either, so a power cut may leave it unreadable
        (the next run rebuilds it from the posts), as it may leave a post empty."""
        resolved = Path(root).resolve()
        index = cls._open.get(resolved)
        if index is None:
            index = cls._open[resolved] = cls(resolved)
        index.set_durable(durable)
        return index

    def set_durable(self, durable: bool) -> None:
        self.commit()
        self.db.execute(f"PRAGMA synchronous = {'NORMAL' if durable else 'OFF'}")

    @classmethod
    def close_all(cls) -> None:
        for index in list(cls._open.values()):
            index.close()

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / STATE_DIR / INDEX_FILE
        self._pending = 0
        self._committed_at = time.monotonic()
        self._touches: list[tuple[str, str]] = []
        self.rebuilt = 0
        """Posts read back from disk when the index had to be rebuilt on opening."""
        self.db = self._connect()
        self._known: tuple[DigestSet, DigestSet, DigestSet] | None = None
        self._absent: str | None = None  # the last name _may_hold found in no row
        self._staged: set[int] | None = None
        """The hashes of the keys of the rows staged and not merged yet (names lowercased,
        record hashes, company and title keys): a hash of another key only merges early."""
        self._indexes_left_out = True  # until build_indexes finds or makes them all
        try:
            self.merge_staged()  # the rows a killed run left staged
        except sqlite3.OperationalError as error:  # no room: they are a cache of the posts
            self._drop_staging(staging_path(root), error)
        if self.db.execute("SELECT 1 FROM posts LIMIT 1").fetchone():
            self.build_indexes()  # also those a run killed while it filled the index left out

    def build_indexes(self) -> None:
        """``LATE_INDEXES``, built (at once, from the rows) where they were left out."""
        if self._indexes_left_out:
            rows = self.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
            names = {row[0] for row in rows}
            for name, statement in LATE_INDEXES.items():
                if name not in names:
                    self.db.execute(statement)
            self._indexes_left_out = False

    def _may_hold(self, slug: str) -> bool:
        """False when no post row has the name ``slug`` (in any case): a new job's look-ups
        then need no query. The last name found absent is kept: a posting's pipelines ask
        for its name several times in a row."""
        if slug == self._absent:
            return False
        held = slug.lower() in self._filters()[0]
        if not held:
            self._absent = slug
        return held

    def _filters(self) -> tuple[DigestSet, DigestSet, DigestSet]:
        return self._known or self._read_known()

    def _read_known(self) -> tuple[DigestSet, DigestSet, DigestSet]:
        """What the post rows hold: their names (lowercased), record hashes, and company and
        title keys; read at the first look-up, then kept by ``record_post`` (this connection
        locks the index: no other adds rows meanwhile). A filter: 32-bit digests, as a wrong
        yes only costs the query."""
        self._known = (DigestSet(bits=32), DigestSet(bits=32), DigestSet(bits=32))
        rows = self.db.execute("SELECT slug, record_hash, company_key, title_key FROM posts")
        for slug, record_hash, company_key, title_key in rows:
            self._remember(slug, record_hash or "", company_key or "", title_key or "")
        return self._known

    def _remember(self, slug: str, record_hash: str, company_key: str, title_key: str) -> None:
        assert self._known is not None
        slugs, records, matches = self._known
        self._absent = None
        slugs.add(slug.lower())
        if record_hash:
            records.add(record_hash)
        matches.add(f"{company_key}\x1f{title_key}")

    # -- opening, rebuilding ---------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        existed = self.path.exists()
        reason = "" if existed else "missing"
        db: sqlite3.Connection | None = None
        try:
            db = _open(self.path)
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("quick_check failed")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if existed and version in (3, 4, 5):
                version = _upgrade(db)
            if existed and version != SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"schema version {version}, not {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as error:
            if db is not None:
                db.close()
            if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
                raise  # busy, not broken: another process reads it; never set it aside

            aside = self.path.with_name(f"{INDEX_FILE}.corrupt")
            for suffix in ("", "-journal", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.replace(f"{self.path}{suffix}", f"{aside}{suffix}")
            reason = f"unreadable ({error}; kept as {aside.name})"
            db = _open(self.path)
        db.row_factory = sqlite3.Row
        if reason:
            with db:
                db.executescript(SCHEMA)
            self.rebuilt = self._rebuild(db)
            # only a finished rebuild marks the index as current: a crash before this line
            # leaves version 0, set aside and rebuilt on the next run
            with db:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            if self.rebuilt or existed:
                logger.warning(
                    "The state index %s was %s: rebuilt it from the %d post(s) in %s",
                    self.path, reason, self.rebuilt, self.root,
                )  # fmt: skip
        return db

    def _rebuild(self, db: sqlite3.Connection) -> int:
        """Rows for the posts on disk. What a post does not say (its source, the listing it
        came from, when it was last seen) stays empty until a run sees the job again."""
        count = 0
        with db:
            for post in sorted(self.root.glob("*.md")):
                try:
                    data = post.read_bytes()
                    metadata, _ = split_post(data.decode("utf-8"))
                    first_seen = datetime.fromtimestamp(post.stat().st_mtime, UTC)
                except (OSError, ValueError) as error:  # UnicodeDecodeError is a ValueError
                    logger.warning("Cannot read %s back into the index: %s", post, error)
                    continue
                db.execute(
                    "INSERT OR REPLACE INTO posts (slug, source, source_id, url, content_hash,"
                    " first_seen, expires, expired_at, posted, company_key, title_key, sources)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        post.stem,
                        _text(metadata.get("source")) or None,
                        _text(metadata.get("source_id")) or None,
                        _text(metadata.get("url")) or None,
                        content_hash(data),
                        first_seen.isoformat(timespec="seconds"),
                        _text(metadata.get("expires")) or None,
                        _text(metadata.get(EXPIRY_KEY)) or None,
                        _text(metadata.get("date")) or None,
                        match_key(_text(metadata.get("summary"))),
                        match_key(_text(metadata.get("title"))),
                        json.dumps(_strings(metadata.get("sources"))),
                    ),
                )
                count += 1
        return count

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.merge_staged()
        with contextlib.suppress(sqlite3.Error):
            self.commit()
            self.build_indexes()
            self.db.close()
        StateIndex._open.pop(self.root, None)

    def commit(self) -> None:
        self._touch_now()
        self.db.commit()
        self._pending = 0
        self._committed_at = time.monotonic()

    def _wrote(self, rows: int = 1) -> None:
        self._pending += rows
        if self._pending >= COMMIT_EVERY or time.monotonic() - self._committed_at >= COMMIT_SECONDS:
            self.commit()

    # -- posts ------------------------------------------------------------------------------

    def get(self, slug: str) -> PostRecord | None:
        if not self._may_hold(slug):
            return None
        self._settle(slug=slug)
        self._touch_now()  # the record's last_seen
        row = self.db.execute("SELECT * FROM posts WHERE slug = ?", (slug,)).fetchone()
        return PostRecord(**dict(row)) if row is not None else None

    def record_post(
        self,
        slug: str,
        *,
        source: str,
        source_id: str,
        listing: str,
        url: str,
        hash_: str,
        seen: str,
        expires: str,
        expired_at: str,
        posted: str,
        company_key: str,
        title_key: str,
        source_hash: str = "",
        record_hash: str = "",
    ) -> None:
        """The post ``slug`` was written (or found unchanged) by the run that started at
        ``seen``."""
        self._settle(slug=slug)
        self.db.execute(
            "INSERT INTO posts (slug, source, source_id, listing, url, content_hash, first_seen,"
            " last_seen, expires, expired_at, posted, company_key, title_key, source_hash,"
            " record_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            f" {_UPSERT},"
            " file_stamp = CASE WHEN content_hash = excluded.content_hash THEN file_stamp END",
            (slug, source, source_id, listing, url, hash_, seen, seen, expires or None,
             expired_at or None, posted, company_key, title_key, source_hash or None,
             record_hash or None),
        )  # fmt: skip
        if self._known is not None:
            self._remember(slug, record_hash, company_key, title_key)
        self._wrote()

    def stage(self, row: Row) -> None:
        """The writer process stages ``row`` (``staging.ROW_COLUMNS``) with its post's file:
        the post is known from now on, and its row in the index from the next merge, which a
        look-up of it brings forward."""
        slug, record_hash = row[_ROW_SLUG], row[_ROW_RECORD] or ""
        company_key, title_key = row[_ROW_COMPANY], row[_ROW_TITLE]
        self._filters()  # read before the row is in: then kept up here
        self._remember(slug, record_hash, company_key, title_key)
        if self._staged is None:
            self._staged = set()
        staged = self._staged
        staged.add(hash(slug.lower()))
        if record_hash:
            staged.add(hash(record_hash))
        staged.add(hash(f"{company_key}\x1f{title_key}"))
        if len(staged) >= 3 * COMMIT_EVERY:
            self.merge_staged()

    def _settle(self, slug: str = "", record_hash: str = "", match: str = "") -> None:
        """Merge the staged rows first when one of them may be the row asked for."""
        staged = self._staged
        if staged is not None and (
            (slug and hash(slug.lower()) in staged)
            or (record_hash and hash(record_hash) in staged)
            or (match and hash(match) in staged)
        ):
            self.merge_staged()

    def _settle_all(self) -> None:
        if self._staged is not None:
            self.merge_staged()

    def merge_staged(self) -> int:
        """The rows the writer process staged (``staging``), into the index once it is idle:
        in one statement, in the order they were staged, a post's later row over its
        earlier one (``record_post``'s rules, with the stamp of the file written); how many.
        An unreadable staging file is removed with a WARNING (its posts are on disk: a run
        that sees them again records them)."""
        self._staged = None
        WRITER.wait()
        path = staging_path(self.root)
        if not os.path.exists(path):
            return 0
        self.commit()
        try:
            self.db.execute("ATTACH DATABASE ? AS staging", (path,))
        except sqlite3.DatabaseError as error:
            return self._drop_staging(path, error)
        try:
            self.db.execute("PRAGMA staging.locking_mode = NORMAL")  # the writer's file too
            columns = staged_columns(self.db, "staging")
            if columns and columns != STAGED_COLUMNS:
                raise sqlite3.DatabaseError("its rows are of another shape")
            if not columns or not self.db.execute("SELECT 1 FROM staging.staged").fetchone():
                return 0  # nothing written: nothing to fail on a full disk
            merged = self.db.execute(_MERGE).rowcount
            self.db.execute("DELETE FROM staging.staged")
            self.db.commit()
        except sqlite3.DatabaseError as error:
            if self.db.in_transaction:
                self.db.rollback()
            if isinstance(error, sqlite3.OperationalError):
                raise  # busy or full, not broken: the caller's failure
            return self._drop_staging(path, error)
        finally:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("DETACH DATABASE staging")
        self._committed_at = time.monotonic()
        return merged

    def _drop_staging(self, path: str, error: sqlite3.DatabaseError) -> int:
        logger.warning(
            "The staged rows of the state index %s could not be merged (%s): removed them; "
            "their posts stay, and are recorded again when a run sees them", path, error,
        )  # fmt: skip
        for suffix in ("", "-journal"):
            with contextlib.suppress(OSError):  # not a file at all: the writer will say so
                os.remove(f"{path}{suffix}")
        return 0

    def set_hash(self, slug: str, hash_: str) -> None:
        """The post was rewritten outside the pipeline (expiry, sources): its text changed, and
        its record must go through the pipeline again next time."""
        self._settle(slug=slug)
        self.db.execute(
            "UPDATE posts SET content_hash = ?, source_hash = NULL, file_stamp = NULL,"
            " record_hash = NULL"
            " WHERE slug = ?",
            (hash_, slug),
        )
        self._wrote()

    def made_from(self, slug: str, source_hash: str, listing: str) -> tuple[str, str] | None:
        """The content hash and file stamp (or "") of the live post ``slug`` when it was made
        from a record with ``source_hash`` in the same listing (processing the record again
        would give the same post); else None."""
        if not self._may_hold(slug):
            return None
        self._settle(slug=slug)
        row = self.db.execute(
            "SELECT content_hash, file_stamp FROM posts WHERE slug = ? AND source_hash = ?"
            " AND listing = ? AND expired_at IS NULL",
            (slug, source_hash, listing),
        ).fetchone()
        return None if row is None else (str(row[0]), row[1] or "")

    def made_from_record(self, record_hash: str, listing: str) -> tuple[str, str, str] | None:
        """The slug, content hash and file stamp (or "") of the live post of ``listing`` made
        from the very record hashed as ``record_hash``; else None."""
        if record_hash not in self._filters()[1]:
            return None
        self._settle(record_hash=record_hash)
        row = self.db.execute(
            "SELECT slug, content_hash, file_stamp FROM posts WHERE record_hash = ?"
            " AND listing = ? AND expired_at IS NULL",
            (record_hash, listing),
        ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]), row[2] or "")

    def set_stamps(self, stamps: list[tuple[str, str, str]]) -> None:
        """``(slug, file stamp, content hash)``: the post's file on disk, as it was when it held
        those bytes; a stamp of bytes the index no longer holds is not kept."""
        if stamps:
            for slug, _, _ in stamps:
                self._settle(slug=slug)
            self.db.executemany(
                "UPDATE posts SET file_stamp = ? WHERE slug = ? AND content_hash = ?",
                [(stamp, slug, hash_) for slug, stamp, hash_ in stamps],
            )
            self._wrote(len(stamps))

    def touch_later(self, slug: str, seen: str) -> None:
        """``touch([slug], seen)`` for a post known to exist, done with others in one go (before
        any question about what a run saw, and at each commit)."""
        self._settle(slug=slug)
        self._touches.append((seen, slug))
        if len(self._touches) >= TOUCH_BATCH:
            self._touch_now()

    def _touch_now(self) -> None:
        if self._touches:
            touches, self._touches = self._touches, []
            self.db.executemany("UPDATE posts SET last_seen = ? WHERE slug = ?", touches)
            self._wrote(len(touches))

    def touch(self, slugs: list[str], seen: str) -> int:
        """Mark posts seen by the run that started at ``seen`` without rewriting them (their
        page was not fetched: unchanged); how many exist."""
        touched = 0
        for slug in slugs:
            self._settle(slug=slug)
            cursor = self.db.execute("UPDATE posts SET last_seen = ? WHERE slug = ?", (seen, slug))
            touched += cursor.rowcount
        self._wrote()
        return touched

    def has_posts(self, slugs: list[str]) -> bool:
        return bool(slugs) and all(self.get(slug) is not None for slug in slugs)

    def add_source(self, slug: str, url: str) -> bool:
        """Record ``url`` as another board's copy of ``slug``; False when it was known."""
        record = self.get(slug)
        if record is None:
            return False
        urls = record.other_sources
        if url in urls:
            return False
        urls.append(url)
        self.db.execute("UPDATE posts SET sources = ? WHERE slug = ?", (json.dumps(urls), slug))
        self._wrote()
        return True

    def matches(self, company_key: str, title_key: str) -> list[PostRecord]:
        """Posts of the same company and title (after normalization)."""
        match = f"{company_key}\x1f{title_key}"
        if match not in self._filters()[2]:
            return []
        self._settle(match=match)
        rows = self.db.execute(
            "SELECT * FROM posts WHERE company_key = ? AND title_key = ? ORDER BY first_seen",
            (company_key, title_key),
        )
        return [PostRecord(**dict(row)) for row in rows]

    def mark_expired(self, slug: str, at: str | None) -> None:
        self._settle(slug=slug)
        self.db.execute("UPDATE posts SET expired_at = ? WHERE slug = ?", (at, slug))
        self._wrote()

    def forget(self, slug: str) -> None:
        self._settle(slug=slug)
        self.db.execute("DELETE FROM posts WHERE slug = ?", (slug,))
        self._wrote()

    def vanished(self, listing: str, run: str) -> Iterator[PostRecord]:
        """Live posts of ``listing`` the run that started at ``run`` did not see."""
        self._settle_all()
        self.build_indexes()
        self._touch_now()
        rows = self.db.execute(
            "SELECT * FROM posts WHERE listing = ? AND expired_at IS NULL"
            " AND (last_seen IS NULL OR last_seen < ?)",
            (listing, run),
        ).fetchall()
        return (PostRecord(**dict(row)) for row in rows)

    def past_expiry(self, listing: str, now: str) -> Iterator[PostRecord]:
        """Live posts of ``listing`` whose own expiry date has passed."""
        self._settle_all()
        self.build_indexes()
        rows = self.db.execute(
            "SELECT * FROM posts WHERE listing = ? AND expired_at IS NULL"
            " AND expires IS NOT NULL AND expires != ''",
            (listing,),
        ).fetchall()
        for row in rows:
            record = PostRecord(**dict(row))
            if record.expires and has_passed(record.expires, now):
                yield record

    def expired_before(self, listing: str, cutoff: str, run: str) -> Iterator[PostRecord]:
        """Posts of ``listing`` expired before ``cutoff`` that the run ``run`` did not see
        (a job still listed past its own expiry is not removed, only to come back)."""
        self._settle_all()
        self.build_indexes()
        self._touch_now()
        rows = self.db.execute(
            "SELECT * FROM posts WHERE listing = ? AND expired_at IS NOT NULL AND expired_at < ?"
            " AND (last_seen IS NULL OR last_seen < ?)",
            (listing, cutoff, run),
        ).fetchall()
        return (PostRecord(**dict(row)) for row in rows)

    def listings_seen(self, run: str) -> list[str]:
        """The listings of the posts the run that started at ``run`` saw."""
        self._settle_all()
        self.build_indexes()
        self._touch_now()
        rows = self.db.execute(
            "SELECT DISTINCT listing FROM posts WHERE last_seen >= ? AND listing IS NOT NULL",
            (run,),
        )
        return sorted(row[0] for row in rows)

    def case_twin(self, slug: str) -> str | None:
        """Another post whose name differs from ``slug`` only in case (one file on a
        case-insensitive file system)."""
        if not self._may_hold(slug):
            return None
        self._settle(slug=slug)
        row = self.db.execute(
            "SELECT slug FROM posts WHERE slug = ? COLLATE NOCASE AND slug != ?", (slug, slug)
        ).fetchone()
        return None if row is None else str(row[0])

    def seen_count(self, listing: str, run: str) -> int:
        self._settle_all()
        self.build_indexes()
        self._touch_now()
        return int(
            self.db.execute(
                "SELECT COUNT(*) FROM posts WHERE listing = ? AND last_seen >= ?",
                (listing, run),
            ).fetchone()[0]
        )

    # -- listings ----------------------------------------------------------------------------

    def listing_jobs(self, listing: str) -> int | None:
        """How many jobs ``listing`` held the last time it was read whole."""
        row = self.db.execute("SELECT jobs FROM listings WHERE listing = ?", (listing,)).fetchone()
        return None if row is None else int(row[0])

    def set_listing_jobs(self, listing: str, jobs: int, at: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO listings (listing, jobs, read_at) VALUES (?, ?, ?)",
            (listing, jobs, at),
        )
        self._wrote()

    # -- job pages -----------------------------------------------------------------------------

    def page(self, url: str) -> PageRecord | None:
        row = self.db.execute("SELECT * FROM pages WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        return PageRecord(
            url=row["url"], slugs=_strings(_json(row["slugs"])), lastmod=row["lastmod"],
            etag=row["etag"], last_modified=row["last_modified"],
        )  # fmt: skip

    def remember_page(
        self, url: str, slugs: list[str], *, lastmod: str, etag: str, last_modified: str
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO pages (url, slugs, lastmod, etag, last_modified)"
            " VALUES (?, ?, ?, ?, ?)",
            (url, json.dumps(slugs), lastmod, etag, last_modified),
        )
        self._wrote()


def _upgrade(db: sqlite3.Connection) -> int:
    """Versions 3 to 5 of the index gain, in place, what later versions changed: the posts'
    file stamps and record hashes (5), no index of their URLs, which nothing looks up (6). The
    index of record hashes comes with the other ``LATE_INDEXES``, when the index is opened."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(posts)")}
    with db:
        for column in ("file_stamp", "record_hash"):
            if column not in columns:
                db.execute(f"ALTER TABLE posts ADD COLUMN {column} TEXT")
        db.execute("DROP INDEX IF EXISTS posts_url")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return SCHEMA_VERSION


def _open(path: Path) -> sqlite3.Connection:
    """A connection that keeps its lock on the index until it closes (the run holds the
    content directory's lock anyway): no file locking and journal probing per statement.
    A commit flushes the index to disk once, not at every step of the journal: a power cut
    at the wrong moment may leave it unreadable, and the next run rebuilds it from the
    posts."""
    db = sqlite3.connect(path, timeout=30)
    db.execute("PRAGMA locking_mode = EXCLUSIVE")
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def _json(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def has_passed(when: str, now: str) -> bool:
    """Whether the RFC 3339 time ``when`` is at or before ``now``."""
    try:
        return datetime.fromisoformat(when) <= datetime.fromisoformat(now)
    except ValueError:
        return False
