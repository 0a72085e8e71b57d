"""Plain-text repair for the short fields boards send: titles, company names, tags."""

from __future__ import annotations

import html
import re

import ftfy

_WHITESPACE = re.compile(r"\s+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def plain_text(raw: object) -> str:
    """``raw`` as one clean line: mojibake repaired, entities unescaped, whitespace collapsed.

    ``"CI&amp;T"`` gives ``"CI&T"``; ``"Don\\u00e2\\u0080\\u0099t"`` (UTF-8 read as Latin-1)
    gives ``"Don\u2019t"`` (a right single quote). Anything that is not text gives ``""``.
    """
    if raw is None or isinstance(raw, bool | dict | list):
        return ""
    text = str(raw)
    text = ftfy.fix_text(text, unescape_html=False, uncurl_quotes=False)
    text = html.unescape(text)
    # entities can hide mojibake of their own (&#195;&#169;)
    text = ftfy.fix_text(text, unescape_html=False, uncurl_quotes=False)
    text = _SURROGATE.sub("\ufffd", text)
    return _WHITESPACE.sub(" ", text).strip()
