"""Himalayas spider: its quirks, pagination, the real captures, and the real crawl end to end."""

from __future__ import annotations

import json

import pytest
from scrapy import Request

from jobscrape.items import url_id
from jobscrape.spiders.base import BoardResponseError
from jobscrape.spiders.himalayas import HimalayasSpider
from tests.conftest import (
    FIXTURES,
    REAL,
    assert_post_conforms,
    crawl_board,
    failed_run_keeps_posts,
    json_response,
    make_crawler,
    parse_feed,
    real_files,
    require_real,
    run_pipelines,
    snapshot,
    write_posts,
)

API = "https://himalayas.app/jobs/api?offset=0&limit=20"
CASSETTES = FIXTURES / "himalayas"
CAPTURES = [path.name for path in real_files("himalayas")] or ["(../shared is absent)"]
GUID = "https://himalayas.app/companies/acme/jobs/senior-backend-engineer"


def crawl(out, cassette=None, *args):
    return crawl_board("himalayas", out, cassette, *args)


def record(**fields):
    job = {
        "title": "Senior Backend Engineer", "excerpt": "Acme builds robots.",
        "companyName": "Acme &amp; Sons", "companySlug": "acme",
        "companyLogo": "https://cdn-images.himalayas.app/acme", "employmentType": "Full Time",
        "minSalary": 120000, "maxSalary": 150000, "seniority": ["Senior"], "currency": "USD",
        "locationRestrictions": ["United States", "Canada"], "timezoneRestrictions": [-5, 5.5],
        "categories": ["Business-Development", "B2B-Sales"], "parentCategories": ["Sales"],
        "description": "<p>Build robots.</p>", "pubDate": 1778990421, "expiryDate": 1784174421,
        "applicationLink": GUID + "/apply", "guid": GUID,
    }  # fmt: skip
    job.update(fields)
    return job


def feed(*jobs, offset=0, limit=20, total=101667):
    return json.dumps(
        {
            "comments": "x",
            "updatedAt": 1778990421,
            "offset": offset,
            "limit": limit,
            "totalCount": total,
            "jobs": list(jobs),
        }
    )


def one(body, **spider_args):
    postings, requests, crawler = parse_feed(HimalayasSpider, API, body, **spider_args)
    run = run_pipelines(crawler, postings)
    return run, requests, crawler


def test_fields_and_the_next_page():
    run, requests, crawler = one(feed(record(), "not a job"))
    (item,) = run.kept
    assert crawler.stats.get_value("jobscrape/records/read") == 1
    assert item.slug == f"post-himalayas-{url_id(GUID)}"  # no id field: a hash of the guid
    assert (item.title, item.company) == ("Senior Backend Engineer", "Acme & Sons")
    assert item.date == "2026-05-17T04:00:21+00:00"  # pubDate is unix seconds
    assert item.expires == "2026-07-16T04:00:21+00:00"
    assert item.tags == ["sales", "business development", "b2b sales"]  # hyphens become spaces
    assert (item.salary_min, item.salary_max, item.salary_currency, item.salary_period) == (
        120000, 150000, "USD", "year")  # fmt: skip
    assert item.salary_raw == "120000-150000 USD annual"  # what the board gave, as text
    assert item.location == "United States, Canada"
    assert (item.employment_type, item.remote) == ("Full Time", True)
    assert (item.url, item.apply_url) == (GUID, GUID + "/apply")
    assert item.images == ["https://cdn-images.himalayas.app/acme"]
    (request,) = requests
    assert request.url == "https://himalayas.app/jobs/api?offset=20&limit=20"
    assert request.meta["page"] == 2 and request.callback.__name__ == "parse"


def test_the_same_job_gets_the_same_path_and_job_slugs_are_per_company():
    first, _, _ = one(feed(record()))
    again, _, _ = one(feed(record(title="Renamed")))
    other, _, _ = one(feed(record(guid=GUID.replace("/acme/", "/globex/"))))
    assert first.kept[0].slug == again.kept[0].slug
    assert other.kept[0].slug != first.kept[0].slug


