"""JobPosting re-crawls are incremental: a known job page is fetched again only when the sitemap's
``<lastmod>`` or the page's validators (ETag / Last-Modified, a 304 answer) say it changed."""

from __future__ import annotations

import runpy
import time
from pathlib import Path
from types import SimpleNamespace

import frontmatter
import pytest
from scrapy.http import Request

from jobscrape.downloadermiddlewares.vcr_replay import save_cassette
from jobscrape.spiders import jobposting
from jobscrape.spiders.jobposting import JobpostingSpider
from jobscrape.writer.content_dir import ContentDirectory
from jobscrape.writer.state import StateIndex
from tests.conftest import (
    FIXTURES,
    json_response,
    make_crawler,
    mtimes,
    run_crawl,
    snapshot,
    source_report,
)

SITE = runpy.run_path(str(FIXTURES / "jobposting" / "build.py"))
ROOT = SITE["SITE"]
SITEMAP = f"{ROOT}/sitemap-jobs.xml"
PAGES = SITE["job_pages"]()
REMOTE = SITE["JOB_PATHS"][:3]  # 101, 102, 103: the remote jobs, one post each
POSTS = [f"post-acme-example-10{n}.md" for n in (1, 2, 3)]
LASTMOD = {path: f"2026-11-2{n}T08:00:00+00:00" for n, path in enumerate(REMOTE, 1)}
HTML = SITE["HTML"]
XML = SITE["XML"]
NOT_MODIFIED = "jobscrape/pages/not_modified"

Interaction = tuple[str, str, int, dict[str, list[str]], bytes]


def sitemap(lastmods: dict[str, str | None]) -> Interaction:
    """The job sitemap listing ``lastmods``' pages, each with its ``<lastmod>`` unless None."""
    entries = "".join(
        f"  <url><loc>{ROOT}{path}</loc>"
        + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "")
        + "</url>\n"
        for path, lastmod in lastmods.items()
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</urlset>\n"
    )
    return ("GET", SITEMAP, 200, XML, body.encode())


def job_page(path: str, body: bytes | None = None, **headers: str) -> Interaction:
    """A job page's 200 answer (the fixture's page unless ``body``), with extra headers."""
    extra = {name.replace("_", "-"): [value] for name, value in headers.items()}
    return ("GET", f"{ROOT}{path}", 200, {**HTML, **extra}, body or PAGES[path])


def not_modified(path: str, **headers: str) -> Interaction:
    """A job page's 304 answer, with ``headers`` (a server may repeat the ETag)."""
    extra = {name.replace("_", "-"): [value] for name, value in headers.items()}
    return ("GET", f"{ROOT}{path}", 304, extra, b"")


def cassette(path: Path, *interactions: Interaction) -> Path:
    """A cassette of robots.txt and ``interactions``: a request it lacks fails the run."""
    save_cassette(path, [SITE["ROBOTS"], *interactions])
    return path


