"""The state index, post rewriting, job matching and the run report, piece by piece."""

from __future__ import annotations

import json
import logging
import sqlite3
import stat

import frontmatter
import pytest

from jobscrape.downloadermiddlewares.vcr_replay import cassette_in
from jobscrape.pipelines.dedupe_across_sources import days_apart
from jobscrape.renderer import rerender, split_post
from jobscrape.report import SourceReport, write_report
from jobscrape.text import match_key
from jobscrape.writer.lock import STATE_DIR
from jobscrape.writer.state import INDEX_FILE, LATE_INDEXES, StateIndex, has_passed
from tests.conftest import REFERENCE_POST, require_real


@pytest.fixture
def reference() -> str:
    return require_real(REFERENCE_POST).read_text("utf-8")


def test_rerender_changes_only_the_keys_asked_for(reference):
    assert rerender(reference, {}) == reference
    expired = rerender(reference, {"expiryDate": "2026-11-27T23:00:00+00:00"})
    post = frontmatter.loads(expired)
    assert list(post.metadata) == [
        "path", "category", "tags", "title", "date", "summary", "images", "expiryDate",
    ]  # fmt: skip
    assert post.content == frontmatter.loads(reference).content
    assert rerender(expired, {"expiryDate": None}) == reference
    # extra fields go before expiryDate, in POST_EXTRA_FIELDS order, as render_post writes them
    both = rerender(expired, {"sources": ["https://b.example/1"], "url": "https://a.example/1"},
                    ["url", "sources"])  # fmt: skip
    assert list(frontmatter.loads(both).metadata)[7:] == ["url", "sources", "expiryDate"]


def test_split_post_reads_hand_edited_yaml_too():
    metadata, body = split_post("---\ntitle: Plain YAML\ntags:\n  - a\n---\n\nBody\n")
    assert metadata == {"title": "Plain YAML", "tags": ["a"]} and body == "Body"
    with pytest.raises(ValueError):
        split_post("no front matter at all\n")


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("Acme, Inc.", "ACME", True),
        ("Zürich Analytics GmbH", "zürich analytics", True),
        ("Senior Engineer (Remote)", "Senior Engineer", True),
        ("Senior Engineer - Remote", "senior engineer", True),
        ("\uff33\uff45\uff4e\uff49\uff4f\uff52 Engineer", "Senior Engineer", True),  # full width
        ("Senior Engineer", "Staff Engineer", False),
        ("Co", "Co", True),  # a name that is only a suffix is kept
    ],
)
def test_match_key(first, second, same):
    assert (match_key(first) == match_key(second)) is same
    assert match_key(first)


def test_days_apart_and_has_passed():
    assert days_apart("2026-11-01T00:00:00+00:00", "2026-11-29T10:00:00-05:00") == 28 + 15 / 24
    assert days_apart("", "2026-11-01T00:00:00+00:00") is None
    assert has_passed("2020-01-01T00:00:00+00:00", "2026-11-27T00:00:00+00:00")
    assert not has_passed("2030-01-01T00:00:00+00:00", "2026-11-27T00:00:00+00:00")
    assert not has_passed("soon", "2026-11-27T00:00:00+00:00")


def write_post(directory, slug, **metadata):
    post = frontmatter.Post("<p>body</p>", **{"path": f"/{slug}/", **metadata})
    (directory / f"{slug}.md").write_text(frontmatter.dumps(post) + "\n", "utf-8")


def test_a_missing_index_is_rebuilt_from_the_posts(tmp_path, caplog):
    write_post(tmp_path, "post-1", title="Backend Engineer (Remote)", summary="Acme, Inc.",
               date="2026-11-20T10:00:00+00:00", expiryDate="2026-11-25T00:00:00+00:00",
               sources=["https://b.example/1"])  # fmt: skip
    write_post(tmp_path, "post-2", title="Designer", summary="Initech")
    (tmp_path / "post-3.md").write_text("not a post\n")
    with caplog.at_level(logging.WARNING):
        index = StateIndex(tmp_path)
    try:
        assert index.rebuilt == 2
        assert "rebuilt it from the 2 post(s)" in caplog.text
        assert "post-3.md" in caplog.text  # unreadable: named, left alone
        first = index.get("post-1")
        assert first is not None
        assert (first.company_key, first.title_key) == ("acme", "backend engineer")
        assert first.expired_at == "2026-11-25T00:00:00+00:00"
        assert first.other_sources == ["https://b.example/1"]
        assert first.listing is None and first.last_seen is None  # until a run sees it again
        assert [match.slug for match in index.matches("acme", "backend engineer")] == ["post-1"]
    finally:
        index.close()


