"""What every board spider shares: listed, documented, polite, replayable offline."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from jobscrape.spiders.base import JobBoardSpider
from tests.conftest import FIXTURES, REPO, make_crawler

BOARDS = [
    "arbeitnow", "himalayas", "jobicy", "remoteok", "remotive", "weworkremotely", "workingnomads",
]  # fmt: skip
PLATFORMS = ["ashby", "greenhouse", "lever", "recruitee", "workable"]
SPIDERS = sorted([*BOARDS, *PLATFORMS, "jobposting"])


def spider_class(name: str) -> type[JobBoardSpider]:
    return SpiderLoader.from_settings(get_project_settings()).load(name)


def test_scrapy_list_shows_every_source():
    listed = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"], cwd=REPO, capture_output=True, text=True,
        timeout=60, check=True,
    )  # fmt: skip
    assert listed.stdout.split() == SPIDERS


@pytest.mark.parametrize("name", SPIDERS)
def test_board_is_polite_and_documented(name):
    spidercls = spider_class(name)
    assert issubclass(spidercls, JobBoardSpider)
    settings = make_crawler(spidercls).settings
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings["DEFAULT_IMAGE"].startswith("https://")
    readme = (REPO / "README.md").read_text("utf-8")
    assert spidercls.politeness and spidercls.politeness in readme, name
    assert f"`{name}`" in readme
    assert spidercls.__doc__ and len(spidercls.__doc__) > 100
    assert (FIXTURES / name / f"{name}.yaml").is_file()
    assert (FIXTURES / name / "build.py").is_file()
    assert (REPO / "tests" / f"test_{name}.py").is_file()


def test_the_quick_start_main_job_writes_posts_from_every_board(tmp_path):
    readme = (REPO / "README.md").read_text("utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("```sh\n", 2)[1].split("\n", 1)[0]
    crawl = quick_start.split(" && ")[-1].split(maxsplit=1)[1]  # after .venv/bin/scrapy
    assert crawl.startswith("crawlall ")
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", *crawl.replace("'", "").split(), "-s",
         f"CONTENT_DIR={tmp_path}", "-L", "WARNING"],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    posts = [path.stem for path in tmp_path.glob("*.md")]
    for name in [*BOARDS, *PLATFORMS]:  # jobposting needs -a url: crawlall leaves it out
        pattern = r"post-\d+" if name == "remoteok" else rf"post-{name}-[A-Za-z0-9-]+"
        assert any(re.fullmatch(pattern, post) for post in posts), name
