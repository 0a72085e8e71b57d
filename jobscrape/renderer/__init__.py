"""Rendering: a pure function from a JobPosting to the text of its post."""

from jobscrape.renderer.front_matter import PostFrontMatterHandler, yaml_string
from jobscrape.renderer.post import (
    EXPIRY_KEY,
    EXTRA_FIELDS,
    POST_KEYS,
    check_extra_fields,
    post_metadata,
    render_post,
    rerender,
    split_post,
)

__all__ = [
    "EXPIRY_KEY",
    "EXTRA_FIELDS",
    "POST_KEYS",
    "PostFrontMatterHandler",
    "check_extra_fields",
    "post_metadata",
    "render_post",
    "rerender",
    "split_post",
    "yaml_string",
]
