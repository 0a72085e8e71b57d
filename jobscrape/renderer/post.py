"""Turn a JobPosting into the exact text of its Markdown post."""

from __future__ import annotations

from collections.abc import Sequence

import frontmatter

from jobscrape.items import JobPosting
from jobscrape.renderer.front_matter import PostFrontMatterHandler

POST_KEYS = ("path", "category", "tags", "title", "date", "summary", "images")
"""The front-matter keys of every post, in the order they are written."""

_HANDLER = PostFrontMatterHandler()


def post_metadata(posting: JobPosting, extra_fields: Sequence[str] = ()) -> dict[str, object]:
    """The front matter of ``posting``: the seven keys, then any extra item fields asked for."""
    metadata: dict[str, object] = {
        "path": posting.path,
        "category": posting.category,
        "tags": list(posting.tags),
        "title": posting.title,
        "date": posting.date,
        "summary": posting.company,
        "images": list(posting.images),
    }
    for name in extra_fields:
        if name in metadata:
            continue
        value = getattr(posting, name)
        if value is None or value == "":
            continue
        metadata[name] = value if isinstance(value, str | list) else _as_text(value)
    return metadata


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def render_post(posting: JobPosting, extra_fields: Sequence[str] = ()) -> str:
    """The post's text: ``---``, front matter, ``---``, an empty line, the body, a newline."""
    post = frontmatter.Post(posting.body.strip())
    post.metadata.update(post_metadata(posting, extra_fields))
    return frontmatter.dumps(post, handler=_HANDLER) + "\n"
