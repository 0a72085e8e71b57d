"""Posts written atomically, a batch at a time, and the writer process that does it beside the
crawl (``python -m jobscrape.writer.atomic``, started by ``content_dir.PostWriter``).

Each post goes to a temporary file beside it. With ``fsync`` the batch's temporary files
reach the disk together (one ``syncfs`` for a large batch, else an ``fsync`` each) before any
is renamed over its post, and the directory is flushed after the renames: a killed run or a
power cut leaves each post old or new, never truncated.

This module imports nothing but the standard library: the writer process starts fast.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import functools
import hashlib
import itertools
import os
import pickle
import secrets
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, cast

from jobscrape.writer.staging import Row, Stager

SYNCFS_FROM = 8
"""Batches of at least this many durable posts are flushed with one ``syncfs`` rather than an
``fsync`` per post."""

_TEMP_TOKEN = secrets.token_hex(4)
_TEMP_SEQUENCE = itertools.count()


def content_hash(data: bytes) -> str:
    """The hash the state index keeps of a post's bytes."""
    return hashlib.sha256(data).hexdigest()


def file_stamp(status: os.stat_result) -> str:
    """What tells a file from its rewrites without reading it: size, mtime and inode."""
    return f"{status.st_size}:{status.st_mtime_ns}:{status.st_ino}"


Stamp = tuple[str, str, str]
"""A post written: its path, its file's stamp and its bytes' content hash."""
WriteStamp = tuple[int, str, str]
"""The writer process's stamp of a post it wrote without a row: the post's place in its
batch, its file's stamp and its bytes' content hash."""


class ContentDirUnwritable(OSError):
    """A post could not be written: the disk is full, the file system read-only, ..."""


@dataclass(slots=True)
class PostWrite:
    """One post to write: where, its bytes, its file mode, whether to flush it to disk, and
    its row of the state index, staged once it is written (``staging``), if it has one."""

    root: str
    path: str
    data: bytes
    mode: int
    fsync: bool
    row: Row | None = None


@functools.cache
def default_mode() -> int:
    """0o666 less the umask, read once: reading it means setting it, briefly."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


@functools.cache
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


@functools.cache
def _syncfs() -> Callable[[int], int] | None:
    """Linux's ``syncfs(2)``: flushes a whole file system with one journal commit."""
    libc = _libc()
    function = getattr(libc, "syncfs", None)
    if function is None:
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return cast(Callable[[int], int], function)


def _unwritable(write: PostWrite, error: OSError) -> ContentDirUnwritable:
    name = os.path.basename(write.path)
    return ContentDirUnwritable(
        error.errno, f"cannot write {name} into {write.root}: {error.strerror or error}"
    )


def _write_temp(write: PostWrite, *, fsync: bool) -> tuple[str, str]:
    """``write``'s bytes in a new temporary file beside the post; returns its path and the
    stamp the post will have once renamed."""
    stem = os.path.basename(write.path).removesuffix(".md")
    while True:
        name = f"{write.root}/.{stem}.{_TEMP_TOKEN}{next(_TEMP_SEQUENCE)}.tmp"
        try:
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, write.mode)
            break
        except FileExistsError:  # left by a killed run that drew the same token
            continue
    try:
        if write.mode & ~default_mode():  # bits the umask took away
            os.fchmod(fd, write.mode)
        view = memoryview(write.data)
        while view:
            view = view[os.write(fd, view) :]
        if fsync:
            os.fsync(fd)
        stamp = file_stamp(os.fstat(fd))  # a rename keeps size, mtime and inode
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    os.close(fd)
    return name, stamp


def sync_directory(root: str) -> None:
    """Flush a directory's entries (renames) to disk."""
    directory = os.open(root, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _sync_filesystem(root: str) -> None:
    syncfs = _syncfs()
    assert syncfs is not None
    directory = os.open(root, os.O_RDONLY)
    try:
        if syncfs(directory) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))
    finally:
        os.close(directory)


