"""Workable spider: its quirks, remote filtering, board choice, and the real crawl end to end."""

from __future__ import annotations

import json

import pytest

from jobscrape.companies import Company
from jobscrape.spiders.base import BoardResponseError
from jobscrape.spiders.workable import WorkableSpider
from tests.conftest import (
    assert_post_conforms,
    crawl_board,
    failed_run_keeps_posts,
    make_crawler,
    parse_feed,
    run_pipelines,
    snapshot,
)

API = "https://apply.workable.com/api/v1/widget/accounts/huggingface?details=true"
NOT_REMOTE = "jobscrape/skipped/not_remote"


def parse(body, settings=None, **spider_args):
    """(postings, requests, crawler) of one answer, read as the ``huggingface`` board."""
    spider = WorkableSpider.from_crawler(make_crawler(WorkableSpider), board="huggingface")
    meta = {"company": spider.companies()[0]}
    spider_args = {"board": "huggingface", **spider_args}
    return parse_feed(WorkableSpider, API, body, settings=settings, meta=meta, **spider_args)


def record(shortcode="A1B2C3D4E5", **fields):
    job = {
        "title": "ML Engineer", "shortcode": shortcode, "code": "", "employment_type": "Full-time",
        "telecommuting": True, "department": "Open Source",
        "url": f"https://apply.workable.com/j/{shortcode}",
        "shortlink": f"https://apply.workable.com/j/{shortcode}",
        "application_url": f"https://apply.workable.com/j/{shortcode}/apply",
        "published_on": "2026-11-19", "created_at": "2026-11-17", "country": "France",
        "city": "Paris", "state": "Île-de-France",
        "locations": [{"country": "France", "countryCode": "FR", "city": "Paris",
                       "region": "Île-de-France", "hidden": False}],
        "description": "<p>Models &amp; datasets.</p>",
    }  # fmt: skip
    job.update(fields)
    return job


def account(*jobs, name="Hugging Face &amp; Co"):
    return json.dumps({"name": name, "description": "<p>AI</p>", "jobs": list(jobs)})


def test_fields_of_a_remote_job():
    postings, requests, crawler = parse(account(record()))
    assert requests == []
    assert crawler.stats.get_value("jobscrape/records/read") == 1
    (item,) = run_pipelines(crawler, postings).kept
    assert item.slug == "post-workable-huggingface-A1B2C3D4E5"  # the shortcode is the id
    assert item.company == "Hugging Face & Co"  # the account's name, over companies.toml
    assert item.title == "ML Engineer"
    assert item.tags == ["open source", "ai"]
    assert item.date == "2026-11-19T00:00:00+00:00"  # a bare date is midnight UTC
    assert item.url == "https://apply.workable.com/j/A1B2C3D4E5"
    assert item.apply_url == "https://apply.workable.com/j/A1B2C3D4E5/apply"
    assert item.location == "Paris, Île-de-France, France"
    assert (item.employment_type, item.remote, item.category) == (
        "Full-time", True, "Remote Jobs")  # fmt: skip
    assert item.body == "<p>Models &amp; datasets.</p>"


def test_created_at_stands_in_for_a_missing_published_on():
    postings, _, _ = parse(account(record(published_on=None, created_at="2026-11-10")))
    assert postings[0].date_raw == "2026-11-10"
    (item,) = run_pipelines(make_crawler(WorkableSpider), postings).kept
    assert item.date == "2026-11-10T00:00:00+00:00"  # a bare date: midnight UTC


def test_location_from_every_entry_else_from_the_job():
    places = [
        {"country": "France", "city": "Paris", "region": ""},
        {"country": "United States", "city": "", "region": "New York"},
        {"country": "France", "city": "Paris", "region": ""},  # repeated: once
    ]
    postings, _, _ = parse(account(record(locations=places), record("B2", locations=[])))
    assert [posting.location for posting in postings] == [
        "Paris, France; New York, United States", "Paris, Île-de-France, France"
    ]  # fmt: skip


def test_the_companies_file_names_an_account_without_a_name():
    postings, _, crawler = parse(account(record(), name=None))
    assert run_pipelines(crawler, postings).kept[0].company == "Hugging Face"


