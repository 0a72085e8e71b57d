"""The benchmark suite's scenario directories: one each, all removed when the suite ends."""

from __future__ import annotations

from pathlib import Path

from bench.suite import Suite, parse_args


def test_each_scenario_gets_its_own_directory_and_all_are_removed_at_the_end(tmp_path: Path):
    suite = Suite(parse_args(["--workdir", str(tmp_path / "work")]))
    first, again = suite.fresh_dir("content-1000"), suite.fresh_dir("content-1000")
    assert first != again and first.parent == again.parent == tmp_path / "work"
    for path in (first, again):
        path.mkdir()
        (path / "post.md").write_text("kept until the suite ends", "utf-8")
    assert first.exists() and again.exists()  # nothing removed between scenarios
    suite.remove_dirs()
    assert not first.exists() and not again.exists()
    assert (tmp_path / "work" / "logs").is_dir()  # a --workdir keeps its logs


def test_a_directory_left_by_an_earlier_suite_in_the_same_workdir_is_emptied(tmp_path: Path):
    args = parse_args(["--workdir", str(tmp_path)])
    left = Suite(args).fresh_dir("floor-1000")
    left.mkdir()
    (left / "old.md").write_text("from the suite before", "utf-8")
    path = Suite(args).fresh_dir("floor-1000")
    assert path == left and not path.exists()
