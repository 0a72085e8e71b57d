"""We Work Remotely spider: its quirks, the real captures, and the real crawl end to end."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

import pytest
from parsel import Selector

from jobscrape.items import url_id
from jobscrape.spiders.base import BoardResponseError
from jobscrape.spiders.weworkremotely import WeworkremotelySpider, job_url, split_title
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

FEED = "https://weworkremotely.com/remote-jobs.rss"
JOBS = "https://weworkremotely.com/remote-jobs/"
MRSS = "http://search.yahoo.com/mrss"  # as the board declares it: no trailing slash
CASSETTES = FIXTURES / "weworkremotely"
CAPTURES = [path.name for path in real_files("weworkremotely")] or ["(../shared is absent)"]


def rss(*items: str, media_ns: str = MRSS) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<rss version="2.0" xmlns:media="{media_ns}"><channel><title>We Work Remotely</title>'
        f"<ttl>60</ttl>{''.join(items)}</channel></rss>"
    )


def item(title: str = "Acme: Dev", slug: str = "acme-dev", **elements: str | None) -> str:
    fields = {
        "title": escape(title),
        "region": "Anywhere in the World",
        "category": "Back-End Programming",
        "type": "Full-Time",
        "description": escape("<p>Build.</p>"),
        "pubDate": "Tue, 08 Nov 2022 00:08:24 +0000",
        "expires_at": "Thu, 08 Dec 2022 00:08:24 +0000",
        "guid": JOBS + slug,
        **elements,
    }
    return (
        "<item>"
        + "".join(f"<{k}>{v}</{k}>" for k, v in fields.items() if v is not None)
        + "</item>"
    )


def parse(body: bytes | str, **spider_args: str):
    return parse_feed(WeworkremotelySpider, FEED, body, "application/rss+xml", **spider_args)


def crawl(out, cassette=None, *args):
    return crawl_board("weworkremotely", out, cassette, *args)


def post_name(slug: str) -> str:
    return f"post-weworkremotely-{url_id(JOBS + slug)}.md"


@pytest.mark.parametrize(
    ("title", "company", "position"),
    [
        ("G2i Inc.: Fullstack Developer", "G2i Inc.", "Fullstack Developer"),
        # several colons: only the first one separates the company
        ("Praxis : Wanted: WordPress dev ", "Praxis", "Wanted: WordPress dev"),
        ("Tallow &amp; Wick: Support", "Tallow & Wick", "Support"),  # escaped twice upstream
        ("No Colon Developer", "", "No Colon Developer"),
    ],
)  # fmt: skip
def test_title_is_company_colon_position_split_at_the_first_colon(title, company, position):
    postings, requests, crawler = parse(rss(item(title)))
    assert requests == []  # one feed, no pages
    (posting,) = run_pipelines(crawler, postings).kept
    assert (posting.company, posting.title) == (company, position)


def test_every_field_of_an_item():
    logo = '<media:content url="https://wwr-pro.s3.amazonaws.com/logos/0074/7735/logo.gif"/>'
    description = (
        '<img src="https://we-work-remotely.imgix.net/logos/0074/7735/logo.gif?w=50&h=50" />\n\n'
        "<p>\n  <strong>Headquarters:</strong> Delray Beach, FL\n</p>\n\n<div>Ship it.</div>\n\n"
        f'<p><strong>To apply:</strong> <a href="{JOBS}g2i-dev">{JOBS}g2i-dev</a></p>\n'
    )
    record = item("G2i: Dev", "g2i-dev", region="USA Only", country="United States",
                  description=escape(description))  # fmt: skip
    postings, _, crawler = parse(rss(record.replace("<title>", logo + "<title>")))
    assert crawler.stats.get_value("jobscrape/records/read") == 1
    (posting,) = postings
    assert posting.slug == f"post-weworkremotely-{url_id(JOBS + 'g2i-dev')}"
    assert posting.source_id == "bd9eda5f88d7"  # a hash of the job URL, the same every run
    assert posting.logo_url == "https://wwr-pro.s3.amazonaws.com/logos/0074/7735/logo.gif"
    (post,) = run_pipelines(crawler, postings).kept
    assert post.date == "2022-11-08T00:08:24+00:00"  # RFC 2822 pubDate
    assert post.expires_raw == "Thu, 08 Dec 2022 00:08:24 +0000"  # RFC 2822, kept raw
    assert (post.location, post.employment_type, post.remote) == (
        "USA Only, United States", "Full-Time", True)  # fmt: skip
    assert post.url == post.apply_url == f"{JOBS}g2i-dev"
    assert post.tags == ["back-end programming"]
    # the description was escaped into the XML: one XML decode gives HTML, kept byte for byte
    assert post.description_raw == post.body == description
    assert post.body_cleaned is False


@pytest.mark.parametrize("media_ns", [MRSS, MRSS + "/"])
def test_logo_is_media_content_under_either_form_of_the_namespace(media_ns):
    logo = '<media:content url="https://wwr-pro.s3.amazonaws.com/logos/1/logo.gif"/>'
    body = rss(item("A: With logo", "a").replace("<title>", logo + "<title>"),
               item("B: Without logo", "b"), media_ns=media_ns)  # fmt: skip
    postings, _, crawler = parse(body)
    with_logo, without_logo = run_pipelines(crawler, postings).kept
    assert with_logo.images == ["https://wwr-pro.s3.amazonaws.com/logos/1/logo.gif"]
    assert without_logo.logo_url == ""
    assert without_logo.images == [make_crawler(WeworkremotelySpider).settings["DEFAULT_IMAGE"]]


def test_content_outside_the_media_namespace_is_not_a_logo():
    body = rss(item().replace("<title>", '<content url="https://tracker.example/x.gif"/><title>'))
    (posting,), _, _ = parse(body)
    assert posting.logo_url == ""


def test_optional_fields_may_be_missing():
    # the 2020 feed and the legacy "programming" feed: no type, no expires_at, no country
    body = rss(item("10up: Senior UI Engineer", "10up-ui", type=None, expires_at=None,
                    region="Anywhere (100% Remote) Only", category="Programming"))  # fmt: skip
    postings, _, crawler = parse(body)
    (post,) = run_pipelines(crawler, postings).kept
    assert (post.employment_type, post.expires_raw) == ("", "")
    assert post.location == "Anywhere (100% Remote) Only"
    assert post.tags == ["programming"]


def test_tags_are_the_categories_else_the_type():
    both = item("A: Dev", "a").replace(
        "<category>Back-End Programming</category>",
        "<category>Back-End Programming</category><category>DevOps and Sysadmin</category>",
    )
    postings, _, crawler = parse(rss(both, item("B: Dev", "b", category=None, type="Contract")))
    first, second = run_pipelines(crawler, postings).kept
    assert first.tags == ["back-end programming", "devops and sysadmin"]
    assert second.tags == ["contract"]


def test_the_same_job_gets_the_same_path_in_every_feed():
    # a featured job is /listings/<slug> in one feed and /remote-jobs/<slug> in another
    listed, _, _ = parse(rss(item(guid="https://weworkremotely.com/listings/acme-dev")))
    category, _, _ = parse(rss(item()), category="back-end-programming")
    assert listed[0].slug == category[0].slug == f"post-weworkremotely-{url_id(JOBS + 'acme-dev')}"
    assert listed[0].url == JOBS + "acme-dev"
    assert job_url(" https://weworkremotely.com/listings/x\n") == JOBS + "x"
    assert job_url(JOBS + "listings-manager") == JOBS + "listings-manager"


def test_guid_missing_falls_back_to_link():
    (posting,), _, _ = parse(rss(item(guid=None, link=JOBS + "acme-dev")))
    assert posting.url == JOBS + "acme-dev"
    assert posting.slug == f"post-weworkremotely-{url_id(JOBS + 'acme-dev')}"


def test_category_argument_picks_the_category_feed():
    spider = WeworkremotelySpider.from_crawler(
        make_crawler(WeworkremotelySpider), category="back-end-programming"
    )
    assert (
        spider.url == "https://weworkremotely.com/categories/remote-back-end-programming-jobs.rss"
    )
    assert WeworkremotelySpider.from_crawler(make_crawler(WeworkremotelySpider)).url == FEED
    overridden = WeworkremotelySpider.from_crawler(
        make_crawler(WeworkremotelySpider), category="design", url="https://x.test/feed.rss"
    )
    assert overridden.url == "https://x.test/feed.rss"
    with pytest.raises(ValueError, match="not a slug"):
        WeworkremotelySpider.from_crawler(make_crawler(WeworkremotelySpider), category="../x?y")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<!DOCTYPE html><html><head><meta charset=utf-8><title>502</title></head></html>",
         "not well-formed XML"),
        ("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
         r"an XML <html> document, not an RSS feed"),
        (rss(item(), item("B: Dev", "b"))[:-60], "not well-formed XML"),  # cut short
        ("", "not well-formed XML"),
        ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>', "<feed> document"),
    ],
)  # fmt: skip
def test_an_answer_that_is_not_an_rss_feed_is_a_clear_error(body, message):
    with pytest.raises(BoardResponseError, match=f"weworkremotely: {FEED} answered 200") as error:
        parse(body)
    assert re.search(message, str(error.value))


def test_external_entities_are_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = (
        rss(item("Acme: Dev&e;"))
        .replace("<rss ", f'<!DOCTYPE rss [<!ENTITY e SYSTEM "{secret.as_uri()}">]><rss ', 1)
        .replace("&amp;e;", "&e;")
    )
    with pytest.raises(BoardResponseError, match="with a DTD"):
        parse(body)


def test_internal_entities_cannot_rewrite_or_blow_up_the_feed():
    body = (
        rss(item("&lol; Corp: Dev"))
        .replace("&amp;lol;", "&lol;")
        .replace("<rss ", '<!DOCTYPE rss [<!ENTITY lol "Evil">]><rss ', 1)
    )
    with pytest.raises(BoardResponseError, match="with a DTD"):
        parse(body)


@pytest.mark.parametrize("name", CAPTURES)
def test_every_real_capture_conforms(name, tmp_path):
    path = require_real(REAL / "weworkremotely" / name)
    raw = path.read_bytes()
    items = raw.count(b"<item>")
    postings, requests, crawler = parse(raw)
    assert requests == []
    assert len(postings) == items > 0
    assert crawler.stats.get_value("jobscrape/records/read") == items
    assert sum(1 for posting in postings if posting.logo_url) == raw.count(b"<media:content ")
    run = run_pipelines(crawler, postings)
    assert run.dropped == []
    for post in run.kept:
        assert post.company and post.title
        assert post.date.endswith("+00:00")
        assert post.url.startswith(JOBS)
        assert post.location and post.tags
        assert post.description_raw.rstrip().endswith("</a></p>")  # the "To apply" link
    assert len(write_posts(run.kept, tmp_path)) == items


def test_real_titles_keep_colons_after_the_first():
    path = require_real(REAL / "weworkremotely" / "wwr-remote-jobs-2022-11-08.rss")
    titles = Selector(text=path.read_text("utf-8"), type="xml").xpath("//item/title/text()")
    for title in titles.getall():
        company, position = split_title(title)
        assert company + ":" + position == title


def test_real_jobs_in_several_feeds_get_one_path():
    folder = require_real(REAL / "weworkremotely")
    slugs: dict[str, set[str]] = {}
    for path in sorted(folder.glob("*.rss")):
        postings, _, _ = parse(path.read_bytes())
        for posting in postings:
            slugs.setdefault(posting.url, set()).add(posting.slug)
    assert all(len(paths) == 1 for paths in slugs.values())
    all_paths = [slug for paths in slugs.values() for slug in paths]
    assert len(set(all_paths)) == len(slugs)  # different jobs, different paths


def test_crawl_replays_the_cassette_into_posts(tmp_path):
    result = crawl(tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    files = snapshot(tmp_path / "out")
    expected = {
        "northwind-labs-senior-backend-engineer-go-payments",
        "tallow-wick-customer-support-specialist",
        "brightline-product-designer",
        "quillon-staff-platform-engineer",  # guid /listings/...: named by its /remote-jobs/ URL
    }
    assert sorted(files) == sorted(post_name(slug) for slug in expected)
    for name in files:
        assert_post_conforms(tmp_path / "out" / name)
    northwind = assert_post_conforms(
        tmp_path / "out" / post_name("northwind-labs-senior-backend-engineer-go-payments")
    )
    assert (northwind["title"], northwind["summary"]) == ("Senior Backend Engineer: Go: Payments",
                                                         "Northwind Labs")  # fmt: skip
    assert northwind["tags"] == ["back-end programming"]
    assert northwind["images"] == ["https://wwr-pro.s3.amazonaws.com/logos/0091/2001/logo.gif"]
    tallow = assert_post_conforms(
        tmp_path / "out" / post_name("tallow-wick-customer-support-specialist")
    )
    assert (tallow["title"], tallow["summary"]) == ("Customer Support Specialist", "Tallow & Wick")
    assert tallow["date"] == "2026-11-26T09:30:00-05:00"
    assert tallow["images"] == [make_crawler(WeworkremotelySpider).settings["DEFAULT_IMAGE"]]
    designer = (tmp_path / "out" / post_name("brightline-product-designer")).read_text()
    assert "<p>Design!</p>" in designer and "onclick" not in designer and "track()" not in designer
    placeholder = url_id(JOBS + "placeholder-co")
    assert f"Dropped: weworkremotely:{placeholder} '': no_title" in result.stderr


def test_a_category_crawl_rewrites_no_post_of_the_same_jobs(tmp_path):
    assert crawl(tmp_path).returncode == 0
    before = snapshot(tmp_path)
    result = crawl(tmp_path, "weworkremotely.yaml", "-a", "category=back-end-programming")
    assert result.returncode == 0, result.stderr[-2000:]
    after = snapshot(tmp_path)
    # the shared job and the featured one map onto the posts the all-jobs feed wrote
    shared = [post_name("northwind-labs-senior-backend-engineer-go-payments"),
              post_name("quillon-staff-platform-engineer")]  # fmt: skip
    assert all(after[name] == before[name] for name in shared)
    assert sorted(set(after) - set(before)) == [post_name("kestrel-data-junior-python-developer")]
    legacy = assert_post_conforms(tmp_path / post_name("kestrel-data-junior-python-developer"))
    assert legacy["date"] == "2026-11-24T08:00:00+00:00"


def test_post_extra_fields_show_location_type_and_expiry(tmp_path):
    result = crawl(tmp_path, "weworkremotely.yaml", "-s",
                   "POST_EXTRA_FIELDS=location,employment_type,expires")  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    text = (tmp_path / post_name("brightline-product-designer")).read_text()
    assert (
        'location: "Europe Only, Germany"\nemployment_type: "Full-Time"\n'
        'expires: "2026-12-26T14:00:51+00:00"\n---\n' in text  # RFC 3339 like every date
    )


@pytest.mark.parametrize(
    ("cassette", "reason"),
    [
        ("weworkremotely-html-error.yaml", "not well-formed XML"),
        ("weworkremotely-malformed.yaml", "not well-formed XML"),
    ],
)
def test_bad_answers_fail_the_run_and_keep_existing_posts(tmp_path, cassette, reason):
    assert reason in failed_run_keeps_posts("weworkremotely", cassette, tmp_path)


def test_politeness_lives_in_the_spider():
    settings = make_crawler(WeworkremotelySpider).settings
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1
    assert "hourly" in WeworkremotelySpider.politeness
    assert settings["DEFAULT_IMAGE"].startswith("https://weworkremotely.com/")