@pytest.mark.parametrize(
    ("fields", "remote"),
    [
        ({"telecommuting": True}, True),
        ({"telecommuting": False, "city": "Remote"}, False),  # the flag wins
        ({"telecommuting": None, "locations": [{"city": "Remote", "country": "Spain"}]}, True),
        ({"telecommuting": None}, None),  # unknown: kept
    ],
)
def test_remote_flag(fields, remote):
    postings, _, _ = parse(account(record(**fields)), remote_only="0")
    assert postings[0].remote is remote


def test_on_site_jobs_are_skipped_unless_remote_only_is_off():
    jobs = account(record(), record("OFFICE1", telecommuting=False))
    postings, _, crawler = parse(jobs)
    assert [posting.source_id for posting in postings] == ["A1B2C3D4E5"]
    assert crawler.stats.get_value(NOT_REMOTE) == 1
    for kept, _, crawler in (parse(jobs, remote_only="0"), parse(jobs, {"REMOTE_ONLY": False})):
        items = run_pipelines(crawler, kept).kept
        assert [(item.source_id, item.category) for item in items] == [
            ("A1B2C3D4E5", "Remote Jobs"), ("OFFICE1", "Jobs")
        ]  # fmt: skip
        assert crawler.stats.get_value(NOT_REMOTE) is None


def test_board_argument_chooses_one_company():
    crawler = make_crawler(WorkableSpider)
    listed = WorkableSpider.from_crawler(crawler).companies()
    assert {"huggingface", "workmotion"} <= {company.board for company in listed}
    assert all(company.platform == "workable" for company in listed)
    (chosen,) = WorkableSpider.from_crawler(crawler, board="workmotion").companies()
    assert chosen.name == "WorkMotion"
    assert WorkableSpider.from_crawler(crawler, board="acme").companies() == [
        Company(platform="workable", board="acme")
    ]


def test_an_answer_without_jobs_is_a_clear_error():
    with pytest.raises(BoardResponseError, match="list under 'jobs'"):
        parse('{"error": "Not found"}')


def test_crawl_replays_every_listed_account_into_posts(tmp_path):
    result = crawl_board("workable", tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    files = snapshot(tmp_path / "out")
    assert sorted(files) == [
        "post-workable-huggingface-A1B2C3D4E5.md",
        "post-workable-workmotion-9Z8Y7X6W5V.md",
    ]
    posts = {name: assert_post_conforms(tmp_path / "out" / name) for name in files}
    hugging = posts["post-workable-huggingface-A1B2C3D4E5.md"]
    assert (hugging["summary"], hugging["category"]) == ("Hugging Face", "Remote Jobs")
    assert hugging["date"] == "2026-11-19T00:00:00+00:00"
    assert hugging["images"] == [make_crawler(WorkableSpider).settings["DEFAULT_IMAGE"]]
    assert posts["post-workable-workmotion-9Z8Y7X6W5V.md"]["summary"] == "WorkMotion"


def test_crawl_of_one_board_with_on_site_jobs_kept(tmp_path):
    result = crawl_board(
        "workable", tmp_path, None, "-a", "board=huggingface", "-s", "REMOTE_ONLY=False"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(snapshot(tmp_path)) == [
        "post-workable-huggingface-A1B2C3D4E5.md",
        "post-workable-huggingface-F6E5D4C3B2.md",
    ]
    office = assert_post_conforms(tmp_path / "post-workable-huggingface-F6E5D4C3B2.md")
    assert office["category"] == "Jobs"


@pytest.mark.parametrize("cassette", ["workable-html-error.yaml", "workable-malformed.yaml"])
def test_bad_answers_fail_the_run_and_keep_existing_posts(tmp_path, cassette):
    failed_run_keeps_posts("workable", cassette, tmp_path)


def test_politeness_lives_in_the_spider():
    settings = make_crawler(WorkableSpider).settings
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1
    assert settings["DEFAULT_IMAGE"].startswith("https://")
    assert "hourly" in WorkableSpider.politeness
