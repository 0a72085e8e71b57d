"""The benchmark suite: the real spiders against a local generator (``bench/server.py``).

Run: .venv/bin/python -m bench [--quick] [--sizes 1000,10000,100000] [--pages 5000]
                                [--only a,b,c,d,e] [--repeat K] [--json FILE] [--workdir DIR]
                                [--keep]

For each N of ``--sizes`` (RemoteOK-style API of N jobs, pages of 1,000, ``Link: rel=next``):

- (a) floor: ``scrapy crawl remoteok`` with no item pipelines and no feed;
- (c) the full crawl into an empty content directory (the default ``CONTENT_FSYNC=True``);
- (d) the same crawl again, nothing changed;
- (c') the full crawl into another empty directory with ``CONTENT_FSYNC=False``;
- (b) write floor: the posts (c) wrote, written again into an empty directory by a plain
  Python loop (temp file + ``os.replace``), with fsync (each file, the directory every 100,
  as the project's writer) and without.

Then (e): the HTML site of ``--pages`` job pages behind list pages of 50, ``scrapy crawl
jobposting`` at concurrency 16 without pipelines, with pipelines into an empty directory, and
again with nothing changed (requests counted by the server).

Every scenario writes into a directory of its own, and all of them are removed only when the
suite ends (``Suite.fresh_dir`` says why): a suite of all sizes with ``--repeat 3`` holds some
1.3 million posts (about 5.5 GB) at its end.

Every crawl is a child process; wall time, CPU time (user+sys) and peak RSS come from
``os.wait4`` (in ``bench.measure``, a small launcher: see there why). The last line printed
says which targets are met; the exit code is 1 when a measured one is not. With ``--repeat
K`` every scenario runs K times (each size's scenarios one after another, then again) and the
targets are judged on the medians (``medians``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SCENARIOS = "abcde"
RUN_TIMEOUT = 3 * 3600
# the generator's page sizes (kept in step with bench/server.py)
API_PAGE = 1000


@dataclass
class Row:
    """One line of the table."""

    n: int
    scenario: str
    label: str
    items: int = 0
    wall: float = 0.0
    cpu: float | None = None
    rss_mb: float | None = None
    requests: int | None = None
    exit: int | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate_wall(self) -> float | None:
        return self.items / self.wall if self.wall > 0 and self.items else None

    @property
    def rate_cpu(self) -> float | None:
        return self.items / self.cpu if self.cpu and self.items else None


@dataclass
class Child:
    """What a child process cost and said."""

    exit: int
    wall: float
    cpu: float
    rss_mb: float
    stdout: str
    stderr: str


def run_child(command: list[str], log_dir: Path, name: str, timeout: float = RUN_TIMEOUT) -> Child:
    """Run ``command`` in the repository with PYTHONPATH set, through ``bench.measure``: wall,
    user+sys CPU and peak RSS from ``os.wait4`` (``ru_maxrss`` is in KB on Linux)."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out_path, err_path = log_dir / f"{name}.out", log_dir / f"{name}.err"
    result_path = log_dir / f"{name}.rusage.json"
    result_path.unlink(missing_ok=True)
    launcher = [PYTHON, "-m", "bench.measure", "--timeout", str(timeout), str(result_path), "--"]
    with out_path.open("wb") as out, err_path.open("wb") as err:
        subprocess.run(
            [*launcher, *command], cwd=REPO, env=env, stdout=out, stderr=err,
            timeout=timeout + 60, check=False,
        )  # fmt: skip
    try:
        result = json.loads(result_path.read_text("utf-8"))
    except (OSError, ValueError):
        result = {"exit": -1, "wall": 0.0, "utime": 0.0, "stime": 0.0, "maxrss_kb": 0}
    return Child(
        exit=int(result["exit"]),
        wall=float(result["wall"]),
        cpu=float(result["utime"]) + float(result["stime"]),
        rss_mb=int(result["maxrss_kb"]) / 1024,
        stdout=out_path.read_text("utf-8", "replace"),
        stderr=err_path.read_text("utf-8", "replace"),
    )


