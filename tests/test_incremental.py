"""Unattended runs in sequence over replayed cassettes: incremental writes, expiry behind the
outage guard, cross-source duplicates, the state index, the run report, two runs at once."""

from __future__ import annotations

import http.server
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import ClassVar

import frontmatter

from jobscrape.downloadermiddlewares.vcr_replay import save_cassette
from jobscrape.writer.lock import STATE_DIR
from jobscrape.writer.state import INDEX_FILE
from tests.conftest import REPO, mtimes, run_crawl, run_report, snapshot, source_report

JSON = {"Content-Type": ["application/json"]}
REMOTIVE_API = "https://remotive.com/api/remote-jobs"
REMOTEOK_API = "https://remoteok.com/api"


def robots(host: str) -> tuple[str, str, int, dict[str, list[str]], bytes]:
    return ("GET", f"https://{host}/robots.txt", 200, {"Content-Type": ["text/plain"]},
            b"User-agent: *\nDisallow: /admin/\n")  # fmt: skip


def remotive_job(job_id: int, title: str, company: str = "Acme Corp", **fields: object) -> dict:
    record = {
        "id": job_id,
        "url": f"https://remotive.com/remote-jobs/software-development/job-{job_id}",
        "title": title,
        "company_name": company,
        "company_logo": f"https://remotive.com/job/{job_id}/logo",
        "tags": ["python"],
        "job_type": "full_time",
        "publication_date": "2026-11-20T10:00:00",
        "candidate_required_location": "Worldwide",
        "description": f"<p>{company} is hiring a {title}.</p>",
    }
    record.update(fields)
    return record


def remoteok_job(job_id: int, title: str, company: str, date: str) -> dict:
    return {
        "id": str(job_id),
        "date": date,
        "company": company,
        "position": title,
        "tags": ["dev"],
        "description": f"<p>{title} at {company}</p>",
        "url": f"https://remoteok.com/remote-jobs/{job_id}",
    }


def remotive_cassette(path: Path, jobs: list[dict], *, status: int = 200, body: bytes = b""):
    answer = body or json.dumps({"job-count": len(jobs), "jobs": jobs}).encode()
    headers = JSON if not body else {"Content-Type": ["text/html"]}
    save_cassette(path, [robots("remotive.com"), ("GET", REMOTIVE_API, status, headers, answer)])
    return path


def remoteok_cassette(path: Path, jobs: list[dict]) -> Path:
    body = json.dumps([{"legal": "API Terms of Service"}, *jobs]).encode()
    save_cassette(path, [robots("remoteok.com"), ("GET", REMOTEOK_API, 200, JSON, body)])
    return path


def crawlall(content: Path, cassettes: Path, *names: str, extra: tuple[str, ...] = ()):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawlall", *names, "-s", f"VCR_CASSETTE_DIR={cassettes}",
         "-s", f"CONTENT_DIR={content}", *extra],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip


FIVE = [remotive_job(n, title) for n, title in
        [(1, "Backend Engineer"), (2, "Data Engineer"), (3, "Designer"), (4, "Sales Lead"),
         (5, "Support Engineer")]]  # fmt: skip


