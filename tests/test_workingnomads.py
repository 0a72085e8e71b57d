"""Working Nomads spider: its quirks, the real captures, and the real crawl end to end."""

from __future__ import annotations

import json
import re

import pytest

from jobscrape.items import url_id
from jobscrape.spiders.base import BoardResponseError
from jobscrape.spiders.workingnomads import WorkingnomadsSpider, tracker_id
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

API = "https://www.workingnomads.com/api/exposed_jobs/"
CASSETTES = FIXTURES / "workingnomads"
CAPTURES = [path.name for path in real_files("workingnomads")] or ["(../shared is absent)"]
DEFAULT_IMAGE = make_crawler(WorkingnomadsSpider).settings["DEFAULT_IMAGE"]


def record(**fields):
    job = {
        "url": "https://www.workingnomads.com/job/go/1835307/",
        "title": "Data Analyst (No Experience Required)",
        "description": "<p>Maps matter.</p>\n<p> </p>\n<ul>\n<li>Research</li>\n</ul>",
        "company_name": "Peroptyx &amp; Co",
        "category_name": "Development",
        "tags": "data analyst,english",
        "location": "Japan  - Remote",
        "pub_date": "2026-09-04T12:14:46-04:00",
    }
    job.update(fields)
    return job


def parse_jobs(*jobs):
    postings, requests, crawler = parse_feed(WorkingnomadsSpider, API, json.dumps(jobs))
    return postings, requests, crawler, run_pipelines(crawler, postings)


def crawl(out, cassette=None, *args):
    return crawl_board("workingnomads", out, cassette, *args)


def test_bare_list_and_fields():
    postings, requests, crawler, run = parse_jobs(record(), "not a job", ["nor this"])
    assert requests == []  # one answer holds every job: no pagination
    assert crawler.stats.get_value("jobscrape/records/read") == 1
    (posting,) = postings
    assert posting.slug == "post-workingnomads-1835307"
    (item,) = run.kept
    assert item.title == "Data Analyst (No Experience Required)"
    assert item.company == "Peroptyx & Co"
    assert item.tags == ["data analyst", "english", "development"]
    assert item.date == "2026-09-04T12:14:46-04:00"  # RFC 3339 with its offset, verbatim
    assert item.location == "Japan - Remote"
    assert item.images == [DEFAULT_IMAGE]  # the board gives no logo
    assert item.apply_url == item.url == "https://www.workingnomads.com/job/go/1835307/"
    assert (item.remote, item.employment_type, item.salary_min) == (True, "", None)


@pytest.mark.parametrize(
    ("tags", "category", "expected"),
    [
        ("analyst,english,media,researcher", "Administration",
         ["analyst", "english", "media", "researcher", "administration"]),
        ("python, Django ,,python", "Development", ["python", "django", "development"]),
        ("", "Data", ["data"]),
        (None, None, []),
    ],
)  # fmt: skip
def test_tags_are_one_comma_joined_string_plus_the_category(tags, category, expected):
    _, _, _, run = parse_jobs(record(tags=tags, category_name=category))
    assert run.kept[0].tags == expected


@pytest.mark.parametrize(
    ("url", "number"),
    [
        ("https://www.workingnomads.com/job/go/1835309/", "1835309"),
        ("https://www.workingnomads.com/job/go/1835309", "1835309"),
        ("https://www.workingnomads.com/job/go/1835309/?utm_source=api", "1835309"),
        ("https://www.workingnomads.com/jobs/data-analyst-peroptyx", None),
        ("https://www.workingnomads.com/job/go/18353x9/", None),
        ("", None),
    ],
)
def test_the_id_is_the_number_of_the_tracker_url(url, number):
    assert tracker_id(url) == number


def test_without_a_tracker_number_the_path_is_a_stable_hash_of_the_url():
    url = "https://www.workingnomads.com/jobs/data-analyst-peroptyx"
    first, _, _, _ = parse_jobs(
        record(url=url), record(url="HTTPS://WWW.workingnomads.com/job/go/7/")
    )
    again, _, _, run = parse_jobs(record(url=url))
    assert first[0].slug == again[0].slug == f"post-workingnomads-{url_id(url)}"
    assert first[1].slug == "post-workingnomads-7"
    assert [item.slug for item in run.kept] == [first[0].slug]


def test_a_record_without_url_is_dropped_with_a_warning():
    _, _, crawler, run = parse_jobs(record(url=None), record(title=""))
    assert run.kept == []
    reasons = [reason for _, reason in run.dropped]
    assert ": no_id: " in reasons[0] and ": no_title: " in reasons[1]
    assert run.stats["jobscrape/dropped/no_id"] == run.stats["jobscrape/dropped/no_title"] == 1
    assert crawler.stats.get_value("jobscrape/records/read") == 2


