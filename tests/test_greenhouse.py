"""Greenhouse spider: its quirks, the companies it reads, the real captures, the crawl."""

from __future__ import annotations

import asyncio
import json

import pytest

from jobscrape.companies import Company
from jobscrape.spiders.base import BoardResponseError
from jobscrape.spiders.greenhouse import GreenhouseSpider
from tests.conftest import (
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

API = "https://boards-api.greenhouse.io/v1/boards/{board}/jobs?content=true"
NOT_REMOTE = "jobscrape/skipped/not_remote"
CAPTURES = [path.name for path in real_files("greenhouse")] or ["(../shared is absent)"]
ESCAPED = (
    "&lt;div class=&quot;content-intro&quot;&gt;&lt;p&gt;We &amp;amp; you.&amp;nbsp;&lt;/p&gt;"
    "&lt;/div&gt;\n&lt;p&gt;&amp;lt;3&lt;/p&gt;"
)


def parse_board(body, company=None, **spider_args):
    """``GreenhouseSpider.parse`` on one board's answer, its company in the request's meta as
    the crawl sets it: (postings, follow-up requests, crawler)."""
    company = company or Company("greenhouse", "acme", name="Acme", logo="https://acme/logo.png")
    url = API.format(board=company.board)
    return parse_feed(GreenhouseSpider, url, body, meta={"company": company}, **spider_args)


def job(job_id=4000001, **fields):
    record = {
        "absolute_url": f"https://job-boards.greenhouse.io/acme/jobs/{job_id}",
        "internal_job_id": 1, "location": {"name": "Remote, Italy"},
        "metadata": [{"id": 1, "name": "Quota", "value": None, "value_type": "single_select"}],
        "id": job_id, "updated_at": "2026-08-10T16:52:46-04:00", "requisition_id": "6263",
        "title": "Account Executive - Italy", "company_name": "Acme &amp; Co",
        "first_published": "2026-04-17T05:58:03-04:00", "application_deadline": None,
        "content": ESCAPED, "employment": "employment_required",
        "departments": [{"id": 2, "name": "EMEA - Commercial", "child_ids": [], "parent_id": 3}],
        "offices": [{"id": 4, "name": "Italy", "location": None, "child_ids": []}],
    }  # fmt: skip
    record.update(fields)
    return record


def feed(*jobs):
    return json.dumps({"jobs": list(jobs), "meta": {"total": len(jobs)}})


def test_fields_of_a_remote_job():
    postings, requests, crawler = parse_board(feed(job()))
    assert requests == []  # every job in one answer: no pages
    assert crawler.stats.get_value("jobscrape/records/read") == 1
    (item,) = run_pipelines(crawler, postings).kept
    assert item.slug == "post-greenhouse-acme-4000001"
    assert (item.title, item.company) == ("Account Executive - Italy", "Acme & Co")
    assert item.date == "2026-04-17T05:58:03-04:00"  # first_published, its offset kept
    assert item.tags == ["emea - commercial"]
    assert (item.location, item.remote, item.category) == ("Remote, Italy", True, "Remote Jobs")
    assert item.url == item.apply_url == "https://job-boards.greenhouse.io/acme/jobs/4000001"
    assert item.employment_type == ""  # employment_required is a form switch, not a job type
    assert item.images == ["https://acme/logo.png"]  # no logo on the board: the companies file's
    assert item.expires == ""


def test_content_is_unescaped_once():
    (posting,) = parse_board(feed(job()))[0]
    assert posting.description_raw == (
        '<div class="content-intro"><p>We &amp; you.&nbsp;</p></div>\n<p>&lt;3</p>'
    )


def test_updated_at_stands_in_for_a_missing_first_published():
    postings, _, crawler = parse_board(feed(job(first_published=None)))
    (item,) = run_pipelines(crawler, postings).kept
    assert item.date == "2026-08-10T16:52:46-04:00"


def test_company_name_falls_back_to_the_companies_file():
    (posting,) = parse_board(feed(job(company_name=None)))[0]
    assert posting.company_raw == "Acme"


@pytest.mark.parametrize(
    ("fields", "remote"),
    [
        ({"location": {"name": "Remote, Italy"}}, True),
        ({"location": {"name": "Bangalore "}, "offices": [{"name": "HQ", "location": None}]},
         False),
        ({"location": {"name": "Bangalore"}, "offices": [{"name": "Remote - EMEA"}]}, True),
        ({"location": {"name": "Amsterdam"},
          "metadata": [{"name": "Workplace Type", "value": "Remote"}]}, True),
        ({"location": {"name": "Amsterdam"},
          "metadata": [{"name": "Remote", "value": ["Remote - US"]}]}, True),
        ({"location": {"name": "Berlin"}, "metadata": [{"name": "Team", "value": "Remote"}]},
         False),  # only workplace-like fields speak for the job
        ({"location": None, "offices": []}, None),
        ({"location": {"name": " "}, "offices": [{"name": "", "location": None}]}, None),
    ],
)  # fmt: skip
def test_remote_from_location_offices_and_metadata(fields, remote):
    (posting,) = parse_board(feed(job(**fields)), remote_only="0")[0]
    assert posting.remote is remote


def test_employment_type_and_deadline_from_the_board():
    metadata = [
        {"name": "Employment Type", "value": "Full-time"},
        {"name": "Cost Center", "value": None},
        {"name": "Bonus", "value": {"unit": "USD", "amount": "10"}},
    ]
    fields = {"metadata": metadata, "application_deadline": "2026-12-31T23:59:59-05:00"}
    postings, _, crawler = parse_board(feed(job(**fields)))
    (item,) = run_pipelines(crawler, postings).kept
    assert item.employment_type == "Full-time"
    assert item.expires == "2026-12-31T23:59:59-05:00"


def test_on_site_jobs_are_counted_not_published_unless_asked():
    on_site = job(4000002, location={"name": "Bangalore "}, offices=[])
    postings, _, crawler = parse_board(feed(job(), on_site))
    assert [posting.source_id for posting in postings] == ["4000001"]
    assert crawler.stats.get_value(NOT_REMOTE) == 1
    assert crawler.stats.get_value("jobscrape/records/read") == 2
    postings, _, crawler = parse_board(feed(job(), on_site), remote_only="0")
    kept = run_pipelines(crawler, postings).kept
    assert [item.category for item in kept] == ["Remote Jobs", "Jobs"]
    assert kept[1].location == "Bangalore"  # free text, trimmed
    assert crawler.stats.get_value(NOT_REMOTE) is None


def test_remote_only_setting_keeps_on_site_jobs():
    crawler = make_crawler(GreenhouseSpider, REMOTE_ONLY=False)
    spider = GreenhouseSpider.from_crawler(crawler)
    response = json_response(API.format(board="x"), feed(job(location={"name": "Pune"})))
    (posting,) = spider.parse(response)
    assert (posting.remote, posting.category) == (False, "Jobs")


def test_a_feed_without_jobs_is_a_clear_error():
    with pytest.raises(BoardResponseError, match="list under 'jobs'"):
        parse_board('{"meta": {"total": 0}}')


async def start_urls(spider):
    return [request.url async for request in spider.start()]


def test_every_listed_company_is_read_and_board_chooses_one():
    spider = GreenhouseSpider.from_crawler(make_crawler(GreenhouseSpider))
    urls = asyncio.run(start_urls(spider))
    assert API.format(board="gitlab") in urls and len(urls) >= 3
    assert len(set(urls)) == len(urls)
    spider = GreenhouseSpider.from_crawler(make_crawler(GreenhouseSpider), board="gitlab")
    assert asyncio.run(start_urls(spider)) == [API.format(board="gitlab")]
    spider = GreenhouseSpider.from_crawler(make_crawler(GreenhouseSpider), board="unlisted")
    assert asyncio.run(start_urls(spider)) == [API.format(board="unlisted")]


@pytest.mark.parametrize("name", CAPTURES)
def test_every_real_capture_conforms(name, tmp_path):
    path = require_real(REAL / "greenhouse" / name)
    records = json.loads(path.read_bytes())["jobs"]
    board = records[0]["absolute_url"].split("/")[3]  # job-boards.greenhouse.io/<board>/jobs/..
    company = Company("greenhouse", board)
    postings, requests, crawler = parse_board(path.read_bytes(), company, remote_only="0")
    assert requests == []
    assert len(postings) == len(records)
    assert crawler.stats.get_value("jobscrape/records/read") == len(records)
    run = run_pipelines(crawler, postings)
    assert run.dropped == []
    for item, record in zip(run.kept, records, strict=True):
        assert item.slug == f"post-greenhouse-{board}-{record['id']}"
        assert item.date == record["first_published"]
        assert "&lt;" not in item.description_raw[:200]
        assert item.remote is ("remote" in record["location"]["name"].lower())
        assert item.company == record["company_name"]
    assert len(write_posts(run.kept, tmp_path)) == len(records)
    remote_only, _, crawler = parse_board(path.read_bytes(), company)
    skipped = crawler.stats.get_value(NOT_REMOTE) or 0
    assert len(remote_only) + skipped == len(records)


def test_crawl_replays_the_cassette_into_posts(tmp_path):
    result = crawl_board("greenhouse", tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    files = snapshot(tmp_path / "out")
    assert sorted(files) == [
        "post-greenhouse-elastic-6100000001.md",
        "post-greenhouse-gitlab-8503792002.md",
        "post-greenhouse-gitlab-8503792003.md",
        "post-greenhouse-mozilla-7200000001.md",
    ]
    for name in files:
        post = assert_post_conforms(tmp_path / "out" / name)
        assert post["category"] == "Remote Jobs"
    gitlab = assert_post_conforms(tmp_path / "out" / "post-greenhouse-gitlab-8503792002.md")
    assert gitlab["tags"] == ["emea - commercial", "devops"]  # departments, then the company's
    assert gitlab["summary"] == "GitLab"
    assert gitlab["date"] == "2026-11-17T05:58:03-05:00"
    assert gitlab.content.startswith("<div><p>GitLab is hiring.&nbsp;</p></div>")
    cleaned = (tmp_path / "out" / "post-greenhouse-gitlab-8503792003.md").read_text()
    assert "track()" not in cleaned and "onclick" not in cleaned
    mozilla = assert_post_conforms(tmp_path / "out" / "post-greenhouse-mozilla-7200000001.md")
    assert mozilla["title"] == "Firefox Engineer & Rust Mentor"
    assert mozilla["images"] == [make_crawler(GreenhouseSpider).settings["DEFAULT_IMAGE"]]
    assert "Dropped: greenhouse:7200000002 '': no_title" in result.stderr
    assert "'jobscrape/skipped/not_remote': 1" in result.stderr


def test_crawl_of_one_board_keeping_on_site_jobs(tmp_path):
    result = crawl_board("greenhouse", tmp_path, None, "-a", "board=elastic", "-a", "remote_only=0")
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(snapshot(tmp_path)) == [
        "post-greenhouse-elastic-6100000001.md",
        "post-greenhouse-elastic-6100000002.md",
    ]
    on_site = assert_post_conforms(tmp_path / "post-greenhouse-elastic-6100000002.md")
    assert on_site["category"] == "Jobs"


@pytest.mark.parametrize("cassette", ["greenhouse-html-error.yaml", "greenhouse-malformed.yaml"])
def test_bad_answers_fail_the_run_and_keep_existing_posts(tmp_path, cassette):
    failed_run_keeps_posts("greenhouse", cassette, tmp_path)


def test_politeness_lives_in_the_spider():
    settings = make_crawler(GreenhouseSpider).settings
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1
    assert settings["DEFAULT_IMAGE"].startswith("https://")
    assert "hourly" in GreenhouseSpider.politeness