def test_runs_in_sequence_write_only_what_changed(tmp_path):
    content, cassettes = tmp_path / "content", tmp_path / "cassettes"
    cassettes.mkdir()
    remotive_cassette(cassettes / "remotive.yaml", FIVE)

    # run 1: N new posts
    first = crawlall(content, cassettes, "remotive")
    assert first.returncode == 0, first.stderr[-2000:]
    assert sorted(mtimes(content)) == [f"post-remotive-{n}.md" for n in range(1, 6)]
    assert source_report(content, "remotive")["new"] == 5
    assert "remotive: ok, 5 new, 0 updated, 0 unchanged, 0 expired" in first.stdout

    # run 2, the same answer: no file written, every mtime kept
    before, stamps = snapshot(content), mtimes(content)
    time.sleep(0.05)
    second = crawlall(content, cassettes, "remotive")
    assert second.returncode == 0, second.stderr[-2000:]
    assert snapshot(content) == before and mtimes(content) == stamps
    assert source_report(content, "remotive")["unchanged"] == 5

    # run 3: job 2 changed, job 3 vanished, job 6 is new: exactly those three files change
    changed = [job for job in FIVE if job["id"] != 3]
    changed[1] = remotive_job(2, "Data Engineer", description="<p>Now with Rust.</p>")
    remotive_cassette(cassettes / "remotive.yaml", [*changed, remotive_job(6, "QA Engineer")])
    third = crawlall(content, cassettes, "remotive")
    assert third.returncode == 0, third.stderr[-2000:]
    after = snapshot(content)
    touched = sorted(name for name in after if after[name] != before.get(name))
    assert touched == ["post-remotive-2.md", "post-remotive-3.md", "post-remotive-6.md"]
    assert mtimes(content)["post-remotive-1.md"] == stamps["post-remotive-1.md"]
    gone = frontmatter.loads(after["post-remotive-3.md"].decode())
    assert list(gone.metadata)[:7] == ["path", "category", "tags", "title", "date", "summary",
                                       "images"]  # fmt: skip
    assert list(gone.metadata)[7:] == ["expiryDate"]
    third_run = run_report(content)
    assert third_run["started"] <= gone["expiryDate"] <= third_run["finished"]  # the run's time
    assert (
        before["post-remotive-3.md"].decode().split("---\n")[2]
        in after["post-remotive-3.md"].decode()
    )  # the body is kept
    line = next(line for line in third.stdout.splitlines() if line.startswith("remotive:"))
    assert line.startswith("remotive: ok, 1 new, 1 updated, 3 unchanged, 1 expired")

    # run 4: the board answers an empty list, then an error page: nothing expires, exit 1
    for body in (b"", b"<html>oops</html>"):
        remotive_cassette(cassettes / "remotive.yaml", [], body=body)
        state = snapshot(content)
        fourth = crawlall(content, cassettes, "remotive")
        assert fourth.returncode == 1
        assert snapshot(content) == state
        assert "jobscrape: crawlall: remotive failed: " in fourth.stderr
        assert "expiring nothing: the run failed" in fourth.stderr
        assert run_report(content)["failed"] == ["remotive"]

    # the vanished job comes back: it loses its expiryDate
    remotive_cassette(cassettes / "remotive.yaml", FIVE)
    back = crawlall(content, cassettes, "remotive")
    assert back.returncode == 0, back.stderr[-2000:]
    assert (content / "post-remotive-3.md").read_bytes() == before["post-remotive-3.md"]
    assert "expiryDate" in (content / "post-remotive-6.md").read_text()  # 6 vanished now


def test_a_listing_that_shrank_by_half_expires_nothing_and_fails(tmp_path):
    content, cassettes = tmp_path / "content", tmp_path / "cassettes"
    cassettes.mkdir()
    remotive_cassette(cassettes / "remotive.yaml", FIVE)
    assert crawlall(content, cassettes, "remotive").returncode == 0
    remotive_cassette(cassettes / "remotive.yaml", FIVE[:2])
    state = snapshot(content)
    short = crawlall(content, cassettes, "remotive")
    assert short.returncode == 1
    assert "remotive: listed 2 job(s), fewer than 0.5 of the 5 it listed last time" in short.stderr
    assert snapshot(content) == state
    # still short next time: still refused; accepted on purpose with EXPIRY_MIN_RATIO=0
    assert crawlall(content, cassettes, "remotive").returncode == 1
    accepted = crawlall(content, cassettes, "remotive", extra=("-s", "EXPIRY_MIN_RATIO=0"))
    assert accepted.returncode == 0, accepted.stderr[-2000:]
    expired = sorted(p.name for p in content.glob("*.md") if "expiryDate" in p.read_text())
    assert expired == ["post-remotive-3.md", "post-remotive-4.md", "post-remotive-5.md"]


def himalayas_job(n: int, title: str, expiry: int) -> dict:
    return {
        "guid": f"https://himalayas.app/companies/acme/jobs/job-{n}",
        "title": title,
        "companyName": "Acme",
        "companyLogo": "https://cdn.himalayas.app/acme.png",
        "categories": ["Software-Engineering"],
        "pubDate": 1795600000,
        "expiryDate": expiry,
        "description": f"<p>{title}</p>",
    }


