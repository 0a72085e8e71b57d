"""Jobicy spider: its quirks, the real captures, and the real crawl end to end."""

from __future__ import annotations

import json

import pytest

from jobscrape.items import url_id
from jobscrape.spiders.base import BoardResponseError
from jobscrape.spiders.jobicy import JobicySpider
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

API = "https://jobicy.com/api/v2/remote-jobs?count=100"
CASSETTES = FIXTURES / "jobicy"
CAPTURES = [path.name for path in real_files("jobicy")] or ["(../shared is absent)"]
WRAPPER = {
    "apiVersion": "2.2.15",
    "documentationUrl": "https://jobicy.com/jobs-rss-feed",
    "friendlyNotice": "Please credit Jobicy.",
    "jobCount": 1,
    "xRayHash": "abc",
    "clientKey": "def",
    "lastUpdate": "2026-08-15T15:30:00+00:00",
}


def record(**fields):
    job = {
        "id": 150796, "url": "https://jobicy.com/jobs/150796-devops-engineer",
        "jobSlug": "150796-devops-engineer", "jobTitle": "DevOps Engineer &#8211; LATAM",
        "companyName": "Luxe &amp; Co", "companyLogo": "https://jobicy.com/data/logo-221.png",
        "jobIndustry": ["DevOps &amp; Infrastructure"], "jobType": ["Full-Time"],
        "jobGeo": "LATAM,  Brazil", "jobLevel": "Senior", "jobExcerpt": "We build&hellip;",
        "jobDescription": "<h3><strong>Who we are</strong></h3>\n<p>We build.</p>",
        "pubDate": "2026-08-15T15:28:45+00:00",
    }  # fmt: skip
    job.update(fields)
    return job


def parse_jobs(*jobs):
    postings, requests, crawler = parse_feed(
        JobicySpider, API, json.dumps({**WRAPPER, "jobs": jobs})
    )
    return postings, requests, crawler, run_pipelines(crawler, postings)


def crawl(out, cassette=None, *args):
    return crawl_board("jobicy", out, cassette, *args)


def test_feed_wrapper_and_fields():
    postings, requests, crawler, run = parse_jobs(
        record(salaryMin=122600, salaryMax=204400, salaryCurrency="USD", salaryPeriod="yearly"),
        "not a job",
    )
    assert requests == []  # one answer holds every job: no pagination
    assert crawler.stats.get_value("jobscrape/records/read") == 1
    (posting,) = postings
    assert posting.slug == "post-jobicy-150796"
    (item,) = run.kept
    assert item.title == "DevOps Engineer \u2013 LATAM"
    assert item.company == "Luxe & Co"
    assert item.tags == ["devops & infrastructure", "senior"]
    assert item.date == "2026-08-15T15:28:45+00:00"
    assert item.images == ["https://jobicy.com/data/logo-221.png"]
    assert item.body == "<h3><strong>Who we are</strong></h3>\n<p>We build.</p>"
    assert (item.salary_min, item.salary_max, item.salary_currency, item.salary_period) == (
        122600, 204400, "USD", "year")  # fmt: skip
    assert (item.employment_type, item.remote) == ("Full-Time", True)
    assert item.apply_url == item.url == "https://jobicy.com/jobs/150796-devops-engineer"


def test_entity_escaped_industries_become_plain_tags():
    _, _, _, run = parse_jobs(
        record(jobIndustry=["Product &amp; Operations", "Data Science &amp; Analytics"])
    )
    assert run.kept[0].tags == ["product & operations", "data science & analytics", "senior"]


@pytest.mark.parametrize(
    ("level", "job_type", "tags", "employment_type"),
    [
        ("Any", ["Full-Time"], ["devops & infrastructure"], "Full-Time"),  # "Any" is no tag
        ("Midweight", ["Full-Time", "Contract"], ["devops & infrastructure", "midweight"],
         "Full-Time, Contract"),
        (None, [], ["devops & infrastructure"], ""),
    ],
)  # fmt: skip
def test_level_is_a_tag_and_job_type_the_employment_type(level, job_type, tags, employment_type):
    _, _, _, run = parse_jobs(record(jobLevel=level, jobType=job_type))
    (item,) = run.kept
    assert item.tags == tags
    assert item.employment_type == employment_type


