"""Turn a JobPosting into the exact text of its Markdown post."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import frontmatter

from jobscrape.items import JobPosting
from jobscrape.renderer.front_matter import KEY, PostFrontMatterHandler, yaml_value

POST_KEYS = ("path", "category", "tags", "title", "date", "summary", "images")
"""The front-matter keys of every post, in the order they are written."""

EXTRA_FIELDS = (
    "source", "source_id", "url", "apply_url", "location", "salary_raw", "salary_min",
    "salary_max", "salary_currency", "salary_period", "employment_type", "remote", "expires",
    "sources",
)  # fmt: skip
"""JobPosting fields that ``POST_EXTRA_FIELDS`` may add to the front matter."""
EXPIRY_KEY = "expiryDate"
"""Set on a post whose job vanished or expired; Hugo stops publishing it."""

_HANDLER = PostFrontMatterHandler()


def check_extra_fields(names: Sequence[str]) -> tuple[str, ...]:
    """``names`` if every one may go into the front matter; a ValueError naming the others."""
    unknown = [name for name in names if name not in EXTRA_FIELDS]
    if unknown:
        raise ValueError(
            f"POST_EXTRA_FIELDS: {', '.join(unknown)} cannot go into a post; "
            f"choose from {', '.join(EXTRA_FIELDS)}"
        )
    return tuple(names)


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
    for name in check_extra_fields(extra_fields):
        value = getattr(posting, name)
        if value is None or value == "":
            continue
        metadata[name] = value if isinstance(value, str | list) else _as_text(value)
    if posting.expiry_date:
        metadata[EXPIRY_KEY] = posting.expiry_date
    return metadata


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def render_post(posting: JobPosting, extra_fields: Sequence[str] = ()) -> str:
    """The post's text: ``---``, front matter, ``---``, an empty line, the body, a newline;
    what ``frontmatter.dumps`` with the site's handler writes, plus the final newline,
    written directly (no ``Post`` object, no template)."""
    front_matter = _HANDLER.export(post_metadata(posting, extra_fields))
    body = posting.body.strip()
    return f"---\n{front_matter}\n---\n\n{body}\n" if body else f"---\n{front_matter}\n---\n"


def _split_dialect(text: str) -> tuple[dict[str, Any], str] | None:
    """Front matter and body of a post in jobscrape's own dialect (one ``key: <JSON string or
    list of strings>`` a line), read without YAML; None for any other post."""
    lines = text.split("\n")
    if not lines or lines[0] != "---":
        return None
    metadata: dict[str, Any] = {}
    for number, line in enumerate(lines[1:], start=1):
        if line == "---":
            return metadata, "\n".join(lines[number + 1 :]).strip()
        key, sep, value = line.partition(": ")
        if not sep or not KEY.match(key):
            return None
        try:
            loaded = json.loads(value)
        except ValueError:
            return None
        if not (isinstance(loaded, str) or _strings(loaded)):
            return None
        metadata[key] = loaded
    return None


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def split_post(text: str) -> tuple[dict[str, Any], str]:
    """The front matter and body of a post: read directly when jobscrape wrote it, else with
    python-frontmatter (a ValueError when it has none or it does not parse)."""
    parsed = _split_dialect(text)
    if parsed is not None:
        return parsed
    try:
        post = frontmatter.loads(text)
    except Exception as error:  # the YAML / TOML readers raise their own errors
        raise ValueError(f"unreadable front matter: {error}") from error
    if not isinstance(post.metadata, dict) or not post.metadata:
        raise ValueError("no front matter")
    return dict(post.metadata), post.content.strip()


def rerender(text: str, changes: Mapping[str, object], extra_fields: Sequence[str] = ()) -> str:
    """The post ``text`` with front-matter keys set (a value) or removed (None).

    A post jobscrape wrote is written again with its keys in the order ``render_post`` uses:
    the seven, the extra fields, ``expiryDate``, the rest. A post edited by hand keeps its
    front matter line for line: only the lines of the keys changed are replaced or removed
    (a ValueError when it has no ``---`` front matter)."""
    parsed = _split_dialect(text)
    if parsed is None:
        return _patch_lines(text, changes)
    metadata, body = parsed
    for key, value in changes.items():
        if value is None:
            metadata.pop(key, None)
        else:
            metadata[key] = value
    order = [*POST_KEYS, *extra_fields, EXPIRY_KEY]
    ordered = {key: metadata[key] for key in order if key in metadata}
    ordered.update((key, value) for key, value in metadata.items() if key not in ordered)
    post = frontmatter.Post(body)
    post.metadata.update(ordered)
    return frontmatter.dumps(post, handler=_HANDLER) + "\n"


def _patch_lines(text: str, changes: Mapping[str, object]) -> str:
    lines = text.split("\n")
    end = next((n for n, line in enumerate(lines[1:], 1) if line.rstrip() == "---"), None)
    if lines[0].rstrip() != "---" or end is None:
        raise ValueError("no YAML front matter between --- lines")
    kept: list[str] = []
    dropping = False
    for line in lines[1:end]:
        key = line.split(":", 1)[0] if line[:1] not in " \t-#" else None
        if key is not None:
            dropping = key in changes
        if not dropping:
            kept.append(line)
    kept += [f"{key}: {yaml_value(value)}" for key, value in changes.items() if value is not None]
    return "\n".join([lines[0], *kept, *lines[end:]])