def test_an_unreadable_or_foreign_index_is_kept_aside_and_rebuilt(tmp_path, caplog):
    write_post(tmp_path, "post-1", title="Designer", summary="Initech")
    (tmp_path / STATE_DIR).mkdir()
    path = tmp_path / STATE_DIR / INDEX_FILE
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    with caplog.at_level(logging.WARNING):
        StateIndex(tmp_path).close()
    assert "unreadable" in caplog.text and "post(s)" in caplog.text
    assert (tmp_path / STATE_DIR / f"{INDEX_FILE}.corrupt").exists()
    # a database of another schema version is rebuilt as well
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        index = StateIndex(tmp_path)
    assert "schema version 99" in caplog.text
    assert index.get("post-1") is not None
    index.close()


def test_a_new_empty_directory_opens_without_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        StateIndex(tmp_path / "content").close()
    assert caplog.text == ""


def test_the_report_line_and_file(tmp_path):
    stats = {"jobscrape/posts/new": 3, "jobscrape/posts/unchanged": 40,
             "jobscrape/posts/expired": 2, "jobscrape/dropped/no_title": 1,
             "jobscrape/dropped/duplicate": 1, "downloader/request_count": 2,
             "elapsed_time_seconds": 1.4321, "log_count/ERROR": 0}  # fmt: skip
    ok = SourceReport.from_stats("remoteok", stats, "")
    assert ok.line() == (
        "remoteok: ok, 3 new, 0 updated, 40 unchanged, 2 expired, 2 dropped, 0 errors, "
        "2 requests, 1.43 s"
    )
    failed = SourceReport.from_stats("remotive", {"log_count/ERROR": 1}, "1 error(s) logged")
    assert failed.line().startswith("remotive: FAILED, 0 new") and failed.line().endswith(
        "(1 error(s) logged)"
    )
    path = tmp_path / "state" / "report.json"
    write_report(path, [ok, failed], started="2026-11-27T00:00:00+00:00", finished="later")
    report = json.loads(path.read_text())
    assert report["ok"] is False and report["failed"] == ["remotive"]
    assert report["sources"][0]["unchanged"] == 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["report.json"]  # no temp file left


def test_cassette_dir_finds_flat_and_per_board_cassettes(tmp_path):
    (tmp_path / "remotive.yaml").write_text("")
    (tmp_path / "remoteok").mkdir()
    (tmp_path / "remoteok" / "remoteok.yaml").write_text("")
    assert cassette_in(tmp_path, "remotive") == tmp_path / "remotive.yaml"
    assert cassette_in(tmp_path, "remoteok") == tmp_path / "remoteok" / "remoteok.yaml"
    assert cassette_in(tmp_path, "jobicy") == tmp_path / "jobicy.yaml"  # missing: named


def test_a_post_the_rebuild_cannot_read_is_skipped_and_the_rest_indexed(tmp_path, caplog):
    write_post(tmp_path, "post-1", title="Designer", summary="Initech")
    (tmp_path / "post-2.md").write_text("---\ntitle: Old job: edited\n---\n\nbody\n")
    (tmp_path / "post-3.md").write_bytes(b"---\ntitle: \xff\xfe\n---\n")
    with caplog.at_level(logging.WARNING):
        index = StateIndex(tmp_path)
    assert index.rebuilt == 1 and index.get("post-1") is not None
    assert "post-2.md" in caplog.text and "post-3.md" in caplog.text
    index.close()
    # the rebuild finished: the next opening finds a current index, no second rebuild
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        StateIndex(tmp_path).close()
    assert caplog.text == ""


def test_crawlall_reports_a_source_killed_before_it_finished():
    from jobscrape.commands.crawlall import Sequence

    sequence = Sequence(None, ["remotive", "remoteok"], [])  # type: ignore[arg-type]
    sequence.queue.pop(0)
    sequence.running = "remotive"  # a second SIGTERM stopped the reactor mid-source
    report = sequence.finish()
    assert [(source.source, source.ok) for source in report] == [
        ("remotive", False), ("remoteok", False),
    ]  # fmt: skip
    assert report[0].reason.startswith("interrupted")


def record(index: StateIndex, slug: str, **fields: str) -> None:
    values = {
        "source": "remoteok", "source_id": slug, "listing": "remoteok", "url": "",
        "hash_": "h", "seen": "2026-11-28T00:00:00", "expires": "", "expired_at": "",
        "posted": "2026-11-28T00:00:00+00:00", "company_key": "acme", "title_key": "dev",
    }  # fmt: skip
    index.record_post(slug, **{**values, **fields})


