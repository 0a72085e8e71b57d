"""Two runs on one content directory never overlap; a killed run leaves no stale lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from tests.conftest import FIXTURES, REPO, run_crawl, snapshot

HOLDER = textwrap.dedent(
    """
    import sys, time
    from jobscrape.writer.lock import ContentLock
    lock = ContentLock(sys.argv[1])
    lock.acquire()
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    """
)
CASSETTE = f"VCR_CASSETTE={FIXTURES / 'remoteok' / 'remoteok.yaml'}"


def hold(content, seconds):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(content), str(seconds)],
        stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
    return holder


def test_a_second_run_exits_naming_the_holder_and_writes_nothing(tmp_path):
    holder = hold(tmp_path, 30)
    try:
        result = run_crawl("remoteok", "-s", CASSETTE, "-s", f"CONTENT_DIR={tmp_path}")
    finally:
        holder.kill()
        holder.wait(timeout=10)
        holder.stdout.close()
    assert result.returncode == 1
    reason = result.stderr.strip().splitlines()[-1]
    assert reason.startswith("jobscrape: crawl remoteok failed: ")
    assert f"in use by another run (pid {holder.pid}, started " in reason
    assert snapshot(tmp_path) == {}


def test_a_run_waits_up_to_lock_timeout(tmp_path):
    holder = hold(tmp_path, 2)
    try:
        result = run_crawl("remoteok", "-s", CASSETTE, "-s", f"CONTENT_DIR={tmp_path}",
                           "-s", "LOCK_TIMEOUT=30")  # fmt: skip
    finally:
        holder.wait(timeout=30)
        holder.stdout.close()
    assert result.returncode == 0, result.stderr[-2000:]
    assert "post-71285.md" in snapshot(tmp_path)


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    holder = hold(tmp_path, 30)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    holder.stdout.close()
    result = run_crawl("remoteok", "-s", CASSETTE, "-s", f"CONTENT_DIR={tmp_path}")
    assert result.returncode == 0, result.stderr[-2000:]


def test_crawlall_holds_the_lock_for_its_whole_run(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawlall", "remoteok", "remotive",
         "-s", "VCR_CASSETTE=fixtures/{spider}/{spider}.yaml", "-s", f"CONTENT_DIR={tmp_path}"],
        cwd=REPO, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    holder = hold(tmp_path, 30)
    try:
        busy = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawlall", "remoteok",
             "-s", f"CONTENT_DIR={tmp_path}"],
            cwd=REPO, capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
    finally:
        holder.kill()
        holder.wait(timeout=10)
        holder.stdout.close()
    assert busy.returncode == 1
    assert "jobscrape: crawlall failed: " in busy.stderr and "in use by another run" in busy.stderr
