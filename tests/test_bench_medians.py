"""The benchmark suite's ``--repeat``: each scenario's runs judged by their medians."""

from __future__ import annotations

import pytest

from bench.suite import Row, evaluate, medians, parse_args


def run(scenario: str, label: str, wall: float, rss: float | None = None, **extra: object) -> Row:
    return Row(n=1000, scenario=scenario, label=label, items=1000, wall=wall, cpu=wall,
               rss_mb=rss, requests=2, exit=0, **extra)  # fmt: skip


def test_repeated_runs_become_one_row_each_with_median_times_and_the_largest_peak():
    floor, crawl = "floor (no pipelines, no feed)", "full crawl, empty dir (no fsync)"
    write = "write floor (no fsync)"
    runs = [
        run("a", floor, 1.0, 90), run("c", crawl, 3.0, 100), run("b", write, 1.0),
        run("a", floor, 5.0, 95), run("c", crawl, 1.9, 120), run("b", write, 0.5),
        run("a", floor, 1.2, 91), run("c", crawl, 2.0, 99, note="read 999 of 1000 jobs"),
        run("b", write, 0.7),
    ]  # fmt: skip
    rows = medians(runs)
    assert [(row.scenario, row.wall) for row in rows] == [("a", 1.2), ("c", 2.0), ("b", 0.7)]
    assert [row.rss_mb for row in rows] == [95, 120, None]
    assert rows[1].note == "read 999 of 1000 jobs"
    assert rows[1].extra["walls"] == [3.0, 1.9, 2.0]
    # the verdict is on the medians: 2.0 / (1.3 * 1.2 + 0.7), not on any one run
    target = next(t for t in evaluate(rows, [1000]) if t["name"].startswith("c_nofsync"))
    assert round(target["value"], 3) == round(2.0 / (1.3 * 1.2 + 0.7), 3)
    assert target["met"] is True


def test_repeat_is_one_by_default_and_refuses_zero():
    assert parse_args([]).repeat == 1
    assert parse_args(["--repeat", "3"]).repeat == 3
    with pytest.raises(SystemExit) as refused:
        parse_args(["--repeat", "0"])
    assert refused.value.code == 2
