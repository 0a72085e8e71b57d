"""Faults of the network and of the boards' answers, against servers on 127.0.0.1.

Every server here is started by its test (a threaded ``http.server``) and stopped after it;
every crawl is a ``scrapy crawl remotive -a url=...`` subprocess with a timeout, so the run's
exit code and its one-line reason are what is checked. Delays are small (Retry-After 1 s,
``RETRY_AFTER_MAX`` 2 s, ``DOWNLOAD_TIMEOUT`` 1 s): the file runs in well under two minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import itertools
import json
import os
import resource
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import frontmatter
import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from jobscrape.downloadermiddlewares.retry_after import RetryAfterMiddleware, retry_after_seconds
from jobscrape.downloadermiddlewares.same_site import SameSiteRedirectMiddleware, same_site
from jobscrape.downloadermiddlewares.vcr_replay import save_cassette
from jobscrape.spiders.remotive import RemotiveSpider
from tests.conftest import REPO, assert_post_conforms, make_crawler, run_crawl, snapshot

FEED_PATH = "/api/remote-jobs"
QUICK = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False")


def job(job_id: int, title: str, company: str = "Acme Corp", **fields: Any) -> dict[str, Any]:
    record = {
        "id": job_id,
        "url": f"https://remotive.com/remote-jobs/software-development/x-{job_id}",
        "title": title,
        "company_name": company,
        "publication_date": "2026-11-20T10:00:00",
        "candidate_required_location": "Worldwide",
        "description": f"<p>{company} is hiring a {title}.</p>",
        "tags": ["python"],
    }
    record.update(fields)
    return record


JOBS = [job(1, "Backend Engineer"), job(2, "Data Engineer")]
FEED = json.dumps({"jobs": JOBS}).encode()


@dataclass
class Answer:
    """One answer of the board: status, headers (a callable value is called when answering),
    body; ``delay`` seconds before it; ``reset``: close the connection with a TCP reset instead
    of answering."""

    status: int = 200
    headers: dict[str, Any] = field(default_factory=lambda: {"Content-Type": "application/json"})
    body: bytes = FEED
    delay: float = 0.0
    reset: bool = False


OK = Answer()


class Board(http.server.BaseHTTPRequestHandler):
    """A board on 127.0.0.1: robots.txt allows everything; every other path is answered from
    ``answers`` in turn (the last one repeats), and each such request's arrival is noted."""

    server: BoardServer

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            self._send(Answer(headers={"Content-Type": "text/plain"}, body=b"User-agent: *\n"))
            return
        board = self.server
        with board.lock:
            board.hits.append((time.monotonic(), self.path))
            answer = board.answers[min(len(board.hits) - 1, len(board.answers) - 1)]
        time.sleep(answer.delay)
        if answer.reset:
            # SO_LINGER 0: close() sends a RST, not a FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            self.wfile = _Sink()  # what the server still flushes goes nowhere
            return
        with contextlib.suppress(OSError):  # the client gave up (a timeout)
            self._send(answer)

    def _send(self, answer: Answer) -> None:
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value() if callable(value) else value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Sink:
    def write(self, data: bytes) -> int:
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


class BoardServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, answers: list[Answer]) -> None:
        super().__init__(("127.0.0.1", 0), Board)
        self.answers = answers
        self.hits: list[tuple[float, str]] = []
        self.lock = threading.Lock()

    def url(self, path: str = FEED_PATH, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.server_address[1]}{path}"

    def gaps(self) -> list[float]:
        """Seconds between the feed requests, as the server saw them arrive."""
        times = [at for at, _ in self.hits]
        return [later - earlier for earlier, later in itertools.pairwise(times)]

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a reset connection, a client that timed out: expected here


@pytest.fixture
def board() -> Iterator[Callable[..., BoardServer]]:
    servers: list[BoardServer] = []

    def start(*answers: Answer) -> BoardServer:
        server = BoardServer(list(answers))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def crawl(url: str, content: Path, *args: str, spider: str = "remotive"):
    return run_crawl(
        spider, "-a", f"url={url}", "-s", f"CONTENT_DIR={content}", *QUICK, *args, timeout=60
    )


def reason(result) -> str:
    return result.stderr.strip().splitlines()[-1]


def posts(content: Path) -> list[str]:
    return sorted(path.name for path in content.glob("*.md"))


