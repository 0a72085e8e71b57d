"""Throughput of the posting path: parse -> pipelines -> render -> atomic write.

Run: .venv/bin/python bench/bench_pipeline.py [--rounds N]

Feeds the RemoteOK spider a real capture from ../shared/fixtures/real/remoteok/ (the project's own
cassette when that is absent), runs every item pipeline and writes each post into a temporary
content directory, then times a whole offline `scrapy crawl` of the bundled cassette.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from scrapy.exceptions import DropItem
from scrapy.http import Request, TextResponse
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.test import get_crawler

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import jobscrape.settings as project_settings  # noqa: E402
from jobscrape.spiders.remoteok import RemoteokSpider  # noqa: E402
from jobscrape.writer.content_dir import ContentDirectory  # noqa: E402

REAL_REMOTEOK = REPO.parent / "shared" / "fixtures" / "real" / "remoteok"
REAL = REAL_REMOTEOK / "remoteok-com-api-2025-08-28.json"
CASSETTE = REPO / "fixtures" / "remoteok" / "remoteok.yaml"


def feed_body() -> tuple[str, bytes]:
    if REAL.exists():
        return REAL.name, REAL.read_bytes()
    data = yaml.safe_load(CASSETTE.read_text("utf-8"))
    body = data["interactions"][1]["response"]["body"]["string"]
    return CASSETTE.name, body.encode("utf-8") if isinstance(body, str) else body


def one_round(body: bytes, content: Path) -> tuple[int, int, float]:
    settings = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
    crawler = get_crawler(RemoteokSpider, settings)
    spider = RemoteokSpider.from_crawler(crawler)
    order = sorted((p, path) for path, p in crawler.settings.getwithbase("ITEM_PIPELINES").items())
    pipelines = [build_from_crawler(load_object(path), crawler) for _, path in order]
    directory = ContentDirectory(content)
    directory.ensure()
    started = time.perf_counter()
    response = TextResponse("https://remoteok.com/api", body=body, encoding="utf-8",
                            request=Request("https://remoteok.com/api"))  # fmt: skip
    read = written = 0
    for item in spider.parse(response):
        read += 1
        try:
            for pipeline in pipelines:
                item = pipeline.process_item(item)
        except DropItem:
            continue
        directory.write(item.slug, item.post_text)
        written += 1
    return read, written, time.perf_counter() - started


def crawl_seconds(*command: str) -> tuple[float, int]:
    """Seconds of one offline ``scrapy`` run, and the posts it wrote."""
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "scrapy", *command, "-s", f"CONTENT_DIR={out}", "-L", "ERROR"],
            cwd=REPO, check=True, timeout=300,
        )  # fmt: skip
        return time.perf_counter() - started, len(list(Path(out).glob("*.md")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    name, body = feed_body()
    rates = []
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as out:
            read, written, seconds = one_round(body, Path(out))
            rates.append(read / seconds)
    print(f"{name}: {read} records, {written} posts written per round, {args.rounds} rounds")
    print(f"parse+pipelines+render+write: median {statistics.median(rates):,.0f} records/s "
          f"(min {min(rates):,.0f}, max {max(rates):,.0f})")  # fmt: skip
    runs = [crawl_seconds("crawl", "remoteok", "-s", f"VCR_CASSETTE={CASSETTE}") for _ in range(3)]
    median = statistics.median(seconds for seconds, _ in runs)
    print(f"scrapy crawl remoteok (bundled cassette, offline): median {median:.2f} s")
    every = "VCR_CASSETTE=fixtures/{spider}/{spider}.yaml"
    runs = [crawl_seconds("crawlall", "-s", every) for _ in range(3)]
    median = statistics.median(seconds for seconds, _ in runs)
    print(f"scrapy crawlall (7 boards, bundled cassettes, offline): median {median:.2f} s, "
          f"{runs[0][1]} posts")  # fmt: skip


if __name__ == "__main__":
    main()
