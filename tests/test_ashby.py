"""Ashby spider: its quirks, remote filtering, board choice, and the real crawl end to end."""

from __future__ import annotations

import json

import pytest

from jobscrape.companies import Company
from jobscrape.spiders.ashby import AshbySpider
from jobscrape.spiders.base import BoardResponseError
from tests.conftest import (
    assert_post_conforms,
    crawl_board,
    failed_run_keeps_posts,
    make_crawler,
    parse_feed,
    run_pipelines,
    snapshot,
)

API = "https://api.ashbyhq.com/posting-api/job-board/posthog?includeCompensation=true"
NOT_REMOTE = "jobscrape/skipped/not_remote"
UUID = "4e1b1f5a-0c39-4bb0-9d3e-5a0f2f8a7c11"


def parse(body, settings=None, **spider_args):
    """(postings, requests, crawler) of one answer, read as the ``posthog`` board."""
    spider = AshbySpider.from_crawler(make_crawler(AshbySpider), board="posthog")
    meta = {"company": spider.companies()[0]}
    spider_args = {"board": "posthog", **spider_args}
    return parse_feed(AshbySpider, API, body, settings=settings, meta=meta, **spider_args)


def record(job_id=UUID, **fields):
    job = {
        "id": job_id, "title": "Product Engineer", "department": "Engineering",
        "team": "Growth", "employmentType": "FullTime", "location": "Remote",
        "secondaryLocations": [{"location": "Remote - EU", "address": {}}],
        "publishedAt": "2026-11-20T09:15:42.123+00:00", "isListed": True, "isRemote": True,
        "workplaceType": "Remote", "jobUrl": f"https://jobs.ashbyhq.com/posthog/{job_id}",
        "applyUrl": f"https://jobs.ashbyhq.com/posthog/{job_id}/application",
        "descriptionHtml": "<p>Ship &amp; learn.</p>", "descriptionPlain": "Ship & learn.",
        "address": {"postalAddress": {"addressCountry": "United States"}},
    }  # fmt: skip
    job.update(fields)
    return job


def feed(*jobs):
    return json.dumps({"apiVersion": "1", "jobs": list(jobs)})


def test_fields_of_a_remote_job():
    compensation = {
        "compensationTierSummary": "$150K \u2013 $220K • Offers Equity",
        "summaryComponents": [
            {"compensationType": "EquityPercentage", "interval": "NONE", "currencyCode": None,
             "minValue": 0.1, "maxValue": 0.5},
            {"compensationType": "Salary", "interval": "1 YEAR", "currencyCode": "USD",
             "minValue": 150000, "maxValue": 220000},
        ],
    }  # fmt: skip
    postings, requests, crawler = parse(feed(record(compensation=compensation)))
    assert requests == []
    assert crawler.stats.get_value("jobscrape/records/read") == 1
    (item,) = run_pipelines(crawler, postings).kept
    assert item.slug == f"post-ashby-posthog-{UUID}"  # a UUID is a safe id
    assert (item.title, item.company) == ("Product Engineer", "PostHog")  # from companies.toml
    assert item.tags == ["engineering", "growth", "analytics"]
    assert item.date == "2026-11-20T09:15:42.123+00:00"
    assert item.url == f"https://jobs.ashbyhq.com/posthog/{UUID}"
    assert item.apply_url == f"https://jobs.ashbyhq.com/posthog/{UUID}/application"
    assert item.location == "Remote; Remote - EU"  # secondary locations joined
    assert (item.employment_type, item.remote, item.category) == ("FullTime", True, "Remote Jobs")
    assert (item.salary_min, item.salary_max, item.salary_currency, item.salary_period) == (
        150000, 220000, "USD", "year")  # fmt: skip
    assert item.body == "<p>Ship &amp; learn.</p>"


def test_a_tier_summary_without_numbers_is_parsed_as_text():
    tier = "$180K \u2013 $240K \u2022 Offers Equity"
    postings, _, crawler = parse(
        feed(record(compensation={"compensationTierSummary": tier, "summaryComponents": []}))
    )
    assert postings[0].salary_raw == tier
    (item,) = run_pipelines(crawler, postings).kept
    assert (item.salary_min, item.salary_max, item.salary_currency) == (180000, 240000, "USD")


def test_unlisted_jobs_are_read_counted_and_left_out():
    postings, _, crawler = parse(feed(record(), record("hidden-1", isListed=False)))
    assert [posting.source_id for posting in postings] == [UUID]
    assert crawler.stats.get_value("jobscrape/records/read") == 2
    assert crawler.stats.get_value("jobscrape/skipped/unlisted") == 1


