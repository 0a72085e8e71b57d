"""JobPosting spider: lenient JSON-LD and microdata, sitemaps, the real pages, the real crawl."""

from __future__ import annotations

import asyncio
import json
import logging
import runpy
from datetime import UTC, datetime

import pytest
from scrapy.http import HtmlResponse, Request

from jobscrape.spiders import jobposting
from jobscrape.spiders.jobposting import (
    JobpostingSpider,
    domain_of,
    future_date,
    load_jsonld,
    salary_of,
)
from tests.conftest import (
    FIXTURES,
    REAL,
    assert_post_conforms,
    crawl_board,
    json_response,
    make_crawler,
    real_files,
    require_real,
    run_pipelines,
    snapshot,
    write_posts,
)

CASSETTES = FIXTURES / "jobposting"
SITE = runpy.run_path(str(CASSETTES / "build.py"))
SITEMAP = SITE["SITEMAP"]
PAGES = SITE["job_pages"]()
CAPTURES = [path.name for path in real_files("jsonld")] or ["(../shared is absent)"]
# Each real page's own address (PROVENANCE.md, or the page's canonical link).
REAL_URLS = {
    "linkedin-job-page-2020-05-05.html": "https://cz.linkedin.com/jobs/view/"
    "start-kari%C3%A9ry-jako-junior-c%2B%2B-program%C3%A1tor-ka-at-experis-czech-republic-1824273387",
    "remoteok-job-page-2020-10-29.html": "https://remoteok.io/remote-jobs/"
    "99859-remote-software-engineer-ii-comscore",
    "remotive-job-page-backend-engineer-1480862-2022-11-08.html": "https://remotive.com/"
    "remote-jobs/software-dev/backend-engineer-1480862",
    "remotive-job-page-business-developer-france-1152170-2022-11-08.html": "https://remotive.com/"
    "remote-jobs/sales/business-developer-france-1152170",
    "stackoverflow-jobs-page-2020-04-21.html": "https://stackoverflow.com/jobs/292933/"
    "solution-engineer-m-f-x-quajoo-gmbh",
    "stackoverflow-jobs-page-remote-2020-09-30.html": "https://stackoverflow.com/jobs/440502/"
    "senior-front-end-engineer-hummingbot",
    "wwr-job-page-2020-10-29.html": "https://weworkremotely.com/remote-jobs/"
    "bluelight-consulting-devops-engineer-kubernetes-aws-gcp",
    "wwr-job-page-invalid-jsonld-2021-01-21.html": "https://weworkremotely.com/remote-jobs/"
    "elevenyellow-pte-ltd-solidity-engineer",
    "wwr-job-page-no-image-2020-10-29.html": "https://weworkremotely.com/remote-jobs/"
    "stealth-co-devops-engineer",
}


def parse_page(url, body, content_type="text/html; charset=utf-8", meta=None, **args):
    """Run the spider's parse on one answer: (postings, requests, crawler)."""
    crawler = make_crawler(JobpostingSpider)
    spider = JobpostingSpider.from_crawler(crawler, **{"url": url, **args})
    response = json_response(url, body, content_type)
    postings, requests = [], []
    for output in spider.parse(response):
        (requests if isinstance(output, Request) else postings).append(output)
    return postings, requests, crawler


def one_job(path, **args):
    postings, requests, crawler = parse_page(SITE["SITE"] + path, PAGES[path], **args)
    assert requests == []
    (item,) = run_pipelines(crawler, postings).kept
    return item, crawler


def crawl(out, cassette=None, *args):
    return crawl_board("jobposting", out, cassette, *args)


# --- lenient JSON ---------------------------------------------------------------------------


def test_raw_newlines_inside_strings_are_read():
    block = '{"@type": "JobPosting", "title": "Dev", "description": "one\ntwo"}'
    with pytest.raises(ValueError):
        json.loads(block)
    assert load_jsonld(block)["description"] == "one\ntwo"


def test_an_invalid_escape_keeps_its_backslash_and_valid_escapes_stay():
    block = r'{"d": "hit ¯\_(ツ)_/¯ \\_ \" \u00e9 \/ \n"}'
    with pytest.raises(ValueError):
        json.loads(block, strict=False)
    assert load_jsonld(block)["d"] == 'hit ¯\\_(ツ)_/¯ \\_ " é / \n'


