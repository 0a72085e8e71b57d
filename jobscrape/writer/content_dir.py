"""A static site's content directory: one Markdown file per post, written atomically."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

POST_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,119}$")


class UnsafePostPath(ValueError):
    """A post would be written outside the content directory."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class ContentDirectory:
    """Writes ``<root>/<slug>.md`` files, never anything outside ``root``.

    Each write goes to a temporary file in the same directory, is flushed to disk and then
    renamed over the post (``os.replace``), so a killed run leaves either the old post or the
    new one, never a truncated one. A post whose bytes would not change is not touched. With
    ``overwrite=False`` an existing post is kept as it is.
    """

    def __init__(self, root: str | os.PathLike[str], *, overwrite: bool = True) -> None:
        self.root = Path(root).resolve()
        self.overwrite = overwrite
        self._mode = 0o666 & ~_umask()

    def ensure(self) -> None:
        """Create the directory if it is missing."""
        self.root.mkdir(parents=True, exist_ok=True)

    def path_for(self, slug: str) -> Path:
        """The file of the post ``slug``, checked to lie directly inside the directory."""
        if not POST_SLUG.match(slug):
            raise UnsafePostPath(f"not a safe post name: {slug!r}")
        path = self.root / f"{slug}.md"
        if path.parent != self.root:
            raise UnsafePostPath(f"{slug!r} leaves the content directory")
        return path

    def write(self, slug: str, text: str) -> str:
        """Write one post; returns what happened: ``new``, ``updated``, ``unchanged`` or
        ``kept`` (it existed and overwriting is off)."""
        path = self.path_for(slug)
        data = text.encode("utf-8")
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise UnsafePostPath(f"{path} is not a regular file; refusing to write through it")
        existed = path.exists()
        if existed:
            if not self.overwrite:
                return "kept"
            if path.read_bytes() == data:
                return "unchanged"
        self._replace(path, data)
        return "updated" if existed else "new"

    def _replace(self, path: Path, data: bytes) -> None:
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=f".{path.stem}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as tmp:
                tmp.write(data)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.chmod(tmp_name, self._mode)
            os.replace(tmp_name, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
