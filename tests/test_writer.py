"""The content-directory writer: paths kept inside, atomic writes, feed plumbing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from jobscrape.items import JobPosting
from jobscrape.renderer import render_post
from jobscrape.spiders.remoteok import RemoteokSpider
from jobscrape.writer.content_dir import ContentDirectory, UnsafePostPath
from jobscrape.writer.feed import ContentDirFeedStorage, PostBatch, PostExporter
from tests.conftest import REPO, make_crawler


def test_write_outcomes(tmp_path):
    content = ContentDirectory(tmp_path / "content")
    content.ensure()
    assert content.write("post-1", "one\n") == "new"
    assert content.write("post-1", "one\n") == "unchanged"
    assert content.write("post-1", "two\n") == "updated"
    assert (tmp_path / "content" / "post-1.md").read_text() == "two\n"
    keeping = ContentDirectory(tmp_path / "content", overwrite=False)
    assert keeping.write("post-1", "three\n") == "kept"
    assert (tmp_path / "content" / "post-1.md").read_text() == "two\n"
    assert keeping.write("post-2", "new\n") == "new"


def test_unchanged_post_is_not_rewritten(tmp_path):
    content = ContentDirectory(tmp_path)
    content.write("post-1", "same\n")
    path = tmp_path / "post-1.md"
    os.utime(path, ns=(10**9, 10**9))
    inode = path.stat().st_ino
    assert content.write("post-1", "same\n") == "unchanged"
    assert path.stat().st_mtime_ns == 10**9
    assert path.stat().st_ino == inode


@pytest.mark.parametrize(
    "slug",
    ["../evil", "a/b", "/etc/passwd", ".hidden", "", "x" * 121, "post-1.md\x00", "post 1", "..",
     "post-1/../../x", "ü"],
)  # fmt: skip
def test_unsafe_slugs_never_reach_the_disk(tmp_path, slug):
    content = ContentDirectory(tmp_path / "content")
    content.ensure()
    with pytest.raises(UnsafePostPath):
        content.write(slug, "x\n")
    assert list(tmp_path.rglob("*")) == [tmp_path / "content"]


def test_symlinked_post_is_refused(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    content_dir = tmp_path / "content"
    content_dir.mkdir()
    (content_dir / "post-1.md").symlink_to(outside)
    with pytest.raises(UnsafePostPath):
        ContentDirectory(content_dir).write("post-1", "overwrite?\n")
    assert outside.read_text() == "precious\n"


def test_the_listing_taken_when_the_directory_opens_still_sees_every_existing_entry(tmp_path):
    """After ``ensure`` lists the directory, a name outside the listing is written as new
    without a look-up; one inside it (any kind of entry) is looked at as before."""
    content_dir = tmp_path / "content"
    content_dir.mkdir()
    (content_dir / "post-1.md").write_text("old\n")
    (content_dir / "post-2.md").symlink_to(tmp_path / "outside.txt")
    (content_dir / "post-3.md").mkdir()
    content = ContentDirectory(content_dir)
    content.ensure()
    assert content.write("post-1", "old\n") == "unchanged"
    assert content.write("post-1", "new\n") == "updated"
    for slug in ("post-2", "post-3"):
        with pytest.raises(UnsafePostPath):
            content.write(slug, "through it?\n")
    assert not (tmp_path / "outside.txt").exists()
    assert content.write("post-4", "four\n") == "new"
    assert content.write("post-4", "four\n") == "unchanged"  # written since the listing
    assert content.write("post-4", "FOUR\n") == "updated"
    (content_dir / "post-4.md").unlink()  # removed by hand: written again, as new
    assert content.write("post-4", "FOUR\n") == "new"
    assert (content_dir / "post-4.md").read_text() == "FOUR\n"


def test_failed_write_keeps_the_old_post_and_leaves_no_temp_file(tmp_path, monkeypatch):
    content = ContentDirectory(tmp_path)
    content.write("post-1", "old\n")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        content.write("post-1", "new\n")
    assert (tmp_path / "post-1.md").read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["post-1.md"]


def test_written_posts_get_ordinary_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        content = ContentDirectory(tmp_path)
        content.write("post-1", "x\n")
    finally:
        os.umask(old)
    assert (tmp_path / "post-1.md").stat().st_mode & 0o777 == 0o644


KILL_WRITER = textwrap.dedent(
    """
    import sys
    from jobscrape.writer.content_dir import ContentDirectory
    content = ContentDirectory(sys.argv[1])
    n = 0
    print("ready", flush=True)
    while True:
        n += 1
        content.write("post-big", (f"version {n}\\n" * 200_000) + "end\\n")
    """
)


def test_a_killed_writer_never_leaves_a_truncated_post(tmp_path):
    """SIGKILL a process that keeps rewriting a 2 MB post; every observed post is whole."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for attempt in range(8):
        proc = subprocess.Popen(
            [sys.executable, "-c", KILL_WRITER, str(tmp_path)],
            stdout=subprocess.PIPE,
            env=env,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"ready\n"
        time.sleep(0.05 + 0.03 * attempt)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
        post = tmp_path / "post-big.md"
        if post.exists():
            text = post.read_text()
            lines = text.splitlines()
            assert lines[-1] == "end"
            assert len(lines) == 200_001
            assert len(set(lines[:-1])) == 1
    # temp files of killed writers are dot files the site generator ignores
    assert all(p.name.startswith(".") for p in tmp_path.iterdir() if p.name != "post-big.md")


# feed plumbing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("content:", "from-setting"),
        ("content:out/posts", "out/posts"),
        ("content:///abs/dir", "/abs/dir"),
    ],
)
def test_feed_uri_chooses_the_directory(tmp_path, monkeypatch, uri, expected):
    monkeypatch.chdir(tmp_path)
    crawler = make_crawler(RemoteokSpider, CONTENT_DIR="from-setting")
    storage = ContentDirFeedStorage.from_crawler(crawler, uri, feed_options={"overwrite": True})
    assert storage.directory.root == (tmp_path / expected).resolve()
    assert storage.directory.overwrite is True