def write_posts(batch: list[PostWrite], *, sync_directories: bool = True) -> list[str]:
    """Write a batch of posts, each atomically (see the module's text); returns their files'
    stamps. A failure leaves no temporary file and raises ContentDirUnwritable naming the
    post; the posts renamed before it stay."""
    durable = [write for write in batch if write.fsync]
    one_sync = len(durable) >= SYNCFS_FROM and _syncfs() is not None
    temps: list[str] = []
    stamps: list[str] = []
    current = batch[0] if batch else None
    renamed = 0
    try:
        for current in batch:
            temp, stamp = _write_temp(current, fsync=current.fsync and not one_sync)
            temps.append(temp)
            stamps.append(stamp)
        if one_sync:
            for root in dict.fromkeys(write.root for write in durable):
                _sync_filesystem(root)
        for current, temp in zip(batch, temps, strict=True):
            os.replace(temp, current.path)
            renamed += 1
        if sync_directories:
            for root in dict.fromkeys(write.root for write in durable):
                sync_directory(root)
    except OSError as error:
        for temp in temps[renamed:]:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        assert current is not None
        raise _unwritable(current, error) from error
    return stamps


HELPER_NICENESS = 5
"""How much lower than the crawl the writer and pipeline worker processes run."""
PIPE_SIZE = 1 << 20
"""Bytes a pipe to a helper process holds (Linux): a batch goes in one write."""
_F_SETPIPE_SZ = 1031

Answer = tuple[tuple[int, str] | None, list[WriteStamp]]
"""The writer process's answer to a batch: None or the errno and message of its failure, and
the stamps of the posts it wrote without a row (those with one are staged)."""


def die_with(parent: int) -> None:
    """Linux: end when the crawl's process ends, even by SIGKILL: no write after it."""
    libc = _libc()
    if libc is not None:
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it ended before the line above
        os._exit(1)


def widen_pipe(fd: int) -> None:
    """Let the pipe ``fd`` hold ``PIPE_SIZE`` bytes where the system allows it: a batch for a
    helper process goes in one write, not in many that each wait for the other side."""
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, _F_SETPIPE_SZ, PIPE_SIZE)


def yield_to_crawl() -> None:
    """Lower this helper process's priority: on a busy machine the crawl's own process, which
    every posting goes through, gets the CPU first."""
    with contextlib.suppress(OSError):
        os.nice(HELPER_NICENESS)


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """Write the batches read from ``requests`` in order, answering each on ``answers``,
    until ``requests`` ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the crawl decides when to stop
    stager = Stager()
    while True:
        try:
            batch: list[PostWrite] = pickle.load(requests)
        except EOFError:
            return
        answer: Answer
        try:
            answer = (None, write_and_stage(batch, stager))
        except OSError as error:  # ContentDirUnwritable, or the staging failed
            answer = ((error.errno or 0, error.strerror or str(error)), [])
        pickle.dump(answer, answers)
        answers.flush()


def write_and_stage(batch: list[PostWrite], stager: Stager) -> list[WriteStamp]:
    """Write a batch (``write_posts``), then stage the rows of its posts that carry one, with
    their content hash and file stamp; returns the stamps of the others."""
    stamps = write_posts(batch)
    rows: dict[str, list[Row]] = {}
    unstaged: list[WriteStamp] = []
    for place, (write, stamp) in enumerate(zip(batch, stamps, strict=True)):
        if write.row is None:
            unstaged.append((place, stamp, content_hash(write.data)))
        else:
            rows.setdefault(write.root, []).append((*write.row, content_hash(write.data), stamp))
    for root, staged in rows.items():
        stager.stage(root, staged)
    return unstaged


if __name__ == "__main__":
    die_with(int(sys.argv[1]))
    yield_to_crawl()
    serve(sys.stdin.buffer, sys.stdout.buffer)
