"""The vcrpy cassette middleware: replay, recording, record modes and the helpers under them.

Cassettes go both ways: one recorded by vcrpy around ``requests`` replays under ``scrapy crawl``,
one recorded by ``scrapy crawl`` replays under ``vcr.use_cassette``. Every server here is a small
threaded ``http.server`` on 127.0.0.1, and it is stopped before any replay, so replayed data can
only come from the cassette.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import threading
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import brotli
import pytest
import requests
import vcr
import yaml
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, HtmlResponse, Request, Response, TextResponse
from vcr.request import Request as VcrRequest

from jobscrape.downloadermiddlewares.vcr_replay import (
    MATCH_ON,
    VcrReplayMiddleware,
    from_vcr_response,
    save_cassette,
    strip_request_secrets,
    strip_response_secrets,
    to_vcr_request,
    to_vcr_response,
)
from jobscrape.spiders.remoteok import RemoteokSpider
from tests.conftest import FIXTURES, make_crawler, run_crawl, snapshot

try:
    from compression import zstd  # type: ignore[import-not-found]
except ImportError:  # Python < 3.14, as Scrapy itself imports it
    from backports import zstd

API_CASSETTE = FIXTURES / "remoteok" / "remoteok.yaml"
RECORDS = [
    {"legal": "API Terms of Service: link back to Remote OK."},
    {
        "id": "5",
        "epoch": 1700000000,
        "date": "2023-11-14T22:13:20+00:00",
        "company": "Acme",
        "position": "Dev",
        "tags": ["x"],
        "description": "<p>hi</p>",
    },
]
BODY = json.dumps(RECORDS).encode()
STALE_BODY = BODY.replace(b'"id": "5"', b'"id": "7"')
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
JSON_HEADERS = {"Content-Type": ["application/json"]}
ROBOTS_HEADERS = {"Content-Type": ["text/plain; charset=utf-8"]}
SECRET_COOKIE = "session=cookiesecret42"
CRAWL_TIMEOUT = 120


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither requests nor the crawl subprocess may route 127.0.0.1 through a proxy."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("ALL_PROXY", raising=False)


# a local board ----------------------------------------------------------------------------


def compress(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.compress(body, mtime=0)  # the header holds no clock, so two calls agree
    if encoding == "deflate":
        return zlib.compress(body)
    if encoding == "br":
        return brotli.compress(body)
    if encoding == "zstd":
        return zstd.compress(body)
    raise ValueError(encoding)


class LocalBoard:
    """A threaded HTTP server on 127.0.0.1 that answers ``routes`` (path with query → body) and
    remembers every request it got."""

    def __init__(
        self,
        routes: dict[str, tuple[bytes, str]],
        *,
        encoding: str = "",
        set_cookie: str = "",
    ) -> None:
        self.routes = routes
        self.encoding = encoding
        self.set_cookie = set_cookie
        self.received: list[tuple[str, dict[str, str]]] = []
        board = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                board.received.append((self.path, dict(self.headers.items())))
                if self.path not in board.routes:
                    self.send_error(404)
                    return
                body, content_type = board.routes[self.path]
                if board.encoding:
                    body = compress(body, board.encoding)
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                if board.encoding:
                    self.send_header("Content-Encoding", board.encoding)
                if board.set_cookie:
                    self.send_header("Set-Cookie", f"{board.set_cookie}; Path=/")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.running = True

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def paths(self) -> list[str]:
        return [path for path, _ in self.received]

    def stop(self) -> None:
        if self.running:
            self.running = False
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(timeout=10)


@pytest.fixture
def board_factory() -> Iterator[Callable[..., LocalBoard]]:
    boards: list[LocalBoard] = []

    def start(routes: dict[str, tuple[bytes, str]] | None = None, **options: Any) -> LocalBoard:
        if routes is None:
            routes = {"/api": (BODY, "application/json"), "/robots.txt": (ROBOTS, "text/plain")}
        board = LocalBoard(routes, **options)
        boards.append(board)
        return board

    yield start
    for board in boards:
        board.stop()


def test_local_board_stops():
    board = LocalBoard({"/api": (BODY, "application/json")})
    try:
        assert requests.get(board.url("/api"), timeout=10).json() == RECORDS
    finally:
        board.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(board.url("/api"), timeout=5)


# running crawls and reading what they did --------------------------------------------------


def crawl(
    cassette: Path | str,
    content: Path,
    *,
    url: str = "",
    mode: str = "",
    settings: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl remoteok`` over ``cassette`` into ``content``, with the stats dumped at the
    end of the log; ``url`` and ``mode`` left out keep the spider's URL and the default mode."""
    values = {"VCR_CASSETTE": str(cassette), "CONTENT_DIR": str(content), "LOG_LEVEL": "INFO"}
    if mode:
        values["VCR_RECORD_MODE"] = mode
    values.update(settings or {})
    args = [arg for name, value in values.items() for arg in ("-s", f"{name}={value}")]
    if url:
        args += ["-a", f"url={url}"]
    return run_crawl("remoteok", *args, timeout=CRAWL_TIMEOUT)