def test_a_job_past_its_own_expiry_expires_once(tmp_path):
    content, cassettes = tmp_path / "content", tmp_path / "cassettes"
    cassettes.mkdir()
    jobs = [himalayas_job(1, "Past Job", 1577836800), himalayas_job(2, "Live Job", 4102444800)]
    save_cassette(cassettes / "himalayas.yaml", [
        robots("himalayas.app"),
        ("GET", "https://himalayas.app/jobs/api?offset=0&limit=20", 200, JSON,
         json.dumps({"jobs": jobs}).encode()),
    ])  # fmt: skip
    result = crawlall(content, cassettes, "himalayas")
    assert result.returncode == 0, result.stderr[-2000:]
    posts = {frontmatter.load(p)["title"]: frontmatter.load(p) for p in content.glob("*.md")}
    assert "expiryDate" in posts["Past Job"].metadata
    assert "expiryDate" not in posts["Live Job"].metadata
    assert source_report(content, "himalayas")["expired"] == 1
    before = snapshot(content)
    again = crawlall(content, cassettes, "himalayas")
    assert again.returncode == 0, again.stderr[-2000:]
    assert snapshot(content) == before  # still listed, still expired: not rewritten
    assert source_report(content, "himalayas")["expired"] == 0


def test_expired_posts_are_removed_after_expired_delete_after_days(tmp_path):
    content, cassettes = tmp_path / "content", tmp_path / "cassettes"
    cassettes.mkdir()
    remotive_cassette(cassettes / "remotive.yaml", [*FIVE[:3], remotive_job(7, "Old Job")])
    assert crawlall(content, cassettes, "remotive").returncode == 0
    remotive_cassette(cassettes / "remotive.yaml", FIVE[:3])
    assert crawlall(content, cassettes, "remotive").returncode == 0
    assert "expiryDate" in (content / "post-remotive-7.md").read_text()
    # expired long ago (as if months had passed)
    db = sqlite3.connect(content / STATE_DIR / INDEX_FILE)
    with db:
        db.execute("UPDATE posts SET expired_at = '2026-01-01T00:00:00+00:00' WHERE slug = ?",
                   ("post-remotive-7",))  # fmt: skip
    db.close()
    assert crawlall(content, cassettes, "remotive").returncode == 0
    assert (content / "post-remotive-7.md").exists()  # off by default
    removed = crawlall(content, cassettes, "remotive", extra=("-s", "EXPIRED_DELETE_AFTER_DAYS=30"))
    assert removed.returncode == 0, removed.stderr[-2000:]
    assert sorted(mtimes(content)) == [f"post-remotive-{n}.md" for n in (1, 2, 3)]
    assert source_report(content, "remotive")["deleted"] == 1
    assert "remotive: ok, 0 new, 0 updated, 3 unchanged" in removed.stdout


def test_a_job_on_two_boards_is_one_post(tmp_path):
    content, cassettes = tmp_path / "content", tmp_path / "cassettes"
    cassettes.mkdir()
    remoteok_cassette(cassettes / "remoteok.yaml", [
        remoteok_job(900001, "Senior Backend Engineer (Remote)", "Acme, Inc.",
                     "2026-11-18T09:00:00+00:00"),
        remoteok_job(900002, "Designer", "Other Co", "2026-11-18T09:00:00+00:00"),
    ])  # fmt: skip
    remotive_cassette(cassettes / "remotive.yaml", [
        remotive_job(1, "Senior Backend Engineer", "ACME"),  # the same job, two days later
        remotive_job(2, "Designer", "Other Co", publication_date="2026-06-01T00:00:00"),
    ])  # fmt: skip
    extra = ("-s", "POST_EXTRA_FIELDS=sources")
    result = crawlall(content, cassettes, "remoteok", "remotive", extra=extra)
    assert result.returncode == 0, result.stderr[-2000:]
    names = sorted(mtimes(content))
    # "Designer" at Other Co was posted months apart: two jobs
    assert names == ["post-900001.md", "post-900002.md", "post-remotive-2.md"]
    first = frontmatter.load(content / "post-900001.md")
    assert first["sources"] == ["https://remotive.com/remote-jobs/software-development/job-1"]
    assert source_report(content, "remotive")["dropped"] == 1
    # the next run changes nothing: the sources key is carried over
    before = snapshot(content)
    again = crawlall(content, cassettes, "remoteok", "remotive", extra=extra)
    assert again.returncode == 0, again.stderr[-2000:]
    assert snapshot(content) == before


