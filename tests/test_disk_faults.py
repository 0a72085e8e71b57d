"""A full or read-only content directory: a clear error naming it, exit 1, no post lost or
truncated. The file systems are small tmpfs mounts the tests make (root only)."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from jobscrape.items import JobPosting
from jobscrape.spiders.remotive import RemotiveSpider
from jobscrape.writer import state
from jobscrape.writer.content_dir import ContentDirUnwritable
from jobscrape.writer.lock import STATE_DIR
from jobscrape.writer.run import ContentRun
from jobscrape.writer.staging import Stager
from jobscrape.writer.state import StateIndex
from tests.conftest import FIXTURES, crawl_board, make_crawler, run_crawl, snapshot
from tests.test_incremental import FIVE, remotive_cassette, remotive_job
from tests.test_staged_rows import opened_over_unmergeable_rows, row


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True, text=True, check=False)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(filesystem: Path) -> None:
    """Use up every free byte of ``filesystem``."""
    descriptor = os.open(filesystem / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        for size in (1 << 16, 1 << 12, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(descriptor, b"\0" * size)
    finally:
        os.close(descriptor)


def crawl_remotive(content: Path, cassette: Path):
    return run_crawl("remotive", "-s", f"VCR_CASSETTE={cassette}", "-s", f"CONTENT_DIR={content}")


@contextlib.contextmanager
def five_posts_on_a_small_disk(tmp_path: Path) -> Iterator[tuple[Path, Path, dict[str, bytes]]]:
    """A 2 MB tmpfs whose content directory a first run filled with five posts: the disk, the
    directory and its posts."""
    with tmpfs(tmp_path / "disk", "2m") as disk:
        content = disk / "content"
        first = crawl_remotive(content, remotive_cassette(tmp_path / "a.yaml", FIVE))
        assert first.returncode == 0, first.stderr[-2000:]
        yield disk, content, snapshot(content)


def test_a_full_disk_fails_the_run_naming_the_directory_and_truncates_no_post(tmp_path):
    with five_posts_on_a_small_disk(tmp_path) as (disk, content, before):
        fill(disk)
        changed = [remotive_job(job["id"], job["title"], description="<p>" + "new " * 2000)
                   for job in FIVE]  # fmt: skip
        result = crawl_remotive(content, remotive_cassette(tmp_path / "b.yaml", changed))
        assert result.returncode == 1
        reason = result.stderr.strip().splitlines()[-1]
        assert reason.startswith("jobscrape: crawl remotive failed: ")
        assert f"into {content}: No space left on device" in reason
        assert result.stderr.count("ERROR: cannot write post-") == 1  # then the run stops
        assert snapshot(content) == before  # every post whole, as it was
        assert not [p for p in content.iterdir() if p.name.endswith(".tmp")]
        assert "expiring nothing: the run failed" in result.stderr
        # room again: the next run completes
        (disk / "filler").unlink()
        again = crawl_remotive(content, tmp_path / "b.yaml")
        assert again.returncode == 0, again.stderr[-2000:]
        assert all("new new" in (content / name).read_text() for name in before)


def test_posts_that_fail_only_at_the_runs_last_flush_fail_it_and_expire_nothing(tmp_path):
    """Fewer posts than a writer batch: they are written, and fail, only when the run ends."""
    with five_posts_on_a_small_disk(tmp_path) as (_, content, before):
        # four of the five jobs again, each now too long for what the disk has left; the
        # index's few rows still fit (the writer removes the temporary files it could not fill)
        longer = [remotive_job(job["id"], job["title"], description="<p>" + "new " * 150_000)
                  for job in FIVE[:4]]  # fmt: skip
        result = crawl_remotive(content, remotive_cassette(tmp_path / "b.yaml", longer))
        assert result.returncode == 1
        assert "No space left on device" in result.stderr.strip().splitlines()[-1]
        assert "expiring nothing: the run failed" in result.stderr
        assert snapshot(content) == before  # the fifth job, gone from the list, not expired
        assert not [p for p in content.iterdir() if p.name.endswith(".tmp")]


@contextlib.contextmanager
def index_without_room(tmp_path: Path, method: str) -> Iterator[ContentRun]:
    """A run whose state index fails at ``method`` as SQLite does on a full disk."""
    run = ContentRun(make_crawler(RemotiveSpider, CONTENT_DIR=str(tmp_path)), str(tmp_path))
    run.spider_opened(RemotiveSpider())
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = 13  # SQLITE_FULL, as sqlite3 sets it

    def no_room() -> None:
        raise full

    setattr(run.index, method, no_room)
    try:
        yield run
    finally:
        logging.getLogger().removeHandler(run.errors)  # what spider_closed would do
        delattr(run.index, method)
        run.index.close()


def test_a_state_index_that_cannot_be_committed_at_the_end_is_one_error_naming_it(tmp_path, caplog):
    with index_without_room(tmp_path, "commit") as run, caplog.at_level(logging.ERROR):
        failed = run._flush()
        again = run._flush()  # the closing flush: the rows are lost, said once
    assert failed == f"cannot write the state index of {tmp_path}: No space left on device"
    assert again == ""
    assert [record.getMessage() for record in caplog.records] == [failed]


def test_late_indexes_without_room_at_the_end_fail_the_run_and_keep_its_rows(tmp_path, caplog):
    with index_without_room(tmp_path, "build_indexes") as run, caplog.at_level(logging.ERROR):
        run.index.record_post(
            "post-1", source="remotive", source_id="1", listing="remotive", url="", hash_="h",
            seen=run.run, expires="", expired_at="", posted="", company_key="acme",
            title_key="dev",
        )  # fmt: skip
        failed = run._flush()
        assert not run.index.db.in_transaction  # the rows were committed before
    assert failed == f"cannot write the state index of {tmp_path}: No space left on device"
    assert [record.getMessage() for record in caplog.records] == [failed]


def test_a_read_only_content_directory_fails_the_run_naming_it(tmp_path):
    with tmpfs(tmp_path / "disk", "2m") as disk:
        content = disk / "content"
        cassette = FIXTURES / "remotive" / "remotive.yaml"
        assert crawl_board("remotive", content).returncode == 0
        before = snapshot(content)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        result = crawl_remotive(content, cassette)
        assert result.returncode == 1
        reason = result.stderr.strip().splitlines()[-1]
        assert reason == (
            f"jobscrape: crawl remotive failed: cannot lock {content}: Read-only file system"
        )
        assert snapshot(content) == before
        assert (content / STATE_DIR / "lock").exists()


def test_a_content_directory_that_cannot_take_posts_fails_naming_it(tmp_path):
    """Without mounts: the state folder writable, the posts' directory not (a directory in
    place of a post file, as a stray `mkdir` would leave)."""
    content = tmp_path / "content"
    assert crawl_board("remotive", content).returncode == 0
    victim = next(content.glob("*.md"))
    before = snapshot(content)
    victim.unlink()
    victim.mkdir()  # a directory where the post should be
    result = crawl_board("remotive", content)
    assert result.returncode == 1
    assert "is not a regular file; refusing to write through it" in result.stderr
    after = snapshot(content)
    assert {name: data for name, data in after.items() if name in before} == {
        name: data for name, data in before.items() if name != victim.name
    }
    assert os.path.isdir(victim)


def test_rows_left_staged_on_a_full_disk_are_dropped_and_the_run_goes_on(tmp_path, caplog):
    """A killed run's staged rows cannot be merged into an index with no room left: they are
    a cache of posts on disk, removed with a WARNING; the index opens and answers."""
    with tmpfs(tmp_path / "disk", "2m") as disk:
        (disk / STATE_DIR).mkdir()
        StateIndex(disk).close()
        rows = [(*row(f"post-{n}"), f"hash {n}", "") for n in range(500)]
        Stager().stage(str(disk), rows)
        fill(disk)
        index = opened_over_unmergeable_rows(disk, caplog)
        try:
            assert index.get("post-1") is None
        finally:
            index.close()


def test_staged_rows_that_cannot_be_merged_for_want_of_room_fail_the_write(tmp_path, monkeypatch):
    monkeypatch.setattr(state, "COMMIT_EVERY", 1)  # the first row staged is merged at once
    with index_without_room(tmp_path, "merge_staged") as run:
        posting = JobPosting(source="remotive", source_id="1", slug="post-1", title="Dev",
                             company="Acme", record_hash="r1", post_text="---\n---\n")  # fmt: skip
        with pytest.raises(ContentDirUnwritable, match=r"post-1 .*\(the state index is full\)"):
            run.wrote(posting, "new", run.row(posting))