class Server:
    """``bench/server.py`` in a child process."""

    def __init__(self, jobs: int, html_jobs: int, log_dir: Path) -> None:
        self.log = (log_dir / f"server-{jobs}-{html_jobs}.err").open("wb")
        self.process = subprocess.Popen(
            [PYTHON, "-m", "bench.server", "--jobs", str(jobs), "--html-jobs", str(html_jobs)],
            cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)),
            stdout=subprocess.PIPE, stderr=self.log, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            self.close()
            raise RuntimeError(f"bench server did not start (said {line!r}); see {self.log.name}")
        self.port = int(line.split()[1])
        self.base = f"http://127.0.0.1:{self.port}"

    def stats(self, reset: bool = False) -> dict[str, int]:
        url = f"{self.base}/_stats/reset" if reset else f"{self.base}/_stats"
        with urllib.request.urlopen(url, timeout=30) as answer:
            counts: dict[str, int] = json.load(answer)
        return counts

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        self.log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def project_extensions() -> dict[str, int | None]:
    sys.path.insert(0, str(REPO))
    import jobscrape.settings as project_settings

    extensions = dict(getattr(project_settings, "EXTENSIONS", {}))
    extensions["bench.statsfile.StatsFile"] = 1000
    return extensions


NO_PIPELINES = ["-s", "ITEM_PIPELINES={}", "-s", "FEEDS={}"]


def crawl_command(spider: str, url: str, content: Path, stats_file: Path, *extra: str) -> list[str]:
    return [
        PYTHON, "-m", "scrapy", "crawl", spider, "-a", f"url={url}",
        "-s", f"CONTENT_DIR={content}",
        "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "LOG_LEVEL=WARNING",
        "-s", f"EXTENSIONS={json.dumps(project_extensions())}",
        "-s", f"BENCH_STATS_FILE={stats_file}",
        *extra,
    ]  # fmt: skip


def first_reason(child: Child) -> str:
    """The line saying why a run failed (``jobscrape: crawl ... failed: ...``), else the last
    line of stderr."""
    lines = [line.strip() for line in child.stderr.splitlines() if line.strip()]
    for line in lines:
        if line.startswith("jobscrape:"):
            return line
    if any(line.startswith("Traceback") for line in lines):
        return lines[-1][:300]  # the exception
    errors = [line for line in lines if "ERROR" in line]
    return (errors or lines or [""])[-1][:300]


def report_line(child: Child, spider: str) -> str:
    for line in child.stdout.splitlines():
        if line.startswith(f"{spider}:"):
            return line.strip()
    return ""