def test_double_spaces_in_job_geo_are_collapsed():
    body = {**WRAPPER, "jobs": [record(jobGeo="LATAM,  Hong Kong,  Mexico,  Singapore")]}
    postings, _, crawler = parse_feed(JobicySpider, API, json.dumps(body))
    assert postings[0].location == "LATAM,  Hong Kong,  Mexico,  Singapore"  # the spider keeps it
    (item,) = run_pipelines(crawler, postings).kept
    assert item.location == "LATAM, Hong Kong, Mexico, Singapore"  # RepairTextPipeline


@pytest.mark.parametrize(
    ("salary", "expected"),
    [
        ({}, (None, None, "", "")),  # salary keys on some jobs only
        ({"salaryMin": 25, "salaryMax": 32.5, "salaryCurrency": "EUR", "salaryPeriod": "hourly"},
         (25, 32.5, "EUR", "hour")),
        ({"salaryMin": 115000, "salaryMax": 115000, "salaryCurrency": "USD",
          "salaryPeriod": "yearly"}, (115000, 115000, "USD", "year")),
        ({"salaryMin": 0, "salaryMax": 0, "salaryCurrency": "USD", "salaryPeriod": "yearly"},
         (None, None, "", "")),  # 0 means unknown
        ({"salaryMin": "60000", "salaryMax": None, "salaryCurrency": "GBP",
          "salaryPeriod": "monthly"}, (60000, None, "GBP", "month")),
    ],
)  # fmt: skip
def test_salary_numbers_pass_through(salary, expected):
    _, _, _, run = parse_jobs(record(**salary))
    (item,) = run.kept
    assert (item.salary_min, item.salary_max, item.salary_currency, item.salary_period) == expected
    # the numbers as text: what the board gave
    assert bool(item.salary_raw) == (expected[0] is not None or expected[1] is not None)


def test_id_as_int_or_string_and_a_missing_id_hashes_the_url():
    jobs = [record(id="150170", url="https://jobicy.com/jobs/150170-vp"), record(id=None)]
    first, _, _, _ = parse_jobs(*jobs)
    again, _, _, _ = parse_jobs(*jobs)
    assert first[0].slug == "post-jobicy-150170"
    assert (
        first[1].slug == f"post-jobicy-{url_id('https://jobicy.com/jobs/150796-devops-engineer')}"
    )
    assert [p.slug for p in first] == [p.slug for p in again]  # the same path every run


def test_description_falls_back_to_the_excerpt():
    _, _, _, run = parse_jobs(record(jobDescription="", jobExcerpt="We build&hellip;"))
    assert run.kept[0].body == "We build&hellip;"


def test_a_bad_record_is_dropped_with_a_warning_not_the_run():
    _, _, crawler, run = parse_jobs(record(jobTitle=""), record(id=150797, pubDate="soon"))
    assert run.kept == []
    reasons = [reason for _, reason in run.dropped]
    assert reasons[0].startswith("jobicy:150796 '': no_title: ")
    assert reasons[1].startswith("jobicy:150797 'DevOps Engineer \u2013 LATAM': no_date: ")
    assert crawler.stats.get_value("jobscrape/records/read") == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"success": false, "statusCode": 400, "message": "bad count"}', "list under 'jobs'"),
        ("<!DOCTYPE html><html><title>Jobicy</title></html>", "that is not JSON"),
    ],
)
def test_an_answer_without_jobs_is_a_clear_error(body, message):
    with pytest.raises(BoardResponseError, match=message):
        parse_feed(JobicySpider, API, body)