# -- Retry-After ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_waited_for_then_the_board_succeeds(board, tmp_path, status):
    server = board(Answer(status, {"Retry-After": "1"}, b"slow down"), OK)
    result = crawl(server.url(), tmp_path / "content", "-s", "RETRY_AFTER_MAX=3")
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(server.hits) == 2
    (gap,) = server.gaps()
    print(f"retry gap {gap:.2f} s")
    assert 1.0 <= gap < 2.5, gap
    assert f"answered {status} with Retry-After 1 s: retrying in 1.0 s" in result.stderr
    assert posts(tmp_path / "content") == ["post-remotive-1.md", "post-remotive-2.md"]


def test_retry_after_http_date_is_waited_for(board, tmp_path):
    # an HTTP date 2 s after the answer (whole seconds: it waits between 1 and 2 s)
    when = lambda: formatdate(time.time() + 2, usegmt=True)  # noqa: E731
    server = board(Answer(503, {"Retry-After": when}, b"maintenance"), OK)
    result = crawl(server.url(), tmp_path / "content", "-s", "RETRY_AFTER_MAX=3")
    assert result.returncode == 0, result.stderr[-2000:]
    (gap,) = server.gaps()
    print(f"retry gap {gap:.2f} s")
    assert 0.9 <= gap < 2.5, gap


def test_retry_after_is_capped_by_retry_after_max(board, tmp_path):
    server = board(Answer(429, {"Retry-After": "3600"}, b"come back in an hour"), OK)
    started = time.monotonic()
    result = crawl(server.url(), tmp_path / "content", "-s", "RETRY_AFTER_MAX=2")
    assert time.monotonic() - started < 30
    assert result.returncode == 0, result.stderr[-2000:]
    (gap,) = server.gaps()
    print(f"retry gap {gap:.2f} s")
    assert 2.0 <= gap < 3.5, gap
    assert "capped by RETRY_AFTER_MAX=2" in result.stderr


def test_retry_after_gives_up_after_retry_times_and_fails(board, tmp_path):
    content = tmp_path / "content"
    server = board(Answer(429, {"Retry-After": "1"}, b"slow down"))
    result = crawl(server.url(), content, "-s", "RETRY_AFTER_MAX=3", "-s", "RETRY_TIMES=2")
    assert result.returncode == 1
    assert len(server.hits) == 3  # the request and RETRY_TIMES retries
    assert all(gap >= 1.0 for gap in server.gaps()), server.gaps()
    print(f"retry gaps {[round(gap, 2) for gap in server.gaps()]}")
    line = reason(result)
    assert line.startswith("jobscrape: crawl remotive failed: "), line
    assert "Gave up retrying" in line and server.url() in line and "429" in line, line
    assert posts(content) == []


def test_a_stop_does_not_wait_out_a_long_retry_after(board, tmp_path):
    server = board(Answer(503, {"Retry-After": "100"}, b"maintenance"), OK)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    run = subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "remotive", "-a", f"url={server.url()}",
         "-s", f"CONTENT_DIR={tmp_path / 'content'}", "-s", "RETRY_AFTER_MAX=100", *QUICK],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not server.hits and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the answer reached the middleware, which now waits
        stopped = time.monotonic()
        run.send_signal(signal.SIGTERM)
        _, stderr = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()
    print(f"stopped in {time.monotonic() - stopped:.1f} s")
    assert time.monotonic() - stopped < 10  # not the 100 s asked
    assert run.returncode == 1
    assert len(server.hits) == 1
    assert "the crawl is stopping" in stderr


def test_a_missing_or_invalid_retry_after_retries_at_once(board, tmp_path):
    server = board(Answer(503, {"Retry-After": "soon"}, b"x"), Answer(503, {}, b"x"), OK)
    result = crawl(server.url(), tmp_path / "content", "-s", "RETRY_AFTER_MAX=3")
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(server.hits) == 3
    assert all(gap < 1.0 for gap in server.gaps()), server.gaps()
    assert "retrying in" not in result.stderr


def test_a_replayed_retry_after_is_not_waited_for():
    crawler = make_crawler(RemotiveSpider)
    crawler.spider = RemotiveSpider.from_crawler(crawler)
    middleware = RetryAfterMiddleware.from_crawler(crawler)
    request = Request("https://remotive.com/api/remote-jobs")
    answer = Response(request.url, status=503, headers={"Retry-After": "600"}, flags=["cassette"])
    started = time.monotonic()
    retry = asyncio.run(middleware.process_response(request, answer))
    assert time.monotonic() - started < 1
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1


