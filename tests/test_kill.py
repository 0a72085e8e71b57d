"""``kill -9`` at random points while a run rewrites 10,000 existing posts, 20 times over:
every post stays whole (its old or its new version), no temporary file is left where the site
generator looks, and the next run completes and repairs the index."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from jobscrape.writer.lock import STATE_DIR
from jobscrape.writer.state import INDEX_FILE, content_hash
from tests.conftest import REPO, run_crawl
from tests.test_incremental import remotive_cassette, remotive_job

POSTS = 10_000
KILLS = 20


def board(version: str, path: Path) -> Path:
    jobs = [remotive_job(n, f"Engineer {n}", f"Company {n % 500}",
                         description=f"<p>Job {n}, version {version}: build <b>things</b>.</p>")
            for n in range(1, POSTS + 1)]  # fmt: skip
    return remotive_cassette(path, jobs)


def posts(content: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in content.glob("*.md")}


def test_kill_9_while_rewriting_10000_posts_loses_none(tmp_path):
    content = tmp_path / "content"
    setup = ("-s", f"CONTENT_DIR={content}", "-s", "CONTENT_FSYNC=False", "-L", "WARNING")
    started = time.monotonic()
    first = run_crawl("remotive", "-s", f"VCR_CASSETTE={board('A', tmp_path / 'A.yaml')}",
                      *setup, timeout=600)  # fmt: skip
    assert first.returncode == 0, first.stderr[-2000:]
    # kills land between start-up (about 1.5 s) and the time a whole run took, so that a run
    # rewriting every post (with fsync, slower than this one) is still at work
    latest = max(1.8, 0.85 * (time.monotonic() - started))
    old = posts(content)
    assert len(old) == POSTS
    # every run brings a new version of every job (an unchanged record would not be
    # rewritten): a post is whole when it is its old text with one of those versions
    used = [b"A"]

    def whole(name: str, text: bytes | None) -> bool:
        return text is not None and any(
            text == old[name].replace(b"version A:", b"version " + version + b":")
            for version in used
        )

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    rng = random.Random(20261127)
    survived, killed, rewritten, lost = 0, 0, set(), []
    for kill in range(KILLS):
        version = f"K{kill}"
        used.append(version.encode())
        cassette = board(version, tmp_path / f"{version}.yaml")
        run = subprocess.Popen(
            [sys.executable, "-m", "scrapy", "crawl", "remotive", "-s",
             f"VCR_CASSETTE={cassette}", "-s", f"CONTENT_DIR={content}",
             "-L", "WARNING"],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait = rng.uniform(1.5, latest)  # start-up takes about 1.5 s; then it writes
        try:
            run.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            run.send_signal(signal.SIGKILL)
            assert run.wait(timeout=30) == -signal.SIGKILL
            killed += 1
        else:  # it ended first: later kills land sooner
            assert run.returncode == 0
            latest = max(1.6, 0.8 * wait)
        now = posts(content)
        lost += [name for name in old if not whole(name, now.get(name))]
        rewritten |= {name for name in now if now[name] != old[name]}
        visible = [p.name for p in content.iterdir() if not p.name.startswith(".")]
        assert sorted(visible) == sorted(old), "only whole posts are visible to Hugo"
        survived += 1
    assert lost == []
    assert killed >= KILLS * 3 // 4, f"only {killed} of {KILLS} runs were killed before they ended"
    assert rewritten, "the kills must land while posts are being rewritten"
    # the next run completes: every post in its new version, the index in step with the disk
    final = run_crawl("remotive", "-s", f"VCR_CASSETTE={board('B', tmp_path / 'B.yaml')}",
                      *setup, timeout=600)  # fmt: skip
    assert final.returncode == 0, final.stderr[-2000:]
    now = posts(content)
    assert all(now[name] == old[name].replace(b"version A:", b"version B:") for name in old)
    assert not list(content.glob(".*.tmp"))
    db = sqlite3.connect(content / STATE_DIR / INDEX_FILE)
    hashes = dict(db.execute("SELECT slug || '.md', content_hash FROM posts"))
    db.close()
    assert hashes == {name: content_hash(text) for name, text in now.items()}
    print(
        f"kill -9 iterations survived: {survived} of {KILLS} ({killed} killed); posts "
        f"rewritten by killed runs: {len(rewritten)}; posts lost or truncated: {len(lost)}"
    )
