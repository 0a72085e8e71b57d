"""A corpus of hostile inputs, injected into real-shaped records of every spider.

Each case of ``CORPUS`` names a field (the title, the description, the id...) and a hostile
value; ``test_hostile_case`` puts it into one record of a board's answer, between two good
records, and runs the spider's parse, the project's pipelines and the content directory's
writer into ``tmp_path``. Whatever the case, the crawl does not crash; the hostile record is
written safely or dropped with a reason naming it; the good records are written; nothing lands
outside the content directory; an existing post stays as it was; a published body carries no
script, event handler or dangerous URL; every post loads back to the values rendered.

The records come from the cassette builders (``fixtures/<board>/build.py``), so every board's
own shape is kept; a case applies to a board where the board has that field. The end-to-end
tests replay one hostile and one good record through ``scrapy crawl`` per spider family.
"""

from __future__ import annotations

import functools
import html
import importlib.util
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import frontmatter
import pytest
from scrapy.crawler import Crawler
from scrapy.http import Request

from jobscrape.companies import Company
from jobscrape.downloadermiddlewares.vcr_replay import save_cassette
from jobscrape.items import JobPosting
from jobscrape.pipelines.sanitize_html import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    IMAGE_SCHEMES,
    LINK_SCHEMES,
    url_is_safe,
)
from jobscrape.renderer import post_metadata, render_post
from jobscrape.spiders.arbeitnow import ArbeitnowSpider
from jobscrape.spiders.ashby import AshbySpider
from jobscrape.spiders.base import JobBoardSpider
from jobscrape.spiders.greenhouse import GreenhouseSpider
from jobscrape.spiders.himalayas import HimalayasSpider
from jobscrape.spiders.jobicy import JobicySpider
from jobscrape.spiders.jobposting import JobpostingSpider
from jobscrape.spiders.lever import LeverSpider
from jobscrape.spiders.recruitee import RecruiteeSpider
from jobscrape.spiders.remoteok import RemoteokSpider
from jobscrape.spiders.remotive import RemotiveSpider
from jobscrape.spiders.weworkremotely import WeworkremotelySpider
from jobscrape.spiders.workable import WorkableSpider
from jobscrape.spiders.workingnomads import WorkingnomadsSpider
from jobscrape.writer.content_dir import POST_SLUG
from tests.conftest import (
    FIXTURES,
    assert_post_conforms,
    json_response,
    make_crawler,
    run_crawl,
    run_pipelines,
    write_posts,
)

DELETE = object()
"""A case value that removes the field from the record (a missing key)."""


def builder(board: str) -> ModuleType:
    """``fixtures/<board>/build.py``, imported from its path."""
    return _builder(board)


