"""The pipeline worker: the last pipelines run in a second process give the very posts, stats
and drops the crawl's own process gives, and a worker that dies loses no posting."""

from __future__ import annotations

import ast
import logging
import os
import re
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.settings import Settings

from jobscrape.items import JobPosting
from jobscrape.pipelines import PostingDropped, PostingPipeline
from jobscrape.pipelines.sanitize_html import SanitizeHtmlPipeline
from jobscrape.pipelines.worker import RecordedLogs, WorkerCrawler, _outcome, apply
from tests.conftest import run_crawl, snapshot
from tests.test_hostile_input import (
    HOSTILE_BODY,
    builder,
    crawl_with_cassette,
    remoteok_record,
)

WORKER_OFF = ("-s", "PIPELINE_WORKER=False")
WORKER_FIRST = ("-s", "PIPELINE_WORKER_AFTER=0")  # from the first posting on
KILL_AT = "1130790"


class KillWorkerAt(PostingPipeline):
    """A last pipeline that ends the worker process at one posting (the crawl's own process
    runs it unharmed)."""

    in_worker = True

    def process_item(self, item: JobPosting) -> JobPosting:
        if isinstance(self.crawler, WorkerCrawler) and item.source_id == KILL_AT:
            os._exit(3)
        return item


class FailsInWorker(PostingPipeline):
    """A last pipeline that cannot be built in the worker."""

    in_worker = True

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        if isinstance(crawler, WorkerCrawler):
            raise RuntimeError("not here")

    def process_item(self, item: JobPosting) -> JobPosting:
        return item


class PrintsInWorker(PostingPipeline):
    """A last pipeline that prints, as a careless one might."""

    in_worker = True

    def process_item(self, item: JobPosting) -> JobPosting:
        print(f"looking at {item.source_id}")
        return item


class DropInWorker(PostingPipeline):
    """Drops one posting with the project's rule (counted, logged); logs another."""

    in_worker = True

    def process_item(self, item: JobPosting) -> JobPosting:
        if item.source_id == "1130782":
            self.drop(item, "worker_rule", "dropped by a last pipeline")
        if item.source_id == "1130783":
            logging.getLogger("tests.worker").warning("looked at %s", item.source_id)
        return item


def records() -> list[dict[str, Any]]:
    """Forty records of every kind the tail handles: clean, hostile markup, mojibake, tags."""
    found = []
    for n in range(1, 41):
        record = remoteok_record(n)
        if n % 3 == 0:
            record["description"] = HOSTILE_BODY + f"<p>job {n}</p>"
        if n % 5 == 0:
            record["description"] = "CafÃ© {{ .Site }} <b>bold</b> ]( javascript:x)"
        if n % 7 == 0:
            record["tags"] = ["Python", "python", " ", "<b>Go</b>", "x" * 300]
        found.append(record)
    return found


def crawl(tmp_path: Path, name: str, *args: str) -> tuple[Any, Path]:
    build = builder("remoteok")
    answer = ("GET", "https://remoteok.com/api", 200, build.JSON_HEADERS,
              build.php_json([build.LEGAL, *records()]))  # fmt: skip
    home = tmp_path / name
    home.mkdir()
    result, content, _, _ = crawl_with_cassette(home, "remoteok", [build.ROBOTS, answer], *args)
    return result, content


def dumped_stats(stderr: str) -> dict[str, Any]:
    """The stats Scrapy dumps at the end of a run."""
    match = re.search(r"Dumping Scrapy stats:\n(\{.*?\})\n", stderr, re.S)
    assert match, stderr[-3000:]
    text = re.sub(r"datetime\.datetime\([^)]*\)", "None", match.group(1))
    return ast.literal_eval(text)


def project_pipelines(**extra: int) -> tuple[str, str]:
    from jobscrape import settings

    pipelines = {**settings.ITEM_PIPELINES, **extra}
    return ("-s", "ITEM_PIPELINES=" + repr(pipelines).replace("'", '"'))


