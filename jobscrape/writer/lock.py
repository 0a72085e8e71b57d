"""One run at a time per content directory: an OS lock that dies with its process."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

STATE_DIR = ".jobscrape"
"""The content directory's hidden state folder (the site generator skips dot folders)."""


class ContentLockBusy(RuntimeError):
    """Another run holds the content directory."""


class ContentLock:
    """``flock`` on ``<content dir>/.jobscrape/lock``: released when the process ends, however
    it ends, so a killed run never leaves a stale lock. The holder writes its pid and start
    time into the file, for the message a waiting run gives."""

    _held: ClassVar[set[Path]] = set()

    def __init__(self, content_dir: str | os.PathLike[str]) -> None:
        self.path = Path(content_dir).resolve() / STATE_DIR / "lock"
        self._fd: int | None = None

    @classmethod
    def held_by_this_process(cls, content_dir: str | os.PathLike[str]) -> bool:
        """Whether this process holds the lock of ``content_dir``: no other run writes it."""
        return Path(content_dir).resolve() / STATE_DIR / "lock" in cls._held

    def acquire(self, timeout: float = 0.0) -> None:
        """Take the lock, waiting up to ``timeout`` seconds; ContentLockBusy naming the holder
        when it stays taken."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = self._holder(fd)
                    os.close(fd)
                    raise ContentLockBusy(
                        f"{self.path.parent.parent} is in use by another run ({holder}); "
                        f"waited {timeout:g} s (LOCK_TIMEOUT)"
                    ) from None
                time.sleep(0.1)
        started = datetime.now(UTC).isoformat(timespec="seconds")
        with contextlib.suppress(OSError):  # who holds it is a courtesy: a full disk may refuse
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps({"pid": os.getpid(), "started": started}).encode())
        self._fd = fd
        ContentLock._held.add(self.path)

    @staticmethod
    def _holder(fd: int) -> str:
        try:
            holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
        except (OSError, ValueError):
            return "holder unknown"
        return f"pid {holder.get('pid', '?')}, started {holder.get('started', '?')}"

    def release(self) -> None:
        if self._fd is not None:
            ContentLock._held.discard(self.path)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