def stat(output: str, key: str) -> int | None:
    """An integer stat from the ``Dumping Scrapy stats`` block of a crawl's log."""
    assert "Dumping Scrapy stats" in output, output[-3000:]
    found = re.search(rf"'{re.escape(key)}': (\d+)", output)
    return int(found.group(1)) if found else None


def failure_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("jobscrape: crawl remoteok")]
    assert len(lines) == 1, output[-3000:]
    return lines[0]


def interactions(path: Path) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text("utf-8"))["interactions"]


def uris(path: Path) -> list[str]:
    return [interaction["request"]["uri"] for interaction in interactions(path)]


def body_bytes(interaction: dict[str, Any]) -> bytes:
    body = interaction["response"]["body"]["string"]
    return body.encode("utf-8") if isinstance(body, str) else body


def posts(content: Path) -> list[str]:
    return sorted(path.name for path in content.glob("*.md")) if content.is_dir() else []


def record_with_requests(cassette: Path, url: str, **options: Any) -> requests.Response:
    with vcr.use_cassette(str(cassette), **options):
        return requests.get(url, timeout=10)


# 1. a cassette recorded by vcrpy around requests replays under scrapy ----------------------


def test_vcrpy_cassette_replays_under_scrapy(board_factory, tmp_path):
    board = board_factory({"/api": (BODY, "application/json")})
    cassette = tmp_path / "vcrpy.yaml"
    api = board.url("/api")
    assert record_with_requests(cassette, api).json() == RECORDS
    board.stop()
    assert uris(cassette) == [api]
    recorded = cassette.read_bytes()

    content = tmp_path / "content"
    result = crawl(cassette, content, url=api)
    assert result.returncode == 0, result.stderr[-3000:]
    assert posts(content) == ["post-5.md"]
    post = (content / "post-5.md").read_text("utf-8")
    assert 'title: "Dev"' in post
    assert "<p>hi</p>" in post
    # no robots.txt in a requests cassette: absent, as a 404 would say
    assert (
        f"WARNING: Cassette {cassette} holds no {board.url('/robots.txt')}; "
        "treating it as absent" in result.stderr
    )
    assert stat(result.stderr, "vcr/robots_missing") == 1
    assert stat(result.stderr, "robotstxt/response_status_count/404") == 1
    assert stat(result.stderr, "vcr/played") == 1
    assert stat(result.stderr, "vcr/missing") is None
    assert stat(result.stderr, "vcr/recorded") is None
    assert board.paths() == ["/api"]
    assert cassette.read_bytes() == recorded  # mode none never rewrites the cassette


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "zstd"])
def test_vcrpy_cassette_of_compressed_response_replays_under_scrapy(
    board_factory, tmp_path, encoding
):
    """vcrpy under urllib3 2 stores the body urllib3 decoded but keeps Content-Encoding
    (vcrpy issue #719): replay must not hand Scrapy a body that cannot be decoded."""
    board = board_factory({"/api": (BODY, "application/json")}, encoding=encoding)
    cassette = tmp_path / "vcrpy.yaml"
    api = board.url("/api")
    assert record_with_requests(cassette, api).json() == RECORDS
    board.stop()
    (interaction,) = interactions(cassette)
    assert interaction["response"]["headers"]["Content-Encoding"] == [encoding]

    content = tmp_path / "content"
    result = crawl(cassette, content, url=api)
    assert result.returncode == 0, result.stderr[-3000:]
    assert posts(content) == ["post-5.md"]
    assert "<p>hi</p>" in (content / "post-5.md").read_text("utf-8")


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_compressed_cassette_body_is_decompressed_by_scrapy(board_factory, tmp_path, encoding):
    """A cassette whose body holds the compressed bytes (as urllib3 1 recorded them, and as this
    middleware records them) is decoded by Scrapy's HttpCompressionMiddleware."""
    board = board_factory({"/api": (BODY, "application/json")}, encoding=encoding)
    cassette = tmp_path / "vcrpy.yaml"
    api = board.url("/api")
    record_with_requests(cassette, api)
    board.stop()
    data = yaml.safe_load(cassette.read_text("utf-8"))
    response = data["interactions"][0]["response"]
    response["body"]["string"] = compress(BODY, encoding)
    cassette.write_text(yaml.safe_dump(data), "utf-8")
    assert body_bytes(interactions(cassette)[0]) == compress(BODY, encoding)
    assert interactions(cassette)[0]["response"]["headers"]["Content-Encoding"] == [encoding]

    content = tmp_path / "content"
    result = crawl(cassette, content, url=api)
    assert result.returncode == 0, result.stderr[-3000:]
    assert posts(content) == ["post-5.md"]
    assert stat(result.stderr, "httpcompression/response_count") == 1


