"""The project's ``scrapy crawl``: exit codes cron can trust, nothing listening on a port."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from jobscrape.commands.crawl import FirstErrorHandler, failure_reason
from jobscrape.spiders.remoteok import RemoteokSpider
from tests.conftest import FIXTURES, REPO, make_crawler, run_crawl

GOOD = {"finish_reason": "finished", "jobscrape/records/read": 3}


def test_a_good_run_has_no_failure_reason():
    assert failure_reason(GOOD) == ""


def test_records_read_but_all_filtered_out_is_not_a_failure():
    stats = {**GOOD, "item_dropped_count": 3, "jobscrape/dropped/no_title": 3}
    assert failure_reason(stats) == ""


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
    assert handler.first == "Spider error processing <GET https://x/>: ValueError: bad feed"
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
    assert list(tmp_path.iterdir()) == []


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
