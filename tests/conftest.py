"""Shared test helpers: paths, the real captures, offline crawls and in-process pipelines."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Request, TextResponse
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.test import get_crawler

import jobscrape.settings as project_module
from jobscrape.writer.content_dir import ContentDirectory
from jobscrape.writer.lock import STATE_DIR

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
REAL = REPO.parent / "shared" / "fixtures" / "real"
REFERENCE_POST = REPO.parent / "shared" / "reference" / "post-71285.md"
POST_KEYS = ["path", "category", "tags", "title", "date", "summary", "images"]


def require_real(path: Path) -> Path:
    """``path`` under ../shared, or skip the test when ../shared is absent (a failure when
    REQUIRE_REAL_FIXTURES=1)."""
    if not path.exists():
        if os.environ.get("REQUIRE_REAL_FIXTURES") == "1":
            pytest.fail(f"REQUIRE_REAL_FIXTURES=1 but {path} is missing")
        pytest.skip(f"{path} is absent")
    return path


def real_files(board: str) -> list[Path]:
    """Every real capture of ``board``; collected at import, so absent folders give []."""
    folder = REAL / board
    return sorted(folder.iterdir()) if folder.is_dir() else []


def project_settings(**overrides: Any) -> dict[str, Any]:
    """What jobscrape/settings.py sets, with ``overrides``."""
    values = {name: getattr(project_module, name) for name in dir(project_module) if name.isupper()}
    values.update(overrides)
    return values


def make_crawler(spidercls: type, **overrides: Any) -> Crawler:
    """A crawler of ``spidercls`` with the project's settings, not started."""
    return get_crawler(spidercls, project_settings(**overrides))


def json_response(
    url: str, body: bytes | str, content_type: str = "application/json"
) -> TextResponse:
    if isinstance(body, str):
        body = body.encode("utf-8")
    return TextResponse(
        url=url,
        body=body,
        headers={"Content-Type": content_type},
        request=Request(url),
        encoding="utf-8",
    )


@dataclass
class PipelineRun:
    """What came out of the project's pipelines."""

    kept: list[Any] = field(default_factory=list)
    dropped: list[tuple[Any, str]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)


def run_pipelines(crawler: Crawler, items: Iterable[Any]) -> PipelineRun:
    """Pass ``items`` through ITEM_PIPELINES in order, as the engine does."""
    settings = crawler.settings.getwithbase("ITEM_PIPELINES")
    order = sorted((priority, path) for path, priority in settings.items() if priority is not None)
    pipelines = [build_from_crawler(load_object(path), crawler) for _, path in order]
    run = PipelineRun()
    for item in items:
        try:
            for pipeline in pipelines:
                item = pipeline.process_item(item)
        except DropItem as drop:
            run.dropped.append((item, str(drop)))
        else:
            run.kept.append(item)
    assert crawler.stats is not None
    run.stats = dict(crawler.stats.get_stats())
    return run


def run_crawl(
    spider: str, *args: str, cwd: Path = REPO, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl SPIDER ARGS`` in a subprocess, as cron runs it."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", spider, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` with its bytes, but the run's own state folder."""
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and STATE_DIR not in path.relative_to(directory).parts
    }


def mtimes(directory: Path) -> dict[str, int]:
    """Each post of ``directory`` with its modification time (ns)."""
    return {path.name: path.stat().st_mtime_ns for path in directory.glob("*.md")}


def run_report(directory: Path) -> dict[str, Any]:
    """The run report the last run wrote into ``directory``'s state folder."""
    return json.loads((directory / STATE_DIR / "report.json").read_text())


def source_report(directory: Path, source: str | None = None) -> dict[str, Any]:
    """One source's figures of the last run (the only source when ``source`` is None)."""
    sources = run_report(directory)["sources"]
    if source is None:
        (only,) = sources
        return only
    return next(entry for entry in sources if entry["source"] == source)


def parse_feed(
    spidercls: type,
    url: str,
    body: bytes | str,
    content_type: str = "application/json",
    *,
    settings: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
    **spider_args: Any,
) -> tuple[list[Any], list[Any], Crawler]:
    """Run ``spidercls.parse`` on one response, as the crawl does (``meta`` on its request, e.g.
    the company of a platform's board): (postings, follow-up requests, crawler)."""
    crawler = make_crawler(spidercls, **(settings or {}))
    spider = spidercls.from_crawler(crawler, **spider_args)
    response = json_response(url, body, content_type)
    response = response.replace(request=Request(url, meta=meta or {}))
    postings, requests = [], []
    for output in spider.parse(response):
        (requests if isinstance(output, Request) else postings).append(output)
    return postings, requests, crawler


EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_URL = re.compile(r"""(?:href|src)\s*=\s*["']?\s*(?:javascript|data|vbscript):""", re.I)
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def assert_post_conforms(path: Path) -> frontmatter.Post:
    """A written post loads with python-frontmatter, has the seven keys in order, a date with an
    offset, clean tags, and a body with no script, event handler or script URL."""
    post = frontmatter.load(path)
    assert list(post.metadata) == POST_KEYS, path.name
    assert post["path"] == f"/{path.stem}/", path.name
    assert post["category"] in ("Remote Jobs", "Jobs")  # Jobs: not remote, kept on request
    assert isinstance(post["title"], str) and post["title"], path.name
    assert RFC3339.match(post["date"]), (path.name, post["date"])
    assert all(tag == tag.strip().lower() and tag for tag in post["tags"]), path.name
    assert len(set(post["tags"])) == len(post["tags"]), path.name
    assert all(image.startswith(("https://", "http://")) for image in post["images"])
    body = post.content.lower()
    assert "<script" not in body and "<iframe" not in body and "<style" not in body, path.name
    assert not EVENT_HANDLER.search(post.content), path.name
    assert not SCRIPT_URL.search(post.content), path.name
    return post


def crawl_board(
    board: str, out: Path, cassette: str | None = None, *args: str
) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl BOARD`` replaying ``fixtures/BOARD/CASSETTE`` (``BOARD.yaml`` by default)
    into the content directory ``out``."""
    path = FIXTURES / board / (cassette or f"{board}.yaml")
    return run_crawl(board, "-s", f"VCR_CASSETTE={path}", "-s", f"CONTENT_DIR={out}", *args)


def failed_run_keeps_posts(board: str, cassette: str, content: Path) -> str:
    """Replay a bad answer over a content directory holding yesterday's post: the run exits 1
    with a reason naming the board and touches no post. Returns the reason line."""
    content.mkdir(parents=True, exist_ok=True)
    (content / f"post-{board}-1.md").write_text("yesterday's post\n")
    before = snapshot(content)
    result = crawl_board(board, content, cassette)
    assert result.returncode == 1, result.stderr[-2000:]
    reason = result.stderr.strip().splitlines()[-1]
    assert reason.startswith(f"jobscrape: crawl {board} failed: "), reason
    assert snapshot(content) == before
    return reason


def write_posts(postings: Iterable[Any], directory: Path) -> list[frontmatter.Post]:
    """Write rendered postings as the feed's writer does; every post must conform."""
    content = ContentDirectory(directory)
    for posting in postings:
        content.write(posting.slug, posting.post_text)
    return [assert_post_conforms(path) for path in sorted(directory.glob("*.md"))]
