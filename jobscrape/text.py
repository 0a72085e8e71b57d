"""Plain-text repair for the short fields boards send: titles, company names, tags."""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import ftfy

_WHITESPACE = re.compile(r"\s+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """``text`` with lone surrogates (which no file can hold) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


_ASCII_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
_TERMINAL_ESCAPE = re.compile("\x1b\\[((?:\\d|;)*)([a-zA-Z])")  # ftfy's own pattern


def fix_text(text: str) -> str:
    """ftfy's repair (mojibake, control characters, line breaks), with a fast path for ASCII
    text, which can hold no mojibake: there it only removes terminal escapes and the control
    characters ftfy removes, and turns CR and CRLF into LF, as ftfy does."""
    if text.isascii():
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if "\x1b" in text:
            text = _TERMINAL_ESCAPE.sub("", text)
        return _ASCII_CONTROL.sub("", text)
    return ftfy.fix_text(text, unescape_html=False, uncurl_quotes=False)


def plain_text(raw: object) -> str:
    """``raw`` as one clean line: mojibake repaired, entities unescaped, whitespace collapsed.

    ``"CI&amp;T"`` gives ``"CI&T"``; ``"Don\\u00e2\\u0080\\u0099t"`` (UTF-8 read as Latin-1)
    gives ``"Don\u2019t"`` (a right single quote). Anything that is not text gives ``""``.
    """
    if type(raw) is str and _is_plain_line(raw):
        return raw
    return _repaired_line(raw)


def _is_plain_line(text: str) -> bool:
    """Whether ``text`` is one clean line as it stands: printable ASCII (no control character,
    no whitespace but the space), no entity, no run of spaces, no space at either end. Most
    titles and company names are: they need no repair."""
    return (
        text.isascii()
        and text.isprintable()
        and "&" not in text
        and "  " not in text
        and text[:1] != " "
        and text[-1:] != " "
    )


def _repaired_line(raw: object) -> str:
    """``plain_text`` the long way."""
    if raw is None or isinstance(raw, bool | dict | list):
        return ""
    text = fix_text(str(raw))
    if "&" in text:
        text = html.unescape(text)
        # entities can hide mojibake of their own (&#195;&#169;)
        text = fix_text(text)
    text = without_surrogates(text)
    return _WHITESPACE.sub(" ", text).strip()


_ESCAPED_TAG = re.compile(r"&lt;/?[A-Za-z][^<>]*?&gt;")


def unescape_markup(text: str) -> str:
    """HTML that a board entity-escaped once more (``&lt;p&gt;...``), unescaped once; markup
    that is not escaped is returned as it is. Only the part before the first real tag is
    unescaped: boards append real markup (a footer) to escaped descriptions, and text after
    real markup that shows ``&lt;div&gt;`` means it."""
    start = text.find("<")
    escaped, rest = (text, "") if start == -1 else (text[:start], text[start:])
    if not _ESCAPED_TAG.search(escaped):
        return text
    return html.unescape(escaped) + rest


def tag_values(raw: Any) -> list[str]:
    """The tag strings in whatever shape a board sends: a list, a PHP sparse array (a JSON
    object keyed by index), or one comma-joined string."""
    if raw is None:
        return []
    if isinstance(raw, str):
        return raw.split(",")
    if isinstance(raw, dict):
        values: Iterable[Any] = (raw[key] for key in sorted(raw, key=_index_order))
    elif isinstance(raw, Iterable):
        values = raw
    else:
        values = [raw]
    return [str(value) for value in values if isinstance(value, str | int | float)]


def _index_order(key: Any) -> tuple[int, int, str]:
    text = str(key)
    return (0, int(text), "") if text.isascii() and text.isdigit() else (1, 0, text)


_LEGAL_SUFFIX = re.compile(
    r"\b(inc|incorporated|llc|ltd|limited|gmbh|ag|sa|sas|bv|b v|plc|corp|corporation|co|company)$"
)
_NOT_WORD = re.compile(r"[\W_]+")
_REMOTE_NOTE = re.compile(r"\((?:[^()]*remote[^()]*)\)|\[(?:[^\[\]]*remote[^\[\]]*)\]|\bremote\b")


@functools.lru_cache(maxsize=4096)  # a posting's company and title are keyed twice a run
def match_key(text: str) -> str:
    """``text`` reduced for matching the same job on two boards: case, accents' width forms,
    punctuation, "(Remote)" notes and a company's legal suffix (Inc, GmbH, ...) do not count.
    ``"Acme, Inc."`` and ``"ACME"`` give ``"acme"``."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = _REMOTE_NOTE.sub(" ", folded)
    words = _NOT_WORD.sub(" ", folded).strip()
    while True:
        shorter = _LEGAL_SUFFIX.sub("", words).strip()
        if shorter == words or not shorter:
            return words
        words = shorter
