"""Recruitee spider: its quirks, remote filtering, board choice, and the real crawl end to end."""

from __future__ import annotations

import json

import pytest

from jobscrape.companies import Company
from jobscrape.spiders.base import BoardResponseError
from jobscrape.spiders.recruitee import RecruiteeSpider
from tests.conftest import (
    assert_post_conforms,
    crawl_board,
    failed_run_keeps_posts,
    make_crawler,
    parse_feed,
    run_pipelines,
    snapshot,
)

API = "https://tellent.recruitee.com/api/offers/"
NOT_REMOTE = "jobscrape/skipped/not_remote"


def parse(body, settings=None, **spider_args):
    """(postings, requests, crawler) of one answer, read as the ``tellent`` board."""
    spider = RecruiteeSpider.from_crawler(make_crawler(RecruiteeSpider), board="tellent")
    meta = {"company": spider.companies()[0]}
    spider_args = {"board": "tellent", **spider_args}
    return parse_feed(RecruiteeSpider, API, body, settings=settings, meta=meta, **spider_args)


def record(offer_id=1700101, **fields):
    offer = {
        "id": offer_id, "slug": "elixir-dev", "title": "Elixir Developer",
        "company_name": "Tellent B.V.", "status": "published",
        "description": "<p>Build &amp; ship.</p>", "requirements": "<ul><li>Elixir</li></ul>",
        "remote": True, "location": "Remote", "city": "", "country": "",
        "careers_url": "https://tellent.recruitee.com/o/elixir-dev",
        "careers_apply_url": "https://tellent.recruitee.com/o/elixir-dev/c/new",
        "published_at": "2026-11-20 10:00:00 UTC", "created_at": "2026-11-18 08:30:00 UTC",
        "employment_type_code": "fulltime_permanent", "department": "Engineering",
        "tags": ["SaaS", "HR Tech"],
        "salary": {"min": "60000", "max": "80000", "currency": "EUR", "period": "year"},
    }  # fmt: skip
    offer.update(fields)
    return offer


def offers(*jobs):
    return json.dumps({"offers": list(jobs)})


def test_fields_of_a_remote_offer():
    postings, requests, crawler = parse(offers(record()))
    assert requests == []
    assert crawler.stats.get_value("jobscrape/records/read") == 1
    (item,) = run_pipelines(crawler, postings).kept
    assert item.slug == "post-recruitee-tellent-1700101"
    assert (item.title, item.company) == ("Elixir Developer", "Tellent B.V.")  # the offer's own
    assert item.tags == ["engineering", "saas", "hr tech"]
    assert item.date == "2026-11-20T10:00:00+00:00"  # "... UTC"
    assert item.url == "https://tellent.recruitee.com/o/elixir-dev"
    assert item.apply_url == "https://tellent.recruitee.com/o/elixir-dev/c/new"
    assert (item.location, item.employment_type, item.remote, item.category) == (
        "Remote", "fulltime_permanent", True, "Remote Jobs")  # fmt: skip
    assert (item.salary_min, item.salary_max, item.salary_currency, item.salary_period) == (
        60000, 80000, "EUR", "year")  # fmt: skip
    assert item.body == "<p>Build &amp; ship.</p>\n<ul><li>Elixir</li></ul>"  # + requirements


def test_gaps_are_filled_from_fallbacks():
    offer = record(published_at=None, requirements="", company_name="", department=None,
                   tags=[], salary={"min": None, "max": None, "currency": None, "period": None},
                   careers_apply_url=None)  # fmt: skip
    postings, _, crawler = parse(offers(offer))
    (posting,) = postings
    assert posting.date_raw == "2026-11-18 08:30:00 UTC"  # created_at
    assert posting.description_raw == "<p>Build &amp; ship.</p>"
    assert posting.apply_url == posting.url
    assert (posting.salary_raw, posting.salary_min) == ("", None)
    (item,) = run_pipelines(crawler, postings).kept
    assert item.company == "Tellent"  # the companies file
    assert item.tags == []


