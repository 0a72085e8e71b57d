"""SanitizeHtmlPipeline: a post body holds only allowlisted markup."""

from __future__ import annotations

import html
import itertools
import re
from html.parser import HTMLParser

import nh3

from jobscrape.items import JobPosting
from jobscrape.pipelines import PostingPipeline

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "ol", "p", "pre",
        "s", "small", "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot",
        "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title"}),
    "abbr": frozenset({"title"}),
    "img": frozenset({"src", "alt", "title", "width", "height"}),
    "ol": frozenset({"start"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan"}),
}
URL_ATTRIBUTES = frozenset({"href", "src"})
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = frozenset({"http", "https"})

# What a browser strips from a URL before reading its scheme.
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_SENTINEL = "<br>"


def _plain_web_url(url: str) -> bool:
    return (
        url.startswith(("https://", "http://"))
        and "&" not in url
        and " " not in url
        and url.isprintable()
    )


def url_is_safe(url: str, schemes: frozenset[str]) -> bool:
    """True for a URL whose scheme, if any, is in ``schemes`` (relative URLs are fine)."""
    if _plain_web_url(url):  # nothing to unescape or strip: the scheme is as written
        return url[: url.index(":")] in schemes
    return _read_url_is_safe(url, schemes)


def _read_url_is_safe(url: str, schemes: frozenset[str]) -> bool:
    """``url_is_safe`` the long way: unescaped and stripped as a browser does, then read."""
    bare = _URL_IGNORED.sub("", html.unescape(url))
    match = _SCHEME.match(bare)
    if match is None:
        return ":" not in bare.split("/", 1)[0]
    return match.group(1).lower() in schemes


class _MarkupAudit(HTMLParser):
    """Walks HTML and notes the first thing outside the allowlist; records the start tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problem = ""
        self.start_tags: list[tuple[str, tuple[tuple[str, str | None], ...]]] = []

    def _flag(self, problem: str) -> None:
        self.problem = self.problem or problem

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.start_tags.append((tag, tuple(sorted(attrs, key=lambda pair: pair[0]))))
        if tag not in ALLOWED_TAGS:
            self._flag(f"tag <{tag}>")
            return
        allowed = ALLOWED_ATTRIBUTES.get(tag, frozenset())
        for name, value in attrs:
            if name not in allowed:
                self._flag(f"attribute {name} on <{tag}>")
            elif name in URL_ATTRIBUTES:
                schemes = IMAGE_SCHEMES if tag == "img" else LINK_SCHEMES
                if value is None or not url_is_safe(value, schemes):
                    self._flag(f"URL {value!r} in <{tag} {name}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED_TAGS:
            self._flag(f"end tag </{tag}>")

    def handle_comment(self, data: str) -> None:
        self._flag("a comment")

    def handle_decl(self, decl: str) -> None:
        self._flag("a declaration")

    def handle_pi(self, data: str) -> None:
        self._flag("a processing instruction")

    def unknown_decl(self, data: str) -> None:
        self._flag("a CDATA or unknown declaration")


# The plain form of markup: every ``<`` opens a well-formed start or end tag whose name and
# attribute names are ASCII letters and whose attributes all have values, quoted (holding no
# ``<``) or plain words; nothing else (no comment, declaration or stray ``<``). Markup in this form
# tokenizes the same in every HTML parser, so it needs no second parse to be trusted.
_PLAIN_TAG = re.compile(
    r"""<(?:([A-Za-z][A-Za-z0-9]*)"""  # a start tag's name, then its attributes:
    r"""((?:[ \t\n\r\f]+[A-Za-z]+[ \t\n\r\f]*=[ \t\n\r\f]*"""
    r"""(?:"[^"<]*"|'[^'<]*'|[^ \t\n\r\f"'=<>`]+))*)[ \t\n\r\f]*/?"""
    r"""|/([A-Za-z][A-Za-z0-9]*)[ \t\n\r\f]*)>"""  # or an end tag's name
)
_PLAIN_ATTRIBUTE = re.compile(
    r"""([A-Za-z]+)[ \t\n\r\f]*=[ \t\n\r\f]*"""
    r"""(?:"([^"<]*)"|'([^'<]*)'|([^ \t\n\r\f"'=<>`]+))"""
)


VOID_TAGS = frozenset({"br", "hr", "img"})
PHRASING_TAGS = frozenset(
    {
        "a", "abbr", "b", "br", "code", "del", "em", "i", "img", "ins", "s", "small", "span",
        "strike", "strong", "sub", "sup", "u",
    }
)  # fmt: skip
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
TABLE_TAGS = frozenset({"table", "tbody", "td", "tfoot", "th", "thead", "tr"})
_PLACED_TAGS = frozenset({"a", "li", "dd", "dt"}) | HEADING_TAGS | TABLE_TAGS
"""Tags a browser may move or close for their parent: checked against it."""


def _nests_as_written(tags: list[tuple[str, str, str]]) -> bool:
    """Whether a browser builds the elements as the tags nest them: every element closed in
    order, and none that a browser would close or move for its parent (a block inside ``<p>``,
    ``<a>`` inside ``<a>``, a list item outside a list, a heading in a heading, any table)."""
    open_tags: list[str] = []
    paragraphs = links = 0
    for name, _, end in tags:
        if end:
            end = end.lower()
            if not open_tags or open_tags.pop() != end:
                return False  # misnested, or never opened
            if end == "p":
                paragraphs -= 1
            elif end == "a":
                links -= 1
            continue
        tag = name.lower()
        if paragraphs and tag not in PHRASING_TAGS:
            return False
        if tag in _PLACED_TAGS:
            parent = open_tags[-1] if open_tags else ""
            if (
                (links and tag == "a")
                or (tag == "li" and parent not in ("ul", "ol"))
                or (tag in ("dd", "dt") and parent != "dl")
                or (tag in HEADING_TAGS and parent in HEADING_TAGS)
                or tag in TABLE_TAGS
            ):
                return False
        if tag in VOID_TAGS:
            continue
        open_tags.append(tag)
        if tag == "p":
            paragraphs += 1
        elif tag == "a":
            links += 1
    return not open_tags


# The shapes most boards' descriptions take, as one pattern: paragraphs, headings, rules, lists
# of items (which hold paragraphs, headings and phrasing) and divisions of those, phrasing
# (b strong em i u code span, plain web links) nested two deep, line breaks anywhere; lower-case
# tags, no attribute but a link's href. Every tag of markup it matches is allowlisted and placed
# as ``_nests_as_written`` demands, so the tag-by-tag check would find nothing: a description of
# that shape (most of RemoteOK's) is judged in one pass of the regex engine, not tag by tag in
# Python (5 µs rather than 30 to 50 for 3 KB). Anything else takes the tag-by-tag check.
_TEXT = r"[^<]*+"
_BREAK = r"<br(?: ?/)?>"
_RULE = r"<hr(?: ?/)?>"
_WEB_URL = r"https?://[!#-%'-;=?-~]*"  # printable ASCII but " & < > and the space
_GROUPS = itertools.count()


def _element(names: str, content: str) -> str:
    """An element whose name is one of ``names``, closed by the same name."""
    group = f"e{next(_GROUPS)}"
    return f"<(?P<{group}>{names})>{content}</(?P={group})>"


def _run(parts: list[str]) -> str:
    """Text with any of ``parts`` in it. (A possessive loop holding groups trips a bug of
    Python 3.11's regex engine: the loops backtrack, each of their turns starting at a "<".)"""
    return f"{_TEXT}(?:(?:{'|'.join(parts)}){_TEXT})*"


def _phrasing(depth: int, links: bool = True) -> list[str]:
    if depth == 0:
        return [_BREAK]
    parts = [_BREAK, _element("b|strong|em|i|u|code|span", _run(_phrasing(depth - 1, links)))]
    if links:  # a link holds no link
        parts.append(f'<a href="{_WEB_URL}">{_run(_phrasing(depth - 1, links=False))}</a>')
    return parts


def _blocks() -> list[str]:
    return [f"<p>{_run(_phrasing(2))}</p>", _RULE, _element("h[1-6]", _run(_phrasing(1)))]


def _lists() -> list[str]:
    item = f"<li>{_run([*_blocks(), *_phrasing(2)])}</li>"
    return [_element("ul|ol", _run([item, _BREAK]))]


_DIVISION = f"<div>{_run([*_blocks(), *_lists(), *_phrasing(2)])}</div>"
_SIMPLE_MARKUP = re.compile(_run([*_blocks(), *_lists(), _DIVISION, *_phrasing(2)]))


def plain_markup_problem(markup: str) -> str | None:
    """For markup in the plain form whose elements nest as written: why it is not safe, or
    ``""``. ``None`` for other markup, which needs the full audit."""
    if _SIMPLE_MARKUP.fullmatch(markup) is not None:
        return ""
    return tag_by_tag_problem(markup)


def tag_by_tag_problem(markup: str) -> str | None:
    """``plain_markup_problem`` tag by tag: every tag read, its nesting checked."""
    tags = _PLAIN_TAG.findall(markup)
    if markup.count("<") != len(tags):
        return None  # a stray "<"
    if not _nests_as_written(tags):
        return None
    for name, attributes, end in dict.fromkeys(tags):  # each tag once, in order
        tag = (end or name).lower()
        if tag not in ALLOWED_TAGS:
            return f"end tag </{tag}>" if end else f"tag <{tag}>"
        if not attributes:
            continue
        allowed = ALLOWED_ATTRIBUTES.get(tag, frozenset())
        names: set[str] = set()
        for attribute, double, single, bare in _PLAIN_ATTRIBUTE.findall(attributes):
            attribute = attribute.lower()
            if attribute in names:
                return None  # a repeated attribute: browsers keep the first
            names.add(attribute)
            if attribute not in allowed:
                return f"attribute {attribute} on <{tag}>"
            if attribute in URL_ATTRIBUTES:
                value = double or single or bare
                schemes = IMAGE_SCHEMES if tag == "img" else LINK_SCHEMES
                if not value or not url_is_safe(html.unescape(value), schemes):
                    return f"URL {value!r} in <{tag} {attribute}>"
    return ""


def _audit(markup: str) -> _MarkupAudit:
    audit = _MarkupAudit()
    audit.feed(markup)
    audit.close()
    return audit


def clean_html(markup: str) -> str:
    """``markup`` cleaned by nh3 to the allowlist (script/style dropped with their content)."""
    return nh3.clean(
        markup,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(LINK_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )


def unsafe_markup(markup: str) -> str:
    """Why ``markup`` is not safe as it stands, or ``""`` when it holds only allowlisted markup.

    Markup in the plain form (see ``_PLAIN_TAG``) is checked tag by tag. Other markup is
    parsed: our own parse must find only allowlisted tags, attributes and URL schemes, and
    nh3's browser-grade parse must see the very same start tags: a parser differential (markup
    that a browser reads differently from Python's parser) counts as unsafe.
    """
    plain = plain_markup_problem(markup)
    if plain is not None:  # every "<" opens a plain tag: none opens a comment
        return plain
    if "<!" in markup or "<?" in markup:
        return "a comment, declaration or processing instruction"
    return parsers_problem(markup)


def parsers_problem(markup: str) -> str:
    """The full audit: why two parsers, ours and nh3's, find ``markup`` unsafe or read it
    differently; ``""`` when they agree it is safe."""
    # An unterminated comment, tag or attribute would swallow the page around the post: with
    # a sentinel tag appended, both parsers must still see the sentinel last.
    probe = markup + _SENTINEL
    audit = _audit(probe)
    if audit.problem:
        return audit.problem
    if not audit.start_tags or audit.start_tags[-1] != ("br", ()):
        return "markup left unterminated"
    if _audit(clean_html(probe)).start_tags != audit.start_tags:
        return "markup that a browser would read differently"
    return ""


# Bodies are Markdown to the site generator: link and image targets written the Markdown way,
# inline ``](target)`` or as a reference definition ``[label]: target``.
_MD_INLINE_TARGET = re.compile(r"(\]\(\s*<?)([^\s)>]*)")
_MD_REFERENCE_TARGET = re.compile(r"^( {0,3}\[[^\]\n]+\]:[ \t]*<?)(\S*?)(?=>|\s|$)", re.MULTILINE)
_MD_BACKSLASH = re.compile(r"\\(?=[!-/:-@\[-`{-~])")
# Template syntax of static-site generators (Hugo shortcodes, Liquid): a job ad must not run
# site code or break the build.
_TEMPLATE = re.compile(r"\{(?=[{%<])")


def _markdown_target_safe(target: str) -> bool:
    return url_is_safe(_MD_BACKSLASH.sub("", target), LINK_SCHEMES)


def neutralize_markdown_links(body: str) -> str:
    """Markdown links and images whose target has a scheme outside the allowlist point to
    ``#`` instead."""

    def replace(match: re.Match[str]) -> str:
        target = match.group(2)
        return match.group(0) if _markdown_target_safe(target) else match.group(1) + "#"

    if "]" not in body:  # one character is found fast; two take a slower search
        return body
    if "](" in body:
        body = _MD_INLINE_TARGET.sub(replace, body)
    if "]:" in body:
        body = _MD_REFERENCE_TARGET.sub(replace, body)
    return body


def neutralize_templates(body: str) -> str:
    """``{{``, ``{%`` and ``{<`` written as ``&#123;{`` and so on: shown, never run."""
    return _TEMPLATE.sub("&#123;", body)


def sanitize_body(markup: str) -> tuple[str, str]:
    """The body to publish and why it was cleaned: ``(markup, "")`` when ``markup`` is safe
    byte for byte, else ``(cleaned markup, reason)``: nh3-cleaned HTML, Markdown links with
    unsafe targets pointed to ``#``, template syntax escaped."""
    problem = unsafe_markup(markup)
    body = clean_html(markup) if problem else markup
    linked = neutralize_markdown_links(body)
    if linked != body:
        problem = problem or "a Markdown link with an unsafe URL"
    templated = neutralize_templates(linked)
    if templated != linked:
        problem = problem or "template syntax"
    return templated, problem


class SanitizeHtmlPipeline(PostingPipeline):
    """Guarantees ``body`` holds only allowlisted tags, attributes and http/https/mailto links:
    a safe description is kept byte for byte, any other is cleaned with nh3."""

    in_worker = True

    def process_item(self, item: JobPosting) -> JobPosting:
        body, problem = sanitize_body(item.body)
        item.body = body
        item.body_cleaned = bool(problem)
        if problem:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("jobscrape/sanitized/cleaned")
        return item
