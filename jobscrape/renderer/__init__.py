"""Rendering: a pure function from a JobPosting to the text of its post."""

from jobscrape.renderer.front_matter import PostFrontMatterHandler, yaml_string
from jobscrape.renderer.post import (
    EXTRA_FIELDS,
    POST_KEYS,
    check_extra_fields,
    post_metadata,
    render_post,
)

__all__ = [
    "EXTRA_FIELDS",
    "POST_KEYS",
    "PostFrontMatterHandler",
    "check_extra_fields",
    "post_metadata",
    "render_post",
    "yaml_string",
]
