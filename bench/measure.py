"""Run one command and write its wall time, CPU time and peak RSS as JSON.

Run: python -m bench.measure RESULT.json [--timeout S] -- COMMAND...

The suite measures every crawl through this small process rather than spawning it itself:
Linux carries the peak RSS of the process that spawns a child over into the child's
``ru_maxrss`` (``exec`` records the old address space's high-water mark), so a child of the
suite, which holds every post of the write floor in memory, would report the suite's peak.
Spawned from this process of a few MB, the child's ``ru_maxrss`` is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import threading
import time
from pathlib import Path


def measure(command: list[str], timeout: float) -> dict[str, float | int]:
    """Wall seconds, user+sys CPU seconds (``os.wait4``), peak RSS in KB, exit code."""
    started = time.perf_counter()
    process = subprocess.Popen(command)
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    process.returncode = code  # reaped by wait4: Popen must not wait for it again
    return {
        "exit": code,
        "wall": wall,
        "utime": usage.ru_utime,
        "stime": usage.ru_stime,
        "maxrss_kb": usage.ru_maxrss,  # KB on Linux
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("result", type=Path)
    parser.add_argument("--timeout", type=float, default=3 * 3600)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to run")
    result = measure(command, args.timeout)
    args.result.write_text(json.dumps(result), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
