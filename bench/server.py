"""A local job-board generator for the benchmarks: realistic listings on 127.0.0.1.

Run: .venv/bin/python -m bench.server --jobs 1000 --html-jobs 500 [--port 0] [--seed 1]

It prints ``PORT <n>`` on stdout once every answer is ready (the answers are generated from the
seed at start, so serving costs no CPU worth measuring), then serves until killed:

- ``GET /robots.txt``: everything allowed;
- ``GET /api?page=K`` (K from 1): a RemoteOK-style JSON array, a legal notice then up to
  ``API_PAGE`` job records; ``Link: </api?page=K+1>; rel="next"`` while more pages remain;
- ``GET /jobs/list?page=K``: an HTML list of ``LIST_PAGE`` jobs, each a link to ``/jobs/ID``
  and a ``<time datetime>`` (its last update), then ``<a rel="next">`` while more remain;
- ``GET /jobs/ID``: a job page of about 20 KB with one JobPosting JSON-LD block (ETag,
  ``If-None-Match`` answered 304);
- ``GET /_stats``: JSON counts of the requests per kind since start or the last
  ``GET /_stats/reset`` (which answers the counts and then sets them to zero).

Nothing is logged per request.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import random
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

API_PAGE = 1000
LIST_PAGE = 50
FIRST_API_ID = 100_000
FIRST_HTML_ID = 900_000
BASE_EPOCH = 1_795_000_000  # 2026-11-18, a little before the benchmark's "now"
OFFSETS = [0, 60, -300, 330, -480, 540, 120, -180, 600, -240]  # minutes east of UTC
TAGS = [
    "python", "django", "golang", "rust", "javascript", "typescript", "react", "vue", "node",
    "devops", "kubernetes", "aws", "gcp", "sql", "postgres", "data", "ml", "ai", "security",
    "backend", "frontend", "fullstack", "mobile", "ios", "android", "design", "product",
    "marketing", "sales", "support", "finance", "legal", "hr", "senior", "junior", "lead",
    "manager", "engineer", "sys admin", "qa", "non tech", "writing", "exec", "web3", "ruby",
]  # fmt: skip
LEVELS = ["Senior", "Staff", "Lead", "Principal", "Junior", "Mid-level", "Head of", "Remote"]
ROLES = [
    "Backend Engineer", "Frontend Developer", "Full Stack Engineer", "Data Scientist",
    "Site Reliability Engineer", "DevOps Engineer", "Product Designer", "Product Manager",
    "Machine Learning Engineer", "Security Engineer", "QA Engineer", "Technical Writer",
    "Customer Support Specialist", "Account Executive", "Growth Marketer", "Data Engineer",
    "iOS Developer", "Android Developer", "Engineering Manager", "Solutions Architect",
]  # fmt: skip
COMPANY_A = ["Blue", "Bright", "Cloud", "Data", "Deep", "Fast", "Green", "Hyper", "Open", "Quant"]
COMPANY_B = ["ly", "works", "stack", "base", "flow", "hub", "labs", "loop", "mind", "grid"]
COMPANY_C = ["", " Inc", " GmbH", " Ltd", " BV", " AB", " SAS", " Oy"]
LOCATIONS = ["Worldwide", "Europe", "USA", "Americas", "EMEA", "Remote, UK", "APAC", "Canada"]
PROSE = (
    "we build reliable software for teams around the world and care about craft clarity and "
    "kindness our customers rely on us every day to ship their products faster you will work "
    "closely with engineers designers and product managers to plan build and run features "
    "that matter we value written communication asynchronous work ownership and a healthy "
    "pace the role is fully remote with flexible hours and a yearly team retreat"
)
WORDS = PROSE.split()


def _sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    return " ".join(chosen).capitalize() + "."


def description_html(rng: random.Random, company: str, position: str, size: int = 3000) -> str:
    """About ``size`` characters of board-style HTML: paragraphs, a list, bold text, links."""
    name = html.escape(company)
    parts = [
        f"<p><strong>{html.escape(position)} @ {name}</strong></p>",
        f'<p>{_sentence(rng, 18)} Learn more at <a href="https://example.com/{rng.randrange(10**6)}">'
        f"our site</a>. {_sentence(rng, 22)}</p>",
    ]
    length = sum(map(len, parts))
    while length < size:
        kind = rng.randrange(3)
        if kind == 0:
            part = f"<p>{_sentence(rng, 20)} {_sentence(rng, 16)} {_sentence(rng, 12)}</p>"
        elif kind == 1:
            items = "".join(f"<li>{_sentence(rng, 9)}</li>" for _ in range(rng.randint(3, 6)))
            part = f"<p><strong>{_sentence(rng, 3)}</strong></p><ul>{items}</ul>"
        else:
            part = (
                f'<p>{_sentence(rng, 14)} <a href="https://docs.example.org/{rng.randrange(10**5)}">'
                f"{_sentence(rng, 3)}</a> {_sentence(rng, 10)}</p>"
            )
        parts.append(part)
        length += len(part)
    return "".join(parts)


@dataclass(frozen=True)
class Job:
    id: int
    slug: str
    epoch: int
    date: str
    updated: str
    company: str
    logo: str
    position: str
    tags: list[str]
    description: str
    location: str
    salary_min: int
    salary_max: int


def make_job(seed: int, job_id: int) -> Job:
    """One job, the same for the same seed and id."""
    rng = random.Random(seed * 10_000_019 + job_id)
    company = (
        rng.choice(COMPANY_A) + rng.choice(COMPANY_B) + f" {job_id % 997}" + rng.choice(COMPANY_C)
    )
    position = f"{rng.choice(LEVELS)} {rng.choice(ROLES)}"
    epoch = BASE_EPOCH - (job_id % 100_000) * 37 - rng.randrange(600)
    zone = timezone(timedelta(minutes=rng.choice(OFFSETS)))
    date = datetime.fromtimestamp(epoch, zone).isoformat()
    updated = datetime.fromtimestamp(epoch + rng.randrange(86_400), UTC).isoformat()
    slug_words = "-".join(f"{position} {company}".lower().replace(",", "").split())
    low = rng.randrange(40, 120) * 1000
    return Job(
        id=job_id,
        slug=f"remote-{slug_words}-{job_id}",
        epoch=epoch,
        date=date,
        updated=updated,
        company=company,
        logo=f"https://cdn.example.com/logos/{job_id}/logo.png",
        position=position,
        tags=rng.sample(TAGS, rng.randint(3, 6)),
        description=description_html(rng, company, position),
        location=rng.choice(LOCATIONS),
        salary_min=low,
        salary_max=low + rng.randrange(10, 80) * 1000,
    )


def api_record(job: Job) -> dict[str, Any]:
    """A job as RemoteOK's API writes it."""
    return {
        "slug": job.slug,
        "id": str(job.id),
        "epoch": job.epoch,
        "date": job.date,
        "company": job.company,
        "company_logo": job.logo,
        "position": job.position,
        "tags": job.tags,
        "description": job.description,
        "location": job.location,
        "salary_min": job.salary_min,
        "salary_max": job.salary_max,
        "apply_url": f"https://remoteok.com/remote-jobs/{job.slug}/apply",
        "logo": job.logo,
        "url": f"https://remoteok.com/remote-jobs/{job.id}",
    }