class Suite:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.only = set(args.only)
        self.rows: list[Row] = []
        if args.workdir:
            self.work = Path(args.workdir)
            self.work.mkdir(parents=True, exist_ok=True)
        else:
            self.work = Path(tempfile.mkdtemp(prefix="jobscrape-bench-"))
        self.logs = self.work / "logs"
        self.logs.mkdir(exist_ok=True)
        self.counter = 0
        self.dirs: list[Path] = []

    def fresh_dir(self, name: str) -> Path:
        """A directory of its own for one scenario (not yet made), removed when the suite ends
        (``remove_dirs``) rather than at once. ext4 without a journal (as on the machine of
        the README's table) does not reuse an inode freed in the last minute or more, and a new
        file skips such inodes one by one: removing one scenario's hundred thousand posts made
        the next scenario's files cost 200 to 650 µs each to create rather than 17."""
        path = self.work / f"{len(self.dirs) + 1:03d}-{name}"
        if path.exists():  # left by an earlier suite in the same --workdir
            shutil.rmtree(path)
        self.dirs.append(path)
        return path

    def remove_dirs(self) -> None:
        """Remove the scenarios' directories, once every scenario is measured."""
        for path in self.dirs:
            shutil.rmtree(path, ignore_errors=True)
        self.dirs.clear()

    def crawl(
        self, server: Server, n: int, scenario: str, label: str, spider: str, url: str,
        content: Path, *extra: str, expected: int | None = None,
    ) -> Row:  # fmt: skip
        self.counter += 1
        name = f"{self.counter:02d}-{spider}-{n}-{scenario}"
        stats_file = self.logs / f"{name}.stats.json"
        server.stats(reset=True)
        quiet_disk()
        child = run_child(crawl_command(spider, url, content, stats_file, *extra), self.logs, name)
        requests = server.stats().get("total", 0)
        stats: dict[str, Any] = {}
        with contextlib.suppress(OSError, ValueError):
            stats = json.loads(stats_file.read_text("utf-8"))
        # jobs read: a re-crawl may leave unchanged jobs out before the pipelines (no item)
        read = int(stats.get("jobscrape/records/read", 0))
        items = read or int(stats.get("item_scraped_count", 0))
        row = Row(
            n=n, scenario=scenario, label=label, items=items, wall=child.wall, cpu=child.cpu,
            rss_mb=child.rss_mb, requests=requests, exit=child.exit,
        )  # fmt: skip
        row.extra = {
            "item_scraped_count": int(stats.get("item_scraped_count", 0)),
            "report": report_line(child, spider),
            "finish_reason": stats.get("finish_reason", ""),
            "posts": {
                key.rsplit("/", 1)[1]: value
                for key, value in stats.items()
                if key.startswith("jobscrape/posts/")
            },
            "log": str(self.logs / name),
        }
        notes = []
        if child.exit != 0:
            notes.append(f"exit {child.exit}: {first_reason(child)}")
        if not stats:
            notes.append("no stats written (the crawl did not close normally)")
        if expected is not None and items < expected:
            notes.append(f"read {items} of {expected} jobs")
            row.extra["incomplete"] = True
        row.note = "; ".join(notes)
        self.rows.append(row)
        self.show(row)
        return row

    def show(self, row: Row) -> None:
        if not self.args.quiet:
            print(format_row(row), flush=True)

    # -- the API sizes ------------------------------------------------------------------------

    def api_size(self, n: int) -> None:
        wanted = self.only & set("abcd")
        if not wanted:
            return
        with Server(n, 0, self.logs) as server:
            for _ in range(self.args.repeat):
                self.api_round(server, n, wanted)

    def api_round(self, server: Server, n: int, wanted: set[str]) -> None:
        """One run of each of the API scenarios of size ``n``: a, c, d, c', then b."""
        url = f"{server.base}/api?page=1"
        common = ["-a", "max_pages=100000"]
        if "a" in wanted:
            floor_dir = self.fresh_dir(f"floor-{n}")
            self.crawl(
                server, n, "a", "floor (no pipelines, no feed)", "remoteok", url, floor_dir,
                *common, "-s", "STATS_DUMP=True", *NO_PIPELINES, expected=n,
            )  # fmt: skip
        content = self.fresh_dir(f"content-{n}")
        if wanted & set("bcd"):
            self.crawl(
                server, n, "c", "full crawl, empty dir (fsync)", "remoteok", url, content,
                *common, expected=n,
            )  # fmt: skip
        if "d" in wanted:
            self.crawl(
                server, n, "d", "re-crawl, nothing changed", "remoteok", url, content,
                *common, expected=n,
            )  # fmt: skip
        if wanted & set("bc"):
            nofsync = self.fresh_dir(f"content-nofsync-{n}")
            self.crawl(
                server, n, "c", "full crawl, empty dir (no fsync)", "remoteok", url,
                nofsync, *common, "-s", "CONTENT_FSYNC=False", expected=n,
            )  # fmt: skip
        if "b" in wanted:
            self.write_floor(n, content)

    def write_floor(self, n: int, content: Path) -> None:
        """(b): the posts of ``content`` written again by a plain loop into empty dirs."""
        posts = [(p.name, p.read_bytes()) for p in sorted(content.glob("*.md"))]
        note = ""
        if len(posts) < n:
            note = f"only {len(posts)} posts from (c) to write"
        for fsync in (True, False):
            target = self.fresh_dir(f"write-{n}-{int(fsync)}")
            target.mkdir()
            quiet_disk()
            wall, cpu = write_posts(target, posts, fsync=fsync)
            label = "write floor (fsync + dir/100)" if fsync else "write floor (no fsync)"
            row = Row(n=n, scenario="b", label=label, items=len(posts), wall=wall, cpu=cpu)
            row.extra = {"fsync": fsync, "bytes": sum(len(data) for _, data in posts)}
            row.note = note
            self.rows.append(row)
            self.show(row)

    # -- the HTML site ------------------------------------------------------------------------

    def html_site(self, pages: int) -> None:
        if "e" not in self.only:
            return
        with Server(0, pages, self.logs) as server:
            url = f"{server.base}/jobs/list?page=1"
            common = [
                "-a", "follow=/jobs/", "-s", "CONCURRENT_REQUESTS=16",
                "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
            ]  # fmt: skip
            for _ in range(self.args.repeat):
                self.html_round(server, pages, url, common)

    def html_round(self, server: Server, pages: int, url: str, common: list[str]) -> None:
        """One run of each of the (e) scenarios."""
        bare = self.fresh_dir(f"html-bare-{pages}")
        self.crawl(
            server, pages, "e", "html, no pipelines", "jobposting", url, bare, *common,
            *NO_PIPELINES, expected=pages,
        )  # fmt: skip
        content = self.fresh_dir(f"html-content-{pages}")
        self.crawl(
            server, pages, "e", "html, pipelines, empty dir", "jobposting", url, content,
            *common, expected=pages,
        )  # fmt: skip
        self.crawl(
            server, pages, "e", "html, pipelines, unchanged", "jobposting", url, content,
            *common,
        )  # fmt: skip

    def run(self) -> int:
        if not self.args.quiet:
            print(f"machine: {machine()}", flush=True)
            print(f"work dir: {self.work} (logs in {self.logs})", flush=True)
            print(header(), flush=True)
        try:
            for n in self.args.sizes:
                self.api_size(n)
            self.html_site(self.args.pages)
        finally:
            if not self.args.keep:
                self.remove_dirs()
                if not self.args.workdir:
                    shutil.rmtree(self.work, ignore_errors=True)
        runs = self.rows
        if self.args.repeat > 1:
            self.rows = medians(runs)
        targets = evaluate(self.rows, self.args.sizes)
        print()
        if self.args.repeat > 1:
            print(f"medians of {self.args.repeat} runs of each scenario (peak RSS: the largest)")
        print(header())
        for row in self.rows:
            print(format_row(row))
        notes = [row for row in self.rows if row.note]
        if notes:
            print()
            for row in notes:
                print(f"note: N={row.n} {row.scenario} {row.label}: {row.note}")
        if self.args.markdown:
            print()
            print(markdown_table(self.rows))
        print()
        line = "targets: " + "; ".join(target["text"] for target in targets)
        if self.args.json:
            Path(self.args.json).write_text(
                json.dumps(
                    {
                        "machine": machine(),
                        "args": vars(self.args),
                        "rows": [
                            {**asdict(row), "rate_wall": row.rate_wall, "rate_cpu": row.rate_cpu}
                            for row in self.rows
                        ],
                        "targets": targets,
                        "runs": [asdict(row) for row in runs] if self.args.repeat > 1 else [],
                    },
                    indent=1,
                    default=str,
                ),
                "utf-8",
            )
        print(line, flush=True)
        return 1 if any(target["met"] is False for target in targets) else 0