def crawl(content: Path, recorded: Path):
    result = run_crawl(
        "jobposting", "-a", f"url={SITEMAP}", "-s", f"VCR_CASSETTE={recorded}",
        "-s", f"CONTENT_DIR={content}",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def figures(content: Path) -> tuple[int, int, int, int, int]:
    """The last run's (requests, new, updated, unchanged, expired); robots.txt is a request."""
    source = source_report(content)
    return (source["requests"], source["new"], source["updated"], source["unchanged"],
            source["expired"])  # fmt: skip


def live(content: Path) -> bool:
    """Whether no post of ``content`` is expired."""
    return not any("expiryDate" in frontmatter.load(path).metadata for path in content.glob("*.md"))


@pytest.fixture
def first_run(tmp_path):
    """A content directory after a first run over the sitemap with ``<lastmod>``s: three
    posts, every page fetched."""
    content = tmp_path / "content"
    recorded = cassette(
        tmp_path / "first.yaml", sitemap(LASTMOD), *(job_page(path) for path in REMOTE)
    )
    crawl(content, recorded)
    assert sorted(snapshot(content)) == POSTS
    assert figures(content) == (5, 3, 0, 0, 0)  # robots.txt, the sitemap, three pages
    return content


def test_a_sitemap_recrawl_with_unchanged_lastmod_fetches_no_job_page(first_run, tmp_path):
    before, stamps = snapshot(first_run), mtimes(first_run)
    time.sleep(0.05)
    # no job page in the cassette: fetching one would fail the run
    result = crawl(first_run, cassette(tmp_path / "second.yaml", sitemap(LASTMOD)))
    assert figures(first_run) == (2, 0, 0, 3, 0)  # robots.txt and the sitemap only
    assert f"'{NOT_MODIFIED}': 3" in result.stderr
    assert "'downloader/request_count': 2" in result.stderr
    assert snapshot(first_run) == before and mtimes(first_run) == stamps
    assert live(first_run)
    # and again: skipping a page keeps what the index knows of it
    crawl(first_run, cassette(tmp_path / "third.yaml", sitemap(LASTMOD)))
    assert figures(first_run) == (2, 0, 0, 3, 0)
    assert source_report(first_run)["ok"] and live(first_run)


def test_a_changed_lastmod_fetches_that_page_again_and_only_that_one(first_run, tmp_path):
    before = snapshot(first_run)
    changed = REMOTE[1]
    body = PAGES[changed].replace(b"Pipelines in", b"Streams in")
    lastmods = {**LASTMOD, changed: "2026-11-27T10:00:00+00:00"}
    recorded = cassette(
        tmp_path / "second.yaml",
        sitemap(lastmods),
        job_page(changed, body),  # the only page the cassette holds
    )
    result = crawl(first_run, recorded)
    assert figures(first_run) == (3, 0, 1, 2, 0)
    assert f"'{NOT_MODIFIED}': 2" in result.stderr
    after = snapshot(first_run)
    assert [name for name in POSTS if after[name] != before[name]] == ["post-acme-example-102.md"]
    assert b"Streams in" in after["post-acme-example-102.md"]
    assert live(first_run)
    # the new lastmod is remembered: the next run fetches no page
    crawl(first_run, cassette(tmp_path / "third.yaml", sitemap(lastmods)))
    assert figures(first_run) == (2, 0, 0, 3, 0)


def test_a_missing_post_has_its_page_fetched_again(first_run, tmp_path):
    (first_run / "post-acme-example-103.md").unlink()
    recorded = cassette(tmp_path / "second.yaml", sitemap(LASTMOD), job_page(REMOTE[2]))
    crawl(first_run, recorded)
    assert figures(first_run) == (3, 1, 0, 2, 0)
    assert sorted(snapshot(first_run)) == POSTS


ETAGS = {path: f'"v1-10{n}"' for n, path in enumerate(REMOTE, 1)}
MODIFIED = "Fri, 20 Nov 2026 08:00:00 GMT"


@pytest.fixture
def known_by_etag(tmp_path):
    """A content directory after a first run over a sitemap without ``<lastmod>``, whose pages
    answered with an ETag (and 103 also with a Last-Modified)."""
    content = tmp_path / "content"
    pages = [job_page(path, etag=ETAGS[path]) for path in REMOTE[:2]]
    pages.append(job_page(REMOTE[2], etag=ETAGS[REMOTE[2]], last_modified=MODIFIED))
    crawl(content, cassette(tmp_path / "first.yaml", sitemap(dict.fromkeys(REMOTE)), *pages))
    assert figures(content) == (5, 3, 0, 0, 0)
    return content


def test_a_page_known_by_etag_is_asked_with_if_none_match(known_by_etag, monkeypatch):
    crawler = make_crawler(JobpostingSpider)
    spider = JobpostingSpider.from_crawler(crawler, url=SITEMAP)
    # the crawl's ContentRun as the spider sees it: the directory and its index from run one
    index = StateIndex.of(known_by_etag)
    run = SimpleNamespace(index=index, directory=ContentDirectory(known_by_etag))
    monkeypatch.setattr(jobposting, "content_run", lambda _: run)
    try:
        body = sitemap(dict.fromkeys(REMOTE))[4]
        response = json_response(SITEMAP, body, "application/xml")
        requests = [out for out in spider.parse(response) if isinstance(out, Request)]
    finally:
        index.close()
    assert [request.url for request in requests] == [ROOT + path for path in REMOTE]
    for request, path in zip(requests, REMOTE, strict=True):
        assert request.headers.get("If-None-Match") == ETAGS[path].encode()
        assert 304 in request.meta["handle_httpstatus_list"]
    assert requests[0].headers.get("If-Modified-Since") is None
    assert requests[2].headers.get("If-Modified-Since") == MODIFIED.encode()


def test_a_304_leaves_the_post_untouched_counted_unchanged_and_not_expired(known_by_etag, tmp_path):
    before, stamps = snapshot(known_by_etag), mtimes(known_by_etag)
    time.sleep(0.05)
    # the cassette matches no headers: it simply holds the 304 answers of the conditional
    # requests (and one page changed: a new ETag and a 200)
    changed = REMOTE[2]
    body = PAGES[changed].replace(b"Design <em>calm</em> tools.", b"Design quiet tools.")
    recorded = cassette(
        tmp_path / "second.yaml",
        sitemap(dict.fromkeys(REMOTE)),
        not_modified(REMOTE[0], etag=ETAGS[REMOTE[0]]),
        not_modified(REMOTE[1]),
        job_page(changed, body, etag='"v2-103"'),
    )
    result = crawl(known_by_etag, recorded)
    assert figures(known_by_etag) == (5, 0, 1, 2, 0)
    assert f"'{NOT_MODIFIED}': 2" in result.stderr
    assert "ERROR" not in result.stderr
    after = snapshot(known_by_etag)
    assert [name for name in POSTS if after[name] != before[name]] == ["post-acme-example-103.md"]
    for name in POSTS[:2]:
        assert mtimes(known_by_etag)[name] == stamps[name]
    assert live(known_by_etag)
    index = StateIndex.of(known_by_etag)
    try:
        etags = [getattr(index.page(ROOT + path), "etag", None) for path in REMOTE]
    finally:
        index.close()
    assert etags == [ETAGS[REMOTE[0]], ETAGS[REMOTE[1]], '"v2-103"']  # a 200 brings a new one


def test_without_a_content_directory_every_page_is_fetched():
    crawler = make_crawler(JobpostingSpider)
    spider = JobpostingSpider.from_crawler(crawler, url=SITEMAP)
    response = json_response(SITEMAP, sitemap(LASTMOD)[4], "application/xml")
    requests = list(spider.parse(response))
    assert [request.url for request in requests] == [ROOT + path for path in REMOTE]
    assert all(not request.headers.get("If-None-Match") for request in requests)


def test_an_expired_job_listed_again_is_fetched_and_comes_back(first_run, tmp_path):
    vanished = {path: LASTMOD[path] for path in REMOTE[:2]}
    crawl(first_run, cassette(tmp_path / "second.yaml", sitemap(vanished)))
    assert figures(first_run) == (2, 0, 0, 2, 1)
    assert not live(first_run)
    # listed again with the same lastmod: its post is expired, so its page is fetched
    crawl(first_run, cassette(tmp_path / "third.yaml", sitemap(LASTMOD), job_page(REMOTE[2])))
    assert figures(first_run) == (3, 0, 1, 2, 0)  # the post loses its expiryDate
    assert live(first_run)


LIST_PAGE = f"{ROOT}/careers/jobs"


def list_pages(lastmods: dict[str, str]) -> list[Interaction]:
    """A career site's list of jobs on two pages (``rel=next``), each job's link beside its
    last-updated ``<time>``, plus links the crawl must not follow (another site, the nav)."""
    items = [
        f'<li><a href="{path}">Job {path}</a> <time datetime="{lastmod}">updated</time></li>'
        for path, lastmod in lastmods.items()
    ]
    first = (
        '<html><body><nav><a href="/about">About</a> <a href="https://other.example/jobs/9">'
        f"Elsewhere</a></nav><ul>{''.join(items[:2])}</ul>"
        '<a rel="next" href="/careers/jobs?page=2">Next</a></body></html>'
    )
    second = f"<html><body><ul>{''.join(items[2:])}</ul></body></html>"
    return [
        ("GET", LIST_PAGE, 200, HTML, first.encode()),
        ("GET", f"{LIST_PAGE}?page=2", 200, HTML, second.encode()),
    ]


def test_list_pages_are_followed_and_an_unchanged_job_page_is_not_fetched_again(tmp_path):
    content = tmp_path / "content"

    def crawl_list(recorded: Path) -> None:
        result = run_crawl(
            "jobposting", "-a", f"url={LIST_PAGE}", "-a", "follow=/jobs/", "-s",
            f"VCR_CASSETTE={recorded}", "-s", f"CONTENT_DIR={content}",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]

    crawl_list(cassette(tmp_path / "a.yaml", *list_pages(LASTMOD),
                        *(job_page(path) for path in REMOTE)))  # fmt: skip
    assert sorted(snapshot(content)) == POSTS
    assert figures(content) == (6, 3, 0, 0, 0)  # robots.txt, two list pages, three jobs
    # nothing changed: the list pages only (a job page request would miss the cassette)
    crawl_list(cassette(tmp_path / "b.yaml", *list_pages(LASTMOD)))
    assert figures(content) == (3, 0, 0, 3, 0)
    # one job's date moved: that page alone is fetched again
    moved = {**LASTMOD, REMOTE[1]: "2026-11-27T09:00:00+00:00"}
    crawl_list(cassette(tmp_path / "c.yaml", *list_pages(moved), job_page(REMOTE[1])))
    assert figures(content) == (4, 0, 0, 3, 0)