def test_retry_after_values():
    now = 1_800_000_000.0
    assert retry_after_seconds(b"120") == 120
    assert retry_after_seconds(" 0 ") == 0
    assert retry_after_seconds(formatdate(now + 30, usegmt=True), now=now) == 30
    assert retry_after_seconds(formatdate(now - 30, usegmt=True), now=now) == 0
    for bad in (None, b"", b"-5", b"1.5", b"soon", b"Wed, 99 Foo 2026"):
        assert retry_after_seconds(bad, now=now) is None, bad


# -- timeouts and resets ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "error"),
    [(Answer(delay=2.5), "took longer than 1.0 seconds"), (Answer(reset=True), "ConnectionLost")],
    ids=["timeout", "reset"],
)
def test_network_errors_are_retried_retry_times_then_fail(board, tmp_path, answer, error):
    server = board(answer)
    result = crawl(server.url(), tmp_path / "content", "-s", "DOWNLOAD_TIMEOUT=1",
                   "-s", "RETRY_TIMES=2")  # fmt: skip
    assert result.returncode == 1
    assert len(server.hits) == 3, server.hits  # once, then RETRY_TIMES retries
    line = reason(result)
    assert line.startswith("jobscrape: crawl remotive failed: "), line
    assert "Gave up retrying" in line and server.url() in line and error in line, line


# -- broken transport ------------------------------------------------------------------------


