"""Lever spider: its quirks, the companies and regions it reads, the real capture, the crawl."""

from __future__ import annotations

import asyncio
import json

import pytest

from jobscrape.companies import Company
from jobscrape.spiders.base import BoardResponseError
from jobscrape.spiders.lever import LeverSpider
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

API = "https://api.lever.co/v0/postings/{board}?mode=json"
EU_API = "https://api.eu.lever.co/v0/postings/{board}?mode=json"
NOT_REMOTE = "jobscrape/skipped/not_remote"
CAPTURES = [path.name for path in real_files("lever")] or ["(../shared is absent)"]
UUID = "7d9af9b5-c1c7-48ec-bbb5-9b25e49f6596"


def parse_board(body, company=None, **spider_args):
    """``LeverSpider.parse`` on one board's answer, its company in the request's meta as
    the crawl sets it: (postings, follow-up requests, crawler)."""
    company = company or Company("lever", "acme", name="Acme", logo="https://acme/logo.png")
    url = API.format(board=company.board)
    return parse_feed(LeverSpider, url, body, meta={"company": company}, **spider_args)


def posting(posting_id=UUID, **fields):
    record = {
        "additionalPlain": "About us\u00a0", "additional": "<div><p>About us&nbsp;</p></div>",
        "categories": {"commitment": "Full Time Employee", "department": "Data",
                       "location": "Remote - India", "team": "Risk",
                       "allLocations": ["Remote - India"]},
        "createdAt": 1757916149833, "descriptionPlain": "Join\u00a0us",
        "description": "<div><strong>Join us</strong></div>", "id": posting_id,
        "lists": [{"text": "Skills & Tools ", "content": "\n<li>Go</li>\n<li>SQL</li>\n"}],
        "text": "AM/ Manager - Risk & Decision Science", "country": "IN",
        "workplaceType": "remote", "opening": "", "openingPlain": "",
        "hostedUrl": f"https://jobs.lever.co/acme/{posting_id}",
        "applyUrl": f"https://jobs.lever.co/acme/{posting_id}/apply",
    }  # fmt: skip
    record.update(fields)
    return record


def test_fields_of_a_remote_posting():
    postings, requests, crawler = parse_board(json.dumps([posting()]))
    assert requests == []  # every posting in one answer
    assert crawler.stats.get_value("jobscrape/records/read") == 1
    (item,) = run_pipelines(crawler, postings).kept
    assert item.slug == f"post-lever-acme-{UUID}"  # the UUID is a safe id
    assert item.title == "AM/ Manager - Risk & Decision Science"
    assert item.company == "Acme"  # Lever names no company: the companies file does
    assert item.images == ["https://acme/logo.png"]
    assert item.date == "2025-09-15T06:02:29+00:00"  # createdAt is milliseconds
    assert item.tags == ["data", "risk"]
    assert (item.location, item.employment_type) == ("Remote - India", "Full Time Employee")
    assert (item.remote, item.category) == (True, "Remote Jobs")
    assert item.url == f"https://jobs.lever.co/acme/{UUID}"
    assert item.apply_url == f"https://jobs.lever.co/acme/{UUID}/apply"
    assert item.salary_raw == "" and item.salary_min is None  # no salary on Lever


def test_description_joins_description_lists_and_additional():
    (item,) = parse_board(json.dumps([posting()]))[0]
    assert item.description_raw == (
        "<div><strong>Join us</strong></div>\n"
        "<h3>Skills &amp; Tools</h3><ul>\n<li>Go</li>\n<li>SQL</li>\n</ul>\n"
        "<div><p>About us&nbsp;</p></div>"
    )
    (item,) = parse_board(json.dumps([posting(lists=[], additional="")]))[0]
    assert item.description_raw == "<div><strong>Join us</strong></div>"


def test_a_missing_commitment_and_team_are_left_empty():
    categories = {"department": "Ops", "location": "Pune", "allLocations": ["Pune"]}
    (item,) = parse_board(json.dumps([posting(categories=categories)]), remote_only="0")[0]
    assert (item.employment_type, item.tags_raw, item.location) == ("", ["Ops"], "Pune")


@pytest.mark.parametrize(
    ("workplace", "locations", "remote"),
    [
        ("remote", ["Bangalore, Karnataka"], True),
        ("hybrid", ["Remote - India"], False),  # hybrid is not remote, whatever the location
        ("onsite", ["Bangalore, Karnataka"], False),
        ("unspecified", ["London", "Remote - Europe"], True),
        ("unspecified", ["London"], None),
        (None, [], None),
    ],
)
def test_remote_from_workplace_type_then_location(workplace, locations, remote):
    categories = {"location": locations[0] if locations else None, "allLocations": locations}
    record = posting(workplaceType=workplace, categories=categories)
    (item,) = parse_board(json.dumps([record]), remote_only="0")[0]
    assert item.remote is remote


def test_on_site_postings_are_counted_not_published_unless_asked():
    records = [posting(), posting(UUID[:-1] + "7", workplaceType="onsite")]
    postings, _, crawler = parse_board(json.dumps(records))
    assert len(postings) == 1 and crawler.stats.get_value(NOT_REMOTE) == 1
    postings, _, crawler = parse_board(json.dumps(records), remote_only="0")
    kept = run_pipelines(crawler, postings).kept
    assert [item.category for item in kept] == ["Remote Jobs", "Jobs"]