@functools.cache
def _builder(board: str) -> ModuleType:
    path = FIXTURES / board / "build.py"
    spec = importlib.util.spec_from_file_location(f"_hostile_build_{board}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# boards: each spider's record shape, its answer around the records, and where its fields are


@dataclass(frozen=True)
class Board:
    """How to build one spider's answer and where each field of a job lives in its records.

    ``fields`` maps a field of the corpus (``title``, ``description``, ``id``...) to a dotted
    path in the record; ``wrap`` turns a value into the record's shape for that field (the
    entity escaping of Greenhouse's ``content``); ``text_only`` boards (RSS) hold text only.
    """

    name: str
    spider: type[JobBoardSpider]
    url: str
    record: Callable[[int], dict[str, Any]]
    body: Callable[[list[dict[str, Any]]], bytes]
    fields: dict[str, str]
    content_type: str = "application/json"
    meta: dict[str, Any] = field(default_factory=dict)
    wrap: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    args: dict[str, str] = field(default_factory=dict)
    text_only: bool = False

    def parse(self, records: list[dict[str, Any]]) -> tuple[list[Any], Any]:
        crawler = crawler_of(self.name)
        spider = self.spider.from_crawler(crawler, remote_only="0", **self.args)
        response = json_response(self.url, self.body(records), self.content_type)
        response = response.replace(request=Request(self.url, meta=self.meta))
        return list(spider.parse(response)), crawler


@functools.cache
def crawler_of(name: str) -> Crawler:
    """One crawler per board, with the project's settings (building one takes longer
    than a case; pipelines and spiders are built anew for every case)."""
    return make_crawler(BOARD[name].spider)


def dumps(value: Any) -> bytes:
    return json.dumps(value).encode()


def remoteok_record(n: int) -> dict[str, Any]:
    record = next(r for r in builder("remoteok").remoteok_records() if r.get("id") == "1130788")
    return {**record, "id": str(1130780 + n), "url": f"https://remoteOK.com/remote-jobs/x-{n}"}


def remoteok_body(records: list[dict[str, Any]]) -> bytes:
    return builder("remoteok").php_json([builder("remoteok").LEGAL, *records])


def greenhouse_record(n: int) -> dict[str, Any]:
    return builder("greenhouse").job("acme", 4000000 + n, f"Engineer {n}", "Acme &amp; Co")


def lever_record(n: int) -> dict[str, Any]:
    return builder("lever").posting(
        "acme", f"0a1b2c3d-0000-4000-8000-00000000000{n}", f"Engineer {n}",
        workplaceType="remote",
    )  # fmt: skip


def ashby_record(n: int) -> dict[str, Any]:
    build = builder("ashby")
    return build.job(
        "acme", f"5f1e2d3c-0000-4000-8000-00000000000{n}", f"Engineer {n}",
        compensation=build.salary(100000, 150000),
    )  # fmt: skip


def wwr_record(n: int) -> dict[str, Any]:
    job = f"https://weworkremotely.com/remote-jobs/acme-engineer-{n}"
    return {
        "title": f"Acme: Engineer {n}",
        "region": "Anywhere in the World",
        "category": "Back-End Programming",
        "type": "Full-Time",
        "description": f"<p>Engineer {n}</p><ul>\n<li>Remote</li>\n</ul>"
        f'<p><strong>To apply:</strong> <a href="{job}">{job}</a></p>',
        "pubDate": "Thu, 26 Nov 2026 14:00:51 +0000",
        "expires_at": "Sat, 26 Dec 2026 14:00:51 +0000",
        "guid": job,
        "link": job,
        "logo": "https://wwr-pro.s3.amazonaws.com/logos/0091/2001/logo.gif",
    }


def wwr_body(records: list[dict[str, Any]]) -> bytes:
    """An RSS feed of ``records`` (element name -> text; a list of texts repeats the
    element), every value escaped once into the XML as the board does."""
    items = []
    for record in records:
        lines = []
        for name, value in record.items():
            if name == "logo":
                lines.append(f"<media:content url={quoteattr(value)} type='image/png'/>")
                continue
            for one in value if isinstance(value, list) else [value]:
                lines.append(f"<{name}>{escape(one)}</{name}>")
        items.append("<item>" + "".join(lines) + "</item>\n")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:media="http://search.yahoo.com/mrss"><channel><title>WWR</title>'
        "<link>https://weworkremotely.com/remote-jobs.rss</link>\n"
        + "".join(items)
        + "</channel></rss>\n"
    ).encode()


JOB_PAGE = "https://www.acme.example/jobs/engineering"


def jobposting_record(n: int) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "identifier": {"@type": "PropertyValue", "name": "Acme Corp", "value": f"10{n}"},
        "title": f"Engineer {n}",
        "description": f"<p>Engineer {n} at <b>Acme</b>.</p>",
        "datePosted": "2026-11-24T09:30:00+01:00",
        "validThrough": "2099-12-31T23:59:59Z",
        "employmentType": "FULL_TIME",
        "occupationalCategory": "Engineering",
        "jobLocationType": "TELECOMMUTE",
        "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress",
                        "addressLocality": "Berlin", "addressCountry": "DE"}},
        "baseSalary": {"@type": "MonetaryAmount", "currency": "EUR", "value": {
            "@type": "QuantitativeValue", "minValue": 70000, "maxValue": 90000,
            "unitText": "YEAR"}},
        "hiringOrganization": {"@type": "Organization", "name": "Acme Corp",
                               "logo": "https://www.acme.example/logo.png"},
        "url": JOB_PAGE,
    }  # fmt: skip


def jobposting_body(records: list[dict[str, Any]]) -> bytes:
    """A job page with one JSON-LD block per record, written as a page would (``</`` escaped
    inside the JSON, so no string closes the script element)."""
    blocks = "".join(
        '<script type="application/ld+json">'
        + json.dumps(record).replace("</", "<\\/").replace("<!--", "<\\u0021--")
        + "</script>\n"
        for record in records
    )
    return builder("jobposting").page("Engineering jobs", blocks, "<p>Join us.</p>")


def greenhouse_content(value: Any) -> Any:
    return html.escape(value, quote=True) if isinstance(value, str) else value


COMMON = {
    "title": "title", "description": "description", "tags": "tags", "location": "location",
    "url": "url",
}  # fmt: skip

