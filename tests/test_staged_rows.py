"""The state index's rows staged by the writer process with their posts: merged as the crawl
would have written them, asked before they are merged, left behind by a killed run, unreadable,
or not stageable at all."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jobscrape.writer.atomic import content_hash, file_stamp
from jobscrape.writer.content_dir import WRITER, ContentDirectory, ContentDirUnwritable
from jobscrape.writer.lock import STATE_DIR
from jobscrape.writer.staging import ROW_COLUMNS, STAGING_FILE, Stager, staging_path
from jobscrape.writer.state import INDEX_FILE, StateIndex
from tests.conftest import crawl_board

FIRST_RUN = "2026-01-01T00:00:00.000000+00:00"
SECOND_RUN = "2026-01-02T00:00:00.000000+00:00"


def row(slug: str, seen: str = FIRST_RUN, **fields: Any) -> tuple[Any, ...]:
    values = {
        "slug": slug, "source": "remotive", "source_id": slug, "listing": "remotive",
        "url": f"https://remotive.com/{slug}", "seen": seen, "expires": None,
        "expired_at": None, "posted": "2026-01-01T00:00:00+00:00", "company_key": "acme",
        "title_key": "developer", "source_hash": f"source of {slug}", "record_hash": None,
        **fields,
    }  # fmt: skip
    return tuple(values[column] for column in ROW_COLUMNS)


@pytest.fixture
def index(tmp_path: Path) -> Iterator[StateIndex]:
    opened = StateIndex(tmp_path)
    yield opened
    opened.close()


def staged_rows(root: Path) -> int:
    WRITER.wait()
    with sqlite3.connect(staging_path(root)) as db:
        count = int(db.execute("SELECT COUNT(*) FROM staged").fetchone()[0])
    db.close()
    return count


def test_a_post_s_row_goes_with_it_and_reaches_the_index_with_its_file_s_stamp(tmp_path, index):
    content = ContentDirectory(tmp_path, batch=64)
    first = row("post-1")
    assert content.write("post-1", "one\n", first) == "new"
    index.stage(first)
    # the post is not written yet: asking for it waits for the writer and merges its row
    record = index.get("post-1")
    assert record is not None
    assert record.content_hash == content_hash(b"one\n")
    assert record.file_stamp == file_stamp(os.stat(tmp_path / "post-1.md"))
    assert record.first_seen == record.last_seen == FIRST_RUN
    assert (record.source_hash, record.company_key) == ("source of post-1", "acme")
    assert staged_rows(tmp_path) == 0


def test_a_post_rewritten_in_one_run_keeps_its_later_row_and_its_first_sighting(tmp_path, index):
    content = ContentDirectory(tmp_path, batch=64)
    for text, seen in (("one\n", FIRST_RUN), ("one, edited\n", SECOND_RUN)):
        staged = row("post-1", seen, title_key=text.strip())
        content.write("post-1", text, staged)
        index.stage(staged)
    assert index.merge_staged() == 2
    record = index.get("post-1")
    assert record is not None
    assert record.content_hash == content_hash(b"one, edited\n")
    assert (record.first_seen, record.last_seen) == (FIRST_RUN, SECOND_RUN)
    assert record.title_key == "one, edited"
    assert record.file_stamp == file_stamp(os.stat(tmp_path / "post-1.md"))


def test_the_crawl_s_own_change_of_a_staged_row_is_not_undone_by_the_merge(tmp_path, index):
    content = ContentDirectory(tmp_path, batch=64)
    content.write("post-1", "one\n", row("post-1"))
    index.stage(row("post-1"))
    index.set_hash("post-1", "the hash of a rewrite")  # merges the staged row first
    index.merge_staged()
    record = index.get("post-1")
    assert record is not None
    assert (record.content_hash, record.file_stamp, record.source_hash) == (
        "the hash of a rewrite",
        None,
        None,
    )


@pytest.mark.parametrize(
    "ask",
    [
        lambda index: index.made_from_record("record-1", "remotive")[0],
        lambda index: index.matches("acme", "developer")[0].slug,
        lambda index: index.case_twin("post-1"),
        lambda index: index.made_from("Post-1", "source of Post-1", "remotive") and "Post-1",
        lambda index: index.listings_seen(FIRST_RUN) and "Post-1",
    ],
    ids=["record", "company and title", "name in another case", "name", "listing"],
)
def test_every_look_up_sees_rows_staged_and_not_merged(tmp_path, index, ask):
    content = ContentDirectory(tmp_path, batch=64)
    staged = row("Post-1", record_hash="record-1")
    content.write("Post-1", "one\n", staged)
    index.stage(staged)
    assert ask(index) == "Post-1"


def test_a_new_job_s_look_ups_do_not_wait_for_the_writer(tmp_path, index):
    content = ContentDirectory(tmp_path, batch=64)
    content.write("post-1", "one\n", row("post-1", record_hash="record-1"))
    index.stage(row("post-1", record_hash="record-1"))
    assert index.get("post-2") is None
    assert index.made_from_record("record-2", "remotive") is None
    assert index.matches("acme", "designer") == []
    assert staged_rows(tmp_path) == 1  # still staged: nothing asked for it


def test_rows_a_killed_run_left_staged_are_merged_when_the_index_opens(tmp_path):
    (tmp_path / STATE_DIR).mkdir()
    Stager().stage(str(tmp_path), [(*row("post-1"), "hash of post-1", "12:34:56")])
    index = StateIndex(tmp_path)
    try:
        record = index.get("post-1")
        assert record is not None
        assert (record.content_hash, record.file_stamp) == ("hash of post-1", "12:34:56")
    finally:
        index.close()
    assert staged_rows(tmp_path) == 0


def opened_over_unmergeable_rows(root: Path, caplog: pytest.LogCaptureFixture) -> StateIndex:
    """The index of ``root``, opened over staged rows it cannot merge: they are removed, with
    a WARNING."""
    with caplog.at_level(logging.WARNING):
        index = StateIndex(root)
    assert any("could not be merged" in message for message in caplog.messages)
    assert not (root / STATE_DIR / STAGING_FILE).exists()
    return index


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(b"not a database at all" * 100),
        lambda path: sqlite3.connect(path).executescript(
            "CREATE TABLE staged (slug, hash); INSERT INTO staged VALUES ('post-1', 'h');"
        ),
    ],
    ids=["unreadable", "another shape"],
)
def test_a_staging_file_that_cannot_be_merged_is_removed_with_a_warning(tmp_path, caplog, damage):
    (tmp_path / STATE_DIR).mkdir()
    damage(tmp_path / STATE_DIR / STAGING_FILE)
    index = opened_over_unmergeable_rows(tmp_path, caplog)
    try:
        assert index.get("post-1") is None
        content = ContentDirectory(tmp_path, batch=64)  # staging works again
        content.write("post-2", "two\n", row("post-2"))
        index.stage(row("post-2"))
        assert index.get("post-2") is not None
    finally:
        index.close()


def test_rows_that_cannot_be_staged_fail_the_directory_s_writes_naming_the_index(tmp_path):
    (tmp_path / STATE_DIR / STAGING_FILE).mkdir(parents=True)  # no database can go there
    content = ContentDirectory(tmp_path, batch=64)
    content.write("post-1", "one\n", row("post-1"))
    with pytest.raises(ContentDirUnwritable) as failure:
        content.sync()
    assert failure.value.strerror.startswith(f"cannot write the state index of {tmp_path}: ")
    assert (tmp_path / "post-1.md").read_text() == "one\n"  # the post was in place before


def index_rows(content: Path) -> dict[str, dict[str, Any]]:
    with sqlite3.connect(content / STATE_DIR / INDEX_FILE) as db:
        db.row_factory = sqlite3.Row
        rows = {row["slug"]: dict(row) for row in db.execute("SELECT * FROM posts")}
    db.close()
    for values in rows.values():
        values["seen_once"] = values.pop("first_seen") == values.pop("last_seen")
    return rows


def test_a_crawl_s_staged_rows_are_the_rows_it_writes_itself_without_the_writer(tmp_path):
    staged, inline = tmp_path / "staged", tmp_path / "inline"
    assert crawl_board("remotive", staged).returncode == 0
    assert crawl_board("remotive", inline, None, "-s", "CONTENT_WRITE_BATCH=1").returncode == 0
    rows, written_here = index_rows(staged), index_rows(inline)
    # the writer process's files have their stamps; the crawl's own writes leave them empty
    assert all(
        values.pop("file_stamp") == file_stamp(os.stat(staged / f"{slug}.md"))
        for slug, values in rows.items()
    )
    assert all(values.pop("file_stamp") is None for values in written_here.values())
    assert rows and rows == written_here
    assert staged_rows(staged) == 0