def test_a_lost_or_corrupt_index_is_rebuilt_without_rewriting_a_post(tmp_path):
    content, cassettes = tmp_path / "content", tmp_path / "cassettes"
    cassettes.mkdir()
    remotive_cassette(cassettes / "remotive.yaml", FIVE)
    assert crawlall(content, cassettes, "remotive").returncode == 0
    index = content / STATE_DIR / INDEX_FILE
    before, stamps = snapshot(content), mtimes(content)
    for damage in ("delete", "garbage"):
        if damage == "delete":
            index.unlink()
        else:
            index.write_bytes(b"this is not a database" * 100)
        result = crawlall(content, cassettes, "remotive")
        assert result.returncode == 0, result.stderr[-2000:]
        assert "rebuilt it from the 5 post(s)" in result.stderr
        assert snapshot(content) == before and mtimes(content) == stamps
        rows = sqlite3.connect(index).execute("SELECT slug, listing FROM posts").fetchall()
        assert sorted(rows) == [(f"post-remotive-{n}", "remotive") for n in range(1, 6)]
    assert (content / STATE_DIR / f"{INDEX_FILE}.corrupt").exists()


def test_crawlall_reports_every_source_and_a_missing_cassette_fails_only_its_source(tmp_path):
    content, cassettes = tmp_path / "content", tmp_path / "cassettes"
    cassettes.mkdir()
    remotive_cassette(cassettes / "remotive.yaml", FIVE)
    report_file = tmp_path / "monitoring" / "jobs.json"
    result = crawlall(content, cassettes, "remoteok", "remotive",
                      extra=("-s", f"REPORT_FILE={report_file}"))  # fmt: skip
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("remoteok: FAILED, 0 new") and "does not exist" in lines[0]
    assert lines[1].startswith("remotive: ok, 5 new")
    assert "jobscrape: crawlall: remoteok failed: " in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "jobscrape: crawlall: 1 of 2 sources failed: remoteok"
    )
    written = json.loads(report_file.read_text())
    assert written["ok"] is False and written["failed"] == ["remoteok"]
    remotive = written["sources"][1]
    assert {key: remotive[key] for key in ("source", "ok", "new", "errors", "requests")} == {
        "source": "remotive", "ok": True, "new": 5, "errors": 0, "requests": 2,
    }  # fmt: skip
    assert set(remotive) >= {"updated", "unchanged", "expired", "dropped", "seconds"}