# 2. a cassette recorded here replays under vcrpy and under scrapy --------------------------


def test_recorded_cassette_replays_under_vcrpy_and_scrapy(board_factory, tmp_path):
    board = board_factory()
    cassette = tmp_path / "recorded.yaml"
    api = board.url("/api")
    first = tmp_path / "first"
    result = crawl(cassette, first, url=api, mode="once")
    assert result.returncode == 0, result.stderr[-3000:]
    assert board.paths() == ["/robots.txt", "/api"]
    board.stop()
    assert stat(result.stderr, "vcr/recorded") == 2
    assert stat(result.stderr, "vcr/played") is None
    assert uris(cassette) == [board.url("/robots.txt"), api]
    assert posts(first) == ["post-5.md"]
    recorded = cassette.read_bytes()

    with vcr.use_cassette(str(cassette), record_mode="none"):
        answer = requests.get(api, timeout=10)
        robots = requests.get(board.url("/robots.txt"), timeout=10)
    assert answer.status_code == 200
    assert answer.content == BODY
    assert answer.json() == RECORDS
    assert robots.content == ROBOTS

    second = tmp_path / "second"
    result = crawl(cassette, second, url=api, mode="none")
    assert result.returncode == 0, result.stderr[-3000:]
    assert stat(result.stderr, "vcr/played") == 2
    assert stat(result.stderr, "vcr/recorded") is None
    assert stat(result.stderr, "robotstxt/response_status_count/200") == 1
    assert snapshot(second) == snapshot(first)
    assert cassette.read_bytes() == recorded


@pytest.fixture(scope="module")
def gzip_recording(tmp_path_factory) -> Iterator[tuple[Path, str]]:
    """A cassette recorded by ``scrapy crawl`` from a board that answers gzip."""
    folder = tmp_path_factory.mktemp("gzip-recording")
    board = LocalBoard(
        {"/api": (BODY, "application/json"), "/robots.txt": (ROBOTS, "text/plain")},
        encoding="gzip",
    )
    try:
        api = board.url("/api")
        cassette = folder / "recorded.yaml"
        result = crawl(cassette, folder / "content", url=api, mode="once")
        assert result.returncode == 0, result.stderr[-3000:]
        assert board.paths() == ["/robots.txt", "/api"]
    finally:
        board.stop()
    yield cassette, api


