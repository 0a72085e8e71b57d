"""The fast paths of the text repair do exactly what the long way does."""

from __future__ import annotations

import ftfy
from hypothesis import given, settings
from hypothesis import strategies as st

from jobscrape import text as text_module
from jobscrape.text import fix_text, plain_text

ASCII = st.lists(
    st.one_of(
        st.characters(max_codepoint=127),
        st.sampled_from(["\x1b[", "\x1b[1;31m", "\x1b[m", "\r\n", "\r", "&amp;"]),
    ),
    max_size=40,
).map("".join)


@settings(max_examples=3000, deadline=None)
@given(ASCII)
def test_the_ascii_fast_path_equals_ftfy(text):
    assert fix_text(text) == ftfy.fix_text(text, unescape_html=False, uncurl_quotes=False)


@given(st.text(max_size=60))
def test_any_text_is_repaired_as_ftfy_repairs_it(text):
    assert fix_text(text) == ftfy.fix_text(text, unescape_html=False, uncurl_quotes=False)


LINES = st.lists(
    st.one_of(
        st.characters(max_codepoint=127),
        st.sampled_from([" ", "  ", "&amp;", "&#233;", "\t", "\x1c", "\u00c3\u00a9", "\ud800"]),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=3000, deadline=None)
@given(LINES)
def test_a_line_taken_as_it_stands_is_what_the_repair_would_give(line):
    assert plain_text(line) == text_module._repaired_line(line)