def medians(runs: list[Row]) -> list[Row]:
    """One row per scenario from its repeated runs, in the order they first ran: the median
    wall and CPU time (and requests), the largest peak RSS, the fewest items, every note; the
    runs' own figures in ``extra``."""
    groups: dict[tuple[int, str, str], list[Row]] = {}
    for row in runs:
        groups.setdefault((row.n, row.scenario, row.label), []).append(row)
    merged = []
    for (n, scenario, label), rows in groups.items():
        rss = [row.rss_mb for row in rows if row.rss_mb is not None]
        requests = [row.requests for row in rows if row.requests is not None]
        cpus = [row.cpu for row in rows if row.cpu is not None]
        failed = [row.exit for row in rows if row.exit]
        merged.append(Row(
            n=n, scenario=scenario, label=label, items=min(row.items for row in rows),
            wall=statistics.median(row.wall for row in rows),
            cpu=statistics.median(cpus) if cpus else None,
            rss_mb=max(rss) if rss else None,
            requests=round(statistics.median(requests)) if requests else None,
            exit=failed[0] if failed else rows[0].exit,
            note="; ".join(dict.fromkeys(row.note for row in rows if row.note)),
            extra={
                **rows[0].extra,
                "incomplete": any(row.extra.get("incomplete") for row in rows),
                "walls": [row.wall for row in rows],
                "cpus": [row.cpu for row in rows],
                "rss_mbs": [row.rss_mb for row in rows],
            },
        ))  # fmt: skip
    return merged


def quiet_disk() -> None:
    """Flush what earlier scenarios left to write (their posts, the removal of their
    directories) before the next one is timed: each is measured on a quiet disk, not while the
    kernel writes back the last one's hundred thousand files."""
    os.sync()


