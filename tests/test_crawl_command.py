"""The project's ``scrapy crawl``: exit codes cron can trust, nothing listening on a port."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest

from jobscrape.commands.crawl import FirstErrorHandler, failure_reason
from jobscrape.downloadermiddlewares.vcr_replay import save_cassette
from jobscrape.spiders.remoteok import RemoteokSpider
from tests.conftest import FIXTURES, REPO, make_crawler, run_crawl, snapshot

GOOD = {"finish_reason": "finished", "jobscrape/records/read": 3, "item_scraped_count": 1}


def test_a_good_run_has_no_failure_reason():
    assert failure_reason(GOOD) == ""


def test_records_read_but_all_left_out_on_purpose_is_not_a_failure():
    stats = {**GOOD, "item_scraped_count": 0, "jobscrape/skipped/not_remote": 3}
    assert failure_reason(stats) == ""


def test_records_read_but_all_dropped_by_hard_rules_is_a_failure():
    stats = {**GOOD, "item_scraped_count": 0, "jobscrape/dropped/no_date": 2,
             "jobscrape/dropped/no_title": 1}  # fmt: skip
    assert failure_reason(stats) == (
        "every job record read was dropped (2 no_date, 1 no_title): has the feed changed?"
    )
    some_left_out = {**stats, "jobscrape/skipped/not_remote": 1, "jobscrape/dropped/no_date": 1}
    assert "every job record read was dropped" in failure_reason(some_left_out)


@pytest.mark.parametrize(
    ("stats", "expected"),
    [
        ({**GOOD, "log_count/ERROR": 2}, "2 error(s) logged"),
        ({**GOOD, "log_count/CRITICAL": 1}, "1 error(s) logged"),
        ({**GOOD, "finish_reason": "shutdown"}, "'shutdown'"),
        ({**GOOD, "finish_reason": "closespider_timeout"}, "'closespider_timeout'"),
        ({"jobscrape/records/read": 3}, "not 'finished'"),
        ({"finish_reason": "finished"}, "read no job records"),
        ({**GOOD, "jobscrape/records/read": 0}, "read no job records"),
        ({**GOOD, "vcr/missing": 1, "vcr/first_missing": "GET https://x/"}, "GET https://x/"),
    ],
)
def test_failure_reasons(stats, expected):
    assert expected in failure_reason(stats)


def test_errors_hidden_by_log_level_still_count():
    handler = FirstErrorHandler()
    logger = logging.getLogger("jobscrape.test")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("bad feed")
        except ValueError:
            logger.exception("Spider error processing <GET https://x/>")
        logger.error("second")
    finally:
        logger.removeHandler(handler)
    assert handler.count == 2
    assert handler.first == "ValueError: bad feed (Spider error processing <GET https://x/>)"
    assert "bad feed" in failure_reason(GOOD, handler)


def test_no_telnet_console_no_remote_control():
    crawler = make_crawler(RemoteokSpider)
    assert not crawler.settings.getbool("TELNETCONSOLE_ENABLED")
    assert not crawler.settings.getbool("REMOTE_CONTROL_ENABLED")
    extensions = crawler.settings.getwithbase("EXTENSIONS")
    assert extensions["scrapy.extensions.telnet.TelnetConsole"] is None
    assert extensions["scrapy.extensions.remote_control.RemoteControl"] is None


def test_crawl_enables_neither_extension_and_exits_zero(tmp_path):
    result = run_crawl(
        "remoteok",
        "-s", f"VCR_CASSETTE={FIXTURES / 'remoteok' / 'remoteok.yaml'}",
        "-s", f"CONTENT_DIR={tmp_path}",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    enabled = result.stderr.split("Enabled extensions:", 1)[1].split("]", 1)[0]
    assert "TelnetConsole" not in enabled
    assert "RemoteControl" not in enabled
    assert "Telnet console listening" not in result.stderr


def test_quiet_log_level_still_fails_loudly(tmp_path):
    result = run_crawl(
        "remoteok",
        "-s", f"VCR_CASSETTE={FIXTURES / 'remoteok' / 'remoteok-error-page.yaml'}",
        "-s", f"CONTENT_DIR={tmp_path}",
        "-L", "CRITICAL",
    )  # fmt: skip
    assert result.returncode == 1
    (reason,) = result.stderr.strip().splitlines()  # the reason is the only line
    assert reason.startswith("jobscrape: crawl remoteok failed: ")
    assert "BoardResponseError" in result.stderr
    assert snapshot(tmp_path) == {}  # no post


def test_unknown_spider_fails(tmp_path):
    result = run_crawl("no-such-board", "-s", f"CONTENT_DIR={tmp_path}")
    assert result.returncode != 0
    assert "no-such-board" in result.stderr


def test_spider_list_names_remoteok():
    listed = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"], cwd=REPO, capture_output=True, text=True,
        timeout=60, check=True,
    )  # fmt: skip
    assert "remoteok" in listed.stdout.split()


def cassette_with(tmp_path, status: int, robots: bytes = b"User-agent: *\nAllow: /\n"):
    path = tmp_path / "cassette.yaml"
    text, html = {"Content-Type": ["text/plain"]}, {"Content-Type": ["text/html"]}
    save_cassette(path, [
        ("GET", "https://remoteok.com/robots.txt", 200, text, robots),
        ("GET", "https://remoteok.com/api", status, html, b"<h1>no</h1>"),
    ])  # fmt: skip
    return path


@pytest.mark.parametrize("status", [403, 404, 500])
def test_http_errors_are_named_in_the_reason(tmp_path, status):
    cassette = cassette_with(tmp_path, status)
    result = run_crawl("remoteok", "-s", f"VCR_CASSETTE={cassette}", "-s",
                       f"CONTENT_DIR={tmp_path / 'out'}", "-s", "RETRY_TIMES=0")  # fmt: skip
    assert result.returncode == 1
    reason = result.stderr.strip().splitlines()[-1]
    assert "https://remoteok.com/api" in reason
    assert str(status) in reason


def test_robots_txt_forbidding_the_feed_is_named_in_the_reason(tmp_path):
    cassette = cassette_with(tmp_path, 200, robots=b"User-agent: *\nDisallow: /api\n")
    result = run_crawl("remoteok", "-s", f"VCR_CASSETTE={cassette}", "-s",
                       f"CONTENT_DIR={tmp_path / 'out'}")  # fmt: skip
    assert result.returncode == 1
    assert "robots.txt forbids the feed" in result.stderr.strip().splitlines()[-1]


def test_a_wrong_post_extra_field_fails_at_start_with_a_clear_reason(tmp_path):
    cassette = FIXTURES / "remoteok" / "remoteok.yaml"
    result = run_crawl("remoteok", "-s", f"VCR_CASSETTE={cassette}", "-s",
                       f"CONTENT_DIR={tmp_path}", "-s", "POST_EXTRA_FIELDS=locaton")  # fmt: skip
    assert result.returncode == 1
    reason = result.stderr.strip().splitlines()[-1]
    assert "POST_EXTRA_FIELDS: locaton cannot go into a post" in reason
    assert snapshot(tmp_path) == {}  # no post


def test_crawlall_runs_every_board_and_names_the_failed_ones(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawlall", "remoteok", "remotive",
         "-s", "VCR_CASSETTE=fixtures/{spider}/{spider}.yaml", "-s", f"CONTENT_DIR={tmp_path}"],
        cwd=REPO, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    names = sorted(path.name for path in tmp_path.iterdir())
    assert "post-71285.md" in names and "post-remotive-2091001.md" in names
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawlall", "remoteok", "remotive",
         "-s", "VCR_CASSETTE=fixtures/{spider}/{spider}-malformed.yaml",
         "-s", f"CONTENT_DIR={tmp_path}"],
        cwd=REPO, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "jobscrape: crawlall: 2 of 2 sources failed: remoteok, remotive"
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == names


def test_a_feed_whose_every_record_is_dropped_fails_the_run(tmp_path):
    jobs = [{"id": n, "url": f"https://remotive.com/remote-jobs/x-{n}", "title": "",
             "publication_date": "2026-11-26T14:00:51"} for n in (1, 2)]  # fmt: skip
    cassette = tmp_path / "untitled.yaml"
    save_cassette(cassette, [
        ("GET", "https://remotive.com/api/remote-jobs", 200, {"Content-Type": ["application/json"]},
         json.dumps({"jobs": jobs}).encode()),
    ])  # fmt: skip
    result = run_crawl("remotive", "-s", f"VCR_CASSETTE={cassette}", "-s",
                       f"CONTENT_DIR={tmp_path / 'out'}")  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "jobscrape: crawl remotive failed: every job record read was dropped (2 no_title): "
        "has the feed changed?"
    )