def test_remote_only_setting_keeps_on_site_postings():
    crawler = make_crawler(LeverSpider, REMOTE_ONLY=False)
    spider = LeverSpider.from_crawler(crawler)
    response = json_response(API.format(board="x"), json.dumps([posting(workplaceType="onsite")]))
    (item,) = spider.parse(response)
    assert (item.remote, item.category) == (False, "Jobs")


def test_an_answer_that_is_not_a_list_is_a_clear_error():
    with pytest.raises(BoardResponseError, match="without a list of jobs"):
        parse_board('{"ok": false, "error": "Document not found"}')


async def start_urls(spider):
    return [request.url async for request in spider.start()]


def test_regions_give_the_eu_host():
    spider = LeverSpider.from_crawler(make_crawler(LeverSpider))
    assert spider.board_api_url(Company("lever", "acme")) == API.format(board="acme")
    for region in ("eu", "EU", "eu."):
        company = Company("lever", "acme", region=region)
        assert spider.board_api_url(company) == EU_API.format(board="acme")


def test_every_listed_company_is_read_and_board_chooses_one():
    spider = LeverSpider.from_crawler(make_crawler(LeverSpider))
    urls = asyncio.run(start_urls(spider))
    assert API.format(board="meesho") in urls and EU_API.format(board="aave") in urls
    spider = LeverSpider.from_crawler(make_crawler(LeverSpider), board="aave")
    assert asyncio.run(start_urls(spider)) == [EU_API.format(board="aave")]  # its region kept
    spider = LeverSpider.from_crawler(make_crawler(LeverSpider), board="unlisted")
    assert asyncio.run(start_urls(spider)) == [API.format(board="unlisted")]


@pytest.mark.parametrize("name", CAPTURES)
def test_every_real_capture_conforms(name, tmp_path):
    path = require_real(REAL / "lever" / name)
    records = json.loads(path.read_bytes())
    board = records[0]["hostedUrl"].split("/")[3]  # jobs.lever.co/<board>/<uuid>
    company = Company("lever", board)
    postings, requests, crawler = parse_board(path.read_bytes(), company, remote_only="0")
    assert requests == []
    assert len(postings) == len(records)
    assert crawler.stats.get_value("jobscrape/records/read") == len(records)
    run = run_pipelines(crawler, postings)
    assert run.dropped == []
    for item, record in zip(run.kept, records, strict=True):
        assert item.slug == f"post-lever-{board}-{record['id']}"
        assert item.date.endswith("+00:00")
        assert item.employment_type == record["categories"].get("commitment", "")
        for entry in record["lists"]:
            assert entry["content"] in item.description_raw
        assert record["additional"] in item.description_raw
        assert "\u00a0" not in item.title
    assert len(write_posts(run.kept, tmp_path)) == len(records)
    remote_only, _, crawler = parse_board(path.read_bytes(), company)
    skipped = crawler.stats.get_value(NOT_REMOTE) or 0
    assert len(remote_only) + skipped == len(records)


def test_crawl_replays_the_cassette_into_posts(tmp_path):
    result = crawl_board("lever", tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    files = snapshot(tmp_path / "out")
    assert sorted(files) == [
        "post-lever-aave-2c000000-0000-4000-8000-000000000004.md",
        "post-lever-meesho-7d000000-0000-4000-8000-000000000001.md",
    ]
    for name in files:
        post = assert_post_conforms(tmp_path / "out" / name)
        assert post["category"] == "Remote Jobs"
        assert post["date"] == "2026-11-27T11:46:40+00:00"
    aave = assert_post_conforms(tmp_path / "out" / files_named(files, "aave"))
    assert aave["summary"] == "Aave"
    assert aave["tags"] == ["engineering", "protocol", "crypto"]
    assert aave.content.startswith("<p>Audit</p>\n<h3>What you will do</h3><ul>")
    assert "<h3>Skills &amp; Tools</h3>" in aave.content
    assert aave["images"] == [make_crawler(LeverSpider).settings["DEFAULT_IMAGE"]]
    assert "Dropped: lever:2c000000-0000-4000-8000-000000000005 '': no_title" in result.stderr
    assert "'jobscrape/skipped/not_remote': 2" in result.stderr


def files_named(files, board):
    (name,) = [name for name in files if name.startswith(f"post-lever-{board}-")]
    return name


def test_crawl_of_one_board_keeping_on_site_postings(tmp_path):
    result = crawl_board("lever", tmp_path, None, "-a", "board=meesho", "-a", "remote_only=0")
    assert result.returncode == 0, result.stderr[-2000:]
    categories = {
        name: assert_post_conforms(tmp_path / name)["category"] for name in snapshot(tmp_path)
    }
    assert categories == {
        "post-lever-meesho-7d000000-0000-4000-8000-000000000001.md": "Remote Jobs",
        "post-lever-meesho-7d000000-0000-4000-8000-000000000002.md": "Jobs",
        "post-lever-meesho-7d000000-0000-4000-8000-000000000003.md": "Jobs",
    }


@pytest.mark.parametrize("cassette", ["lever-html-error.yaml", "lever-malformed.yaml"])
def test_bad_answers_fail_the_run_and_keep_existing_posts(tmp_path, cassette):
    failed_run_keeps_posts("lever", cassette, tmp_path)


def test_politeness_lives_in_the_spider():
    settings = make_crawler(LeverSpider).settings
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1
    assert settings["DEFAULT_IMAGE"].startswith("https://")
    assert "hourly" in LeverSpider.politeness