def test_recorded_cassette_holds_the_decoded_body_of_a_compressed_answer(gzip_recording):
    cassette, _ = gzip_recording
    robots, api = interactions(cassette)
    for interaction, body in ((robots, ROBOTS), (api, BODY)):
        recorded = interaction["response"]["headers"]
        headers = {name.lower(): value for name, value in recorded.items()}
        assert "content-encoding" not in headers
        assert headers["content-length"] == [str(len(body))]
        assert body_bytes(interaction) == body


def test_recorded_compressed_cassette_replays_under_scrapy(gzip_recording, tmp_path):
    cassette = shutil.copy(gzip_recording[0], tmp_path / "recorded.yaml")
    content = tmp_path / "content"
    result = crawl(cassette, content, url=gzip_recording[1])
    assert result.returncode == 0, result.stderr[-3000:]
    assert posts(content) == ["post-5.md"]
    assert stat(result.stderr, "vcr/played") == 2
    assert stat(result.stderr, "httpcompression/response_count") is None  # stored decoded


def test_recorded_compressed_cassette_replays_under_vcrpy(gzip_recording):
    cassette, api = gzip_recording
    with vcr.use_cassette(str(cassette), record_mode="none"):
        answer = requests.get(api, timeout=10)
    assert answer.content == BODY


# 3. recording keeps no credentials or cookies ----------------------------------------------


@pytest.mark.parametrize("cookies_enabled", [True, False])
def test_recording_strips_credentials_and_cookies(board_factory, tmp_path, cookies_enabled):
    board = board_factory(set_cookie=SECRET_COOKIE)
    cassette = tmp_path / "recorded.yaml"
    headers = {"Authorization": "Bearer topsecret-token", "Cookie": "a=cookiesecret43"}
    settings = {
        "DEFAULT_REQUEST_HEADERS": json.dumps(headers),
        "COOKIES_ENABLED": str(cookies_enabled),
    }
    result = crawl(
        cassette, tmp_path / "content", url=board.url("/api"), mode="once", settings=settings
    )
    assert result.returncode == 0, result.stderr[-3000:]
    board.stop()

    # the crawl did send the secrets, so their absence from the cassette means something
    sent = dict(board.received)
    assert list(sent) == ["/robots.txt", "/api"]
    assert all(h["Authorization"] == "Bearer topsecret-token" for h in sent.values())
    if cookies_enabled:  # Scrapy's cookie jar replaces the header with the server's cookie
        assert sent["/api"]["Cookie"] == SECRET_COOKIE
    else:
        assert all(h["Cookie"] == "a=cookiesecret43" for h in sent.values())

    assert stat(result.stderr, "vcr/recorded") == 2
    assert len(interactions(cassette)) == 2
    text = cassette.read_text("utf-8")
    for secret in ("topsecret", "Bearer", "cookiesecret", "authorization", "cookie"):
        assert secret.lower() not in text.lower(), secret
    for interaction in interactions(cassette):
        assert "User-Agent" in interaction["request"]["headers"]  # other headers are kept
        assert "Content-Type" in interaction["response"]["headers"]
    # nor does the crawl log show the server's cookie
    assert "cookiesecret42" not in result.stderr


# 4. mode none: a request the cassette lacks fails the run ---------------------------------