def crawl_both(tmp_path: Path, *args: str) -> tuple[Any, Any, dict[str, bytes]]:
    """The same crawl without the worker and with it from the first posting: both exit 0 and
    write the very same posts. Their results and the posts."""
    here, here_content = crawl(tmp_path, "here", *WORKER_OFF, *args)
    there, there_content = crawl(tmp_path, "there", *WORKER_FIRST, *args)
    assert here.returncode == 0, here.stderr[-3000:]
    assert there.returncode == 0, there.stderr[-3000:]
    posts = snapshot(there_content)
    assert posts == snapshot(here_content)
    return here, there, posts


def test_the_worker_writes_the_posts_and_counts_the_stats_of_the_crawls_own_process(tmp_path):
    here, there, posts = crawl_both(tmp_path)
    assert len(posts) == 41  # forty jobs and the existing post
    here_stats, there_stats = dumped_stats(here.stderr), dumped_stats(there.stderr)
    assert there_stats["jobscrape/pipeline_worker/postings"] == 40
    assert "jobscrape/pipeline_worker/postings" not in here_stats
    for key in ("jobscrape/sanitized/cleaned", "jobscrape/posts/new", "item_scraped_count"):
        assert there_stats[key] == here_stats[key], key
    assert there_stats["jobscrape/sanitized/cleaned"] >= 13  # the hostile and the mojibake ones


def test_drops_and_log_lines_of_the_worker_reach_the_crawl(tmp_path):
    here, there, posts = crawl_both(
        tmp_path, *project_pipelines(**{f"{__name__}.DropInWorker": 900})
    )
    assert "post-1130782.md" not in posts and len(posts) == 40
    for result in (here, there):
        stats = dumped_stats(result.stderr)
        assert stats["jobscrape/dropped/worker_rule"] == 1
        assert stats["item_dropped_count"] == 1
        assert "remoteok:1130782" in result.stderr and "worker_rule" in result.stderr
        assert "looked at 1130783" in result.stderr
    assert dumped_stats(there.stderr)["jobscrape/pipeline_worker/postings"] == 40


def test_a_worker_that_dies_loses_no_posting(tmp_path):
    _, there, posts = crawl_both(tmp_path, *project_pipelines(**{f"{__name__}.KillWorkerAt": 900}))
    assert len(posts) == 41
    assert "The pipeline worker stopped (it ended (exit status 3))" in there.stderr
    # the postings it held ran in the crawl's process; the batches before it counted
    assert dumped_stats(there.stderr).get("jobscrape/pipeline_worker/postings", 0) < 40


def test_a_worker_that_cannot_start_leaves_the_postings_to_the_crawl(tmp_path):
    _, there, posts = crawl_both(tmp_path, *project_pipelines(**{f"{__name__}.FailsInWorker": 900}))
    assert len(posts) == 41
    assert "it could not build the pipelines: RuntimeError('not here')" in there.stderr
    assert "jobscrape/pipeline_worker/postings" not in dumped_stats(there.stderr)


def test_a_pipeline_printing_in_the_worker_does_not_garble_its_answers(tmp_path):
    _, there, posts = crawl_both(
        tmp_path, *project_pipelines(**{f"{__name__}.PrintsInWorker": 900})
    )
    assert len(posts) == 41
    assert dumped_stats(there.stderr)["jobscrape/pipeline_worker/postings"] == 40
    assert "looking at 1130790" in there.stderr  # printed to the worker's stderr