def test_feed_without_overwrite_option_keeps_existing_posts(tmp_path):
    storage = ContentDirFeedStorage(f"content:{tmp_path}", feed_options={})
    assert storage.directory.overwrite is False


def test_exporter_writes_rendered_posts_and_counts_them(tmp_path):
    crawler = make_crawler(RemoteokSpider)
    batch = PostBatch(ContentDirectory(tmp_path), crawler.stats)
    exporter = PostExporter(batch)
    posting = JobPosting(source="remoteok", source_id="7", slug="post-7", title="T", body="b")
    with pytest.raises(ValueError, match="no post text"):
        exporter.export_item(posting)  # rendering is RenderPostPipeline's job, not the writer's
    posting.post_text = render_post(posting)
    exporter.export_item(posting)
    assert (tmp_path / "post-7.md").read_text().startswith('---\npath: "/post-7/"\n')
    assert crawler.stats.get_value("jobscrape/posts/new") == 1
    with pytest.raises(TypeError):
        exporter.export_item({"title": "not a posting"})


def test_exporter_needs_a_content_feed(tmp_path):
    with (tmp_path / "f").open("wb") as handle, pytest.raises(TypeError, match="content:"):
        PostExporter(handle)


def test_stale_temp_files_of_killed_runs_are_removed_fresh_ones_kept(tmp_path):
    stale = tmp_path / ".post-1.abc.tmp"
    fresh = tmp_path / ".post-2.def.tmp"
    for leftover in (stale, fresh):
        leftover.write_text("half a post")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    ContentDirectory(tmp_path).ensure()
    assert not stale.exists()
    assert fresh.exists()


def test_an_update_keeps_the_mode_an_admin_set(tmp_path):
    content = ContentDirectory(tmp_path)
    content.write("post-1", "one\n")
    os.chmod(tmp_path / "post-1.md", 0o640)
    assert content.write("post-1", "two\n") == "updated"
    assert (tmp_path / "post-1.md").stat().st_mode & 0o777 == 0o640