@pytest.mark.parametrize(
    ("offset", "jobs", "total", "spider_args"),
    [
        (80, 20, 100, {}),  # offset + limit reaches totalCount
        (0, 0, 100, {}),  # an empty page
        (0, 20, 100, {"max_pages": "1"}),  # the page budget is spent
    ],
)
def test_pagination_stops(offset, jobs, total, spider_args):
    body = feed(*[record(guid=f"{GUID}-{n}") for n in range(jobs)], offset=offset, total=total)
    postings, requests, _ = parse_feed(HimalayasSpider, API, body, **spider_args)
    assert len(postings) == jobs
    assert requests == []


def test_pagination_follows_the_page_budget():
    spider = HimalayasSpider.from_crawler(make_crawler(HimalayasSpider), max_pages="3")
    response = json_response(API, feed(record()))

    def pages_requested(page):
        response.request.meta["page"] = page
        return [out.meta["page"] for out in spider.parse(response) if isinstance(out, Request)]

    assert pages_requested(2) == [3]
    assert pages_requested(3) == []


def test_a_body_without_the_wrapper_has_no_next_page():
    postings, requests, _ = parse_feed(HimalayasSpider, API, json.dumps({"jobs": [record()]}))
    assert len(postings) == 1 and requests == []


def test_company_name_bug_takes_the_company_from_the_record():
    linked = record(
        companyName="name", companyLogo="thumbnail_url", companySlug="bright-harbor",
        description='<p><a href="https://himalayas.app/companies/bright-harbor">Bright '
        "<b>Harbor</b> &amp; Co</a> cares.</p>",
    )  # fmt: skip
    unlinked = record(
        companyName="name", companyLogo="thumbnail_url", companySlug="lingo-labs",
        guid=GUID + "-2", description="<p>No link here.</p>",
    )  # fmt: skip
    postings, _, crawler = parse_feed(HimalayasSpider, API, feed(linked, unlinked))
    assert [posting.logo_url for posting in postings] == ["", ""]  # not "thumbnail_url"
    run = run_pipelines(crawler, postings)
    assert [item.company for item in run.kept] == ["Bright Harbor & Co", "Lingo Labs"]
    default = make_crawler(HimalayasSpider).settings["DEFAULT_IMAGE"]
    assert [item.images for item in run.kept] == [[default], [default]]


def test_salaries_null_hourly_and_without_a_period():
    jobs = [
        record(minSalary=None, maxSalary=None, currency=None, guid=GUID + "-1"),
        record(minSalary=14, maxSalary=14, salaryPeriod="hourly", guid=GUID + "-2"),
        record(minSalary=None, maxSalary=90000, currency="EUR", guid=GUID + "-3"),
    ]
    run, _, _ = one(feed(*jobs))
    salaries = [
        (item.salary_min, item.salary_max, item.salary_currency, item.salary_period)
        for item in run.kept
    ]
    assert salaries == [(None, None, "", ""), (14, 14, "USD", "hour"), (None, 90000, "EUR", "year")]


def test_category_hyphens_join_words_but_words_keep_their_own():
    run, _, _ = one(feed(record(parentCategories=[], categories=["E-commerce", "B2B-Sales"])))
    assert run.kept[0].tags == ["e-commerce", "b2b sales"]


def test_dates_as_iso_text_are_read_too():
    run, _, _ = one(feed(record(pubDate="2026-05-17T04:00:21Z", expiryDate="2026-07-16")))
    (item,) = run.kept
    assert item.date == "2026-05-17T04:00:21Z"


def test_dates_in_milliseconds_are_read_as_seconds():
    run, _, _ = one(feed(record(pubDate=1778990421000, expiryDate=1784174421000)))
    (item,) = run.kept
    assert (item.date, item.expires) == ("2026-05-17T04:00:21+00:00", "2026-07-16T04:00:21+00:00")


def test_locations_as_documented_objects_and_empty():
    jobs = [
        record(locationRestrictions=[{"alpha2": "DE", "name": "Germany"}, "Austria"]),
        record(locationRestrictions=[], guid=GUID + "-2"),
    ]
    run, _, _ = one(feed(*jobs))
    assert [item.location for item in run.kept] == ["Germany, Austria", ""]


