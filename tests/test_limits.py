"""Records of absurd size are dropped or capped before any work is spent on them; names that
differ only in case never become two posts."""

from __future__ import annotations

import pytest

from jobscrape.spiders.remotive import RemotiveSpider
from tests.conftest import make_crawler, run_pipelines


def posting(**fields):
    spider = RemotiveSpider.from_crawler(make_crawler(RemotiveSpider))
    record = {"title": "Engineer", "company_raw": "Acme", "date_raw": "2026-11-20T10:00:00Z",
              "description_raw": "<p>Build.</p>", "url": "https://remotive.com/x"}  # fmt: skip
    record.update(fields)
    board_id = record.pop("id", 1)
    title = record.pop("title")
    return spider.posting(board_id, title_raw=title, **record)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("title", "Engineer " * 120_000, "title_too_long"),  # about 1 MB
        ("company_raw", "Acme " * 100, "company_too_long"),
        ("description_raw", "<p>" + "x" * 5_000_000 + "</p>", "description_too_long"),
    ],
)
def test_absurdly_large_fields_are_dropped_naming_the_reason(field, value, reason):
    run = run_pipelines(make_crawler(RemotiveSpider), [posting(**{field: value}), posting(id=2)])
    assert [item.source_id for item in run.kept] == ["2"]
    ((_, why),) = run.dropped
    assert why.startswith("remotive:1 ") and f": {reason}: " in why
    assert run.stats[f"jobscrape/dropped/{reason}"] == 1


def test_a_hundred_thousand_tags_are_capped():
    tags = [f"tag{n}" for n in range(100_000)] + ["x" * 500]
    run = run_pipelines(make_crawler(RemotiveSpider), [posting(tags_raw=tags)])
    assert run.kept[0].tags == [f"tag{n}" for n in range(30)]
    run = run_pipelines(make_crawler(RemotiveSpider, MAX_TAGS=3), [posting(tags_raw=tags)])
    assert run.kept[0].tags == ["tag0", "tag1", "tag2"]


def test_slugs_that_differ_only_in_case_are_one_post():
    items = [posting(id="AbC1"), posting(id="abc1"), posting(id="ABC1"), posting(id="abc2")]
    run = run_pipelines(make_crawler(RemotiveSpider), items)
    assert [item.slug for item in run.kept] == ["post-remotive-AbC1", "post-remotive-abc2"]
    assert run.stats["jobscrape/dropped/case_collision"] == 2
    assert all("only in case" in why for _, why in run.dropped)