BOARDS = [
    Board(
        "remoteok",
        RemoteokSpider,
        "https://remoteok.com/api",
        remoteok_record,
        remoteok_body,
        {
            **COMMON,
            "id": "id",
            "title": "position",
            "company": "company",
            "date": "date",
            "logo": "company_logo",
            "salary": "salary_max",
            "epoch": "epoch",
        },
    ),
    Board(
        "remotive",
        RemotiveSpider,
        "https://remotive.com/api/remote-jobs",
        lambda n: builder("remotive").job(2091000 + n, f"Engineer {n}", "Acme Corp"),
        lambda records: dumps(builder("remotive").feed(records)),
        {
            **COMMON,
            "id": "id",
            "company": "company_name",
            "date": "publication_date",
            "location": "candidate_required_location",
            "logo": "company_logo",
        },
    ),
    Board(
        "himalayas",
        HimalayasSpider,
        "https://himalayas.app/jobs/api?offset=0&limit=20",
        lambda n: builder("himalayas").job(n, f"Engineer {n}", "Acme Corp", "acme-corp"),
        lambda records: dumps(builder("himalayas").wrapper(0, records, len(records))),
        {
            **COMMON,
            "url": "guid",
            "company": "companyName",
            "tags": "categories",
            "date": "pubDate",
            "location": "locationRestrictions",
            "logo": "companyLogo",
            "salary": "maxSalary",
        },
    ),
    Board(
        "jobicy",
        JobicySpider,
        "https://jobicy.com/api/v2/remote-jobs?count=100",
        lambda n: builder("jobicy").job(
            160100 + n, f"Engineer {n}", "Acme Corp", **builder("jobicy").salary(100000, 150000)
        ),
        lambda records: dumps(builder("jobicy").feed(records)),
        {
            "id": "id",
            "title": "jobTitle",
            "company": "companyName",
            "description": "jobDescription",
            "tags": "jobIndustry",
            "date": "pubDate",
            "location": "jobGeo",
            "url": "url",
            "logo": "companyLogo",
            "salary": "salaryMax",
        },
    ),
    Board(
        "arbeitnow",
        ArbeitnowSpider,
        "https://www.arbeitnow.com/api/job-board-api",
        lambda n: builder("arbeitnow").job(f"engineer-acme-{n}", f"Engineer {n}", "Acme", True),
        lambda records: dumps(builder("arbeitnow").feed(records, 1, None)),
        {**COMMON, "id": "slug", "company": "company_name", "date": "created_at"},
    ),
    Board(
        "workingnomads",
        WorkingnomadsSpider,
        "https://www.workingnomads.com/api/exposed_jobs/",
        lambda n: builder("workingnomads").job(1835300 + n, f"Engineer {n}", "Acme Corp"),
        dumps,
        {**COMMON, "company": "company_name", "date": "pub_date"},
    ),
    Board(
        "greenhouse",
        GreenhouseSpider,
        "https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true",
        greenhouse_record,
        lambda records: dumps({"jobs": records, "meta": {"total": len(records)}}),
        {
            "id": "id",
            "title": "title",
            "company": "company_name",
            "description": "content",
            "tags": "departments.0.name",
            "date": "first_published",
            "location": "location.name",
            "url": "absolute_url",
        },
        meta={"company": Company("greenhouse", "acme", name="Acme")},
        wrap={"description": greenhouse_content},
    ),
    Board(
        "lever",
        LeverSpider,
        "https://api.lever.co/v0/postings/acme?mode=json",
        lever_record,
        dumps,
        {
            "id": "id",
            "title": "text",
            "description": "description",
            "tags": "categories.department",
            "date": "createdAt",
            "location": "categories.location",
            "url": "hostedUrl",
        },
        meta={"company": Company("lever", "acme", name="Acme")},
    ),
    Board(
        "ashby",
        AshbySpider,
        "https://api.ashbyhq.com/posting-api/job-board/acme?includeCompensation=true",
        ashby_record,
        lambda records: dumps({"apiVersion": "1", "jobs": records}),
        {
            **COMMON,
            "id": "id",
            "description": "descriptionHtml",
            "tags": "department",
            "date": "publishedAt",
            "url": "jobUrl",
            "salary": "compensation.summaryComponents.0.maxValue",
        },
        meta={"company": Company("ashby", "acme", name="Acme")},
    ),
    Board(
        "workable",
        WorkableSpider,
        "https://apply.workable.com/api/v1/widget/accounts/acme?details=true",
        lambda n: builder("workable").job("acme", f"A1B2C3D4E{n}", f"Engineer {n}"),
        lambda records: dumps({"name": "Acme", "description": "", "jobs": records}),
        {
            **COMMON,
            "id": "shortcode",
            "tags": "department",
            "date": "published_on",
            "location": "locations.0.city",
        },
        meta={"company": Company("workable", "acme")},
    ),
    Board(
        "recruitee",
        RecruiteeSpider,
        "https://acme.recruitee.com/api/offers/",
        lambda n: builder("recruitee").offer(
            "acme",
            1700100 + n,
            f"Engineer {n}",
            "Acme",
            salary={"min": "60000", "max": "80000", "currency": "EUR", "period": "year"},
        ),
        lambda records: dumps({"offers": records}),
        {
            **COMMON,
            "id": "id",
            "company": "company_name",
            "date": "published_at",
            "url": "careers_url",
            "salary": "salary.max",
        },
        meta={"company": Company("recruitee", "acme")},
    ),
    Board(
        "weworkremotely",
        WeworkremotelySpider,
        "https://weworkremotely.com/remote-jobs.rss",
        wwr_record,
        wwr_body,
        {
            "title": "title",
            "company": "title",
            "description": "description",
            "tags": "category",
            "date": "pubDate",
            "location": "region",
            "url": "guid",
            "logo": "logo",
        },
        content_type="application/rss+xml; charset=utf-8",
        wrap={"title": lambda value: f"Acme: {value}", "company": lambda value: f"{value}: Dev"},
        text_only=True,
    ),
    Board(
        "jobposting",
        JobpostingSpider,
        JOB_PAGE,
        jobposting_record,
        jobposting_body,
        {
            "id": "identifier.value",
            "title": "title",
            "company": "hiringOrganization.name",
            "description": "description",
            "tags": "occupationalCategory",
            "date": "datePosted",
            "location": "jobLocation.address.addressLocality",
            "url": "url",
            "logo": "hiringOrganization.logo",
            "salary": "baseSalary.value.maxValue",
        },
        content_type="text/html; charset=utf-8",
        args={"url": JOB_PAGE},
    ),
]
BOARD = {board.name: board for board in BOARDS}


