"""Arbeitnow spider: its quirks, pagination, the real captures, and the real crawl end to end."""

from __future__ import annotations

import json

import pytest

from jobscrape.items import url_id
from jobscrape.spiders.arbeitnow import ArbeitnowSpider
from jobscrape.spiders.base import BoardResponseError
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

API = "https://www.arbeitnow.com/api/job-board-api"
NOT_REMOTE = "jobscrape/skipped/not_remote"
CASSETTES = FIXTURES / "arbeitnow"
CAPTURES = [path.name for path in real_files("arbeitnow")] or ["(../shared is absent)"]
FOOTER = '<p>Find <a href="https://www.arbeitnow.com">Jobs in Germany</a> on Arbeitnow</a>'
ESCAPED = (
    "&lt;div class=&quot;content-intro&quot;&gt;&lt;p&gt;Wir bauen &amp;amp; testen."
    "&lt;/p&gt;&lt;/div&gt;\n&lt;p&gt;&amp;nbsp;&lt;/p&gt;"
)


def crawl(out, cassette=None, *args):
    return crawl_board("arbeitnow", out, cassette, *args)


def record(slug="dev-remote-60723", **fields):
    job = {
        "slug": slug, "company_name": "M&amp;M GmbH", "title": "Entwickler (m/w/d)",
        "description": ESCAPED + FOOTER, "remote": True,
        "url": f"https://www.arbeitnow.com/jobs/companies/mm-gmbh/{slug}",
        "tags": ["Software Development", "Central 1000030"],
        "job_types": ["geschäftsleitung", "professional / experienced"],
        "location": "Remote", "created_at": 1786805732,
    }  # fmt: skip
    job.update(fields)
    return job


def feed(*jobs, next_url=None, **wrapper):
    links = {"first": f"{API}?page=1", "last": None, "prev": None, "next": next_url}
    return json.dumps({"data": list(jobs), "links": links, "meta": {"per_page": 100}, **wrapper})


def test_fields_of_a_remote_job():
    postings, requests, crawler = parse_feed(ArbeitnowSpider, API, feed(record(), 7))
    assert requests == []
    assert crawler.stats.get_value("jobscrape/records/read") == 1
    (item,) = run_pipelines(crawler, postings).kept
    assert item.slug == "post-arbeitnow-dev-remote-60723"  # the slug is the id
    assert (item.title, item.company) == ("Entwickler (m/w/d)", "M&M GmbH")
    assert item.date == "2026-08-15T14:55:32+00:00"  # created_at is unix seconds
    assert item.tags == ["software development", "central 1000030"]  # junk tags stay
    assert item.employment_type == "geschäftsleitung, professional / experienced"
    assert (item.location, item.remote) == ("Remote", True)
    assert (
        item.url
        == item.apply_url
        == "https://www.arbeitnow.com/jobs/companies/mm-gmbh/dev-remote-60723"
    )
    assert item.images == [make_crawler(ArbeitnowSpider).settings["DEFAULT_IMAGE"]]  # no logo


def test_escaped_descriptions_are_unescaped_once_up_to_the_boards_footer():
    postings, _, crawler = parse_feed(ArbeitnowSpider, API, feed(record()))
    assert postings[0].description_raw == (
        '<div class="content-intro"><p>Wir bauen &amp; testen.</p></div>\n<p>&nbsp;</p>' + FOOTER
    )
    (item,) = run_pipelines(crawler, postings).kept
    assert "&lt;" not in item.body and item.body.startswith("<div><p>Wir bauen &amp; testen.")
    assert item.body.endswith(
        '<a href="https://www.arbeitnow.com">Jobs in Germany</a> on Arbeitnow</p>'
    )


def test_plain_html_descriptions_are_kept():
    html = "<p>Wir schreiben &lt;b&gt; als Text.</p>\n<ul>\n<li>Remote</li>\n</ul>\n" + FOOTER
    postings, _, _ = parse_feed(ArbeitnowSpider, API, feed(record(description=html)))
    assert postings[0].description_raw == html


