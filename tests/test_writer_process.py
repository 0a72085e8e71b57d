"""Posts written in batches by the writer process: invisible to the crawl, failures reported,
whole posts only, and no writer left behind a killed crawl."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import pytest

from jobscrape.writer.atomic import SYNCFS_FROM
from jobscrape.writer.content_dir import WRITER, ContentDirectory, ContentDirUnwritable
from tests.conftest import REPO


def ended(pid: int) -> bool:
    """Gone, or a zombie waiting for whoever adopted it."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def temp_files(directory):
    return [path.name for path in directory.iterdir() if path.name.endswith(".tmp")]


def test_queued_posts_read_as_written_until_their_batch_lands(tmp_path):
    content = ContentDirectory(tmp_path, batch=64)
    assert content.write("post-1", "one\n") == "new"
    assert content.write("post-2", "two\n") == "new"
    # the batch is not full: nothing is on disk yet, yet the posts read as written
    assert not (tmp_path / "post-1.md").exists()
    assert content.exists("post-1")
    assert content.read_text("post-2") == "two\n"
    assert content.write("post-1", "one\n") == "unchanged"
    assert content.write("post-1", "one, edited\n") == "updated"
    content.sync()
    assert (tmp_path / "post-1.md").read_text() == "one, edited\n"
    assert (tmp_path / "post-2.md").read_text() == "two\n"
    assert not temp_files(tmp_path)


def test_a_large_durable_batch_lands_whole(tmp_path):
    content = ContentDirectory(tmp_path, batch=SYNCFS_FROM * 2, fsync=True)
    texts = {f"post-{n}": f"post {n}\n" * (n + 1) for n in range(SYNCFS_FROM * 5 + 3)}
    for slug, text in texts.items():
        assert content.write(slug, text) == "new"
    content.sync()
    assert {path.stem: path.read_text() for path in tmp_path.glob("*.md")} == texts
    assert not temp_files(tmp_path)


def test_existing_file_modes_are_kept(tmp_path):
    post = tmp_path / "post-1.md"
    post.write_text("old\n")
    post.chmod(0o640)
    content = ContentDirectory(tmp_path, batch=8)
    assert content.write("post-1", "new\n") == "updated"
    content.sync()
    assert post.read_text() == "new\n"
    assert post.stat().st_mode & 0o777 == 0o640


def test_a_failed_batch_is_reported_once_naming_the_post_and_the_directory(tmp_path):
    root = tmp_path / "content"
    root.mkdir()
    content = ContentDirectory(root, batch=64)
    content.write("post-1", "one\n")
    root.rmdir()  # the writer process cannot write there any more
    with pytest.raises(ContentDirUnwritable) as failure:
        content.sync()
    assert failure.value.strerror.startswith(f"cannot write post-1.md into {root}: ")
    content.sync()  # reported once
    assert not content.exists("post-1")


def test_a_writer_process_that_dies_is_replaced(tmp_path):
    content = ContentDirectory(tmp_path, batch=2)
    content.write("post-1", "one\n")
    content.write("post-2", "two\n")
    content.sync()
    process = WRITER._process
    assert process is not None
    process.kill()
    process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while WRITER._process is process and time.monotonic() < deadline:
        time.sleep(0.01)  # its answers' reader notices the end
    assert WRITER._process is not process
    content.write("post-3", "three\n")
    content.write("post-4", "four\n")
    content.sync()
    assert (tmp_path / "post-4.md").read_text() == "four\n"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_the_writer_process_ends_with_a_killed_crawl(tmp_path):
    script = textwrap.dedent(
        """
        import sys, time
        from jobscrape.writer.content_dir import WRITER, ContentDirectory
        content = ContentDirectory(sys.argv[1], batch=2)
        content.write("post-1", "one\\n")
        content.write("post-2", "two\\n")
        content.sync()
        print(WRITER._process.pid, flush=True)
        time.sleep(60)
        """
    )
    crawl = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path)], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        assert crawl.stdout is not None
        writer = int(crawl.stdout.readline())
        assert not ended(writer)
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(timeout=10)
        deadline = time.monotonic() + 10
        while not ended(writer) and time.monotonic() < deadline:
            time.sleep(0.02)
        if not ended(writer):
            pytest.fail(f"the writer process {writer} outlived the killed crawl")
    finally:
        crawl.kill()
        crawl.wait()
    assert (tmp_path / "post-2.md").read_text() == "two\n"


def test_posts_a_writer_process_never_answered_fail_naming_the_directory(tmp_path, monkeypatch):
    from jobscrape.writer import content_dir
    from jobscrape.writer.atomic import PostWrite

    writer = content_dir.PostWriter()
    # told of another parent, the writer process ends before reading anything
    monkeypatch.setattr(content_dir.os, "getpid", lambda: 1)
    root = str(tmp_path)
    for n in range(2):
        path = f"{root}/post-{n}.md"
        writer.submit(PostWrite(root, path, b"text\n", 0o644, False), batch_size=2)
    monkeypatch.undo()
    with pytest.raises(ContentDirUnwritable) as failure:
        writer.flush(root)
    assert failure.value.strerror.startswith(f"cannot write 2 post(s) into {root}: ")
    assert "the writer process ended" in failure.value.strerror
    assert writer.queued(f"{root}/post-0.md") is None
    assert not list(tmp_path.iterdir())