@pytest.mark.parametrize("space", [" ", "\u00a0"])
def test_spacer_paragraphs_are_kept_byte_for_byte(space):
    description = f"<p>One.</p>\n<p>{space}</p>\n<p>Two \u2014 \u2705</p>"
    _, _, crawler, run = parse_jobs(record(description=description))
    (item,) = run.kept
    assert item.body == description
    assert not item.body_cleaned
    assert crawler.stats.get_value("jobscrape/sanitized/cleaned") is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"detail": "Not found."}', "a list of jobs"),
        ("<!DOCTYPE html><html><title>Working Nomads</title></html>", "that is not JSON"),
    ],
)
def test_an_answer_that_is_not_a_list_of_jobs_is_a_clear_error(body, message):
    with pytest.raises(BoardResponseError, match=message):
        parse_feed(WorkingnomadsSpider, API, body)


@pytest.mark.parametrize("name", CAPTURES)
def test_every_real_capture_conforms(name, tmp_path):
    path = require_real(REAL / "workingnomads" / name)
    jobs = json.loads(path.read_bytes())
    assert isinstance(jobs, list) and all("id" not in job for job in jobs)
    postings, requests, crawler = parse_feed(WorkingnomadsSpider, API, path.read_bytes())
    assert requests == []
    assert len(postings) == len(jobs)
    assert crawler.stats.get_value("jobscrape/records/read") == len(jobs)
    run = run_pipelines(crawler, postings)
    assert run.dropped == []
    for job, item in zip(jobs, run.kept, strict=True):
        number = re.fullmatch(r"https://www\.workingnomads\.com/job/go/(\d+)/", job["url"])
        assert number, job["url"]
        assert item.slug == f"post-workingnomads-{number.group(1)}"
        assert item.date == job["pub_date"] and item.date.endswith("-04:00")
        assert item.tags[-1] == job["category_name"].lower()
        assert item.tags[:-1] == [tag.strip().lower() for tag in job["tags"].split(",")]
        # only allowlisted markup: kept byte for byte, whatever its spacer paragraphs hold
        assert item.body == job["description"] and not item.body_cleaned
        assert item.images == [DEFAULT_IMAGE]
    posts = write_posts(run.kept, tmp_path)
    assert len(posts) == len(jobs)


def test_crawl_replays_the_cassette_into_posts(tmp_path):
    result = crawl(tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    files = snapshot(tmp_path / "out")
    hashed = url_id("https://www.workingnomads.com/jobs/product-designer-initech")
    assert sorted(files) == sorted(
        [f"post-workingnomads-190010{n}.md" for n in (1, 2, 3)]
        + [f"post-workingnomads-{hashed}.md"]
    )
    for name in files:
        post = assert_post_conforms(tmp_path / "out" / name)
        assert post["images"] == [DEFAULT_IMAGE]
    first = assert_post_conforms(tmp_path / "out" / "post-workingnomads-1900101.md")
    assert first["tags"] == ["python", "django", "postgresql", "aws", "development"]
    assert first["date"] == "2026-11-26T10:41:07-04:00"
    second = assert_post_conforms(tmp_path / "out" / "post-workingnomads-1900102.md")
    assert second["summary"] == "Bread & Butter"
    assert second.content == "<p>Help our customers.</p>\n<p>\u00a0</p>\n<p>Flexible hours.</p>"
    sanitized = (tmp_path / "out" / "post-workingnomads-1900103.md").read_text()
    assert sanitized.endswith("\n\n<p>Data!</p>\n")
    assert "Dropped: workingnomads:1900105 '': no_title" in result.stderr


def test_post_extra_fields_show_location_and_apply_url(tmp_path):
    result = crawl(tmp_path, "workingnomads.yaml", "-s", "POST_EXTRA_FIELDS=location,apply_url")
    assert result.returncode == 0, result.stderr[-2000:]
    text = (tmp_path / "post-workingnomads-1900102.md").read_text()
    assert (
        'location: "USA - Remote"\n'
        'apply_url: "https://www.workingnomads.com/job/go/1900102/"\n---\n' in text
    )


@pytest.mark.parametrize(
    ("cassette", "reason"),
    [
        ("workingnomads-html-error.yaml", "502"),
        ("workingnomads-html-page.yaml", "BoardResponseError: workingnomads: "),  # HTML, 200
        ("workingnomads-malformed.yaml", "that is not JSON"),
    ],
)
def test_bad_answers_fail_the_run_and_keep_existing_posts(tmp_path, cassette, reason):
    assert reason in failed_run_keeps_posts("workingnomads", cassette, tmp_path)


def test_politeness_lives_in_the_spider():
    settings = make_crawler(WorkingnomadsSpider).settings
    assert settings.getfloat("DOWNLOAD_DELAY") >= 2
    assert DEFAULT_IMAGE.startswith("https://www.workingnomads.com/")
    assert "hour" in WorkingnomadsSpider.politeness