def gzip_bomb(size: int = 1 << 30) -> bytes:
    """``size`` zero bytes gzipped (about 1 MB for 1 GiB), built without holding them: one
    8 MiB member, compressed from a 1 MiB buffer, repeated (gzip readers read every member)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    member = b"".join(compressor.compress(zeros) for _ in range(8)) + compressor.flush()
    return member * (size // (8 << 20))


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return gzip_bomb()


def test_a_gzip_bomb_fails_the_run_without_blowing_up_memory(board, tmp_path, bomb):
    assert len(bomb) < 2_000_000
    content = tmp_path / "content"
    server = board(Answer(headers={"Content-Type": "application/json",
                                   "Content-Encoding": "gzip"}, body=bomb))  # fmt: skip
    result = crawl(server.url(), content, "-s", "DOWNLOAD_MAXSIZE=10000000")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    print(f"peak RSS of the crawls so far: {peak_mb:.0f} MB; reason: {reason(result)}")
    assert result.returncode == 1
    assert peak_mb < 500, peak_mb
    # Scrapy's HttpCompressionMiddleware stops inflating at the cap (a WARNING naming the URL)
    assert "exceeded DOWNLOAD_MAXSIZE (10000000 B) during decompression" in result.stderr
    assert server.url() in result.stderr
    assert reason(result).startswith("jobscrape: crawl remotive failed: "), reason(result)
    assert posts(content) == []


def test_a_gzip_bomb_fails_naming_the_size_cap(board, tmp_path, bomb):
    server = board(Answer(headers={"Content-Type": "application/json",
                                   "Content-Encoding": "gzip"}, body=bomb))  # fmt: skip
    result = crawl(server.url(), tmp_path / "content", "-s", "DOWNLOAD_MAXSIZE=10000000")
    assert result.returncode == 1
    assert "DOWNLOAD_MAXSIZE" in reason(result) and server.url() in reason(result)


def test_a_gzip_bomb_in_a_cassette_is_refused_by_url(tmp_path, bomb):
    cassette, content = tmp_path / "remotive.yaml", tmp_path / "content"
    api = "https://remotive.com/api/remote-jobs"
    save_cassette(cassette, [
        ("GET", "https://remotive.com/robots.txt", 200, {"Content-Type": ["text/plain"]},
         b"User-agent: *\n"),
        ("GET", api, 200, {"Content-Type": ["application/json"], "Content-Encoding": ["gzip"]},
         bomb),
    ])  # fmt: skip
    result = run_crawl("remotive", "-s", f"VCR_CASSETTE={cassette}", "-s", f"CONTENT_DIR={content}",
                       "-s", "DOWNLOAD_MAXSIZE=10000000", timeout=60)  # fmt: skip
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert result.returncode == 1
    assert peak_mb < 500, peak_mb
    line = reason(result)
    assert "inflates past DOWNLOAD_MAXSIZE" in line and api in line, line
    assert posts(content) == []


def test_a_redirect_to_another_site_is_refused(board, tmp_path):
    content = tmp_path / "content"
    other = board(OK)  # a valid feed, on another host: "localhost" is not "127.0.0.1"
    elsewhere = other.url(host="localhost")
    server = board(Answer(302, {"Location": elsewhere}, b""))
    result = crawl(server.url(), content)
    assert result.returncode == 1
    line = reason(result)
    assert "Refused the redirect of" in line and server.url() in line and elsewhere in line, line
    assert other.hits == []  # never fetched
    assert posts(content) == []


def test_a_redirect_on_the_same_site_is_followed(board, tmp_path):
    server = board(Answer(301, {"Location": "/api/v2/remote-jobs"}, b""), OK)
    result = crawl(server.url(), tmp_path / "content")
    assert result.returncode == 0, result.stderr[-2000:]
    assert [path for _, path in server.hits] == [FEED_PATH, "/api/v2/remote-jobs"]
    assert posts(tmp_path / "content") == ["post-remotive-1.md", "post-remotive-2.md"]


@pytest.mark.parametrize(
    ("source", "target", "same"),
    [
        ("https://remoteok.com/api", "https://www.remoteok.com/api", True),
        ("https://remoteok.com/api", "https://api.remoteok.com/v1", True),
        ("https://www.remoteok.com/api", "https://remoteok.com/api", True),
        ("https://api.remoteok.com/api", "https://jobs.remoteok.com/api", True),
        ("https://remotive.com/api", "http://remotive.com:8080/api", True),
        ("https://remotive.com/api", "https://evil.example/api", False),
        ("https://remotive.com/api", "https://remotive.com.evil.example/api", False),
        ("https://acme.github.io/jobs", "https://evil.github.io/jobs", False),
        ("https://bar.co.uk/jobs", "https://foo.co.uk/jobs", False),
        ("http://127.0.0.1:8000/a", "http://127.0.0.1:9000/b", True),
        ("http://127.0.0.1:8000/a", "http://localhost:8000/a", False),
    ],
)
def test_same_site(source, target, same):
    assert same_site(source, target) is same


def test_same_site_middleware_refuses_only_cross_site_redirects():
    crawler = make_crawler(RemotiveSpider)
    crawler.spider = RemotiveSpider.from_crawler(crawler)
    middleware = SameSiteRedirectMiddleware.from_crawler(crawler)
    request = Request("https://remotive.com/api/remote-jobs")

    def answer(status: int, location: str) -> Response:
        return Response(request.url, status=status, headers={"Location": location})

    kept_answers = [
        answer(301, "https://www.remotive.com/api"),
        answer(302, "/v2"),
        answer(200, "https://evil.example/"),
        answer(302, "ftp://evil.example/"),
    ]
    for kept in kept_answers:
        assert middleware.process_response(request, kept) is kept
    for refused in (answer(302, "https://evil.example/jobs"), answer(307, "//evil.example/x")):
        with pytest.raises(IgnoreRequest):
            middleware.process_response(request, refused)
    not_followed = Request(request.url, meta={"dont_redirect": True})
    bad = answer(302, "https://evil.example/jobs")
    assert middleware.process_response(not_followed, bad) is bad


# -- broken answers --------------------------------------------------------------------------


ACCENTED = [job(1, "Café Engineer", "Zürich Straße GmbH", description="<p>Naïve — ça va</p>")]
ACCENTED_UTF8 = json.dumps({"jobs": ACCENTED}, ensure_ascii=False).encode()
ACCENTED_LATIN1 = json.dumps({"jobs": ACCENTED}, ensure_ascii=False).encode("cp1252")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        # UTF-8 bytes under a charset that says Latin-1: decoded as mojibake, then repaired
        ("application/json; charset=iso-8859-1", ACCENTED_UTF8),
        # Windows-1252 bytes under a charset that says UTF-8: not UTF-8 at all
        ("application/json; charset=utf-8", ACCENTED_LATIN1),
    ],
    ids=["utf8-labelled-latin1", "cp1252-labelled-utf8"],
)
def test_a_wrong_charset_gives_valid_posts(board, tmp_path, content_type, body):
    content = tmp_path / "content"
    server = board(Answer(headers={"Content-Type": content_type}, body=body))
    result = crawl(server.url(), content)
    assert result.returncode == 0, result.stderr[-2000:]
    assert posts(content) == ["post-remotive-1.md"]
    post = assert_post_conforms(content / "post-remotive-1.md")
    assert post["title"].startswith("Caf") and post["title"].endswith(" Engineer")
    assert post["summary"].startswith("Z") and post["summary"].endswith(" GmbH")
    if content_type.endswith("iso-8859-1"):  # the mojibake is repaired whole
        assert (post["title"], post["summary"]) == ("Café Engineer", "Zürich Straße GmbH")
        assert post.content.strip() == "<p>Naïve — ça va</p>"


def test_cp1252_labelled_utf8_is_read_as_cp1252(board, tmp_path):
    content = tmp_path / "content"
    server = board(Answer(headers={"Content-Type": "application/json; charset=utf-8"},
                          body=ACCENTED_LATIN1))  # fmt: skip
    result = crawl(server.url(), content)
    post = frontmatter.load(content / "post-remotive-1.md")
    assert result.returncode == 0
    assert (post["title"], post["summary"]) == ("Café Engineer", "Zürich Straße GmbH")


UNDECODABLE = FEED.replace(b"Backend Engineer", b"Backend \xff\xfe Engineer")


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/json"])
def test_undecodable_bytes_give_valid_posts(board, tmp_path, content_type):
    content = tmp_path / "content"
    server = board(Answer(headers={"Content-Type": content_type}, body=UNDECODABLE))
    result = crawl(server.url(), content)
    assert result.returncode == 0, result.stderr[-2000:]
    assert posts(content) == ["post-remotive-1.md", "post-remotive-2.md"]
    first, second = (assert_post_conforms(content / name) for name in posts(content))
    assert first["title"].startswith("Backend ") and first["title"].endswith(" Engineer")
    assert second["title"] == "Data Engineer" and second["summary"] == "Acme Corp"


def test_undecodable_bytes_of_undeclared_json_are_not_guessed_into_another_script(board, tmp_path):
    # JSON is UTF-8 (RFC 8259); bytes that are not are read as Windows-1252, the usual
    # mislabelling. Scrapy's own guess for these bytes would be cp1006 (Urdu glyphs)
    content = tmp_path / "content"
    server = board(Answer(headers={"Content-Type": "application/json"}, body=UNDECODABLE))
    result = crawl(server.url(), content)
    assert result.returncode == 0
    title = frontmatter.load(content / "post-remotive-1.md")["title"]
    assert title == "Backend \u00ff\u00fe Engineer", title


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """A content directory a good run of the board wrote (posts and state)."""
    content = tmp_path_factory.mktemp("published") / "content"
    server = BoardServer([OK])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = crawl(server.url(), content)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr[-2000:]
    assert posts(content) == ["post-remotive-1.md", "post-remotive-2.md"]
    return content


def rss(*items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>We Work Remotely</title>{''.join(items)}</channel></rss>"
    ).encode()


def rss_item(slug: str) -> str:
    return (
        f"<item><title>Acme: Dev {slug}</title><region>Anywhere in the World</region>"
        f"<description>{escape('<p>Build.</p>')}</description>"
        "<pubDate>Tue, 08 Nov 2022 00:08:24 +0000</pubDate>"
        f"<guid>https://weworkremotely.com/remote-jobs/{slug}</guid></item>"
    )


@pytest.mark.parametrize(
    ("answer", "spider", "says"),
    [
        (Answer(body=FEED[: len(FEED) // 2]), "remotive", "that is not JSON"),
        (Answer(headers={"Content-Type": "text/html"},
                body=b"<html><body><h1>Service unavailable</h1></body></html>"),
         "remotive", "text/html that is not JSON"),
        (Answer(headers={"Content-Type": "application/rss+xml"},
                body=rss(rss_item("a"), rss_item("b"))[:-60]),
         "weworkremotely", "weworkremotely"),
    ],
    ids=["truncated-json", "html-error-page-200", "truncated-xml"],
)  # fmt: skip
def test_a_broken_answer_fails_and_keeps_existing_posts(
    board, tmp_path, published, answer, spider, says
):
    content = tmp_path / "content"
    shutil.copytree(published, content)
    before = snapshot(content)
    server = board(answer)
    result = crawl(server.url(), content, "-s", "EXPIRY_MIN_RATIO=0", spider=spider)
    assert result.returncode == 1
    line = reason(result)
    assert line.startswith(f"jobscrape: crawl {spider} failed: "), line
    assert says in line, line
    assert snapshot(content) == before  # nothing published, nothing expired
