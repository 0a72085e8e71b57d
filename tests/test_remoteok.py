"""RemoteOK spider: every era of the API, its quirks, and the real crawl end to end."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import frontmatter
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from jobscrape.spiders.base import BoardResponseError
from jobscrape.spiders.remoteok import RemoteokSpider, _description
from tests.conftest import (
    FIXTURES,
    POST_KEYS,
    REAL,
    REFERENCE_POST,
    json_response,
    make_crawler,
    require_real,
    run_crawl,
    run_pipelines,
    snapshot,
)

API = "https://remoteok.com/api"
CASSETTES = FIXTURES / "remoteok"
GOLDEN = Path(__file__).parent / "golden"


def real_body(name: str) -> bytes:
    """The API body of a real capture: a JSON/HTML file, or the body of a go-vcr cassette."""
    path = require_real(REAL / "remoteok" / name)
    if name.endswith(".vcr.yaml"):
        cassette = yaml.safe_load(path.read_text("utf-8"))
        return cassette["interactions"][0]["response"]["body"].encode("utf-8")
    return path.read_bytes()


def cassette_body(cassette: str = "remoteok.yaml") -> bytes:
    data = yaml.safe_load((CASSETTES / cassette).read_text("utf-8"))
    (api,) = [i for i in data["interactions"] if i["request"]["uri"] == API]
    body = api["response"]["body"]["string"]
    return body.encode("utf-8") if isinstance(body, str) else body


def parse(body: bytes, url: str = API, content_type: str = "application/json"):
    crawler = make_crawler(RemoteokSpider)
    spider = RemoteokSpider.from_crawler(crawler)
    postings = list(spider.parse(json_response(url, body, content_type)))
    assert crawler.stats is not None
    return postings, crawler


# eras of the API -----------------------------------------------------------------------

ERAS = [
    # file, job records (PROVENANCE.md), keys of element 0 when it is a notice
    ("remoteok-io-api-2017-05-30.json", 289, None),
    ("remoteok-io-api-2020-10-06.json", 302, {"legal"}),
    ("remoteok-io-api-2020-10-26-7jobs.json", 7, {"legal"}),
    ("remoteok-io-api-2021-01-23.json", 276, {"legal", "explanation"}),
    ("remoteok-io-api-2021-03-18-3jobs.json", 3, {"legal", "explanation"}),
    ("remoteok-com-api-2024-12-04.vcr.yaml", 98, {"last_updated", "legal"}),
    ("remoteok-com-api-2025-08-28.json", 97, {"last_updated", "legal"}),
    ("remoteok-com-api-2026-03-17.json", 97, {"last_updated", "legal"}),
]


@pytest.mark.parametrize(("name", "records", "notice_keys"), ERAS)
def test_every_era_yields_every_job_record(name, records, notice_keys):
    body = real_body(name)
    feed = json.loads(body)
    if notice_keys is None:
        assert "id" in feed[0]
    else:
        assert set(feed[0]) == notice_keys
    postings, crawler = parse(body)
    assert len(postings) == records
    assert crawler.stats.get_value("jobscrape/records/read") == records
    assert all(p.source == "remoteok" and p.slug == f"post-{p.source_id}" for p in postings)
    ids = {str(job["id"]) for job in feed if "id" in job}
    assert {p.source_id for p in postings} == ids


def test_2017_era_strings_logo_and_sparse_array_tags():
    postings, _ = parse(real_body("remoteok-io-api-2017-05-30.json"))
    assert all(isinstance(p.date_epoch, int) for p in postings)
    assert any(p.logo_url for p in postings)
    sparse = [p for p in postings if isinstance(p.tags_raw, dict)]
    assert sparse, "the 2017 capture has a tags object"
    run = run_pipelines(make_crawler(RemoteokSpider), sparse)
    assert all(isinstance(p.tags, list) and p.tags for p in run.kept)


def test_2024_era_int_epoch_and_entities_and_mojibake():
    postings, _ = parse(real_body("remoteok-com-api-2024-12-04.vcr.yaml"))
    by_id = {p.source_id: p for p in postings}
    assert by_id["1059247"].company_raw == "CI&amp;T"
    assert isinstance(by_id["1059247"].date_epoch, int)
    run = run_pipelines(make_crawler(RemoteokSpider), postings)
    kept = {p.source_id: p for p in run.kept}
    assert kept["1059247"].company == "CI&T"
    assert kept["1059237"].company == "1840 & Company"
    assert kept["1059249"].tags == ["golang", "senior", "engineer", "backend"]
    assert not any("\u00e2\u0080" in p.body or "\u00e2\u0080" in p.title for p in run.kept)


def test_literal_backslash_n_between_tags_becomes_a_newline():
    postings, _ = parse(real_body("remoteok-com-api-2026-03-17.json"))
    raw = json.loads(real_body("remoteok-com-api-2026-03-17.json"))
    assert any(">\\n<" in (job.get("description") or "") for job in raw)
    assert not any(">\\n<" in p.description_raw for p in postings)
    code = parse(json.dumps([{"id": "1", "description": "printf('\\n') <b>x</b>"}]).encode())
    assert code[0][0].description_raw == "printf('\\n') <b>x</b>"  # text is left alone


@given(st.text(alphabet="<>\\nab \n", max_size=40))
def test_literal_newlines_turn_into_newlines_exactly_where_a_tag_is_beside_them(value):
    beside_a_tag = re.compile(r"(?<=>)\\n|\\n(?=<)")
    assert _description(value) == beside_a_tag.sub("\\n", value)


def test_2021_era_title_mojibake_cut_mid_character_is_repaired_as_far_as_it_goes():
    postings, _ = parse(real_body("remoteok-io-api-2021-01-23.json"))
    (cut,) = [p for p in postings if p.source_id == "101416"]
    run = run_pipelines(make_crawler(RemoteokSpider), [cut])
    assert run.kept[0].title.startswith("Développeur")
    assert "Ã©" not in run.kept[0].title


def test_2020_era_placeholder_records_are_dropped_with_a_reason():
    postings, _ = parse(real_body("remoteok-io-api-2020-10-06.json"))
    run = run_pipelines(make_crawler(RemoteokSpider), postings)
    assert len(run.kept) + len(run.dropped) == len(postings)
    assert all(": no_title: " in message for _, message in run.dropped)
    assert all(p.date.endswith(("-07:00", "-08:00")) for p in run.kept)


def test_html_error_page_is_a_clear_error():
    body = real_body("remoteok-io-api-error-php-fatal-2021-02-08.html")
    with pytest.raises(BoardResponseError, match=r"text/html.*not JSON.*Fatal error|not JSON"):
        parse(body, content_type="text/html; charset=UTF-8")


# quirks, from the project's own cassette -----------------------------------------------


def test_cassette_quirks_map_onto_postings():
    postings, crawler = parse(cassette_body())
    assert crawler.stats.get_value("jobscrape/records/read") == 8
    by_id = {}
    for posting in postings:
        by_id.setdefault(posting.source_id, posting)
    reference = by_id["71285"]
    assert (reference.date_raw, reference.date_epoch) == ("2019-02-20T11:32:03-08:00", 1550691123)
    assert reference.logo_url == ""
    assert by_id["1130788"].date_epoch == 1795740000  # int epoch
    assert by_id["1130789"].logo_url.endswith("1130789.png")  # `logo` only
    assert by_id["1130791"].source_id == "1130791"  # int id
    assert by_id["1130791"].date_raw == ""  # no date: the epoch gives it
    assert by_id[""].title_raw == "Ghost Writer"  # null id
    assert by_id["1130788"].salary_min == 90000.0
    assert by_id["71285"].salary_min is None


def test_legal_notice_is_found_by_missing_id_not_by_position():
    feed = [
        {"id": "1", "position": "A", "date": "2026-01-01T00:00:00+00:00"},
        {"legal": "notice in the middle", "whatever": 1},
        {"id": 2, "position": "B", "epoch": 1767225600},
        "junk",
        None,
    ]
    postings, crawler = parse(json.dumps(feed).encode())
    assert [p.source_id for p in postings] == ["1", "2"]
    assert crawler.stats.get_value("jobscrape/records/read") == 2


def test_json_that_is_not_a_list_is_a_clear_error():
    with pytest.raises(BoardResponseError, match="without a list of jobs"):
        parse(b'{"error": "rate limited"}')


def test_url_argument_overrides_the_feed():
    assert RemoteokSpider().url == API
    assert RemoteokSpider(url="http://127.0.0.1:9/api").url == "http://127.0.0.1:9/api"


def test_politeness_settings():
    crawler = make_crawler(RemoteokSpider)
    assert crawler.settings.getfloat("DOWNLOAD_DELAY") >= 1.0
    assert crawler.settings.getbool("ROBOTSTXT_OBEY")
    assert crawler.settings.getbool("AUTOTHROTTLE_ENABLED")
    assert "jobscrape" in crawler.settings["USER_AGENT"]
    assert "http" in crawler.settings["USER_AGENT"]


# end to end ------------------------------------------------------------------------------


def crawl(content: Path, cassette: str = "remoteok.yaml", *args: str):
    return run_crawl(
        "remoteok",
        "-s", f"VCR_CASSETTE={CASSETTES / cassette}",
        "-s", f"CONTENT_DIR={content}",
        *args,
    )  # fmt: skip


def test_crawl_writes_the_reference_post_byte_for_byte(tmp_path):
    result = crawl(tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    written = (tmp_path / "out" / "post-71285.md").read_bytes()
    assert written == require_real(REFERENCE_POST).read_bytes()


def test_crawl_writes_golden_posts_and_only_them(tmp_path):
    result = crawl(tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    files = snapshot(tmp_path / "out")
    assert sorted(files) == ["post-1130788.md", "post-1130789.md", "post-1130791.md",
                             "post-71285.md"]  # fmt: skip
    for name in ["post-1130788.md", "post-1130789.md", "post-1130791.md"]:
        assert files[name] == (GOLDEN / name).read_bytes(), name
    for name, data in files.items():
        post = frontmatter.loads(data.decode("utf-8"))
        assert list(post.metadata) == POST_KEYS, name
    # drops are named in WARNING lines and counted in the stats
    assert "WARNING: Dropped: remoteok:1130790 '': no_title" in result.stderr
    assert "unsafe_id" in result.stderr
    assert "'jobscrape/dropped/duplicate': 1" in result.stderr
    assert "'jobscrape/posts/new': 4" in result.stderr
    assert not list((tmp_path / "out").glob(".*.tmp"))


def file_states(directory: Path) -> dict[str, tuple[bytes, int, int]]:
    return {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
        for p in directory.glob("*.md")
    }


def test_second_run_is_idempotent_and_rewrites_nothing(tmp_path):
    out = tmp_path / "out"
    assert crawl(out).returncode == 0
    before = {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino) for p in out.glob("*.md")
    }
    result = crawl(out)
    assert result.returncode == 0
    after = {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino) for p in out.glob("*.md")
    }
    assert after == before
    assert "'jobscrape/posts/unchanged': 4" in result.stderr


def test_changed_post_is_updated_and_unrelated_posts_are_kept(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "post-71285.md").write_text("stale\n")
    (out / "post-1.md").write_text("an older job, no longer in the feed\n")
    (out / "notes.txt").write_text("not a post\n")
    result = crawl(out)
    assert result.returncode == 0
    assert (out / "post-71285.md").read_bytes() == require_real(REFERENCE_POST).read_bytes()
    assert (out / "post-1.md").read_text() == "an older job, no longer in the feed\n"
    assert (out / "notes.txt").read_text() == "not a post\n"
    assert "'jobscrape/posts/updated': 1" in result.stderr


def test_dash_o_keeps_existing_posts(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "post-71285.md").write_text("kept as it is\n")
    result = crawl(out, "remoteok.yaml", "-o", f"content:{out}:post")
    assert result.returncode == 0, result.stderr[-2000:]
    assert (out / "post-71285.md").read_text() == "kept as it is\n"
    assert (out / "post-1130788.md").exists()
    assert "'jobscrape/posts/kept': 1" in result.stderr


def test_dash_big_o_overwrites_changed_posts_and_extra_feeds_still_work(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "post-71285.md").write_text("stale\n")
    jsonl = tmp_path / "postings.jsonl"
    result = crawl(out, "remoteok.yaml", "-O", f"content:{out}:post")
    assert result.returncode == 0, result.stderr[-2000:]
    assert (out / "post-71285.md").read_bytes() == require_real(REFERENCE_POST).read_bytes()
    result = crawl(tmp_path / "other", "remoteok.yaml", "-o", str(jsonl))
    assert result.returncode == 0, result.stderr[-2000:]
    lines = jsonl.read_text().splitlines()
    assert len(lines) == 4
    assert json.loads(lines[0])["source"] == "remoteok"
    assert (tmp_path / "other" / "post-71285.md").exists()


@pytest.mark.parametrize(
    ("cassette", "args", "reason"),
    [
        ("remoteok-error-page.yaml", (), "BoardResponseError"),
        ("remoteok-malformed.yaml", (), "not JSON"),
        ("remoteok-no-jobs.yaml", (), "read no job records"),
        ("remoteok.yaml", ("-a", f"url={API}?page=2"), f"GET {API}?page=2"),
    ],
)
def test_failing_runs_exit_non_zero_and_touch_no_post(tmp_path, cassette, args, reason):
    out = tmp_path / "out"
    out.mkdir()
    (out / "post-71285.md").write_text("yesterday's post\n")
    (out / "post-99.md").write_text("another\n")
    os.utime(out / "post-99.md", ns=(1_000_000_000, 1_000_000_000))
    before = snapshot(out)
    mtimes = {p.name: p.stat().st_mtime_ns for p in out.glob("*.md")}
    result = crawl(out, cassette, *args)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("jobscrape: crawl remoteok failed: ")
    assert reason in last
    assert snapshot(out) == before
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.md")} == mtimes


def test_exporter_error_fails_the_run(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the content directory should be\n")
    result = crawl(blocker)
    assert result.returncode != 0
    assert "jobscrape: crawl remoteok failed: " in result.stderr
    assert blocker.read_text() == "a file where the content directory should be\n"


def test_plain_crawl_writes_into_content_of_the_working_directory(tmp_path):
    # scrapy finds the project through scrapy.cfg: run from a copy of it in tmp_path
    (tmp_path / "scrapy.cfg").write_text((CASSETTES.parent.parent / "scrapy.cfg").read_text())
    result = run_crawl(
        "remoteok", "-s", f"VCR_CASSETTE={CASSETTES / 'remoteok.yaml'}", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "content" / "post-71285.md").exists()
