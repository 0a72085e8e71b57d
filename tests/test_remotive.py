"""Remotive spider: its quirks, the real captures, and the real crawl end to end."""

from __future__ import annotations

import json

import pytest

from jobscrape.spiders.base import BoardResponseError
from jobscrape.spiders.remotive import RemotiveSpider
from tests.conftest import (
    FIXTURES,
    REAL,
    assert_post_conforms,
    crawl_board,
    failed_run_keeps_posts,
    make_crawler,
    parse_feed,
    real_files,
    require_real,
    run_pipelines,
    snapshot,
    write_posts,
)

API = "https://remotive.com/api/remote-jobs"
CASSETTES = FIXTURES / "remotive"
CAPTURES = [path.name for path in real_files("remotive")] or ["(../shared is absent)"]


def crawl(out, cassette=None, *args):
    return crawl_board("remotive", out, cassette, *args)


def test_feed_wrapper_and_fields():
    body = {
        "00-warning": "moved",
        "0-legal-notice": "legal",
        "job-count": 1,
        "jobs": [
            {
                "id": 7, "url": "https://remotive.com/remote-jobs/dev/x-7", "title": "Dev",
                "company_name": "A &amp; B", "company_logo": "", "company_logo_url": "https://l/7",
                "category": "Software Development", "tags": ["Typescript ", "angular "],
                "job_type": "full_time", "publication_date": "2026-05-15T14:00:51",
                "candidate_required_location": "Americas", "salary": "$50-$75 /hour",
                "description": "<p>x</p>",
            },
            "not a job",
        ],
    }  # fmt: skip
    postings, requests, crawler = parse_feed(RemotiveSpider, API, json.dumps(body))
    assert requests == []
    (posting,) = postings
    assert crawler.stats.get_value("jobscrape/records/read") == 1
    assert posting.slug == "post-remotive-7"
    assert posting.logo_url == "https://l/7"  # company_logo_url when company_logo is empty
    run = run_pipelines(crawler, postings)
    (item,) = run.kept
    assert item.tags == ["typescript", "angular", "software development"]
    assert item.company == "A & B"
    assert item.date == "2026-05-15T14:00:51+00:00"  # zone-less means UTC
    assert (item.salary_min, item.salary_max, item.salary_currency, item.salary_period) == (
        50, 75, "USD", "hour")  # fmt: skip
    assert item.salary_raw == "$50-$75 /hour"
    assert (item.location, item.employment_type, item.remote) == ("Americas", "full_time", True)
    assert item.apply_url == "https://remotive.com/remote-jobs/dev/x-7"


def test_a_feed_without_jobs_is_a_clear_error():
    with pytest.raises(BoardResponseError, match="list under 'jobs'"):
        parse_feed(RemotiveSpider, API, '{"0-legal-notice": "x"}')


@pytest.mark.parametrize("name", CAPTURES)
def test_every_real_capture_conforms(name, tmp_path):
    path = require_real(REAL / "remotive" / name)
    feed = json.loads(path.read_bytes())
    assert list(feed)[:4] == ["00-warning", "0-legal-notice", "job-count", "total-job-count"]
    postings, _, crawler = parse_feed(RemotiveSpider, API, path.read_bytes())
    assert len(postings) == len(feed["jobs"]) == feed["job-count"]
    assert crawler.stats.get_value("jobscrape/records/read") == len(feed["jobs"])
    run = run_pipelines(crawler, postings)
    assert run.dropped == []
    for item in run.kept:
        assert item.date.endswith("+00:00")
        assert all(tag == tag.strip() for tag in item.tags)
        if item.salary_raw.strip("- "):
            assert item.salary_min is not None, item.salary_raw
    assert len(write_posts(run.kept, tmp_path)) == len(feed["jobs"])


def test_crawl_replays_the_cassette_into_posts(tmp_path):
    result = crawl(tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    files = snapshot(tmp_path / "out")
    assert sorted(files) == [f"post-remotive-209100{n}.md" for n in (1, 2, 3, 4, 6)]
    for name in files:
        post = assert_post_conforms(tmp_path / "out" / name)
        assert post["category"] == "Remote Jobs"
    sanitized = (tmp_path / "out" / "post-remotive-2091003.md").read_text()
    assert sanitized.endswith("\n\n<p>Data!</p>\n")
    default = assert_post_conforms(tmp_path / "out" / "post-remotive-2091006.md")
    assert default["images"] == [make_crawler(RemotiveSpider).settings["DEFAULT_IMAGE"]]
    assert "Dropped: remotive:2091005 '': no_title" in result.stderr


def test_post_extra_fields_show_salary_and_location(tmp_path):
    result = crawl(tmp_path, "remotive.yaml", "-s",
                   "POST_EXTRA_FIELDS=location,salary_min,salary_max,salary_period")  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    text = (tmp_path / "post-remotive-2091001.md").read_text()
    assert (
        '\nimages: ["https://remotive.com/job/2091001/logo"]\nlocation: "Worldwide"\n'
        'salary_min: "31200"\nsalary_max: "52000"\n---\n' in text  # no period named, none written
    )


@pytest.mark.parametrize("cassette", ["remotive-html-error.yaml", "remotive-malformed.yaml"])
def test_bad_answers_fail_the_run_and_keep_existing_posts(tmp_path, cassette):
    failed_run_keeps_posts("remotive", cassette, tmp_path)


def test_politeness_lives_in_the_spider():
    settings = make_crawler(RemotiveSpider).settings
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1
    assert "day" in RemotiveSpider.politeness
