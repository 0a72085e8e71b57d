"""The ASCII fast path of the text repair does exactly what ftfy does."""

from __future__ import annotations

import ftfy
from hypothesis import given, settings
from hypothesis import strategies as st

from jobscrape.text import fix_text

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
