"""``scrapy crawlall``: every board (or the ones named), one after the other, for one cron line.

Each board runs as its own ``scrapy crawl`` process with the same ``-s``/``-L``/``--logfile``
options, so one board's failure neither stops nor taints the others; the command exits 1 when any
board failed, naming them on stderr.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from jobscrape.writer.feed import DEFAULT_CONTENT_DIR
from jobscrape.writer.lock import HELD_ENV, ContentLock, ContentLockBusy


class Command(ScrapyCommand):
    """Run several spiders in turn; exit 1 when any of them failed."""

    requires_project = True

    def syntax(self) -> str:
        return "[options] [spider ...]"

    def short_desc(self) -> str:
        return "Run every spider (or those named) in turn; exit non-zero if any run failed"

    def long_desc(self) -> str:
        return (
            "Runs 'scrapy crawl NAME' for each spider of the project (but those that need -a url, "
            "such as jobposting), or for those named, with "
            "the same -s, -L and --logfile options. In -s values, {spider} stands for the "
            "spider's name (e.g. -s VCR_CASSETTE=fixtures/{spider}/{spider}.yaml)."
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None
        loader = self.crawler_process.spider_loader
        known = loader.list()
        names = args or sorted(
            name for name in known if not getattr(loader.load(name), "needs_url", False)
        )
        unknown = [name for name in names if name not in known]
        if unknown:
            raise UsageError(f"no such spider: {', '.join(unknown)}")
        assert self.settings is not None
        lock = ContentLock(self.settings.get("CONTENT_DIR") or DEFAULT_CONTENT_DIR)
        try:
            lock.acquire(self.settings.getfloat("LOCK_TIMEOUT"))
        except (ContentLockBusy, OSError) as busy:
            print(f"jobscrape: crawlall failed: {busy}", file=sys.stderr)
            self.exitcode = 1
            return
        # the runs this one starts share its lock
        env = {**os.environ, HELD_ENV: str(lock.path)}
        failed = []
        for name in names:
            command = [sys.executable, "-m", "scrapy", "crawl", name]
            for setting in opts.set:
                command += ["-s", setting.replace("{spider}", name)]
            if opts.loglevel:
                command += ["-L", opts.loglevel]
            if opts.logfile:
                command += ["--logfile", opts.logfile.replace("{spider}", name)]
            if opts.nolog:
                command.append("--nolog")
            if subprocess.run(command, check=False, env=env).returncode != 0:
                failed.append(name)
        if failed:
            print(
                f"jobscrape: crawlall: {len(failed)} of {len(names)} boards failed: "
                f"{', '.join(failed)}",
                file=sys.stderr,
            )
            self.exitcode = 1