@pytest.mark.parametrize("body", ['{"error": "rate limited"}', "[1, 2]", '{"jobs": {}}'])
def test_a_body_without_jobs_is_a_clear_error(body):
    with pytest.raises(BoardResponseError, match="list under 'jobs'"):
        parse_feed(HimalayasSpider, API, body)


def test_max_pages_must_be_positive():
    with pytest.raises(ValueError, match="max_pages"):
        HimalayasSpider(max_pages="0")


@pytest.mark.parametrize("name", CAPTURES)
def test_every_real_capture_conforms(name, tmp_path):
    path = require_real(REAL / "himalayas" / name)
    capture = json.loads(path.read_bytes())
    postings, requests, crawler = parse_feed(HimalayasSpider, API, path.read_bytes())
    assert len(postings) == len(capture["jobs"])
    assert crawler.stats.get_value("jobscrape/records/read") == len(capture["jobs"])
    if "totalCount" in capture:
        assert [request.url for request in requests] == [
            "https://himalayas.app/jobs/api?offset=20&limit=20"
        ]
    else:  # the wrapper was dropped: no next page
        assert requests == []
    run = run_pipelines(crawler, postings)
    assert run.dropped == []
    for item in run.kept:
        assert item.company and item.company != "name"
        assert item.images and "thumbnail_url" not in item.images[0]
        assert item.date.endswith("+00:00") and item.expires > item.date
    posts = write_posts(run.kept, tmp_path)
    assert len(posts) == len(capture["jobs"])


def test_crawl_replays_both_pages_into_posts(tmp_path):
    result = crawl(tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    files = snapshot(tmp_path / "out")
    assert len(files) == 21  # 23 records: one without a title, one repeated on page 2
    assert "'jobscrape/records/read': 23" in result.stderr
    assert "no_title" in result.stderr and "duplicate" in result.stderr
    by_title = {}
    for name in files:
        post = assert_post_conforms(tmp_path / "out" / name)
        by_title[post["title"]] = post
    page_two = "https://himalayas.app/companies/zurich-analytics/jobs/data-engineer"
    assert f"post-himalayas-{url_id(page_two)}.md" in files
    assert by_title["Data Engineer"]["summary"] == "Zürich Analytics"
    nurse = by_title["Claims Review Nurse (Remote | RN License Required | Pacific Time Zone Hours)"]
    assert nurse["summary"] == "Bright Harbor Health & Care"
    assert by_title["Voice Data Annotator"]["summary"] == "Lingo Labs"
    default = make_crawler(HimalayasSpider).settings["DEFAULT_IMAGE"]
    assert nurse["images"] == [default]
    assert by_title["Flutter Developer"].content == "<p>Build apps.</p>"
    assert by_title["Senior Backend Engineer (Go)"]["tags"] == [
        "developer", "backend development", "go developer", "senior software engineer"
    ]  # fmt: skip


def test_post_extra_fields_show_salary_and_expiry(tmp_path):
    result = crawl(tmp_path, "himalayas.yaml", "-s",
                   "POST_EXTRA_FIELDS=salary_min,salary_max,salary_period,expires")  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    texts = [path.read_text() for path in tmp_path.glob("*.md")]
    (annotator,) = [text for text in texts if 'title: "Voice Data Annotator"' in text]
    assert 'salary_min: "18"\nsalary_max: "18"\nsalary_period: "hour"\n' in annotator
    assert '\nexpires: "2027-01-17T11:03:40+00:00"\n---\n' in annotator


@pytest.mark.parametrize("cassette", ["himalayas-html-error.yaml", "himalayas-malformed.yaml"])
def test_bad_answers_fail_the_run_and_keep_existing_posts(tmp_path, cassette):
    reason = failed_run_keeps_posts("himalayas", cassette, tmp_path)
    assert "BoardResponseError" in reason and "not JSON" in reason


def test_politeness_lives_in_the_spider():
    settings = make_crawler(HimalayasSpider).settings
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1
    assert HimalayasSpider(url=API).max_pages == 5
    assert "max_pages" in HimalayasSpider.politeness and "hourly" in HimalayasSpider.politeness
