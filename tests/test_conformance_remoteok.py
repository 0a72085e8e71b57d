"""Conformance over every real RemoteOK capture in ../shared/fixtures/real/remoteok/."""

from __future__ import annotations

import json

import frontmatter
import pytest

from jobscrape.downloadermiddlewares.vcr_replay import save_cassette
from jobscrape.spiders.base import BoardResponseError
from jobscrape.writer.content_dir import ContentDirectory
from tests.conftest import (
    POST_KEYS,
    REAL,
    assert_post_conforms,
    real_files,
    require_real,
    run_crawl,
    run_pipelines,
)
from tests.test_remoteok import parse, real_body

CAPTURES = [path.name for path in real_files("remoteok")] or ["(../shared is absent)"]
DROP_REASONS = {"no_id", "unsafe_id", "no_title", "no_date", "duplicate"}


@pytest.mark.parametrize("name", CAPTURES)
def test_every_record_of_every_capture_becomes_a_loadable_post(name, tmp_path):
    body = real_body(name)
    if name.endswith(".html"):
        with pytest.raises(BoardResponseError):
            parse(body, content_type="text/html")
        return
    job_ids = [job["id"] for job in json.loads(body) if isinstance(job, dict) and "id" in job]
    postings, crawler = parse(body)
    assert len(postings) == len(job_ids) > 0
    assert crawler.stats.get_value("jobscrape/records/read") == len(job_ids)

    run = run_pipelines(crawler, postings)
    assert len(run.kept) + len(run.dropped) == len(postings)
    for posting, message in run.dropped:
        reason = message.split(": ")[1]
        assert reason in DROP_REASONS, message
        # a drop is only ever for a record that really breaks a hard rule
        assert reason != "no_title" or not posting.title_raw.strip()

    content = ContentDirectory(tmp_path)
    for posting in run.kept:
        assert content.write(posting.slug, posting.post_text) == "new"
    files = sorted(tmp_path.glob("*.md"))
    assert len(files) == len(run.kept) > 0
    for path in files:
        post = assert_post_conforms(path)
        assert "&amp;" not in post["title"]
        assert post["images"], path.name


def test_real_capture_through_the_real_crawl(tmp_path):
    name = "remoteok-com-api-2026-03-17.json"
    body = require_real(REAL / "remoteok" / name).read_bytes()
    cassette = tmp_path / "capture.yaml"
    headers = {"Content-Type": ["application/json"]}
    save_cassette(cassette, [("GET", "https://remoteok.com/api", 200, headers, body)])
    out = tmp_path / "content"
    result = run_crawl("remoteok", "-s", f"VCR_CASSETTE={cassette}", "-s", f"CONTENT_DIR={out}")
    assert result.returncode == 0, result.stderr[-2000:]
    feed = json.loads(body)
    titled = [job for job in feed if "id" in job and job["position"].strip()]
    assert len(titled) == 96  # one placeholder record has an empty position
    assert "'jobscrape/records/read': 97" in result.stderr
    assert "'jobscrape/dropped/no_title': 1" in result.stderr
    posts = sorted(out.glob("*.md"))
    assert len(posts) == len(titled)
    for path in posts:
        assert list(frontmatter.load(path).metadata) == POST_KEYS