LEGAL = {
    "last_updated": BASE_EPOCH,
    "legal": "API Terms of Service: please link back to the job's URL on this board and "
    "mention it as the source. Benchmark data, generated: no job here is real.",
}

_CHROME_LINKS = "".join(
    f'<li><a href="/category/{tag.replace(" ", "-")}">{tag.title()} jobs</a></li>' for tag in TAGS
)
_FOOTER = "".join(
    f'<p class="footer-note">{html.escape(" ".join(WORDS[i : i + 12]))} '
    f'<a href="/about/{i}">About {i}</a></p>'
    for i in range(0, len(WORDS), 6)
)


def job_page(job: Job, size: int = 20_000) -> bytes:
    """A job page of about ``size`` bytes: page chrome, the description, one JSON-LD block."""
    posting = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": job.position,
        "description": job.description,
        "datePosted": job.date,
        "validThrough": "2031-01-01T00:00:00+00:00",
        "employmentType": "FULL_TIME",
        "identifier": {"@type": "PropertyValue", "name": job.company, "value": str(job.id)},
        "hiringOrganization": {
            "@type": "Organization",
            "name": job.company,
            "logo": job.logo,
            "sameAs": f"https://{job.company.split()[0].lower()}.example.com",
        },
        "jobLocationType": "TELECOMMUTE",
        "applicantLocationRequirements": {"@type": "Country", "name": job.location},
        "occupationalCategory": job.tags[0],
        "skills": ", ".join(job.tags[1:]),
        "baseSalary": {
            "@type": "MonetaryAmount",
            "currency": "USD",
            "value": {
                "@type": "QuantitativeValue",
                "minValue": job.salary_min,
                "maxValue": job.salary_max,
                "unitText": "YEAR",
            },
        },
    }
    title = html.escape(f"{job.position} at {job.company}")
    head = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="stylesheet" href="/static/site.css">'
        '<script type="application/ld+json">'
        + json.dumps(posting).replace("</", "<\\/")
        + "</script></head><body>"
        f'<header><a href="/" class="logo">Bench Jobs</a><nav><ul>{_CHROME_LINKS}</ul></nav>'
        "</header>"
    )
    main = (
        f'<main><article class="job"><h1>{title}</h1>'
        f'<p class="meta">{html.escape(job.location)} &middot; '
        f'<time datetime="{job.date}">{job.date[:10]}</time></p>'
        f'<ul class="tags">{"".join(f"<li>{html.escape(t)}</li>" for t in job.tags)}</ul>'
        f'<div class="description">{job.description}</div>'
        f'<p><a class="apply" href="/jobs/{job.id}/apply">Apply now</a></p></article>'
    )
    tail = f"</main><footer>{_FOOTER}</footer></body></html>\n"
    filler: list[str] = []
    length = len(head) + len(main) + len(tail)
    related = 0
    while length < size:
        other = FIRST_HTML_ID + (job.id * 7 + related) % 50_000
        piece = (
            f'<aside class="related"><a href="/jobs/{other}">Similar role #{other}</a> '
            f"<span>{html.escape(' '.join(WORDS[related % 40 : related % 40 + 14]))}</span></aside>"
        )
        filler.append(piece)
        length += len(piece)
        related += 1
    return (head + main + "".join(filler) + tail).encode("utf-8")