@pytest.mark.parametrize("name", CAPTURES)
def test_every_real_capture_conforms(name, tmp_path):
    path = require_real(REAL / "jobicy" / name)
    jobs = json.loads(path.read_bytes())["jobs"]
    postings, requests, crawler = parse_feed(JobicySpider, API, path.read_bytes())
    assert requests == []
    assert len(postings) == len(jobs)
    assert crawler.stats.get_value("jobscrape/records/read") == len(jobs)
    run = run_pipelines(crawler, postings)
    assert run.dropped == []
    for job, item in zip(jobs, run.kept, strict=True):
        assert item.slug == f"post-jobicy-{job['id']}"
        assert item.date == job["pubDate"]  # RFC 3339 with its offset, kept verbatim
        assert "  " not in item.location and item.location
        assert all("&amp;" not in tag for tag in item.tags)
        assert item.tags[: len(job["jobIndustry"])] == [
            industry.replace("&amp;", "&").lower() for industry in job["jobIndustry"]
        ]
        if "salaryMin" in job:
            assert (item.salary_min, item.salary_max) == (job["salaryMin"], job["salaryMax"])
            assert item.salary_period == "year"
        else:
            assert item.salary_min is None and item.salary_period == ""
    posts = write_posts(run.kept, tmp_path)
    assert len(posts) == len(jobs)


def test_crawl_replays_the_cassette_into_posts(tmp_path):
    result = crawl(tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    files = snapshot(tmp_path / "out")
    hashed = f"post-jobicy-{url_id('https://jobicy.com/jobs/technical-writer')}.md"
    assert sorted(files) == sorted([f"post-jobicy-16010{n}.md" for n in (1, 2, 3, 4)] + [hashed])
    for name in files:
        assert_post_conforms(tmp_path / "out" / name)
    first = assert_post_conforms(tmp_path / "out" / "post-jobicy-160101.md")
    assert first["tags"] == ["devops & infrastructure", "senior"]
    second = assert_post_conforms(tmp_path / "out" / "post-jobicy-160102.md")
    assert second["tags"] == ["product & operations", "business development"]
    assert (second["summary"], second["date"]) == ("Bread & Butter", "2026-11-26T09:30:00-05:00")
    default = assert_post_conforms(tmp_path / "out" / "post-jobicy-160103.md")
    assert default["images"] == [make_crawler(JobicySpider).settings["DEFAULT_IMAGE"]]
    sanitized = (tmp_path / "out" / "post-jobicy-160104.md").read_text()
    assert sanitized.endswith('\n\n<p>Data!</p><a href="https://globex.example/apply">Apply</a>\n')
    assert "Dropped: jobicy:160106 '': no_title" in result.stderr


def test_post_extra_fields_show_salary_and_location(tmp_path):
    result = crawl(tmp_path, "jobicy.yaml", "-s",
                   "POST_EXTRA_FIELDS=location,salary_min,salary_max,salary_period")  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    text = (tmp_path / "post-jobicy-160101.md").read_text()
    assert (
        'location: "LATAM, Brazil, Mexico"\nsalary_min: "120000"\nsalary_max: "150000"\n'
        'salary_period: "year"\n---\n' in text
    )


@pytest.mark.parametrize(
    ("cassette", "reason"),
    [
        ("jobicy-html-error.yaml", "503"),  # a maintenance page
        ("jobicy-html-page.yaml", "BoardResponseError: jobicy: "),  # HTML with a 200
        ("jobicy-malformed.yaml", "that is not JSON"),
    ],
)
def test_bad_answers_fail_the_run_and_keep_existing_posts(tmp_path, cassette, reason):
    assert reason in failed_run_keeps_posts("jobicy", cassette, tmp_path)


def test_politeness_lives_in_the_spider():
    settings = make_crawler(JobicySpider).settings
    assert settings.getfloat("DOWNLOAD_DELAY") >= 5
    assert settings["DEFAULT_IMAGE"].startswith("https://jobicy.com/")
    assert "hour" in JobicySpider.politeness