def set_field(record: dict[str, Any], path: str, value: Any) -> None:
    """Set (or, for DELETE, remove) ``record[path]``; ``a.0.b`` walks into lists."""
    *parents, last = path.split(".")
    node: Any = record
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    key: Any = int(last) if isinstance(node, list) else last
    if value is DELETE:
        if isinstance(node, dict):
            node.pop(key, None)
    else:
        node[key] = value


# the corpus


@dataclass(frozen=True)
class Case:
    """One hostile value for one field (``target``). ``expect``: ``kept`` (the record is
    published, made safe), ``dropped`` (not published: dropped with a reason), ``either``.
    ``xfail`` names the boards (``*`` every one) where the project does not yet meet the
    case, and why."""

    name: str
    target: str
    value: Any
    expect: str = "either"
    xfail: dict[str, str] = field(default_factory=dict)
    limit: Callable[[Any], bool] | None = None
    """For oversized input: whether a published item keeps the field within bounds."""


BODIES = {
    "script": "<p>Hi</p><script>alert(1)</script>",
    "script-uppercase-attrs": '<SCRIPT SRC="https://evil.example/x.js"></SCRIPT><p>Hi</p>',
    "svg-onload": "<svg onload=alert(1)><p>Hi</p></svg>",
    "img-onerror": '<p>Hi</p><img src="x" onerror="alert(1)">',
    "event-handler-mixed-case": '<p OnMouseOver="alert(1)">Hi</p>',
    "iframe": '<iframe src="https://evil.example/"></iframe><p>Hi</p>',
    "iframe-srcdoc": '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    "javascript-url": '<a href="javascript:alert(1)">apply</a>',
    "javascript-url-entities": '<a href="&#106;&#97;vascript&#x3A;alert(1)">apply</a>',
    "javascript-url-mixed-case-whitespace": '<a href="  JaVa\tScRiPt\n:alert(1)">apply</a>',
    "javascript-url-unquoted": "<a href=javascript:alert(1)>apply</a>",
    "data-url-link": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "data-url-image": '<img src="DATA:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "vbscript-url": '<a href="vbscript:msgbox(1)">apply</a>',
    "style-element": "<style>body{background:url(javascript:alert(1))}</style><p>Hi</p>",
    "style-expression": '<p style="width:expression(alert(1))">Hi</p>',
    "base-element": '<base href="https://evil.example/"><a href="/apply">apply</a>',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)"><p>Hi</p>',
    "object-embed": '<object data="x.swf"></object><embed src="x.swf"><p>Hi</p>',
    "form": '<form action="https://evil.example/"><input name="cv"><button>Go</button></form>',
    "link-stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css"><p>Hi</p>',
    "unclosed-tag": "<p>Hi</p><img src=x onerror=alert(1)//",
    "unclosed-attribute": '<p>Hi</p><a href="https://e.example/ title="x',
    "nested-script-split": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "comment-hiding-markup": "<p>Hi</p><!--><script>alert(1)</script>-->",
    "comment-bang-close": "<p>Hi<!-- --!><img src=x onerror=alert(1)> --></p>",
    "unclosed-comment": "<p>Hi</p><!-- <script>alert(1)</script>",
    "cdata": "<p>Hi</p><![CDATA[<script>alert(1)</script>]]>",
    "noscript-mutation": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "math-mutation": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "entity-escaped-script": "&lt;script&gt;alert(1)&lt;/script&gt;&lt;p&gt;Hi&lt;/p&gt;",
    "markdown-javascript-link": "Apply [here](javascript:alert(1)) or ![x](data:text/html,x)",
    "markdown-reference-link": "[apply]: JavaScript:alert(1)\n\nSee [apply].",
    "template-syntax": "<p>{{< shortcode >}} {{ .Site.Params }} {% include x %}</p>",
    "null-byte-in-tag": "<scr\x00ipt>alert(1)</script><p>Hi</p>",
}
FRONT_MATTER = {
    "double-quotes": 'He said "hi" \\" and left',
    "backslashes": "C:\\new\\table \\u0041 \\",
    "newlines": "Line one\nLine two\r\nLine three\r",
    "document-separator": "x\n---\ntitle: pwned\n---\n",
    "document-end": "...\n...",
    "yaml-python-tag": "!!python/object/apply:os.system ['echo pwned']",
    "yaml-anchor-alias": "&a [*a, *a] *b",
    "colon-and-hash": "key: value # comment",
    "control-characters": "a\x00b\x01c\x07d\x08e\x0bf\x0cg\x1bh\x7fi\x85j",
    "line-separators": "a\u2028b\u2029c\ufeffd\ufffe",
    "lone-surrogates": "a\ud800b\udfffc",
    "yaml-keywords": "null",
    "bidi-and-zero-width": "\u202eevil\u200b\u2066x",
    "script-in-text": "<script>alert(1)</script>",
    "flow-collection": "[a, {b: c}]",
}
IDS = {
    "dot-dot": "../../../etc/cron.d/evil",
    "absolute-path": "/etc/passwd",
    "nul": "123\x00.md",
    "backslashes": "..\\..\\windows\\win.ini",
    "windows-reserved": "CON",
    "windows-reserved-with-extension": "nul.txt",
    "long": "9" * 300,
    "fullwidth-digits": "\uff11\uff12\uff13",
    "cyrillic-lookalike": "\u0430\u0441\u0435",
    "trailing-newline": "4242\n",
    "leading-dash": "-rf",
    "dot-file": ".htaccess",
    "percent-encoded": "..%2f..%2fetc%2fpasswd",
    "url-for-id": "https://evil.example/x",
    "empty": "",
}
URLS = {
    "dot-dot": "https://evil.example/../../../etc/passwd",
    "javascript": "javascript:alert(1)",
    "file": "file:///etc/passwd",
    "nul": "https://evil.example/\x00",
}


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = [value] if depth % 2 else {"a": value}
    return value


