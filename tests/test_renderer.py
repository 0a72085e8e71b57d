"""The renderer: a pure function from JobPosting to the site's exact post text."""

from __future__ import annotations

import json

import frontmatter
import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from jobscrape.items import JobPosting
from jobscrape.renderer import post_metadata, render_post, yaml_string
from jobscrape.renderer.front_matter import PostFrontMatterHandler, yaml_value
from tests.conftest import POST_KEYS, REFERENCE_POST, require_real

HEETCH_BODY_START = "<p><strong>Driver Growth @Heetch</strong></p>"


def reference_posting(body: str) -> JobPosting:
    return JobPosting(
        source="remoteok",
        source_id="71285",
        slug="post-71285",
        title="Site Reliability Engineer",
        company="Heetch",
        tags=["sys admin", "engineer", "admin"],
        date="2019-02-20T11:32:03-08:00",
        images=["https://remoteok.io/assets/logo-square.png"],
        body=body,
    )


def test_reference_post_rendered_byte_for_byte():
    reference = require_real(REFERENCE_POST).read_bytes()
    body = reference.decode("utf-8").split("---\n\n", 1)[1].rstrip("\n")
    assert body.startswith(HEETCH_BODY_START)
    assert render_post(reference_posting(body)).encode("utf-8") == reference


def test_post_layout():
    text = render_post(reference_posting("<p>x</p>"))
    lines = text.split("\n")
    assert lines[0] == "---"
    assert [line.split(":", 1)[0] for line in lines[1:8]] == POST_KEYS
    assert lines[8:] == ["---", "", "<p>x</p>", ""]
    assert lines[3] == 'tags: ["sys admin","engineer","admin"]'


def test_body_whitespace_is_trimmed_to_one_final_newline():
    text = render_post(reference_posting("\n\n  <p>x</p>\n\n"))
    assert text.endswith("---\n\n<p>x</p>\n")


def test_empty_lists_and_strings():
    posting = JobPosting(source="b", source_id="1", slug="post-1", body="b")
    text = render_post(posting)
    assert 'tags: []\ntitle: ""' in text
    assert "images: []\n---" in text


def test_extra_fields_follow_the_seven_keys_in_the_same_style():
    posting = reference_posting("<p>x</p>")
    posting.location = 'Paris: "HQ"'
    posting.salary_min = 90000.0
    posting.remote = True
    with pytest.raises(ValueError, match="title cannot go into a post"):
        render_post(posting, ["location", "title"])
    text = render_post(posting, ["location", "salary_min", "remote", "salary_max"])
    lines = text.split("\n")
    assert lines[8:11] == [
        'location: "Paris: \\"HQ\\""',
        'salary_min: "90000"',
        'remote: "true"',
    ]
    assert lines[11] == "---"  # an empty salary_max is left out
    loaded = frontmatter.loads(text)
    assert loaded["location"] == 'Paris: "HQ"'


@pytest.mark.parametrize(
    "value",
    [
        'say "hi"',
        "back\\slash",
        "line\nbreak\r\n",
        "---",
        "\n---\nkey: value\n---\n",
        "key: # comment",
        "\x00\x01\x07\x1b\x7f",
        "\x85 NEL \u2028 LS \u2029 PS",
        "\ufeffBOM",
        "emoji 💪🏽 and 中文",
        "yes",
        "null",
        "~",
        "1e3",
        "0x1F",
        "2019-02-20",
        " leading and trailing ",
        "\t",
        "'single'",
        "&amp; %TAG !!str",
        "\ufffe\uffff",
    ],
)
def test_hostile_strings_round_trip(value):
    posting = JobPosting(
        source="b", source_id="1", slug="post-1", title=value, company=value,
        tags=[value, "x"], images=[value], date=value, category=value, body="<p>b</p>",
    )  # fmt: skip
    loaded = frontmatter.loads(render_post(posting))
    assert loaded["title"] == value
    assert loaded["summary"] == value
    assert loaded["tags"] == [value, "x"]
    assert loaded["images"] == [value]
    assert loaded["date"] == value
    assert loaded["category"] == value
    assert list(loaded.metadata) == POST_KEYS
    assert loaded.content == "<p>b</p>"


text_values = st.text(alphabet=st.characters(blacklist_categories=["Cs"]))


@settings(max_examples=300, deadline=None)
@given(
    title=text_values,
    company=text_values,
    date=text_values,
    tags=st.lists(text_values, max_size=5),
    images=st.lists(text_values, max_size=2),
    body=text_values,
)
@example(title="---", company="\n---\n", date="yes", tags=["null", ""], images=["\x85"], body="---")
def test_any_text_round_trips_through_frontmatter(title, company, date, tags, images, body):
    posting = JobPosting(
        source="b", source_id="1", slug="post-1", title=title, company=company,
        date=date, tags=tags, images=images, body=body,
    )  # fmt: skip
    text = render_post(posting)
    loaded = frontmatter.loads(text)
    assert loaded.metadata == {
        "path": "/post-1/",
        "category": "Remote Jobs",
        "tags": tags,
        "title": title,
        "date": date,
        "summary": company,
        "images": images,
    }
    # the front matter is exactly seven one-line keys between the two --- lines
    assert text.split("\n")[8] == "---"


@settings(max_examples=300, deadline=None)
@given(
    title=text_values,
    body=st.one_of(text_values, st.sampled_from(["", " \n\t", "\u2028", "\x85x\x85", "b\n\n"])),
    expired=st.sampled_from(["", "2026-11-27T00:00:00+00:00"]),
)
def test_the_direct_emitter_writes_what_frontmatter_dumps_writes(title, body, expired):
    posting = JobPosting(
        source="b", source_id="1", slug="post-1", title=title, company="c", date="d",
        tags=["t"], body=body, expiry_date=expired, url="https://example.com/1",
    )  # fmt: skip
    post = frontmatter.Post(body.strip())
    post.metadata.update(post_metadata(posting, ["url"]))
    expected = frontmatter.dumps(post, handler=PostFrontMatterHandler()) + "\n"
    assert render_post(posting, ["url"]) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"])))
def test_yaml_string_loads_back_with_pure_and_c_loaders(value):
    quoted = yaml_string(value)
    assert "\n" not in quoted
    assert yaml.load(f"k: {quoted}", Loader=yaml.SafeLoader) == {"k": value}
    if hasattr(yaml, "CSafeLoader"):
        assert yaml.load(f"k: {quoted}", Loader=yaml.CSafeLoader) == {"k": value}


def test_yaml_string_is_json_for_plain_text():
    assert yaml_string('a "b" \\ c') == json.dumps('a "b" \\ c')
    assert yaml_string("café 💪") == '"café 💪"'


def test_only_strings_and_string_lists_are_written():
    with pytest.raises(TypeError):
        yaml_value({"a": 1})
    with pytest.raises(TypeError):
        yaml_value([1, 2])
    with pytest.raises(ValueError):
        PostFrontMatterHandler().export({"bad key": "x"})


def test_rendering_is_pure():
    posting = reference_posting("<p>x</p>")
    before = repr(posting)
    assert render_post(posting) == render_post(posting)
    assert repr(posting) == before