def test_an_html_comment_around_the_block_is_ignored():
    assert load_jsonld('<!--\n{"@type": "JobPosting"}\n-->') == {"@type": "JobPosting"}


def test_an_unreadable_block_is_a_warning_naming_the_page(caplog):
    url = SITE["SITE"] + "/jobs/105-broken"
    body = SITE["page"]("Broken", SITE["BROKEN"])
    with caplog.at_level(logging.WARNING):
        postings, requests, crawler = parse_page(url, body)
    assert postings == requests == []
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert url in warning and "not JSON even read leniently" in warning
    assert "Unterminated string" in warning or "Expecting" in warning  # the parser's reason
    stats = crawler.stats.get_stats()
    assert stats["jobscrape/records/read"] == 1  # a JobPosting that could not be read
    assert stats["jobscrape/dropped/invalid_jsonld"] == 1
    assert stats["jobscrape/jsonld/invalid"] == 1


def test_a_broken_block_that_is_no_job_is_not_counted_as_one():
    body = '<script type="application/ld+json">{"@type": "WebSite", </script>' + (
        '<script type="application/ld+json">{"@type": "JobPosting", "title": "Dev", '
        '"description": "<p>Build it.</p>", "datePosted": "2026-11-01T00:00:00Z", '
        '"identifier": "7"}</script>'
    )
    postings, _, crawler = parse_page("https://jobs.example.org/7", body, remote_only="0")
    assert [p.slug for p in postings] == ["post-jobs-example-org-7"]
    assert crawler.stats.get_value("jobscrape/records/read") == 1
    assert crawler.stats.get_value("jobscrape/dropped/invalid_jsonld") is None


# --- the shapes JobPosting comes in -------------------------------------------------------------


def test_raw_newline_page_maps_every_quirk():
    item, _ = one_job("/jobs/101-devops-engineer")
    assert item.slug == "post-acme-example-101"
    assert item.url == SITE["SITE"] + "/jobs/101-devops-engineer"  # not the company's site
    assert (item.title, item.company) == ("DevOps Engineer", "Acme Corp")
    assert item.date_raw == "2026-11-20 20:28:32 UTC"
    assert item.date == "2026-11-20T20:28:32+00:00"
    assert item.employment_type == "Full-Time"
    assert (item.location, item.remote, item.category) == ("Remote: Anywhere", True, "Remote Jobs")
    assert item.description_raw.startswith("<div><strong>About us</strong></div>")  # unescaped
    assert "We run\nKubernetes" in item.body
    assert (item.expires_raw, item.expires) == ("", "")  # validThrough 1970: no expiry
    assert item.salary_raw == "$90k - $120k a year"  # a bare string, parsed by the pipeline
    assert (item.salary_min, item.salary_max, item.salary_period) == (90000, 120000, "year")
    assert item.images == ["https://www.acme.example/logo-101.png"]  # image: no company logo
    assert item.tags == ["devops and sysadmin"]


def test_graph_with_type_list_and_monetary_amount():
    item, _ = one_job("/jobs/102-data-engineer")
    assert item.slug == "post-acme-example-102"
    assert item.url == "https://acme.example/jobs/102-data-engineer"  # its own url, same site
    assert item.employment_type == "FULL_TIME, CONTRACTOR"
    assert (item.location, item.remote) == ("Remote: DE; FR", True)
    assert (item.salary_min, item.salary_max, item.salary_currency, item.salary_period) == (
        70000, 90000, "EUR", "year")  # fmt: skip
    assert item.expires == "2099-12-31T23:59:59Z"
    assert item.images == ["https://www.acme.example/logo.png"]  # an ImageObject logo


def test_microdata_job_posting():
    item, _ = one_job("/jobs/103-product-designer")
    assert (item.slug, item.title, item.company) == (
        "post-acme-example-103", "Product Designer", "Acme Corp")  # fmt: skip
    assert item.date == "2026-11-25T12:00:00Z"
    assert (item.location, item.remote) == ("Remote - Europe", True)  # says remote
    assert item.body == "<p>Design <em>calm</em> tools.</p>"
    assert item.images == ["https://www.acme.example/logo-103.png"]
    assert (item.salary_min, item.salary_max, item.salary_period) == (4000, 4000, "month")
    assert item.employment_type == "PART_TIME"