def _cases() -> list[Case]:
    cases = [
        Case(f"description-{name}", "description", body, "kept") for name, body in BODIES.items()
    ]
    for name, value in FRONT_MATTER.items():
        cases.append(Case(f"title-{name}", "title", value))
        cases.append(Case(f"company-{name}", "company", value))
        cases.append(Case(f"location-{name}", "location", value))
        cases.append(Case(f"tags-{name}", "tags", [value, "ok"]))
        cases.append(Case(f"date-{name}", "date", value))
    cases += [Case(f"id-{name}", "id", value) for name, value in IDS.items()]
    cases += [Case(f"url-{name}", "url", value) for name, value in URLS.items()]
    cases += [
        Case("logo-javascript", "logo", "javascript:alert(1)", "kept"),
        Case("logo-data", "logo", "data:image/png;base64,AAAA", "kept"),
        # sizes: the pipelines cap or drop them
        Case("title-1mb", "title", "T" * 1_000_000,
             limit=lambda item: len(item.title) <= 10_000),
        Case("company-1mb", "company", "C" * 1_000_000,
             limit=lambda item: len(item.company) <= 10_000),
        Case("tags-100k", "tags", [f"t{n}" for n in range(100_000)],
             limit=lambda item: len(item.tags) <= 1_000),
        Case("description-5mb", "description", "<p>" + "x" * 5_000_000 + "</p>",
             limit=lambda item: len(item.body) <= 1_000_000),
        # wrong shapes
        Case("title-number", "title", 12345, "kept"),
        Case("title-float", "title", 1e308, "kept"),
        Case("title-bool", "title", True),
        Case("title-object", "title", {"text": "Engineer"}, "dropped"),
        Case("title-list", "title", ["Engineer"]),  # schema.org allows a list
        Case("title-null", "title", None, "dropped"),
        Case("title-missing", "title", DELETE, "dropped"),
        Case("title-deep-nesting", "title", _nested(200), "dropped"),
        Case("company-object", "company", {"name": "Acme"}),
        Case("company-number", "company", 42),
        Case("description-number", "description", 42),
        Case("description-object", "description", {"html": "<script>x</script>"}),
        Case("description-list", "description", ["<p>a</p>", "<script>b</script>"]),
        Case("description-null", "description", None),
        Case("description-missing", "description", DELETE),
        Case("description-deep-nesting", "description", _nested(500)),
        Case("tags-string", "tags", "react, TypeScript,,"),
        Case("tags-number", "tags", 5),
        Case("tags-object", "tags", {"0": "php", "7": {"x": 1}, "3": None}),
        Case("tags-object-digit-key", "tags", {"\u00b2": "php"}),
        Case("tags-null-and-nested", "tags", [None, ["a"], {"b": 1}, 3, True, "ok"]),
        Case("tags-null", "tags", None),
        Case("date-number", "date", 1795740000),
        Case("date-huge-number", "date", 10**30),
        Case("date-object", "date", {"$date": "2026-11-27"}),
        Case("date-null", "date", None),
        Case("date-missing", "date", DELETE),
        Case("date-nonsense", "date", "2026-13-45T99:99:99+99:99"),
        Case("date-superscript-digits", "date", "\u00b2\u00b3"),
        Case("epoch-huge", "epoch", 10**400),
        Case("epoch-negative", "epoch", -(10**20)),
        Case("location-object", "location", {"name": {"deeper": 1}}),
        Case("location-list-of-objects", "location", [{"name": None}, 3, "Remote"]),
        Case("id-number", "id", 777, "kept"),
        Case("id-float", "id", 7.5),
        Case("id-object", "id", {"id": 1}),
        Case("id-list", "id", ["1"]),
        Case("id-null", "id", None),
        Case("id-bool", "id", True),
        Case("salary-huge-int", "salary", 10**400),
        Case("salary-infinity", "salary", float("inf")),
        Case("salary-nan", "salary", float("nan")),
        Case("salary-negative", "salary", -5),
        Case("salary-object", "salary", {"amount": 1}),
        Case("salary-text", "salary", "<script>alert(1)</script>"),
    ]  # fmt: skip
    return cases