def test_offers_not_published_are_counted_and_left_out():
    postings, _, crawler = parse(offers(record(), record(2, status="closed")))
    assert [posting.source_id for posting in postings] == ["1700101"]
    assert crawler.stats.get_value("jobscrape/records/read") == 2
    assert crawler.stats.get_value("jobscrape/skipped/unpublished") == 1


@pytest.mark.parametrize(
    ("fields", "remote"),
    [
        ({"remote": True, "location": "Amsterdam"}, True),
        ({"remote": False, "location": "Remote, Netherlands"}, False),  # the flag wins
        ({"remote": None, "location": "Remote, Belgium"}, True),
        ({"remote": None, "location": "Ghent"}, None),  # unknown: kept
    ],
)
def test_remote_flag(fields, remote):
    postings, _, _ = parse(offers(record(**fields)), remote_only="0")
    assert postings[0].remote is remote


def test_on_site_offers_are_skipped_unless_remote_only_is_off():
    jobs = offers(record(), record(2, remote=False, location="Amsterdam"))
    postings, _, crawler = parse(jobs)
    assert [posting.source_id for posting in postings] == ["1700101"]
    assert crawler.stats.get_value(NOT_REMOTE) == 1
    for kept, _, crawler in (parse(jobs, remote_only="0"), parse(jobs, {"REMOTE_ONLY": False})):
        items = run_pipelines(crawler, kept).kept
        assert [(item.source_id, item.category) for item in items] == [
            ("1700101", "Remote Jobs"), ("2", "Jobs")
        ]  # fmt: skip
        assert crawler.stats.get_value(NOT_REMOTE) is None


def test_board_argument_chooses_one_company():
    crawler = make_crawler(RecruiteeSpider)
    listed = RecruiteeSpider.from_crawler(crawler).companies()
    assert {"tellent", "dataroots"} <= {company.board for company in listed}
    assert all(company.platform == "recruitee" for company in listed)
    (chosen,) = RecruiteeSpider.from_crawler(crawler, board="dataroots").companies()
    assert chosen.tags == ("data",)
    assert RecruiteeSpider.from_crawler(crawler, board="acme").companies() == [
        Company(platform="recruitee", board="acme")
    ]


def test_an_answer_without_offers_is_a_clear_error():
    with pytest.raises(BoardResponseError, match="list under 'offers'"):
        parse('{"error": "not found"}')


def test_crawl_replays_every_listed_company_into_posts(tmp_path):
    result = crawl_board("recruitee", tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    files = snapshot(tmp_path / "out")
    assert sorted(files) == [
        "post-recruitee-dataroots-1800201.md",
        "post-recruitee-tellent-1700101.md",
    ]
    posts = {name: assert_post_conforms(tmp_path / "out" / name) for name in files}
    tellent = posts["post-recruitee-tellent-1700101.md"]
    assert (tellent["summary"], tellent["category"]) == ("Tellent", "Remote Jobs")
    assert tellent.content.endswith("<ul><li>3+ years of experience</li><li>English</li></ul>")
    dataroots = posts["post-recruitee-dataroots-1800201.md"]
    assert dataroots["date"] == "2026-11-18T08:30:00+00:00"  # no published_at: created_at
    assert dataroots["images"] == [make_crawler(RecruiteeSpider).settings["DEFAULT_IMAGE"]]


def test_crawl_of_one_board_with_on_site_offers_kept(tmp_path):
    result = crawl_board("recruitee", tmp_path, None, "-a", "board=tellent", "-a", "remote_only=0")
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(snapshot(tmp_path)) == [
        "post-recruitee-tellent-1700101.md",
        "post-recruitee-tellent-1700102.md",
    ]
    office = assert_post_conforms(tmp_path / "post-recruitee-tellent-1700102.md")
    assert office["category"] == "Jobs"


@pytest.mark.parametrize("cassette", ["recruitee-html-error.yaml", "recruitee-malformed.yaml"])
def test_bad_answers_fail_the_run_and_keep_existing_posts(tmp_path, cassette):
    failed_run_keeps_posts("recruitee", cassette, tmp_path)


def test_politeness_lives_in_the_spider():
    settings = make_crawler(RecruiteeSpider).settings
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1
    assert settings["DEFAULT_IMAGE"].startswith("https://")
    assert "hourly" in RecruiteeSpider.politeness