@pytest.mark.parametrize(
    ("fields", "remote"),
    [
        ({"isRemote": True, "workplaceType": "OnSite"}, True),  # isRemote wins
        ({"isRemote": False, "workplaceType": None}, False),
        ({"isRemote": None, "workplaceType": "Hybrid"}, False),
        ({"isRemote": None, "workplaceType": "Remote", "location": "Berlin"}, True),
        ({"isRemote": None, "workplaceType": None, "location": "Remote (Americas)"}, True),
        ({"isRemote": None, "workplaceType": None, "location": "Berlin",
          "secondaryLocations": []}, None),  # unknown: kept
    ],
)  # fmt: skip
def test_remote_flag_fallbacks(fields, remote):
    postings, _, _ = parse(feed(record(**fields)), remote_only="0")
    assert postings[0].remote is remote


def test_on_site_jobs_are_skipped_unless_remote_only_is_off():
    jobs = feed(record(), record("office-1", isRemote=False, workplaceType="OnSite"))
    postings, _, crawler = parse(jobs)
    assert [posting.source_id for posting in postings] == [UUID]
    assert crawler.stats.get_value(NOT_REMOTE) == 1
    for kept, _, crawler in (parse(jobs, remote_only="0"), parse(jobs, {"REMOTE_ONLY": False})):
        items = run_pipelines(crawler, kept).kept
        assert [(item.source_id, item.category) for item in items] == [
            (UUID, "Remote Jobs"), ("office-1", "Jobs")
        ]  # fmt: skip
        assert crawler.stats.get_value(NOT_REMOTE) is None


def test_board_argument_chooses_one_company():
    crawler = make_crawler(AshbySpider)
    listed = AshbySpider.from_crawler(crawler).companies()
    assert {"posthog", "linear", "zapier"} <= {company.board for company in listed}
    assert all(company.platform == "ashby" for company in listed)
    (linear,) = AshbySpider.from_crawler(crawler, board="linear").companies()
    assert linear.name == "Linear"
    assert AshbySpider.from_crawler(crawler, board="acme").companies() == [
        Company(platform="ashby", board="acme")
    ]


def test_an_answer_without_jobs_is_a_clear_error():
    with pytest.raises(BoardResponseError, match="list under 'jobs'"):
        parse('{"apiVersion": "1", "error": "not found"}')


def test_crawl_replays_every_listed_board_into_posts(tmp_path):
    result = crawl_board("ashby", tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    files = snapshot(tmp_path / "out")
    assert sorted(files) == [
        "post-ashby-linear-b3c4d5e6-f7a8-4b9c-8d0e-1f2a3b4c5d55.md",
        f"post-ashby-posthog-{UUID}.md",
        "post-ashby-posthog-7f8e9d0c-1b2a-4394-a5b6-c7d8e9f0a144.md",
        "post-ashby-zapier-d5e6f7a8-b9c0-4d1e-8f2a-3b4c5d6e7f77.md",
    ]
    posts = {name: assert_post_conforms(tmp_path / "out" / name) for name in files}
    assert {post["category"] for post in posts.values()} == {"Remote Jobs"}
    assert posts[f"post-ashby-posthog-{UUID}.md"]["summary"] == "PostHog"
    default_image = make_crawler(AshbySpider).settings["DEFAULT_IMAGE"]
    assert posts[f"post-ashby-posthog-{UUID}.md"]["images"] == [default_image]
    zapier = posts["post-ashby-zapier-d5e6f7a8-b9c0-4d1e-8f2a-3b4c5d6e7f77.md"]
    assert zapier.content == "<p>Data at Zapier.</p>"  # handler and script cleaned


def test_crawl_of_one_board_with_on_site_jobs_kept(tmp_path):
    result = crawl_board("ashby", tmp_path, None, "-a", "board=linear", "-a", "remote_only=0")
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(snapshot(tmp_path)) == [
        "post-ashby-linear-b3c4d5e6-f7a8-4b9c-8d0e-1f2a3b4c5d55.md",
        "post-ashby-linear-c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e66.md",
    ]
    hybrid = assert_post_conforms(
        tmp_path / "post-ashby-linear-c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e66.md"
    )
    assert hybrid["category"] == "Jobs"


@pytest.mark.parametrize("cassette", ["ashby-html-error.yaml", "ashby-malformed.yaml"])
def test_bad_answers_fail_the_run_and_keep_existing_posts(tmp_path, cassette):
    failed_run_keeps_posts("ashby", cassette, tmp_path)


def test_politeness_lives_in_the_spider():
    settings = make_crawler(AshbySpider).settings
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1
    assert settings["DEFAULT_IMAGE"].startswith("https://")
    assert "hourly" in AshbySpider.politeness