def test_a_job_dropped_in_the_worker_keeps_its_post(tmp_path):
    first, content = crawl(tmp_path, "site", *WORKER_OFF)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "expiryDate" not in (content / "post-1130782.md").read_text()
    # the same answer again, a render setting changed (every record processed again), and
    # one record now breaking a rule in the worker: its job is still listed, its post stays
    drop = project_pipelines(**{f"{__name__}.DropInWorker": 900})
    again = run_crawl(
        "remoteok", "-s", f"VCR_CASSETTE={tmp_path / 'site' / 'cassettes' / 'remoteok.yaml'}",
        "-s", f"CONTENT_DIR={content}", "-s", "MAX_TAGS=29", *WORKER_FIRST, *drop,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr[-3000:]
    assert dumped_stats(again.stderr)["jobscrape/dropped/worker_rule"] == 1
    assert "expiryDate" not in (content / "post-1130782.md").read_text()
    assert "expiryDate" not in (content / "post-1130781.md").read_text()


# -- the worker's side, in this process ---------------------------------------------------------


def worker_pipelines(*classes: type) -> tuple[WorkerCrawler, list[Any], RecordedLogs]:
    crawler = WorkerCrawler(Settings({"POST_EXTRA_FIELDS": []}))
    logs = RecordedLogs()
    return crawler, [cls(crawler).process_item for cls in classes], logs


def test_an_outcome_holds_the_changed_fields_and_what_was_counted():
    crawler, methods, logs = worker_pipelines(SanitizeHtmlPipeline)
    posting = JobPosting(source="remoteok", source_id="7", slug="post-7", body=HOSTILE_BODY)
    outcome = _outcome(posting, methods, crawler, logs)
    assert outcome[0] == "ok"
    changed = outcome[1]
    assert changed["body"] == "<p>Hello</p><a>x</a>" and changed["body_cleaned"] is True
    assert "source_id" not in changed  # what no pipeline set is not sent back
    assert outcome[2] == [("inc_value", ("jobscrape/sanitized/cleaned", 1, 0))]

    class Stats:
        def __init__(self) -> None:
            self.counted: dict[str, int] = {}

        def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
            self.counted[key] = self.counted.get(key, start) + count

    stats = Stats()
    original = JobPosting(source="remoteok", source_id="7", slug="post-7", body=HOSTILE_BODY)
    assert apply(outcome, original, stats) is original
    assert original.body == "<p>Hello</p><a>x</a>" and original.body_cleaned
    assert stats.counted == {"jobscrape/sanitized/cleaned": 1}


def test_an_outcome_carries_a_drop_and_an_error():
    class Drops(PostingPipeline):
        def process_item(self, item: JobPosting) -> JobPosting:
            if item.source_id == "1":
                raise DropItem("remoteok:1: no_rule", log_level="INFO")
            if item.source_id == "2":
                self.drop(item, "hard_rule", "broken")
            raise ValueError("broken")

    crawler, methods, logs = worker_pipelines(Drops)
    postings = [JobPosting(source="remoteok", source_id=n, slug=f"post-{n}") for n in "123"]
    dropped, by_rule, failed = (_outcome(p, methods, crawler, logs) for p in postings)
    assert dropped[:4] == ("drop", "remoteok:1: no_rule", "INFO", False)
    with pytest.raises(DropItem) as raised:
        apply(dropped, postings[0], None)
    assert raised.value.log_level == "INFO" and type(raised.value) is DropItem
    assert by_rule[:4] == ("drop", "remoteok:2 '': hard_rule: broken", "WARNING", True)
    assert by_rule[4] == [("inc_value", ("jobscrape/dropped/hard_rule", 1, 0))]
    with pytest.raises(PostingDropped):  # the crawl's process keeps the job's post
        apply(by_rule, postings[1], None)
    assert failed == ("error", "ValueError('broken')")


def test_the_project_runs_the_last_pipelines_in_the_worker():
    from jobscrape import settings

    order = sorted(settings.ITEM_PIPELINES, key=settings.ITEM_PIPELINES.__getitem__)
    flags = []
    for path in order:
        module, _, name = path.rpartition(".")
        flags.append(getattr(__import__(module, fromlist=[name]), name).in_worker)
    first = flags.index(True)
    assert all(flags[first:]) and not any(flags[:first])
    assert order[first:] == [
        "jobscrape.pipelines.normalize_tags.NormalizeTagsPipeline",
        "jobscrape.pipelines.parse_salary.ParseSalaryPipeline",
        "jobscrape.pipelines.choose_images.ChooseImagesPipeline",
        "jobscrape.pipelines.sanitize_html.SanitizeHtmlPipeline",
        "jobscrape.pipelines.render_post.RenderPostPipeline",
    ]