def write_posts(target: Path, posts: list[tuple[str, bytes]], fsync: bool) -> tuple[float, float]:
    """Write every post to a temp file in ``target`` and ``os.replace`` it into place; with
    ``fsync`` each file is flushed to disk and the directory every 100 posts (as
    ``jobscrape.writer.content_dir`` does with ``CONTENT_WRITE_BATCH=1``). Wall and CPU
    seconds."""
    started, cpu_started = time.perf_counter(), time.process_time()
    unsynced = 0
    for name, data in posts:
        fd, tmp = tempfile.mkstemp(dir=target, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if fsync:
                os.fsync(handle.fileno())
        os.replace(tmp, target / name)
        unsynced += 1
        if fsync and unsynced >= 100:
            directory = os.open(target, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
            unsynced = 0
    if fsync and unsynced:
        directory = os.open(target, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    return time.perf_counter() - started, time.process_time() - cpu_started


# -- the table and the targets ---------------------------------------------------------------

COLUMNS = [
    ("N", 7), ("", 2), ("scenario", 33), ("items", 7), ("wall s", 8), ("CPU s", 8),
    ("items/s wall", 12), ("items/s CPU", 11), ("peak RSS MB", 11), ("requests", 8),
]  # fmt: skip


def header() -> str:
    return "  ".join(name.rjust(width) if i != 2 else name.ljust(width)
                     for i, (name, width) in enumerate(COLUMNS))  # fmt: skip


def _num(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def format_row(row: Row) -> str:
    cells = [
        f"{row.n:,}", row.scenario, row.label, f"{row.items:,}", _num(row.wall, 2),
        _num(row.cpu, 2), _num(row.rate_wall), _num(row.rate_cpu), _num(row.rss_mb, 0),
        "-" if row.requests is None else f"{row.requests:,}",
    ]  # fmt: skip
    return "  ".join(
        cell.ljust(width) if i == 2 else cell.rjust(width)
        for i, (cell, (_, width)) in enumerate(zip(cells, COLUMNS, strict=True))
    )


def markdown_table(rows: list[Row]) -> str:
    """The table as Markdown (for the README)."""
    lines = [
        "| N | | scenario | items | wall s | CPU s | items/s wall | items/s CPU | peak RSS MB "
        "| requests |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        cells = [
            f"{row.n:,}", row.scenario, row.label, f"{row.items:,}", _num(row.wall, 2),
            _num(row.cpu, 2), _num(row.rate_wall), _num(row.rate_cpu), _num(row.rss_mb, 0),
            "-" if row.requests is None else f"{row.requests:,}",
        ]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _find(rows: list[Row], n: int, scenario: str, label_part: str) -> Row | None:
    for row in rows:
        if row.n == n and row.scenario == scenario and label_part in row.label:
            return row
    return None


def _target(name: str, value: float | None, limit: float, at_most: bool, why: str = "",
            fmt: str = "{:.2f}") -> dict[str, Any]:  # fmt: skip
    if value is None:
        text = f"{name}: not measured" + (f" ({why})" if why else "")
        return {"name": name, "value": None, "met": None, "text": text}
    met = (value <= limit if at_most else value >= limit) and not why
    verdict = "met" if met else "NOT met"
    text = f"{name}: {fmt.format(value)} ({verdict}" + (f"; {why})" if why else ")")
    return {"name": name, "value": value, "met": met, "text": text}


def _incomplete(*rows: Row | None) -> str:
    for row in rows:
        if row is not None and row.extra.get("incomplete"):
            return f"N={row.n} {row.scenario} {row.note}"
    return ""


def evaluate(rows: list[Row], sizes: list[int]) -> list[dict[str, Any]]:
    """The targets, over every N measured (the worst N counts)."""
    targets: list[dict[str, Any]] = []
    for fsync, name in ((True, "c<=1.3a+b"), (False, "c_nofsync<=1.3a+b_nofsync")):
        worst: tuple[float, int] | None = None
        why = ""
        for n in sizes:
            a = _find(rows, n, "a", "floor")
            b = _find(rows, n, "b", "(fsync" if fsync else "(no fsync")
            c = _find(rows, n, "c", "(fsync)" if fsync else "(no fsync)")
            if a is None or b is None or c is None or 1.3 * a.wall + b.wall <= 0:
                continue
            ratio = c.wall / (1.3 * a.wall + b.wall)  # met at 1.0 or less
            if worst is None or ratio > worst[0]:
                worst = (ratio, n)
            why = why or _incomplete(a, c)
        targets.append(_target(
            name, None if worst is None else worst[0], 1.0, True,
            why,
            "{:.2f}" + ("" if worst is None else f" at N={worst[1]:,}"),
        ))  # fmt: skip
    worst_d: tuple[float, int] | None = None
    why = ""
    for n in sizes:
        a, d = _find(rows, n, "a", "floor"), _find(rows, n, "d", "re-crawl")
        if a is None or d is None or not a.rate_wall or d.rate_wall is None:
            continue
        ratio = d.rate_wall / a.rate_wall
        if worst_d is None or ratio < worst_d[0]:
            worst_d = (ratio, n)
        why = why or _incomplete(a, d)
    targets.append(_target(
        "d>=0.75a", None if worst_d is None else worst_d[0], 0.75, False, why,
        "{:.2f}" + ("" if worst_d is None else f" at N={worst_d[1]:,}"),
    ))  # fmt: skip
    big = _find(rows, 100_000, "c", "(fsync)")
    mid = _find(rows, 10_000, "c", "(fsync)")
    targets.append(_target(
        "rss100k<=200MB", big.rss_mb if big else None, 200, True,
        _incomplete(big) if big else "N=100,000 not run", "{:.0f} MB",
    ))  # fmt: skip
    growth = big.rss_mb / mid.rss_mb if big and mid and big.rss_mb and mid.rss_mb else None
    targets.append(_target(
        "rss100k/rss10k<=1.2", growth, 1.2, True,
        _incomplete(big, mid) if big and mid else "N=10,000 and 100,000 not both run",
        "{:.3f}",
    ))  # fmt: skip
    bare = next((r for r in rows if r.scenario == "e" and "no pipelines" in r.label), None)
    full = next((r for r in rows if r.scenario == "e" and "empty dir" in r.label), None)
    again = next((r for r in rows if r.scenario == "e" and "unchanged" in r.label), None)
    if bare is None or full is None:
        targets.append(_target("e_pipelines>=0.7", None, 0.7, False, "e not run"))
    elif not bare.items or not full.items:
        why = "0 jobs found: " + (full.note or bare.note or "no job page was read")
        targets.append({"name": "e_pipelines>=0.7", "value": None, "met": False,
                        "text": f"e_pipelines>=0.7: NOT met ({why})"})  # fmt: skip
    else:
        assert bare.rate_wall and full.rate_wall
        targets.append(_target(
            "e_pipelines>=0.7", full.rate_wall / bare.rate_wall, 0.7, False,
            _incomplete(bare, full),
        ))  # fmt: skip
    if full is None or again is None:
        targets.append(_target("e_unchanged<=5%", None, 0.05, True, "e not run"))
    elif not full.items:
        text = "e_unchanged<=5%: NOT met (the first run found 0 jobs)"
        targets.append({"name": "e_unchanged<=5%", "value": None, "met": False, "text": text})
    else:
        share = (again.requests or 0) / (full.requests or 1)
        why = "" if again.exit == 0 else f"the re-crawl failed: {again.note}"
        targets.append(_target("e_unchanged<=5%", share, 0.05, True, why, "{:.1%}"))
    return targets


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    return ", ".join(
        part for part in (
            f"{os.cpu_count()} CPUs", model or platform.processor(), memory,
            f"Python {platform.python_version()}", platform.system(), platform.release(),
        ) if part
    )  # fmt: skip


def _sizes(value: str) -> list[int]:
    return [int(part.replace("_", "")) for part in value.split(",") if part.strip()]


def _count(value: str) -> int:
    count = int(value)
    if count < 1:
        raise argparse.ArgumentTypeError("--repeat takes 1 or more")
    return count


def _only(value: str) -> list[str]:
    chosen = [part.strip().lower() for part in value.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in SCENARIOS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown scenario(s) {unknown}: choose from a,b,c,d,e")
    return chosen


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--quick", action="store_true",
                        help="N = 1,000 only and (e) with 500 pages: under a minute")  # fmt: skip
    parser.add_argument("--sizes", type=_sizes, default=None,
                        help="API sizes N (default 1000,10000,100000)")  # fmt: skip
    parser.add_argument("--pages", type=int, default=None,
                        help="job pages of the HTML site for (e) (default 5000)")  # fmt: skip
    parser.add_argument("--only", type=_only, default=list(SCENARIOS),
                        help="scenarios to run, e.g. a,c,d (default all)")  # fmt: skip
    parser.add_argument("--repeat", type=_count, default=1, metavar="K",
                        help="run each scenario K times, judged by medians")  # fmt: skip
    parser.add_argument("--json", metavar="FILE", help="save the results as JSON")
    parser.add_argument("--markdown", action="store_true",
                        help="also print the table as Markdown")  # fmt: skip
    parser.add_argument("--workdir", help="content directories and logs here (kept)")
    parser.add_argument("--keep", action="store_true", help="keep the work dir and posts")
    parser.add_argument("--quiet", action="store_true", help="print only the final table")
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = [1000] if args.quick else [1000, 10_000, 100_000]
    if args.pages is None:
        args.pages = 500 if args.quick else 5000
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return Suite(args).run()
