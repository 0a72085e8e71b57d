"""Plain markup, checked tag by tag, is judged as the full audit (two parsers) judges it."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobscrape.pipelines.sanitize_html import (
    IMAGE_SCHEMES,
    LINK_SCHEMES,
    _read_url_is_safe,
    parsers_problem,
    plain_markup_problem,
    unsafe_markup,
    url_is_safe,
)

TAGS = ["p", "b", "a", "ul", "li", "em", "img", "br", "div", "span", "script", "iframe", "B", "P"]
ATTRIBUTES = [
    ' href="https://example.com/x"',
    " href='mailto:jobs@example.com'",
    " href=https://example.com/y",
    ' href="javascript:alert(1)"',
    ' href="java&#x73;cript:alert(1)"',
    ' href=" javascript:alert(1)"',
    ' src="https://example.com/logo.png"',
    ' src="data:image/png;base64,AAAA"',
    ' onclick="alert(1)"',
    ' title="a > b"',
    ' title="&quot;quoted&quot;"',
    " alt",
    ' class="x"',
]
TEXT = ["text", " ", "a & b", "&amp;", "&lt;", "x > y", "\n", "é", "[link](https://x.org)"]
STRAY = ["<", "< p>", "<p", "</ p>", "<!-- c -->", "<?pi?>", "<a/href=x>", "<p\x0b>"]


@st.composite
def element(draw, depth=0):
    tag = draw(st.sampled_from(TAGS))
    attributes = "".join(draw(st.lists(st.sampled_from(ATTRIBUTES), max_size=2)))
    closing = draw(st.sampled_from(["", "/"]))
    if tag.lower() in {"img", "br"}:
        return f"<{tag}{attributes}{closing}>"
    inner = draw(st.lists(fragment(depth + 1), max_size=3)) if depth < 3 else []
    return f"<{tag}{attributes}>{''.join(inner)}</{tag}>"


def fragment(depth=0):
    if depth >= 3:
        return st.sampled_from(TEXT)
    return st.one_of(st.sampled_from(TEXT), element(depth))


markup = st.lists(st.one_of(fragment(), st.sampled_from(STRAY)), min_size=1, max_size=6).map(
    "".join
)


@settings(max_examples=int(os.environ.get("PLAIN_MARKUP_EXAMPLES", "600")), deadline=None)
@given(markup)
def test_plain_markup_is_judged_as_the_two_parsers_judge_it(text):
    plain = plain_markup_problem(text)
    if plain is None:
        return  # not plain: the full audit decides, as before
    assert bool(plain) == bool(parsers_problem(text)), (plain, parsers_problem(text))
    if "<!" not in text and "<?" not in text:
        assert unsafe_markup(text) == plain


@pytest.mark.parametrize(
    "text",
    [
        "<p>Hi <b>there</b></p><ul><li>one</li></ul>",
        '<p><a href="https://example.com/?a=1&amp;b=2" title="x">apply</a><br/></p>',
        "<P>Upper <EM>case</EM></P>",
    ],
)
def test_plain_safe_markup_is_kept_byte_for_byte(text):
    assert plain_markup_problem(text) == ""
    assert unsafe_markup(text) == ""


@pytest.mark.parametrize(
    "text",
    [
        "a < b",  # a stray "<"
        "<b><p>cross</b>nested</p>",  # misnested
        "<p>left open",
        "<p data-x=1>hyphenated attribute</p>",
        "<a/href=x>slash</a>",
    ],
)
def test_markup_not_plain_goes_to_the_parsers_problem(text):
    assert plain_markup_problem(text) is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<div><script>x</script></div>", "tag <script>"),
        ('<p onclick="x">hi</p>', "attribute onclick on <p>"),
        ('<a href="java&#x73;cript:alert(1)">x</a>', "URL"),
        ('<img src="data:image/png;base64,AAAA">', "URL"),
    ],
)
def test_plain_unsafe_markup_names_the_problem(text, problem):
    assert problem in plain_markup_problem(text)
    assert problem in unsafe_markup(text)


URL_PIECES = [
    "https://", "http://", "HTTPS://", "javascript:", "java\tscript:", "&#x6a;", "&amp;", " ",
    "\x00", "\x7f", "\u2028", "example.com", "/path", "?q=1", ":", "#x", "é",
]  # fmt: skip


@settings(max_examples=int(os.environ.get("PLAIN_MARKUP_EXAMPLES", "600")), deadline=None)
@given(st.lists(st.sampled_from(URL_PIECES), min_size=1, max_size=5).map("".join))
def test_a_plain_web_url_is_judged_as_the_full_reading_judges_it(url):
    """The short way for ``http(s)://`` URLs with nothing to unescape gives the answer that
    unescaping, stripping and reading the scheme give."""
    for schemes in (LINK_SCHEMES, IMAGE_SCHEMES, frozenset({"mailto"})):
        assert url_is_safe(url, schemes) == _read_url_is_safe(url, schemes)