def test_look_ups_of_new_jobs_skip_the_query_and_still_find_every_row(tmp_path):
    index = StateIndex(tmp_path)
    try:
        record(index, "post-1", source_hash="s1", record_hash="r1")
        index.commit()
    finally:
        index.close()
    index = StateIndex(tmp_path)  # rows of an earlier run, read at the first look-up
    try:
        statements: list[str] = []
        index.db.set_trace_callback(statements.append)
        # a new job: its slug, record and company and title are in no row
        assert index.get("post-2") is None
        assert index.made_from("post-2", "s2", "remoteok") is None
        assert index.made_from_record("r2", "remoteok") is None
        assert index.matches("initech", "designer") == []
        assert index.case_twin("post-2") is None
        assert len(statements) == 1  # only the first look-up read the index
        # what an earlier run wrote is found
        assert index.get("post-1") is not None
        assert index.made_from("post-1", "s1", "remoteok") == ("h", "")
        assert index.made_from_record("r1", "remoteok") == ("post-1", "h", "")
        assert [match.slug for match in index.matches("acme", "dev")] == ["post-1"]
        # and what this run writes, at once
        record(index, "Post-3", source_hash="s3", record_hash="r3", company_key="initech",
               title_key="designer")  # fmt: skip
        assert index.get("Post-3") is not None
        assert index.case_twin("post-3") == "Post-3"
        assert index.made_from_record("r3", "remoteok") == ("Post-3", "h", "")
        assert [match.slug for match in index.matches("initech", "designer")] == ["Post-3"]
    finally:
        index.close()


def late_indexes(index: StateIndex) -> set[str]:
    names = {row[0] for row in index.db.execute("SELECT name FROM sqlite_master")}
    return names & LATE_INDEXES.keys()


def test_a_new_index_is_filled_without_its_late_indexes_and_answers_the_same(tmp_path):
    index = StateIndex(tmp_path)
    try:
        assert late_indexes(index) == set()
        for number in range(1, 301):
            record(index, f"post-{number}", record_hash=f"r{number}",
                   listing="remoteok" if number % 3 else "other")  # fmt: skip
        record(index, "Post-301", record_hash="r301")
        index.commit()
        assert late_indexes(index) == set()  # rows alone, while the run fills it
        # the rare look-ups read the table meanwhile, and find the same rows
        assert index.made_from_record("r7", "remoteok") == ("post-7", "h", "")
        assert index.made_from_record("r9", "remoteok") is None  # post-9 is another listing's
        assert index.case_twin("post-301") == "Post-301"
        statements: list[str] = []
        index.db.set_trace_callback(statements.append)
        assert index.seen_count("remoteok", "2026-11-28T00:00:00") == 201  # a question by listing
        assert late_indexes(index) == LATE_INDEXES.keys()
        assert sum(statement.startswith("CREATE INDEX") for statement in statements) == 3
        plan = " ".join(
            str(row[-1]) for row in index.db.execute(
                "EXPLAIN QUERY PLAN SELECT slug FROM posts WHERE record_hash = ?", ("r7",)
            )
        )  # fmt: skip
        assert "USING INDEX posts_record" in plan
        assert index.made_from_record("r7", "remoteok") == ("post-7", "h", "")
        index.seen_count("remoteok", "2026-11-28T00:00:00")
        assert sum(statement.startswith("CREATE INDEX") for statement in statements) == 3  # once
    finally:
        index.close()


def test_late_indexes_are_built_when_the_index_closes_and_after_a_killed_fill(tmp_path):
    index = StateIndex(tmp_path)
    record(index, "post-1", record_hash="r1")
    index.close()  # no question by listing: built on closing
    index = StateIndex(tmp_path)
    try:
        assert late_indexes(index) == LATE_INDEXES.keys()
    finally:
        index.close()
    # a run killed while it filled a new index committed rows, and no late index
    killed = StateIndex(tmp_path / "killed")
    record(killed, "post-1", record_hash="r1")
    killed.commit()
    assert late_indexes(killed) == set()
    killed.db.close()
    StateIndex._open.pop(killed.root, None)
    index = StateIndex(tmp_path / "killed")
    try:
        assert late_indexes(index) == LATE_INDEXES.keys()
        assert index.made_from_record("r1", "remoteok") == ("post-1", "h", "")
    finally:
        index.close()