def test_an_on_site_job_is_skipped_and_counted_by_default():
    path = "/jobs/104-office-manager"
    postings, _, crawler = parse_page(SITE["SITE"] + path, PAGES[path])
    assert postings == []
    assert crawler.stats.get_value("jobscrape/skipped/not_remote") == 1
    assert crawler.stats.get_value("jobscrape/records/read") == 1


def test_an_on_site_job_is_kept_as_jobs_when_asked():
    item, _ = one_job("/jobs/104-office-manager", remote_only="0")
    assert (item.remote, item.category, item.location) == (False, "Jobs", "Berlin, DE")
    assert item.company == "Acme Corp"  # hiringOrganization as a bare string
    assert item.date == "2026-11-26T00:00:00+00:00"  # a bare day: midnight UTC
    assert item.images == [make_crawler(JobpostingSpider).settings["DEFAULT_IMAGE"]]


def test_a_page_without_job_posting_yields_nothing():
    postings, requests, crawler = parse_page(SITE["SITE"] + "/about", b"<html><p>hi</p></html>")
    assert postings == requests == []
    assert crawler.stats.get_value("jobscrape/records/read") is None


def test_an_identifier_that_is_no_safe_token_gives_a_url_hash():
    body = (
        '<script type="application/ld+json">{"@type": "JobPosting", "title": "Dev", '
        '"datePosted": "2026-11-01T00:00:00Z", "jobLocationType": "TELECOMMUTE", '
        '"description": "<p>Run it.</p>", '
        '"identifier": {"@type": "PropertyValue", "value": "a/b c"}}</script>'
    )
    url = "https://www.careers.example.co.uk/job?id=9"
    (posting,), _, _ = parse_page(url, body)
    assert posting.slug == f"post-careers-example-co-uk-{posting.source_id}"
    assert len(posting.source_id) == 12
    (again,), _, _ = parse_page(url, body)
    assert again.slug == posting.slug  # the same job, the same path


def test_domain_of():
    assert domain_of("https://www.Jobs.Example.com:8443/x") == "jobs-example-com"
    assert domain_of("http://localhost/x") == "localhost"


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ({"@type": "MonetaryAmount", "currency": "USD", "value": "55000", "unitCode": "ANN"},
         (55000, 55000, "USD", "year")),
        ({"currency": "USD", "value": {"minValue": 75000, "maxValue": 125000, "unitText": "YEAR"}},
         (75000, 125000, "USD", "YEAR")),
        ({"currency": "GBP", "value": {"value": 40, "unitText": "HOUR"}}, (40, 40, "GBP", "HOUR")),
        (52000, (52000, 52000, "", "")),
        ("$60k-$72k", (None, None, "", "")),  # text: the pipeline reads it
        ({"currency": "USD", "value": None}, (None, None, "", "")),
        (None, (None, None, "", "")),
    ],
)  # fmt: skip
def test_base_salary_shapes(base, expected):
    fields = salary_of(base)
    got = tuple(fields.get(key, default) for key, default in (
        ("salary_min", None), ("salary_max", None), ("salary_currency", ""),
        ("salary_period", "")))  # fmt: skip
    assert got == expected
    if isinstance(base, str):
        assert fields == {"salary_raw": base}


def test_only_a_future_valid_through_is_an_expiry(monkeypatch):
    monkeypatch.setattr(jobposting, "now", lambda: datetime(2026, 11, 27, tzinfo=UTC))
    assert future_date("2026-12-05 10:01:04") == "2026-12-05 10:01:04"
    assert future_date("2026-12-05") == "2026-12-05"  # the date pipeline reads a bare day
    assert future_date("2027-01-01T00:00") == "2027-01-01T00:00"  # and one without seconds
    assert future_date("2026-11-01T00:00:00Z") == ""  # past
    assert future_date("1970-01-01T00:00:00.000Z") == ""
    assert future_date("soon") == future_date(None) == ""


# --- sitemaps, the follow filter, a list of URLs ------------------------------------------------


