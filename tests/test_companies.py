"""Company boards: the companies file, the AtsBoardSpider base and the spider templates."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import string
import subprocess
import sys

import pytest
from scrapy.http import Request

from jobscrape.companies import DEFAULT_COMPANIES_FILE, Company, load_companies
from jobscrape.spiders.ats import AtsBoardSpider
from jobscrape.spiders.base import JobBoardSpider, text
from tests.conftest import REPO, json_response, make_crawler, run_pipelines

COMPANIES = """
[[company]]
platform = "testats"
board = "acme"
name = "Acme Corp"
logo = "https://acme.example/logo.png"
tags = ["widgets"]

[[company]]
platform = "testats"
board = "globex"

[[company]]
platform = "otherats"
board = "initech"
"""


class SampleAtsSpider(AtsBoardSpider):
    name = "testats"
    board_url = "https://ats.example/{board}/jobs"
    records_key = "jobs"
    custom_settings = {"DEFAULT_IMAGE": "https://ats.example/default.png"}

    def posting_from(self, record):
        return self.posting(
            record.get("id"),
            url=text(record.get("url")),
            title_raw=text(record.get("title")),
            company_raw=text(record.get("company")),
            date_raw="2026-11-27T10:00:00+00:00",
            logo_url=text(record.get("logo")),
            tags_raw=["engineering"],
            remote=record.get("remote"),
        )


def spider_for(tmp_path, **args):
    path = tmp_path / "companies.toml"
    path.write_text(COMPANIES)
    crawler = make_crawler(SampleAtsSpider, COMPANIES_FILE=str(path))
    return SampleAtsSpider.from_crawler(crawler, **args), crawler


async def start_urls(spider):
    return [request.url async for request in spider.start()]


def read(spider, company, jobs):
    request = Request(spider.board_url.format(board=company.board), meta={"company": company})
    response = json_response(request.url, json.dumps({"jobs": jobs}))
    response = response.replace(request=request)
    return list(spider.parse(response))


def test_the_shipped_companies_file_loads_and_names_known_platforms():
    companies = load_companies(DEFAULT_COMPANIES_FILE)
    assert companies
    platforms = {company.platform for company in companies}
    spiders = {path.stem for path in (REPO / "jobscrape" / "spiders").glob("*.py")}
    assert platforms <= spiders, platforms - spiders
    assert len({(c.platform, c.board) for c in companies}) == len(companies)  # no repeats


@pytest.mark.parametrize(
    "entry", ['platform = "x"', 'board = "acme"', 'platform = "x"\nboard = "../etc"']
)
def test_a_bad_company_entry_is_a_clear_error(tmp_path, entry):
    path = tmp_path / "companies.toml"
    path.write_text(f"[[company]]\n{entry}\n")
    with pytest.raises(ValueError, match="company 1 needs a platform and a board token"):
        load_companies(path)


def test_every_company_of_the_platform_is_read(tmp_path):
    spider, _ = spider_for(tmp_path)
    assert [company.board for company in spider.companies()] == ["acme", "globex"]


def test_board_argument_reads_one_board_listed_or_not(tmp_path):
    spider, _ = spider_for(tmp_path, board="globex")
    assert spider.companies() == [Company("testats", "globex")]
    spider, _ = spider_for(tmp_path, board="newco")
    assert spider.companies() == [Company("testats", "newco")]


def test_postings_take_the_board_path_and_the_companies_file_fallbacks(tmp_path):
    spider, crawler = spider_for(tmp_path)
    acme, globex = spider.companies()
    acme_job = {"id": "7", "title": "Dev", "url": "https://ats.example/7", "remote": True}
    globex_job = {"id": "8", "title": "Ops", "url": "https://ats.example/8",
                  "company": "Globex Inc", "logo": "https://g/l.png"}  # fmt: skip
    postings = read(spider, acme, [acme_job]) + read(spider, globex, [globex_job])
    first, second = run_pipelines(crawler, postings).kept
    assert first.slug == "post-testats-acme-7"
    assert (first.company, first.images) == ("Acme Corp", ["https://acme.example/logo.png"])
    assert first.tags == ["engineering", "widgets"]
    assert second.slug == "post-testats-globex-8"
    assert (second.company, second.images) == ("Globex Inc", ["https://g/l.png"])
    assert second.category == "Remote Jobs"  # unknown remoteness is not "not remote"


def test_jobs_that_are_not_remote_are_counted_or_kept_as_jobs(tmp_path):
    spider, crawler = spider_for(tmp_path)
    acme = spider.companies()[0]
    jobs = [{"id": "1", "title": "On site", "url": "https://ats.example/1", "remote": False}]
    assert read(spider, acme, jobs) == []
    assert crawler.stats.get_value("jobscrape/skipped/not_remote") == 1
    spider, crawler = spider_for(tmp_path, remote_only="0")
    (posting,) = read(spider, acme, jobs)
    assert posting.category == "Jobs"


@pytest.mark.parametrize(("template", "base"), [("platform", AtsBoardSpider),
                                                 ("board", JobBoardSpider)])  # fmt: skip
def test_spider_templates_render_to_working_spiders(tmp_path, template, base):
    source = (REPO / "jobscrape" / "templates" / "spiders" / f"{template}.tmpl").read_text()
    rendered = string.Template(source).substitute(
        classname="SampleSpider", name="sample", url="https://jobs.example/{board}/api",
        domain="jobs.example", module="sample", project_name="jobscrape",
        ProjectName="Jobscrape",
    )  # fmt: skip
    module_path = tmp_path / "sample_spider.py"
    module_path.write_text(rendered)
    spec = importlib.util.spec_from_file_location("sample_spider", module_path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["sample_spider"] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop("sample_spider", None)
    spidercls = module.SampleSpider
    assert issubclass(spidercls, base) and spidercls.name == "sample"
    crawler = make_crawler(spidercls)
    spider = spidercls.from_crawler(crawler)
    job = {"id": 5, "url": "https://jobs.example/5", "title": "Dev", "remote": True,
           "published_at": "2026-11-27T10:00:00Z", "date": "2026-11-27T10:00:00Z"}  # fmt: skip
    request = Request("https://jobs.example/x", meta={"company": Company("sample", "acme")})
    response = json_response(request.url, json.dumps({"jobs": [job]})).replace(request=request)
    (posting,) = run_pipelines(crawler, spider.parse(response)).kept
    assert posting.title == "Dev" and posting.post_text.startswith("---\n")


def test_genspider_lists_the_project_templates():
    listed = subprocess.run(
        [sys.executable, "-m", "scrapy", "genspider", "--list"], cwd=REPO, capture_output=True,
        text=True, timeout=60, check=True,
    )  # fmt: skip
    assert listed.stdout.split()[-2:] == ["board", "platform"]


def test_start_requests_one_per_company(tmp_path):
    spider, _ = spider_for(tmp_path)
    urls = asyncio.run(start_urls(spider))
    assert urls == ["https://ats.example/acme/jobs", "https://ats.example/globex/jobs"]


def test_a_platform_without_companies_says_so(tmp_path, caplog):
    path = tmp_path / "companies.toml"
    path.write_text('[[company]]\nplatform = "otherats"\nboard = "initech"\n')
    spider = SampleAtsSpider.from_crawler(make_crawler(SampleAtsSpider, COMPANIES_FILE=str(path)))
    assert asyncio.run(start_urls(spider)) == []
    assert "no company is listed for this platform" in caplog.text