@pytest.mark.parametrize("mode", ["none", "once"])
def test_request_missing_from_cassette_fails_and_writes_nothing(tmp_path, mode):
    content = tmp_path / "content"
    content.mkdir()
    existing = content / "post-71285.md"
    existing.write_text("---\ntitle: the post as it was\n---\n", "utf-8")
    os.utime(existing, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    before, mtime = snapshot(content), existing.stat().st_mtime_ns
    cassette = shutil.copy(API_CASSETTE, tmp_path / "api.yaml")

    url = "https://remoteok.com/api?page=2"
    result = crawl(cassette, content, url=url, mode=mode)
    assert result.returncode != 0
    assert failure_line(result.stderr) == (
        "jobscrape: crawl remoteok failed: 1 request(s) missing from the replayed cassette, "
        f"first GET {url}"
    )
    assert f"has no recorded response for GET {url} (VCR_RECORD_MODE={mode})" in result.stderr
    assert stat(result.stderr, "vcr/missing") == 1
    assert stat(result.stderr, "vcr/played") == 1  # robots.txt
    assert snapshot(content) == before
    assert existing.stat().st_mtime_ns == mtime
    assert Path(cassette).read_bytes() == API_CASSETTE.read_bytes()


# 5. robots.txt goes through the cassette ---------------------------------------------------


def test_robots_txt_is_played_from_the_cassette(tmp_path):
    content = tmp_path / "content"
    result = crawl(API_CASSETTE, content)
    assert result.returncode == 0, result.stderr[-3000:]
    assert stat(result.stderr, "vcr/played") == 2
    assert stat(result.stderr, "robotstxt/request_count") == 1
    assert stat(result.stderr, "robotstxt/response_status_count/200") == 1
    assert stat(result.stderr, "vcr/robots_missing") is None
    assert "post-71285.md" in posts(content)


@pytest.mark.parametrize(
    ("robots", "allowed"),
    [(b"User-agent: *\nDisallow: /api\n", False), (b"User-agent: *\nDisallow: /l/\n", True)],
)
def test_robots_txt_from_the_cassette_is_obeyed(tmp_path, robots, allowed):
    cassette = tmp_path / "robots.yaml"
    save_cassette(
        cassette,
        [
            ("GET", "https://remoteok.com/robots.txt", 200, ROBOTS_HEADERS, robots),
            ("GET", "https://remoteok.com/api", 200, JSON_HEADERS, BODY),
        ],
    )
    content = tmp_path / "content"
    result = crawl(cassette, content)
    assert stat(result.stderr, "robotstxt/response_status_count/200") == 1
    if allowed:
        assert result.returncode == 0, result.stderr[-3000:]
        assert stat(result.stderr, "vcr/played") == 2
        assert posts(content) == ["post-5.md"]
    else:
        assert result.returncode != 0
        assert failure_line(result.stderr).endswith("read no job records from the board")
        assert stat(result.stderr, "robotstxt/forbidden") == 1
        assert stat(result.stderr, "vcr/played") == 1
        assert posts(content) == []


# 6. configuration errors -------------------------------------------------------------------


def test_missing_cassette_in_mode_none_fails_naming_the_file(tmp_path):
    cassette = tmp_path / "no-such-cassette.yaml"
    result = crawl(cassette, tmp_path / "c")
    assert result.returncode != 0
    line = failure_line(result.stderr)
    assert str(cassette) in line
    assert "does not exist" in line
    assert not cassette.exists()
    assert posts(tmp_path / "c") == []


@pytest.mark.parametrize("mode", ["sometimes", "NONE", "any"])
def test_invalid_record_mode_fails(tmp_path, mode):
    cassette = shutil.copy(API_CASSETTE, tmp_path / "api.yaml")
    result = crawl(cassette, tmp_path / "c", mode=mode)
    assert result.returncode != 0
    line = failure_line(result.stderr)
    assert "VCR_RECORD_MODE must be one of all|new_episodes|none|once" in line
    assert repr(mode) in line
    assert posts(tmp_path / "c") == []
    assert Path(cassette).read_bytes() == API_CASSETTE.read_bytes()


# 7. record modes new_episodes and all ------------------------------------------------------


ROUTES = ["/api", "/robots.txt"]
ROUTES_THEN_JOBS = ["/robots.txt", "/api", "/jobs"]


def stale_cassette(path: Path, board: LocalBoard) -> None:
    """A cassette of ``board`` recorded earlier: robots.txt, and /api when job 7 was listed."""
    save_cassette(
        path,
        [
            ("GET", board.url("/robots.txt"), 200, ROBOTS_HEADERS, ROBOTS),
            ("GET", board.url("/api"), 200, JSON_HEADERS, STALE_BODY),
        ],
    )


def test_new_episodes_replays_known_requests_and_appends_new_ones(board_factory, tmp_path):
    board = board_factory({"/jobs": (BODY, "application/json")})
    cassette = tmp_path / "cassette.yaml"
    stale_cassette(cassette, board)
    before = interactions(cassette)
    content = tmp_path / "content"
    result = crawl(cassette, content, url=board.url("/jobs"), mode="new_episodes")
    assert result.returncode == 0, result.stderr[-3000:]
    assert board.paths() == ["/jobs"]  # robots.txt came from the cassette
    assert stat(result.stderr, "vcr/played") == 1
    assert stat(result.stderr, "vcr/recorded") == 1
    after = interactions(cassette)
    assert after[:2] == before
    assert [i["request"]["uri"] for i in after] == [board.url(p) for p in ROUTES_THEN_JOBS]
    assert body_bytes(after[2]) == BODY
    assert posts(content) == ["post-5.md"]


def test_all_rerecords_every_request(board_factory, tmp_path):
    board = board_factory()
    cassette = tmp_path / "cassette.yaml"
    stale_cassette(cassette, board)
    content = tmp_path / "content"
    result = crawl(cassette, content, url=board.url("/api"), mode="all")
    assert result.returncode == 0, result.stderr[-3000:]
    assert board.paths() == ["/robots.txt", "/api"]
    assert stat(result.stderr, "vcr/played") is None
    assert stat(result.stderr, "vcr/recorded") == 2
    assert posts(content) == ["post-5.md"]  # the live job, not the stale job 7
    after = interactions(cassette)
    assert sorted(i["request"]["uri"] for i in after) == [board.url(p) for p in ROUTES]
    (api,) = (i for i in after if i["request"]["uri"] == board.url("/api"))
    assert body_bytes(api) == BODY


# 8. the helpers ----------------------------------------------------------------------------


def test_to_vcr_request():
    request = Request(
        "https://remoteok.com/api?b=2&a=1",
        method="POST",
        body=b'{"q": 1}',
        headers={"Accept": ["text/html", "application/json"], "User-Agent": "jobscrape"},
    )
    recorded = to_vcr_request(request)
    assert isinstance(recorded, VcrRequest)
    assert recorded.method == "POST"
    assert recorded.uri == "https://remoteok.com/api?b=2&a=1"
    assert recorded.body == b'{"q": 1}'
    assert recorded.headers["Accept"] == "text/html, application/json"
    assert recorded.headers["user-agent"] == "jobscrape"
    # it matches what vcrpy records around requests, whatever the headers and query order
    as_requests = VcrRequest("POST", "https://remoteok.com/api?a=1&b=2", None, {"X": "y"})
    assert all(matcher(recorded, as_requests) is None for matcher in MATCH_ON)


def test_to_vcr_request_without_body():
    recorded = to_vcr_request(Request("https://remoteok.com/api"))
    assert recorded.method == "GET"
    assert recorded.body is None
    assert dict(recorded.headers) == {}


def test_from_vcr_response_str_body():
    request = Request("https://remoteok.com/api")
    recorded = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Content-Type": ["application/json; charset=utf-8"]},
        "body": {"string": '[{"company": "Café"}]'},
    }
    response = from_vcr_response(recorded, request)
    assert isinstance(response, TextResponse)
    assert response.body == '[{"company": "Café"}]'.encode()
    assert response.json() == [{"company": "Café"}]
    assert response.url == request.url
    assert response.request is request
    assert response.status == 200
    assert "cassette" in response.flags