def list_page(jobs: list[Job], page: int, last: bool) -> bytes:
    items = "".join(
        f'<li><a href="/jobs/{job.id}">{html.escape(job.position)}</a> '
        f'<span class="company">{html.escape(job.company)}</span> '
        f'<time datetime="{job.updated}">{job.updated[:10]}</time></li>'
        for job in jobs
    )
    more = "" if last else f'<a rel="next" href="/jobs/list?page={page + 1}">Next</a>'
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Remote jobs, page {page}</title></head><body>"
        f'<header><a href="/">Bench Jobs</a><nav><ul>{_CHROME_LINKS}</ul></nav></header>'
        f'<main><h1>Remote jobs</h1><ul class="jobs">{items}</ul>'
        f'<nav class="pages">{more}</nav></main><footer>{_FOOTER}</footer></body></html>\n'
    ).encode()


class Site:
    """Every answer of the generator, as bytes, made at start."""

    def __init__(self, jobs: int, html_jobs: int, seed: int = 1) -> None:
        self.jobs = jobs
        self.html_jobs = html_jobs
        self.seed = seed
        self.api: dict[int, bytes] = {}
        self.lists: dict[int, bytes] = {}
        self.pages: dict[int, tuple[bytes, str]] = {}
        self.api_pages = max(1, -(-jobs // API_PAGE))
        self.list_pages = max(1, -(-html_jobs // LIST_PAGE))
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()

    def build(self) -> None:
        for page in range(1, self.api_pages + 1):
            start = FIRST_API_ID + (page - 1) * API_PAGE
            stop = FIRST_API_ID + min(page * API_PAGE, self.jobs)
            records = [api_record(make_job(self.seed, i)) for i in range(start, stop)]
            self.api[page] = json.dumps([LEGAL, *records]).encode()
        for page in range(1, self.list_pages + 1):
            start = FIRST_HTML_ID + (page - 1) * LIST_PAGE
            stop = FIRST_HTML_ID + min(page * LIST_PAGE, self.html_jobs)
            jobs = [make_job(self.seed, i) for i in range(start, stop)]
            self.lists[page] = list_page(jobs, page, last=page == self.list_pages)
            for job in jobs:
                body = job_page(job)
                self.pages[job.id] = (body, '"' + hashlib.sha1(body).hexdigest()[:16] + '"')

    def count(self, kind: str) -> None:
        with self.lock:
            self.counts[kind] += 1
            self.counts["total"] += 1

    def stats(self, reset: bool = False) -> dict[str, int]:
        with self.lock:
            counts = dict(self.counts)
            if reset:
                self.counts.clear()
        return counts

    def sample_jobs(self) -> Iterator[Job]:
        """The API's jobs, in order (for tests and the write floor's texts)."""
        for i in range(FIRST_API_ID, FIRST_API_ID + self.jobs):
            yield make_job(self.seed, i)


def handler_for(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as Scrapy's connection pool expects
        server_version = "bench-jobs/1"
        sys_version = ""

        def log_message(self, format: str, *args: Any) -> None:
            pass  # nothing per request

        def answer(
            self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            path = parts.path
            try:
                page = int(query.get("page", ["1"])[0])
            except ValueError:
                page = 0
            if path == "/robots.txt":
                site.count("robots")
                self.answer(200, b"User-agent: *\nDisallow:\n", "text/plain")
            elif path == "/api":
                site.count("api")
                body = site.api.get(page)
                if body is None:
                    self.answer(404, b"[]", "application/json")
                    return
                headers = {}
                if page < site.api_pages:
                    headers["Link"] = f'</api?page={page + 1}>; rel="next"'
                self.answer(200, body, "application/json; charset=utf-8", headers)
            elif path == "/jobs/list":
                site.count("list")
                body = site.lists.get(page)
                if body is None:
                    self.answer(404, b"not found", "text/plain")
                else:
                    self.answer(200, body, "text/html; charset=utf-8")
            elif path.startswith("/jobs/") and path[6:].isdigit():
                found = site.pages.get(int(path[6:]))
                if found is None:
                    site.count("other")
                    self.answer(404, b"not found", "text/plain")
                    return
                body, etag = found
                if self.headers.get("If-None-Match") == etag:
                    site.count("job_304")
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                site.count("job")
                self.answer(200, body, "text/html; charset=utf-8", {"ETag": etag})
            elif path in ("/_stats", "/_stats/reset"):
                counts = site.stats(reset=path.endswith("/reset"))
                self.answer(200, json.dumps(counts).encode(), "application/json")
            else:
                site.count("other")
                self.answer(404, b"not found", "text/plain")

    return Handler


def serve(jobs: int, html_jobs: int, port: int = 0, seed: int = 1) -> None:
    """Build the site, print ``PORT <n>`` and serve until killed."""
    site = Site(jobs, html_jobs, seed)
    site.build()
    server = ThreadingHTTPServer(("127.0.0.1", port), handler_for(site))
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000, help="jobs in the JSON API")
    parser.add_argument("--html-jobs", type=int, default=500, help="job pages of the HTML site")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    serve(args.jobs, args.html_jobs, args.port, args.seed)


if __name__ == "__main__":
    main()