CORPUS = _cases()
assert len({case.name for case in CORPUS}) == len(CORPUS)

XML_ILLEGAL = (
    set(range(0x00, 0x09))
    | {0x0B, 0x0C}
    | set(range(0x0E, 0x20))
    | set(range(0xD800, 0xE000))
    | {0xFFFE, 0xFFFF}
)


def applies(board: Board, case: Case) -> bool:
    """Whether ``board``'s records have the case's field in a form that can hold the value
    (an RSS feed holds text only, and no character XML 1.0 forbids)."""
    if case.target not in board.fields:
        return False
    if board.text_only:
        values = case.value if isinstance(case.value, list) else [case.value]
        if not all(isinstance(value, str) for value in values):
            return False
        if isinstance(case.value, list) and case.target != "tags":
            return False  # one element per value: only categories repeat
        if any(ord(char) in XML_ILLEGAL for value in values for char in value):
            return False
    return True


def params() -> list[Any]:
    out = []
    for case in CORPUS:
        for board in BOARDS:
            if not applies(board, case):
                continue
            reason = case.xfail.get(board.name) or case.xfail.get("*")
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            out.append(pytest.param(board, case, id=f"{board.name}-{case.name}", marks=marks))
    return out


# checks


class BodyAudit(HTMLParser):
    """Every start tag and attribute of a published body."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES.get(tag, frozenset()):
                self.problems.append(f"{name} on <{tag}>")
            elif name in ("href", "src"):
                schemes = IMAGE_SCHEMES if tag == "img" else LINK_SCHEMES
                if not url_is_safe(value or "", schemes):
                    self.problems.append(f"{name}={value!r}")

    def handle_comment(self, data: str) -> None:
        self.problems.append("a comment")


DANGEROUS = ("<script", "<style", "<iframe", "<svg", "<base", "<meta", "<object", "<embed",
             "<form", "<link", "<noscript", "<math")  # fmt: skip


def assert_body_safe(body: str, label: str) -> None:
    """No markup outside the allowlist, no event handler, no URL with another scheme, in
    HTML or in Markdown links."""
    lowered = body.lower()
    for marker in DANGEROUS:
        assert marker not in lowered, (label, marker)
    audit = BodyAudit()
    audit.feed(body)
    audit.close()
    assert audit.problems == [], (label, audit.problems)
    unescaped = "".join(html.unescape(body).split()).lower()
    for scheme in ("javascript:", "vbscript:", "data:"):
        assert f"]({scheme}" not in unescaped and f"]:{scheme}" not in unescaped, label
        assert f'href="{scheme}' not in unescaped and f'src="{scheme}' not in unescaped, label


def existing_post(content: Path) -> tuple[Path, bytes]:
    """Yesterday's post of another job, already in the content directory."""
    posting = JobPosting(
        source="remoteok", source_id="1", slug="post-existing-1", title="Yesterday's job",
        company="Acme", date="2026-11-26T00:00:00+00:00", body="<p>Still here.</p>",
    )  # fmt: skip
    content.mkdir(parents=True, exist_ok=True)
    path = content / f"{posting.slug}.md"
    path.write_text(render_post(posting), "utf-8")
    return path, path.read_bytes()