def test_from_vcr_response_bytes_body_and_header_lists():
    body = b"\x89PNG\r\n\x1a\n\x00\xff"
    recorded = {
        "status": {"code": "404", "message": "Not Found"},
        "headers": {
            "Content-Type": ["image/png"],
            "Vary": ["Accept", "Accept-Encoding"],
            "X-Single": "one",
            "X-Number": [3],
        },
        "body": {"string": body},
    }
    response = from_vcr_response(recorded, Request("https://remoteok.com/logo.png"))
    assert type(response) is Response
    assert response.body == body
    assert response.status == 404
    assert response.headers.getlist("Vary") == [b"Accept", b"Accept-Encoding"]
    assert response.headers.getlist("X-Single") == [b"one"]
    assert response.headers.getlist("X-Number") == [b"3"]


def test_from_vcr_response_without_body_headers_or_status():
    response = from_vcr_response({"body": {"string": None}}, Request("https://remoteok.com/"))
    assert response.body == b""
    assert response.status == 200
    assert not response.headers
    html = from_vcr_response(
        {"headers": {"Content-Type": ["text/html"]}, "body": {"string": "<p>x</p>"}},
        Request("https://remoteok.com/"),
    )
    assert isinstance(html, HtmlResponse)


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "zstd"])
def test_from_vcr_response_content_encoding(encoding):
    request = Request("https://remoteok.com/api")
    headers = {"Content-Type": ["application/json"], "Content-Encoding": [encoding]}
    compressed = compress(BODY, encoding)
    # the bytes of the wire: left for HttpCompressionMiddleware to decode
    wire = from_vcr_response({"headers": headers, "body": {"string": compressed}}, request)
    assert wire.headers.getlist("Content-Encoding") == [encoding.encode()]
    assert wire.body == compressed
    # stored decoded under the server's header (vcrpy under urllib3 2): the header goes
    decoded = from_vcr_response({"headers": headers, "body": {"string": BODY}}, request)
    assert "Content-Encoding" not in decoded.headers
    assert decoded.body == BODY