def test_two_crawlall_runs_at_once_one_waits_nothing_corrupted(tmp_path):
    content, cassettes = tmp_path / "content", tmp_path / "cassettes"
    cassettes.mkdir()
    remotive_cassette(cassettes / "remotive.yaml", FIVE)
    remoteok_cassette(cassettes / "remoteok.yaml", [
        remoteok_job(n, f"Job {n}", f"Company {n}", "2026-11-18T09:00:00+00:00")
        for n in range(900100, 900140)
    ])  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "scrapy", "crawlall", "remoteok", "remotive",
               "-s", f"VCR_CASSETTE_DIR={cassettes}", "-s", f"CONTENT_DIR={content}"]  # fmt: skip
    runs = [subprocess.Popen([*command, "-s", f"LOCK_TIMEOUT={timeout}"], cwd=REPO, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for timeout in (0, 0)]  # fmt: skip
    outcomes = [(run.wait(timeout=180), run.communicate()) for run in runs]
    codes = sorted(code for code, _ in outcomes)
    assert codes[0] == 0
    for code, (_, stderr) in outcomes:
        assert code == 0 or "in use by another run (pid " in stderr, stderr[-2000:]
    assert len(list(content.glob("*.md"))) == 45
    assert not list(content.glob(".*.tmp"))
    # a waiting run (LOCK_TIMEOUT) gets its turn: both succeed, the second finds nothing new
    runs = [subprocess.Popen([*command, "-s", "LOCK_TIMEOUT=120"], cwd=REPO, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]  # fmt: skip
    assert [run.wait(timeout=240) for run in runs] == [0, 0]
    for run in runs:
        run.communicate()
    for post in content.glob("*.md"):
        assert frontmatter.load(post)["title"]
    assert len(list(content.glob("*.md"))) == 45


def test_a_feed_filtered_with_url_expires_nothing_it_leaves_out(tmp_path):
    content, cassettes = tmp_path / "content", tmp_path / "cassettes"
    cassettes.mkdir()
    remotive_cassette(cassettes / "remotive.yaml", FIVE)
    assert crawlall(content, cassettes, "remotive").returncode == 0
    before = snapshot(content)
    design = f"{REMOTIVE_API}?category=design"
    save_cassette(cassettes / "design.yaml", [
        robots("remotive.com"),
        ("GET", design, 200, JSON, json.dumps({"jobs": [FIVE[2]]}).encode()),
    ])  # fmt: skip
    cassette = cassettes / "design.yaml"
    result = run_crawl("remotive", "-a", f"url={design}", "-s", f"VCR_CASSETTE={cassette}",
                       "-s", f"CONTENT_DIR={content}")  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert snapshot(content) == before
    assert result.stdout.startswith("remotive: ok, 0 new, 0 updated, 1 unchanged, 0 expired")


class SlowBoard(http.server.BaseHTTPRequestHandler):
    """A Remotive-shaped board on 127.0.0.1 whose feed answers after ``delay`` seconds."""

    jobs: ClassVar[list[dict]] = []
    delay: ClassVar[float] = 0.0
    asked: ClassVar[threading.Event] = threading.Event()

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            body, kind = b"User-agent: *\nDisallow:\n", "text/plain"
        else:
            type(self).asked.set()
            time.sleep(type(self).delay)
            body, kind = json.dumps({"jobs": type(self).jobs}).encode(), "application/json"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_sigterm_stops_gracefully_expires_nothing_and_fails(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowBoard)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    feed = f"http://127.0.0.1:{server.server_address[1]}/api/remote-jobs"
    content = tmp_path / "content"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    try:
        # a first run: 5 posts (the feed set with -a is its own listing: run crawl, not crawlall)
        SlowBoard.jobs, SlowBoard.delay = FIVE, 0.0
        first = run_crawl("remotive", "-a", f"url={feed}", "-s", f"CONTENT_DIR={content}",
                          "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False")  # fmt: skip
        assert first.returncode == 0, first.stderr[-2000:]
        before = snapshot(content)
        # the board now lists one job, slowly; SIGTERM arrives while the run waits for it
        SlowBoard.jobs, SlowBoard.delay = FIVE[:1], 2.0
        SlowBoard.asked.clear()
        run = subprocess.Popen(
            [sys.executable, "-m", "scrapy", "crawl", "remotive", "-a", f"url={feed}",
             "-s", f"CONTENT_DIR={content}", "-s", "DOWNLOAD_DELAY=0",
             "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "EXPIRY_MIN_RATIO=0"],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert SlowBoard.asked.wait(timeout=60)
        run.send_signal(signal.SIGTERM)
        _, stderr = run.communicate(timeout=60)
        assert run.returncode == 1
        assert "Received SIGTERM, shutting down gracefully" in stderr
        assert "the spider closed with reason 'shutdown'" in stderr.strip().splitlines()[-1]
        assert "expiring nothing: the run failed" in stderr
        assert snapshot(content) == before  # nothing expired, nothing lost
    finally:
        server.shutdown()
        server.server_close()


def test_a_hand_edited_post_is_expired_line_by_line_and_an_unreadable_one_is_left(tmp_path):
    content, cassettes = tmp_path / "content", tmp_path / "cassettes"
    cassettes.mkdir()
    remotive_cassette(cassettes / "remotive.yaml", FIVE)
    assert crawlall(content, cassettes, "remotive").returncode == 0
    edited = content / "post-remotive-4.md"
    hand_edit = edited.read_text().replace('title: "Sales Lead"', "title: Sales: lead\ndraft: true")
    edited.write_text(hand_edit)
    toml = content / "post-remotive-5.md"
    toml.write_text('+++\ntitle = "Support"\n+++\n\nbody\n')
    remotive_cassette(cassettes / "remotive.yaml", FIVE[:3])
    result = crawlall(content, cassettes, "remotive", extra=("-s", "EXPIRY_MIN_RATIO=0"))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Cannot update the post post-remotive-5" in result.stderr
    assert toml.read_text() == '+++\ntitle = "Support"\n+++\n\nbody\n'
    lines = edited.read_text().splitlines()
    assert "title: Sales: lead" in lines and "draft: true" in lines  # the edits are kept
    assert lines[lines.index("---", 1) - 1].startswith('expiryDate: "')
    assert source_report(content, "remotive")["expired"] == 1


def test_a_job_whose_record_now_breaks_a_rule_keeps_its_post(tmp_path):
    content, cassettes = tmp_path / "content", tmp_path / "cassettes"
    cassettes.mkdir()
    remotive_cassette(cassettes / "remotive.yaml", FIVE)
    assert crawlall(content, cassettes, "remotive").returncode == 0
    before = snapshot(content)
    broken = [*FIVE[:2], remotive_job(3, ""), *FIVE[3:]]  # job 3 lost its title
    remotive_cassette(cassettes / "remotive.yaml", broken)
    result = crawlall(content, cassettes, "remotive")
    assert result.returncode == 0, result.stderr[-2000:]
    assert snapshot(content) == before  # still listed: not expired
    assert source_report(content, "remotive")["dropped"] == 1


def test_a_source_whose_every_job_is_a_copy_from_another_board_is_ok(tmp_path):
    content, cassettes = tmp_path / "content", tmp_path / "cassettes"
    cassettes.mkdir()
    remoteok_cassette(cassettes / "remoteok.yaml", [
        remoteok_job(900001, "Data Engineer", "Acme Corp", "2026-11-19T09:00:00+00:00"),
    ])  # fmt: skip
    remotive_cassette(cassettes / "remotive.yaml", [remotive_job(2, "Data Engineer")])
    result = crawlall(content, cassettes, "remoteok", "remotive")
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(mtimes(content)) == ["post-900001.md"]
    assert "remotive: ok, 0 new" in result.stdout


def sitemap(urls: list[str]) -> bytes:
    entries = "".join(f"<url><loc>{url}</loc><lastmod>2026-11-20</lastmod></url>" for url in urls)
    namespace = "http://www.sitemaps.org/schemas/sitemap/0.9"
    return f'<?xml version="1.0"?><urlset xmlns="{namespace}">{entries}</urlset>'.encode()


def job_page(site: str, n: int) -> bytes:
    posting = {"@context": "https://schema.org", "@type": "JobPosting", "identifier": f"j{n}",
               "title": f"Engineer {n}", "description": f"<p>Job {n} at {site}</p>",
               "datePosted": "2026-11-20T10:00:00+00:00", "jobLocationType": "TELECOMMUTE",
               "hiringOrganization": {"@type": "Organization", "name": f"{site} Ltd"}}  # fmt: skip
    script = json.dumps(posting)
    return f'<html><script type="application/ld+json">{script}</script></html>'.encode()


def test_each_start_url_of_jobposting_is_a_listing_of_its_own(tmp_path):
    content = tmp_path / "content"
    urls_file = tmp_path / "urls.txt"
    urls_file.write_text("https://a.example/sitemap.xml\nhttps://b.example/sitemap.xml\n")
    html = {"Content-Type": ["text/html"]}
    xml = {"Content-Type": ["application/xml"]}

    def cassette(b_pages: list[int]) -> Path:
        interactions = [robots("a.example"), robots("b.example"),
                        ("GET", "https://a.example/sitemap.xml", 200, xml,
                         sitemap([f"https://a.example/jobs/{n}" for n in range(1, 9)])),
                        ("GET", "https://b.example/sitemap.xml", 200, xml,
                         sitemap([f"https://b.example/jobs/{n}" for n in b_pages]))]  # fmt: skip
        interactions += [("GET", f"https://a.example/jobs/{n}", 200, html, job_page("a", n))
                         for n in range(1, 9)]  # fmt: skip
        interactions += [("GET", f"https://b.example/jobs/{n}", 200, html, job_page("b", n))
                         for n in (1, 2)]  # fmt: skip
        save_cassette(tmp_path / "jobposting.yaml", interactions)
        return tmp_path / "jobposting.yaml"

    args = ("-a", f"urls_file={urls_file}", "-s", f"CONTENT_DIR={content}")
    first = run_crawl("jobposting", *args, "-s", f"VCR_CASSETTE={cassette([1, 2])}")
    assert first.returncode == 0, first.stderr[-2000:]
    assert len(mtimes(content)) == 10
    before = snapshot(content)
    # site B's sitemap is suddenly empty: 8 of 10 jobs are still listed overall, but B's own
    # listing lost them all, so B's posts stay and the run says why
    second = run_crawl("jobposting", *args, "-s", f"VCR_CASSETTE={cassette([])}")
    assert second.returncode == 1
    assert "jobposting:https://b.example/sitemap.xml: listed 0 job(s)" in second.stderr
    assert snapshot(content) == before