@functools.cache
def good_slugs(board_name: str) -> tuple[str, ...]:
    """The slugs of a board's two good records, parsed alone."""
    board = BOARD[board_name]
    postings, _ = board.parse([board.record(1), board.record(3)])
    assert len(postings) == 2, board_name
    return tuple(posting.slug for posting in postings)


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if not path.is_dir())


def check_run(
    board: Board, records: list[dict[str, Any]], tmp_path: Path, caplog: Any
) -> tuple[list[JobPosting], list[tuple[Any, str]]]:
    """Parse, pipelines and writer on ``records`` (two good ones among them), checking every
    invariant; returns the hostile record's published items and the drops."""
    content = tmp_path / "site" / "content"
    old_path, old_bytes = existing_post(content)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        postings, crawler = board.parse(records)  # the callback must not raise
        run = run_pipelines(crawler, postings)
    write_posts(run.kept, content)  # every post in the directory conforms

    written = {path.stem for path in content.glob("*.md")}
    good = good_slugs(board.name)
    assert set(good) <= written, f"good records missing: {set(good) - written}"
    assert old_path.read_bytes() == old_bytes  # the existing post is intact
    for path in files_under(tmp_path):  # nothing outside the content directory
        assert path.parent == content, path
        assert path.suffix == ".md" and POST_SLUG.match(path.stem), path
    for item in run.kept:
        path = content / f"{item.slug}.md"
        assert path.read_bytes() == item.post_text.encode("utf-8")
        loaded = frontmatter.loads(item.post_text)
        assert loaded.metadata == post_metadata(item), item.label
        assert loaded.content == item.body.strip()
        assert_body_safe(item.body, item.label)
    for item, reason in run.dropped:  # a pipeline drop names the record and the reason
        assert f"{item.source}:{item.source_id}" in reason, reason
    hostile = [item for item in run.kept if item.slug not in good]
    return hostile, run.dropped


def spider_warnings(caplog: Any, board: Board) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.WARNING and board.name in record.getMessage()
    ]


@pytest.mark.parametrize(("board", "case"), params())
def test_hostile_case(board, case, tmp_path, caplog):
    hostile = board.record(2)
    wrap = board.wrap.get(case.target)
    value = wrap(case.value) if wrap and case.value is not DELETE else case.value
    set_field(hostile, board.fields[case.target], value)
    records = [board.record(1), hostile, board.record(3)]
    published, dropped = check_run(board, records, tmp_path, caplog)
    hostile_drops = [reason for item, reason in dropped if item.slug not in good_slugs(board.name)]
    if published:
        assert len(published) == 1
        assert case.expect != "dropped", f"published: {published[0].label}"
        if case.limit is not None:
            assert case.limit(published[0]), "oversized input published as it came"
    else:
        assert case.expect != "kept", f"dropped: {hostile_drops or spider_warnings(caplog, board)}"
        # dropped: by a pipeline with a reason naming it, or by the spider with a WARNING
        assert hostile_drops or spider_warnings(caplog, board), "dropped without a word"


# slugs that differ only in case are one file on a case-insensitive file system

CASE_TWINS = [board for board in BOARDS if "id" in board.fields and not board.text_only]


@pytest.mark.parametrize("board", CASE_TWINS, ids=[board.name for board in CASE_TWINS])
def test_ids_differing_only_in_case_make_one_post(board, tmp_path, caplog):
    first, second = board.record(2), board.record(4)
    set_field(first, board.fields["id"], "AbcDef1")
    set_field(second, board.fields["id"], "abcdef1")
    published, dropped = check_run(
        board, [board.record(1), first, second, board.record(3)], tmp_path, caplog
    )
    assert len({item.slug.lower() for item in published}) == len(published)
    assert len(published) == 1 and dropped


# end to end: scrapy crawl replaying one hostile and one good record per spider family

HOSTILE_BODY = (
    '<p onclick="steal()">Hello</p><script>steal()</script><a href="javascript:steal()">x</a>'
)


def crawl_with_cassette(
    tmp_path: Path, spider: str, interactions: list[Any], *args: str
) -> tuple[Any, Path, Path, bytes]:
    cassette = tmp_path / "cassettes" / f"{spider}.yaml"
    cassette.parent.mkdir()
    save_cassette(cassette, interactions)
    content = tmp_path / "site" / "content"
    old_path, old_bytes = existing_post(content)
    result = run_crawl(
        spider, "-s", f"VCR_CASSETTE={cassette}", "-s", f"CONTENT_DIR={content}", *args
    )
    return result, content, old_path, old_bytes