def test_from_vcr_response_keeps_encodings_it_cannot_check():
    headers = {"Content-Encoding": ["compress"]}
    response = from_vcr_response(
        {"headers": headers, "body": {"string": BODY}}, Request("https://remoteok.com/api")
    )
    assert response.headers.getlist("Content-Encoding") == [b"compress"]
    empty = from_vcr_response(
        {"headers": {"Content-Encoding": ["gzip"]}}, Request("https://remoteok.com/api")
    )
    assert empty.headers.getlist("Content-Encoding") == [b"gzip"]


def test_to_vcr_response_round_trip():
    request = Request("https://remoteok.com/api")
    original = Response(
        "https://remoteok.com/api",
        status=201,
        headers=Headers({"Content-Type": "application/json", "Vary": ["A", "B"]}),
        body=compress(BODY, "gzip"),
        request=request,
    )
    recorded = to_vcr_response(original)
    assert recorded["status"] == {"code": 201, "message": "Created"}
    assert recorded["headers"]["Vary"] == ["A", "B"]
    assert recorded["body"]["string"] == original.body
    replayed = from_vcr_response(recorded, request)
    assert replayed.status == 201
    assert replayed.body == original.body
    assert replayed.headers.getlist("Vary") == [b"A", b"B"]
    assert to_vcr_response(Response("https://x.example/", status=299))["status"]["message"] == ""


def test_strip_request_secrets():
    request = VcrRequest(
        "GET",
        "https://remoteok.com/api",
        None,
        {
            "authorization": "Bearer s",
            "Proxy-Authorization": "Basic s",
            "COOKIE": "a=b",
            "Accept": "application/json",
        },
    )
    assert strip_request_secrets(request) is request
    assert dict(request.headers) == {"Accept": "application/json"}
    assert strip_request_secrets(request).headers == {"Accept": "application/json"}