def test_long_slugs_become_a_hash_of_the_url():
    slug = "senior-account-executive-enterprise-dach-remote-165386"
    postings, _, _ = parse_feed(ArbeitnowSpider, API, feed(record(slug)))
    assert postings[0].slug == f"post-arbeitnow-{url_id(postings[0].url)}"
    again, _, _ = parse_feed(ArbeitnowSpider, API, feed(record(slug, title="Renamed")))
    assert again[0].slug == postings[0].slug


def test_on_site_jobs_are_read_counted_and_not_published():
    jobs = [record(), record("office-1", remote=False), record("office-2", remote=None)]
    postings, _, crawler = parse_feed(ArbeitnowSpider, API, feed(*jobs))
    assert [posting.source_id for posting in postings] == ["dev-remote-60723"]
    assert crawler.stats.get_value("jobscrape/records/read") == 3
    assert crawler.stats.get_value("jobscrape/skipped/not_remote") == 2


def test_remote_only_0_publishes_every_job_with_its_flag():
    jobs = [record(), record("office-1", remote=False)]
    postings, _, crawler = parse_feed(ArbeitnowSpider, API, feed(*jobs), remote_only="0")
    assert [(posting.source_id, posting.remote) for posting in postings] == [
        ("dev-remote-60723", True), ("office-1", False)
    ]  # fmt: skip
    assert crawler.stats.get_value(NOT_REMOTE) is None


def test_links_next_is_followed():
    postings, requests, _ = parse_feed(
        ArbeitnowSpider, API, feed(record(), next_url=f"{API}?page=2")
    )
    assert len(postings) == 1
    (request,) = requests
    assert request.url == f"{API}?page=2"
    assert request.meta["page"] == 2 and request.callback.__name__ == "parse"


@pytest.mark.parametrize(
    ("body", "spider_args"),
    [
        (feed(record(), next_url=None), {}),  # the last page
        (json.dumps({"data": [record()]}), {}),  # links dropped, as in the captures
        (feed(record(), next_url=f"{API}?page=2"), {"max_pages": "1"}),  # page budget spent
    ],
)
def test_pagination_stops(body, spider_args):
    postings, requests, _ = parse_feed(ArbeitnowSpider, API, body, **spider_args)
    assert len(postings) == 1
    assert requests == []


@pytest.mark.parametrize("body", ['{"message": "Too Many Attempts."}', "[]", '{"data": null}'])
def test_a_body_without_data_is_a_clear_error(body):
    with pytest.raises(BoardResponseError, match="list under 'data'"):
        parse_feed(ArbeitnowSpider, API, body)


def test_max_pages_must_be_positive():
    with pytest.raises(ValueError, match="max_pages"):
        ArbeitnowSpider(max_pages="0")


@pytest.mark.parametrize("name", CAPTURES)
def test_every_real_capture_conforms(name, tmp_path):
    path = require_real(REAL / "arbeitnow" / name)
    jobs = json.loads(path.read_bytes())["data"]
    remote = [job for job in jobs if job["remote"] is True]
    postings, requests, crawler = parse_feed(ArbeitnowSpider, API, path.read_bytes())
    assert requests == []  # links were dropped from the captures
    assert crawler.stats.get_value("jobscrape/records/read") == len(jobs)
    assert crawler.stats.get_value(NOT_REMOTE, 0) == len(jobs) - len(remote)
    assert [posting.url for posting in postings] == [job["url"] for job in remote]
    # every record, on-site ones included, must make a conforming post
    postings, _, crawler = parse_feed(ArbeitnowSpider, API, path.read_bytes(), remote_only="0")
    run = run_pipelines(crawler, postings)
    assert run.dropped == []
    for item in run.kept:
        assert item.date.endswith("+00:00")
        assert "&lt;" not in item.body, item.slug  # escaped descriptions were unescaped
        assert item.body.count("on Arbeitnow") == 1
    posts = write_posts(run.kept, tmp_path)
    assert len(posts) == len(jobs)