def test_a_sitemap_index_follows_its_sitemaps():
    postings, requests, _ = parse_page(SITEMAP, SITE["SITEMAP_INDEX"], "application/xml")
    assert postings == []
    assert [r.url for r in requests] == [
        SITE["SITE"] + "/sitemap-jobs.xml", SITE["SITE"] + "/sitemap-pages.xml"]  # fmt: skip
    assert all(r.callback is not None and r.errback is not None for r in requests)


def test_a_sitemap_follows_its_pages_with_lastmod():
    url = SITE["SITE"] + "/sitemap-jobs.xml"
    _, requests, _ = parse_page(url, SITE["JOB_SITEMAP"], "application/xml")
    assert [r.url for r in requests] == [SITE["SITE"] + path for path in SITE["JOB_PATHS"]]
    assert requests[0].meta["lastmod"] == "2026-11-21T08:00:00+00:00"


def test_follow_keeps_only_matching_pages():
    url = SITE["SITE"] + "/sitemap-jobs.xml"
    _, requests, _ = parse_page(url, SITE["JOB_SITEMAP"], "application/xml", follow=r"/10[24]-")
    assert [r.url.rsplit("/", 1)[1] for r in requests] == [
        "102-data-engineer",
        "104-office-manager",
    ]
    _, index, _ = parse_page(SITEMAP, SITE["SITEMAP_INDEX"], "text/xml", follow="nothing")
    assert len(index) == 2  # the filter is for pages, not for sitemaps


def test_urls_file_lists_the_start_urls(tmp_path):
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# career pages\n{SITEMAP}\n\n https://jobs.example.org/7 \n")
    spider = JobpostingSpider.from_crawler(make_crawler(JobpostingSpider), urls_file=listing)

    async def collect():
        return [request.url async for request in spider.start()]

    assert asyncio.run(collect()) == [SITEMAP, "https://jobs.example.org/7"]


def test_a_url_or_urls_file_is_required():
    with pytest.raises(ValueError, match="url="):
        JobpostingSpider.from_crawler(make_crawler(JobpostingSpider))


# --- the real pages -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", CAPTURES)
def test_every_real_page_yields_its_posting(name, tmp_path, caplog):
    path = require_real(REAL / "jsonld" / name)
    with caplog.at_level(logging.WARNING):
        postings, requests, crawler = parse_page(REAL_URLS[name], path.read_bytes(),
                                                 remote_only="0")  # fmt: skip
    assert requests == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    if not postings:  # allowed only with a WARNING saying why
        assert any(REAL_URLS[name] in warning for warning in warnings), warnings
        return
    assert len(postings) == crawler.stats.get_value("jobscrape/records/read") == 1
    run = run_pipelines(crawler, postings)
    assert run.dropped == []
    (item,) = run.kept
    assert item.slug.startswith(f"post-{domain_of(REAL_URLS[name])}-")
    assert item.title and item.company and item.date
    (post,) = write_posts(run.kept, tmp_path)
    assert post["path"] == f"/{item.slug}/"


def real_item(name):
    path = require_real(REAL / "jsonld" / name)
    postings, _, crawler = parse_page(REAL_URLS[name], path.read_bytes(), remote_only="0")
    (item,) = run_pipelines(crawler, postings).kept
    return item


def test_real_wwr_pages_need_lenient_json_and_keep_their_quirks():
    item = real_item("wwr-job-page-2020-10-29.html")
    assert item.slug == "post-weworkremotely-com-" + item.source_id  # identifier too long: hash
    assert item.url == REAL_URLS["wwr-job-page-2020-10-29.html"]  # url is bluelight.co
    assert (item.date, item.employment_type) == ("2020-10-20T20:28:32+00:00", "Full-Time")
    assert item.body.startswith("<div><strong>DESCRIPTION</strong></div>")
    assert item.remote is True
    invalid = real_item("wwr-job-page-invalid-jsonld-2021-01-21.html")  # the \_ escape
    assert invalid.slug == "post-weworkremotely-com-elevenyellow-pte-ltd-solidity-engineer"
    assert invalid.title == "Solidity Engineer"
    assert "¯\\_(ツ)_/¯" in invalid.body


def test_real_linkedin_page_without_description_is_not_posted_and_says_why(caplog):
    path = require_real(REAL / "jsonld" / "linkedin-job-page-2020-05-05.html")
    postings, _, crawler = parse_page("https://cz.linkedin.com/jobs/view/1824273387",
                                      path.read_bytes(), remote_only="0")  # fmt: skip
    assert postings == []
    assert crawler.stats.get_value("jobscrape/records/read") == 1
    assert crawler.stats.get_value("jobscrape/dropped/no_description") == 1
    assert "has no description: not posted" in caplog.text


