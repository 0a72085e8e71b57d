"""Rendering: a pure function from a JobPosting to the text of its post."""

from jobscrape.renderer.front_matter import PostFrontMatterHandler, yaml_string
from jobscrape.renderer.post import POST_KEYS, post_metadata, render_post

__all__ = ["POST_KEYS", "PostFrontMatterHandler", "post_metadata", "render_post", "yaml_string"]