def test_strip_response_secrets():
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {
            "Set-Cookie": ["a=b"],
            "set-cookie2": ["c=d"],
            "SET-COOKIE": ["e=f"],
            "Content-Type": ["text/plain"],
            "X-Cookie-Policy": ["kept"],
        },
        "body": {"string": b"x"},
    }
    assert strip_response_secrets(response) is response
    assert response["headers"] == {"Content-Type": ["text/plain"], "X-Cookie-Policy": ["kept"]}
    assert response["body"] == {"string": b"x"}
    assert strip_response_secrets({"body": {"string": b""}}) == {"body": {"string": b""}}
    assert strip_response_secrets({"headers": None}) == {"headers": None}


# the middleware in-process -----------------------------------------------------------------


def middleware(cassette: Path | str, mode: str = "none") -> VcrReplayMiddleware:
    crawler = make_crawler(RemoteokSpider, VCR_CASSETTE=str(cassette), VCR_RECORD_MODE=mode)
    return VcrReplayMiddleware.from_crawler(crawler)


def test_middleware_is_off_without_a_cassette():
    with pytest.raises(NotConfigured):
        VcrReplayMiddleware.from_crawler(make_crawler(RemoteokSpider, VCR_CASSETTE=""))


def test_middleware_plays_matching_requests(tmp_path):
    cassette = tmp_path / "c.yaml"
    save_cassette(cassette, [("GET", "https://remoteok.com/api?a=1&b=2", 200, JSON_HEADERS, BODY)])
    mw = middleware(cassette)
    request = Request("https://remoteok.com/api?b=2&a=1", headers={"Authorization": "x"})
    for _ in range(2):  # repeats are allowed
        response = mw.process_request(request)
        assert isinstance(response, TextResponse)
        assert response.json() == RECORDS
        assert mw.process_response(request, response) is response
    assert mw.crawler.stats.get_value("vcr/played") == 2
    assert request.headers[b"Authorization"] == b"x"  # the outgoing request is left alone
    assert len(mw.cassette) == 1


def test_middleware_refuses_what_the_cassette_lacks(tmp_path):
    cassette = tmp_path / "c.yaml"
    save_cassette(cassette, [("GET", "https://remoteok.com/api", 200, JSON_HEADERS, BODY)])
    mw = middleware(cassette)
    for url in ("https://remoteok.com/api?page=2", "https://remoteok.com/api/"):
        with pytest.raises(IgnoreRequest, match="not in cassette"):
            mw.process_request(Request(url))
    with pytest.raises(IgnoreRequest):
        mw.process_request(Request("https://remoteok.com/api", method="POST"))
    stats = mw.crawler.stats
    assert stats.get_value("vcr/missing") == 3
    assert stats.get_value("vcr/first_missing") == "GET https://remoteok.com/api?page=2"
    robots = mw.process_request(Request("https://remoteok.com/robots.txt"))
    assert robots.status == 404
    assert stats.get_value("vcr/robots_missing") == 1


def test_middleware_records_in_once_mode_and_saves_on_close(tmp_path):
    cassette = tmp_path / "new.yaml"
    mw = middleware(cassette, "once")
    request = Request("https://remoteok.com/api", headers={"Cookie": "a=b"})
    assert mw.process_request(request) is None  # goes to the network
    headers = {"Set-Cookie": "s=1", "Content-Type": "application/json"}
    live = Response(request.url, headers=headers, body=BODY, request=request)
    assert mw.process_response(request, live) is live
    assert "vcr_request" not in request.meta
    assert not cassette.exists()
    mw.spider_closed()
    (interaction,) = interactions(cassette)
    assert interaction["request"]["uri"] == "https://remoteok.com/api"
    assert interaction["request"]["headers"] == {}
    assert interaction["response"]["headers"] == {"Content-Type": ["application/json"]}
    assert body_bytes(interaction) == BODY
    assert mw.crawler.stats.get_value("vcr/recorded") == 1