def test_a_relative_logo_and_the_sitemap_lastmod_are_used():
    body = (
        '<script type="application/ld+json">{"@type": "JobPosting", "title": "Dev", '
        '"description": "<p>x</p>", "jobLocationType": "TELECOMMUTE", "identifier": "9", '
        '"hiringOrganization": {"name": "Acme", "logo": "/img/logo.png"}}</script>'
    )
    crawler = make_crawler(JobpostingSpider)
    spider = JobpostingSpider.from_crawler(crawler, url="https://jobs.example.org/")
    request = Request("https://jobs.example.org/9", meta={"lastmod": "2026-11-20"})
    response = HtmlResponse(request.url, body=body.encode(), encoding="utf-8", request=request)
    (posting,) = list(spider.parse(response))
    assert posting.logo_url == "https://jobs.example.org/img/logo.png"
    (item,) = run_pipelines(crawler, [posting]).kept
    assert item.date == "2026-11-20T00:00:00+00:00"


def test_real_remoteok_and_stackoverflow_salaries():
    remoteok = real_item("remoteok-job-page-2020-10-29.html")
    assert (remoteok.salary_min, remoteok.salary_period, remoteok.location) == (
        55000, "year", "Remote: Anywhere")  # fmt: skip
    stack = real_item("stackoverflow-jobs-page-remote-2020-09-30.html")
    assert (stack.salary_min, stack.salary_max, stack.salary_period) == (75000, 125000, "year")
    assert stack.date == "2020-09-25T00:00:00+00:00" and stack.remote is True
    assert stack.location.endswith(" more")  # 251 countries, not all named


# --- the real crawl -----------------------------------------------------------------------------


def test_crawl_replays_the_sitemap_into_posts(tmp_path):
    result = crawl(tmp_path / "out", None, "-a", f"url={SITEMAP}")
    assert result.returncode == 0, result.stderr[-2000:]
    files = snapshot(tmp_path / "out")
    assert sorted(files) == [f"post-acme-example-10{n}.md" for n in (1, 2, 3)]
    for name in files:
        assert assert_post_conforms(tmp_path / "out" / name)["category"] == "Remote Jobs"
    assert "'jobscrape/skipped/not_remote': 1" in result.stderr
    assert "https://www.acme.example/about has no JobPosting" in result.stderr


def test_crawl_keeps_on_site_jobs_when_asked_and_follows_only_matches(tmp_path):
    result = crawl(tmp_path, None, "-a", f"url={SITEMAP}", "-a", "remote_only=0",
                   "-a", "follow=/jobs/10[34]-")  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(snapshot(tmp_path)) == ["post-acme-example-103.md", "post-acme-example-104.md"]
    assert assert_post_conforms(tmp_path / "post-acme-example-104.md")["category"] == "Jobs"


@pytest.mark.parametrize(
    ("cassette", "url", "why"),
    [
        ("jobposting-html-error.yaml", SITEMAP, "503"),
        ("jobposting-malformed.yaml", SITE["SITE"] + "/jobs/105-broken", "1 invalid_jsonld"),
    ],
)
def test_bad_answers_fail_the_run_and_keep_existing_posts(tmp_path, cassette, url, why):
    (tmp_path / "post-jobposting-1.md").write_text("yesterday's post\n")
    before = snapshot(tmp_path)
    result = crawl(tmp_path, cassette, "-a", f"url={url}")
    assert result.returncode == 1, result.stderr[-2000:]
    reason = result.stderr.strip().splitlines()[-1]
    assert reason.startswith("jobscrape: crawl jobposting failed: ") and why in reason, reason
    assert snapshot(tmp_path) == before


def test_crawl_without_a_url_fails_saying_so(tmp_path):
    result = crawl(tmp_path)
    assert result.returncode == 1
    assert "url=" in result.stderr.strip().splitlines()[-1]


def test_politeness_lives_in_the_spider():
    settings = make_crawler(JobpostingSpider).settings
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings["DEFAULT_IMAGE"].startswith("https://")
