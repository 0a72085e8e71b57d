"""File stamps and record hashes: a re-run knows an unchanged record before mapping it and
its post by the file's size, mtime and inode, without reading it; an index of the earlier
schema gains the columns in place."""

from __future__ import annotations

import os
import sqlite3

from jobscrape.writer.atomic import file_stamp
from jobscrape.writer.lock import STATE_DIR
from jobscrape.writer.state import INDEX_FILE, SCHEMA, StateIndex
from tests.conftest import crawl_board, mtimes, source_report


def stamps(content):
    with sqlite3.connect(content / STATE_DIR / INDEX_FILE) as db:
        return dict(db.execute("SELECT slug, file_stamp FROM posts"))


def test_the_writer_s_stamps_are_kept_and_a_re_run_trusts_them(tmp_path):
    content = tmp_path / "content"
    assert crawl_board("remotive", content).returncode == 0
    kept = stamps(content)
    posts = sorted(content.glob("*.md"))
    assert posts and set(kept) == {post.stem for post in posts}
    assert all(kept[post.stem] == file_stamp(os.stat(post)) for post in posts)
    with sqlite3.connect(content / STATE_DIR / INDEX_FILE) as db:
        records = [row[0] for row in db.execute("SELECT record_hash FROM posts")]
        names = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert len(set(records)) == len(posts) and all(records)  # remotive maps a record alone
    # the first run filled a new index, and built the indexes it left out at its end
    assert {"posts_record", "posts_listing", "posts_slug_nocase", "posts_match"} <= names
    before = mtimes(content)
    assert crawl_board("remotive", content).returncode == 0
    assert source_report(content)["unchanged"] == len(posts)
    assert mtimes(content) == before


def test_a_post_edited_by_hand_is_rewritten_whatever_its_stamp_said(tmp_path):
    content = tmp_path / "content"
    assert crawl_board("remotive", content).returncode == 0
    post = sorted(content.glob("*.md"))[0]
    original = post.read_bytes()
    post.write_bytes(original.replace(b"title:", b"title: EDITED", 1))
    assert crawl_board("remotive", content).returncode == 0
    assert post.read_bytes() == original
    assert stamps(content)[post.stem] == file_stamp(os.stat(post))


def test_an_index_of_schema_3_is_brought_to_the_current_schema_in_place(tmp_path):
    index_path = tmp_path / STATE_DIR / INDEX_FILE
    index_path.parent.mkdir(parents=True)
    with sqlite3.connect(index_path) as db:
        schema_3 = SCHEMA.replace(",\n    file_stamp TEXT,\n    record_hash TEXT", "")
        assert "file_stamp" not in schema_3 and "record_hash" not in schema_3
        db.executescript(schema_3)
        db.execute("CREATE INDEX posts_url ON posts (url)")  # gone since version 6
        db.execute("INSERT INTO posts (slug, listing, content_hash) VALUES ('post-1', 'l', 'h')")
        db.execute("PRAGMA user_version = 3")
    db.close()
    index = StateIndex(tmp_path)
    try:
        assert index.rebuilt == 0
        assert index.get("post-1") is not None
        index.set_stamps([("post-1", "10:20:30", "h"), ("post-1", "1:2:3", "other bytes")])
        assert index.made_from("post-1", "", "l") is None  # no source hash recorded
        assert index.get("post-1").file_stamp == "10:20:30"
        assert index.made_from_record("no such record", "l") is None
        assert index.db.execute("PRAGMA user_version").fetchone()[0] == 6
        indexes = {row[0] for row in index.db.execute("SELECT name FROM sqlite_master")}
        assert "posts_record" in indexes and "posts_url" not in indexes
    finally:
        index.close()