def test_crawl_replays_both_pages_into_posts(tmp_path):
    result = crawl(tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    files = snapshot(tmp_path / "out")
    long_url = (
        "https://www.arbeitnow.com/jobs/companies/veritas-cloud/"
        "senior-account-executive-enterprise-dach-remote-880153"
    )
    assert sorted(files) == sorted([
        "post-arbeitnow-backend-engineer-python-remote-731204.md",
        f"post-arbeitnow-{url_id(long_url)}.md",
        "post-arbeitnow-product-owner-remote-424242.md",
        "post-arbeitnow-frontend-developer-remote-161803.md",  # from page 2
    ])  # fmt: skip
    assert "'jobscrape/records/read': 8" in result.stderr
    assert "'jobscrape/skipped/not_remote': 3" in result.stderr
    assert "Dropped: arbeitnow:remote-untitled-999999 '': no_title" in result.stderr
    for name in files:
        assert_post_conforms(tmp_path / "out" / name)
    escaped = assert_post_conforms(
        tmp_path / "out" / "post-arbeitnow-backend-engineer-python-remote-731204.md"
    )
    assert escaped.content.startswith("<div><p>Nordlicht builds payments &amp; more.</p></div>")
    assert escaped["tags"] == ["software development", "central 1000031"]
    sanitized = assert_post_conforms(
        tmp_path / "out" / "post-arbeitnow-frontend-developer-remote-161803.md"
    )
    assert sanitized.content.startswith("<p>React!</p>")
    owner = assert_post_conforms(tmp_path / "out" / "post-arbeitnow-product-owner-remote-424242.md")
    assert owner["summary"] == "M&M Software"


def test_post_extra_fields_show_employment_type_and_remote(tmp_path):
    result = crawl(tmp_path, "arbeitnow.yaml", "-s", "POST_EXTRA_FIELDS=employment_type,location")
    assert result.returncode == 0, result.stderr[-2000:]
    text = (tmp_path / "post-arbeitnow-product-owner-remote-424242.md").read_text()
    assert '\nemployment_type: "geschäftsleitung, Vollzeit"\nlocation: "Remote"\n---\n' in text


def test_remote_only_0_crawl_writes_on_site_jobs_too(tmp_path):
    result = crawl(tmp_path, "arbeitnow.yaml", "-a", "remote_only=0")
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(snapshot(tmp_path)) == 7  # 8 records, one without a title
    assert (tmp_path / "post-arbeitnow-data-analyst-hamburg-271828.md").exists()


def test_a_run_of_on_site_jobs_only_reads_them_and_succeeds(tmp_path):
    result = crawl(tmp_path / "out", "arbeitnow-on-site-only.yaml")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "'jobscrape/records/read': 2" in result.stderr
    assert "'jobscrape/skipped/not_remote': 2" in result.stderr
    assert snapshot(tmp_path / "out") == {}


@pytest.mark.parametrize("cassette", ["arbeitnow-html-error.yaml", "arbeitnow-malformed.yaml"])
def test_bad_answers_fail_the_run_and_keep_existing_posts(tmp_path, cassette):
    assert "not JSON" in failed_run_keeps_posts("arbeitnow", cassette, tmp_path)


def test_a_failed_later_page_fails_the_run_after_writing_the_first(tmp_path):
    (tmp_path / "post-arbeitnow-1.md").write_text("yesterday\n")
    before = snapshot(tmp_path)
    result = crawl(tmp_path, "arbeitnow-page2-error.yaml")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("jobscrape: crawl arbeitnow failed:") and "page=2" in last
    assert "post-arbeitnow-product-owner-remote-424242.md" in snapshot(tmp_path)
    assert (tmp_path / "post-arbeitnow-1.md").read_bytes() == before["post-arbeitnow-1.md"]


def test_politeness_lives_in_the_spider():
    settings = make_crawler(ArbeitnowSpider).settings
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1
    spider = ArbeitnowSpider.from_crawler(make_crawler(ArbeitnowSpider))
    assert (spider.max_pages, spider.keeps_remote_only()) == (5, True)
    assert "hourly" in ArbeitnowSpider.politeness