def assert_crawl_kept_safe(
    tmp_path: Path, result: Any, content: Path, old_path: Path, old_bytes: bytes
) -> list[frontmatter.Post]:
    assert result.returncode == 0, result.stderr[-3000:]
    assert old_path.read_bytes() == old_bytes
    for path in files_under(tmp_path):
        relative = path.relative_to(tmp_path)
        assert relative.parts[0] == "cassettes" or content in path.parents, path
    posts = [assert_post_conforms(path) for path in sorted(content.glob("*.md"))]
    for post in posts:
        assert_body_safe(post.content, str(post["path"]))
    return posts


def warning_line(log: str, text: str) -> str:
    """The WARNING line of a crawl's log that holds ``text``."""
    lines = [line for line in log.splitlines() if text in line]
    assert lines, f"no log line holds {text!r}"
    assert all("WARNING" in line for line in lines), lines
    return lines[0]


def test_crawl_of_a_json_board_drops_the_hostile_record(tmp_path):
    build = builder("remoteok")
    bad = {**remoteok_record(2), "id": "../../../../tmp/evil", "position": "x\n---\nevil: 1",
           "description": HOSTILE_BODY}  # fmt: skip
    good = {**remoteok_record(1), "description": HOSTILE_BODY}
    answer = ("GET", "https://remoteok.com/api", 200, build.JSON_HEADERS,
              build.php_json([build.LEGAL, bad, good]))  # fmt: skip
    result, content, old, old_bytes = crawl_with_cassette(
        tmp_path, "remoteok", [build.ROBOTS, answer]
    )
    posts = assert_crawl_kept_safe(tmp_path, result, content, old, old_bytes)
    assert (content / "post-1130781.md").is_file()
    assert len(posts) == 2  # the existing post and the good one
    assert "unsafe_id" in warning_line(result.stderr, "Dropped: remoteok:../../../../tmp/evil")


def test_crawl_of_a_platform_board_drops_the_hostile_record(tmp_path):
    build = builder("greenhouse")
    bad = greenhouse_record(2) | {"id": 4006666, "title": {"$ne": ""},
                                  "content": greenhouse_content(HOSTILE_BODY)}  # fmt: skip
    good = greenhouse_record(1) | {"title": 'Engineer "1" \\ ---',
                                   "content": greenhouse_content(HOSTILE_BODY)}  # fmt: skip
    url = build.API.format(board="acme")
    answer = ("GET", url, 200, build.JSON, dumps({"jobs": [bad, good], "meta": {"total": 2}}))
    result, content, old, old_bytes = crawl_with_cassette(
        tmp_path, "greenhouse", [build.ROBOTS, answer], "-a", "board=acme"
    )
    posts = assert_crawl_kept_safe(tmp_path, result, content, old, old_bytes)
    post = frontmatter.load(content / "post-greenhouse-acme-4000001.md")
    assert post["title"] == 'Engineer "1" \\ ---'
    assert len(posts) == 2
    assert warning_line(result.stderr, "Dropped: greenhouse:4006666 '': no_title")


def test_crawl_of_an_rss_feed_drops_the_hostile_item(tmp_path):
    build = builder("weworkremotely")
    bad = wwr_record(2) | {"pubDate": "<script>alert(1)</script>", "description": HOSTILE_BODY}
    good = wwr_record(1) | {"description": HOSTILE_BODY, "title": "Acme: Dev: --- # &a !!x"}
    answer = ("GET", build.FEED, 200, build.RSS, wwr_body([bad, good]))
    result, content, old, old_bytes = crawl_with_cassette(
        tmp_path, "weworkremotely", [build.ROBOTS, answer]
    )
    posts = assert_crawl_kept_safe(tmp_path, result, content, old, old_bytes)
    assert len(posts) == 2
    assert any(post["title"] == "Dev: --- # &a !!x" for post in posts)
    assert "'Engineer 2': no_date" in warning_line(result.stderr, "Dropped: weworkremotely:")


def test_crawl_of_a_job_page_drops_the_hostile_posting(tmp_path):
    build = builder("jobposting")
    bad = jobposting_record(2) | {"datePosted": "never", "description": HOSTILE_BODY}
    bad["identifier"] = "../../etc/passwd"
    good = jobposting_record(1) | {"description": HOSTILE_BODY}
    answer = ("GET", JOB_PAGE, 200, build.HTML, jobposting_body([bad, good]))
    result, content, old, old_bytes = crawl_with_cassette(
        tmp_path, "jobposting", [build.ROBOTS, answer], "-a", f"url={JOB_PAGE}"
    )
    posts = assert_crawl_kept_safe(tmp_path, result, content, old, old_bytes)
    assert (content / "post-acme-example-101.md").is_file()
    assert len(posts) == 2
    assert "'Engineer 2': no_date" in warning_line(result.stderr, "Dropped: jobposting:")
