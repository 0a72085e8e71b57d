"""The item pipelines, one guarantee at a time, and in the project's order."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobscrape.items import JobPosting
from jobscrape.pipelines.normalize_date import is_rfc3339, normalize_date
from jobscrape.pipelines.normalize_tags import normalize_tags
from jobscrape.pipelines.sanitize_html import clean_html, sanitize_body, unsafe_markup
from jobscrape.spiders.remoteok import RemoteokSpider
from jobscrape.text import plain_text
from tests.conftest import make_crawler, run_pipelines


def posting(**fields) -> JobPosting:
    values = {
        "source": "remoteok",
        "source_id": "1",
        "slug": "post-1",
        "title_raw": "Engineer",
        "company_raw": "Acme",
        "date_raw": "2026-11-27T10:00:00+00:00",
        "description_raw": "<p>Job</p>",
    }
    values.update(fields)
    return JobPosting(**values)


# plain text -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CI&amp;T", "CI&T"),
        ("1840 &amp; Company", "1840 & Company"),
        ("Founder\u00e2\u0080\u0099s Associate", "Founder\u2019s Associate"),
        ("Go \u00f0\u009f\u0092\u00aa", "Go \U0001f4aa"),
        ("D\u00c3\u00a9veloppeur", "Développeur"),
        ("  Senior\n\tEngineer  ", "Senior Engineer"),
        ("&lt;b&gt;", "<b>"),
        ("Caf&eacute;", "Café"),
        ("it\u2019s curly", "it\u2019s curly"),
        (None, ""),
        (42, "42"),
        (["a"], ""),
        ("\ud800broken", "\ufffdbroken"),
    ],
)
def test_plain_text(raw, expected):
    assert plain_text(raw) == expected


def test_plain_text_keeps_a_character_cut_in_half():
    # RemoteOK 2021 cut a mojibake title in the middle of a character
    assert plain_text("D\u00c3\u00a9veloppeur Exp\u00c3\u00a9riment\u00c3").startswith(
        "Développeur Expériment"
    )


# tags ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["sys admin", "engineer", "admin"], ["sys admin", "engineer", "admin"]),
        (["golang", " Go ", "golang", "", "DevOps"], ["golang", "go", "devops"]),
        ({"0": "php", "7": "Laravel", "3": "php"}, ["php", "laravel"]),
        ({"10": "b", "2": "a"}, ["a", "b"]),
        ("react, TypeScript,,", ["react", "typescript"]),
        (None, []),
        (5, ["5"]),
        (["ok", None, {"x": 1}, ["n"], 3], ["ok", "3"]),
        (["C&amp;C++", "Typescript "], ["c&c++", "typescript"]),
    ],
)
def test_normalize_tags(raw, expected):
    assert normalize_tags(raw) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text()))
def test_tags_are_distinct_trimmed_lowercase(raw):
    tags = normalize_tags(raw)
    assert len(tags) == len(set(tags))
    assert all(tag and tag == tag.strip() and tag == tag.lower() for tag in tags)


# dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date_raw", "epoch", "expected"),
    [
        ("2019-02-20T11:32:03-08:00", 1550691123, "2019-02-20T11:32:03-08:00"),
        ("2020-10-05T16:00:35-07:00", None, "2020-10-05T16:00:35-07:00"),
        ("2021-01-22T23:05:46+00:00", None, "2021-01-22T23:05:46+00:00"),
        ("2026-01-01T00:00:00Z", None, "2026-01-01T00:00:00Z"),
        ("", 1795740000, "2026-11-27T00:40:00+00:00"),
        ("Tue, 08 Nov 2022 00:08:24 +0000", 1667866104, "2022-11-08T00:08:24+00:00"),
        ("2026-13-45T00:00:00+00:00", 1795740000, "2026-11-27T00:40:00+00:00"),
        ("2026-05-15T14:00:51", None, "2026-05-15T14:00:51+00:00"),
        ("2022-11-04 10:01:04", None, "2022-11-04T10:01:04+00:00"),
        ("Tue, 08 Nov 2022 00:08:24 +0000", None, "2022-11-08T00:08:24+00:00"),
        ("Mon, 26 Oct 2020 16:05:03 -0700", None, "2020-10-26T16:05:03-07:00"),
        ("2020-10-20 20:28:32 UTC", None, "2020-10-20T20:28:32+00:00"),
        ("2020-09-25", None, "2020-09-25T00:00:00+00:00"),
        ("2027-01-01T09:30", None, "2027-01-01T09:30:00+00:00"),  # no seconds
        ("yesterday", None, ""),
        ("", None, ""),
        ("", 10**20, ""),
    ],
)
def test_normalize_date(date_raw, epoch, expected):
    assert normalize_date(date_raw, epoch) == expected


def test_rfc3339_needs_an_offset():
    assert is_rfc3339("2019-02-20T11:32:03.5+05:30")
    assert not is_rfc3339("2019-02-20T11:32:03")
    assert not is_rfc3339("2019-02-20 11:32:03+00:00")


# HTML ---------------------------------------------------------------------------------

SAFE_BODIES = [
    "<p><strong>Driver Growth</strong></p><br /><p>We&nbsp;are &bull; here.<br><br></p>",
    '<p>Apply <a href="https://example.com/jobs?id=1&amp;x=2" title="t">here</a> or '
    '<a href="mailto:jobs@example.com">mail</a></p>',
    '<ul><li>Go</li><li>Rust</li></ul><ol start="3"><li>x</li></ol>',
    '<img src="https://example.com/logo.png" alt="logo"><h2>Title</h2>',
    "**About Us**\n\n* Remote since 2010",
    "plain text with a < b & c",
    "",
]


@pytest.mark.parametrize("body", SAFE_BODIES)
def test_safe_bodies_are_kept_byte_for_byte(body):
    assert unsafe_markup(body) == ""
    assert sanitize_body(body) == (body, "")


UNSAFE_BODIES = [
    "<script>alert(1)</script><p>x</p>",
    '<p onclick="x()">x</p>',
    "<p ONMOUSEOVER=x>x</p>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" java&#x09;script:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<img src="data:image/png;base64,AAAA">',
    '<img src="x" onerror="alert(1)">',
    "<style>p{}</style><p>x</p>",
    '<iframe src="https://evil.example"></iframe>',
    '<object data="x"></object>',
    '<form action="https://evil.example"><input name="q"></form>',
    "<p>x<!-- <script>alert(1)</script> --></p>",
    '<svg><a href="javascript:x">y</a></svg>',
    '<p style="background:url(javascript:x)">x</p>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<b><p>cross</b>nested</p>",
    "<!--<script>",
    "<p>x</p><!-- an unclosed comment would hide the rest of the page",
    '<p>x</p><a href="https://e.example/',
    "<p>x</p><![CDATA[<script>x</script>]]>",
    "<!DOCTYPE html><p>x</p>",
]


@pytest.mark.parametrize("body", UNSAFE_BODIES)
def test_unsafe_bodies_are_cleaned(body):
    cleaned, problem = sanitize_body(body)
    assert problem
    lowered = cleaned.lower()
    for forbidden in ("<script", "<style", "<iframe", "<object", "<form", "<svg", "javascript:"):
        assert forbidden not in lowered
    assert " on" not in lowered.replace("&", "")  # no event-handler attribute survives
    assert "data:" not in lowered
    # cleaning is stable: the cleaned body is itself safe as it stands
    assert sanitize_body(cleaned)[1] == "" or clean_html(cleaned) == cleaned


def test_unterminated_markup_cannot_swallow_the_page():
    for body in ["<!--<script>", '<a href="https://e.example/', "<p title='x"]:
        cleaned, problem = sanitize_body(body)
        assert problem
        assert "<!--" not in cleaned
        # markup placed after the body in a page is still read as markup
        assert clean_html(cleaned + "<hr>").endswith("<hr>")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["<p>", "</p>", "<script>", "</script>", "<a href='javascript:x'>", "<b>", "</b>",
             "<img src=x onerror=y>", "text", "<!--", "-->", "<", ">", '"', "'", "&amp;",
             "<svg>", "<style>", "<a href='https://e.x/'>", "</a>", "<br />", " on", "="]
        ),
        max_size=12,
    ).map("".join)
)  # fmt: skip
def test_no_script_or_handler_survives_any_mix(body):
    cleaned, _ = sanitize_body(body)
    audit_problem = unsafe_markup(cleaned)
    # whatever we publish parses to allowlisted markup only
    assert audit_problem in ("", "markup that a browser would read differently")
    assert "<script" not in cleaned.lower()


# the whole chain ----------------------------------------------------------------------


@pytest.fixture
def crawler():
    return make_crawler(RemoteokSpider)


def test_pipeline_chain_fills_normalized_fields_beside_raw_ones(crawler):
    raw = posting(
        title_raw="Founder\u00e2\u0080\u0099s  Associate",
        company_raw="CI&amp;T",
        tags_raw=["Go", "go "],
        date_raw="",
        date_epoch=1795740000,
        description_raw='<p onclick="x">Hi</p>',
    )
    run = run_pipelines(crawler, [raw])
    (item,) = run.kept
    assert item.title == "Founder\u2019s Associate"
    assert item.title_raw == "Founder\u00e2\u0080\u0099s  Associate"
    assert item.company == "CI&T"
    assert item.tags == ["go"]
    assert item.date == "2026-11-27T00:40:00+00:00"
    assert item.images == ["https://remoteok.io/assets/logo-square.png"]
    assert item.body == "<p>Hi</p>"
    assert item.body_cleaned
    assert item.post_text.startswith('---\npath: "/post-1/"\n')
    assert run.stats["jobscrape/sanitized/cleaned"] == 1


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"source_id": "", "slug": "post-"}, "no_id"),
        ({"source_id": "../x", "slug": "post-../x"}, "unsafe_id"),
        ({"source_id": "a b", "slug": "post-a b"}, "unsafe_id"),
        ({"source_id": "x" * 81, "slug": "post-" + "x" * 81}, "unsafe_id"),
        ({"title_raw": "   "}, "no_title"),
        ({"title_raw": ""}, "no_title"),
        ({"date_raw": "soon", "date_epoch": None}, "no_date"),
    ],
)
def test_hard_rules_drop_with_a_reason_and_a_stat(crawler, fields, reason):
    run = run_pipelines(crawler, [posting(**fields)])
    assert run.kept == []
    ((_, message),) = run.dropped
    assert f": {reason}: " in message
    assert message.startswith("remoteok:")
    assert run.stats[f"jobscrape/dropped/{reason}"] == 1


def test_duplicates_are_dropped_first_one_wins(crawler):
    first = posting(title_raw="First")
    second = posting(title_raw="Second")
    run = run_pipelines(crawler, [first, second, posting(source_id="2", slug="post-2")])
    assert [item.title for item in run.kept] == ["First", "Engineer"]
    assert run.stats["jobscrape/dropped/duplicate"] == 1


def test_logo_wins_over_the_default_image(crawler):
    run = run_pipelines(crawler, [posting(logo_url="https://remoteOK.com/assets/x.png")])
    assert run.kept[0].images == ["https://remoteOK.com/assets/x.png"]


def test_non_http_logo_falls_back_to_default(crawler):
    run = run_pipelines(crawler, [posting(logo_url="javascript:alert(1)")])
    assert run.kept[0].images == ["https://remoteok.io/assets/logo-square.png"]


class OtherBoardSpider(RemoteokSpider):
    name = "otherboard"
    custom_settings = {"DEFAULT_IMAGE": "https://other.example/default.png"}


class NoImageBoardSpider(RemoteokSpider):
    name = "noimage"
    custom_settings = {"DEFAULT_IMAGE": ""}


def test_default_image_is_a_per_spider_setting():
    run = run_pipelines(make_crawler(OtherBoardSpider), [posting()])
    assert run.kept[0].images == ["https://other.example/default.png"]
    run = run_pipelines(make_crawler(NoImageBoardSpider), [posting()])
    assert run.kept[0].images == []


def test_post_extra_fields_setting(crawler):
    crawler = make_crawler(RemoteokSpider, POST_EXTRA_FIELDS=["location", "apply_url"])
    run = run_pipelines(crawler, [posting(location="Worldwide", apply_url="https://x.test/a")])
    assert "---\n\n<p>Job</p>\n" in run.kept[0].post_text
    assert (
        'images: ["https://remoteok.io/assets/logo-square.png"]\nlocation: "Worldwide"\n'
        'apply_url: "https://x.test/a"\n---' in run.kept[0].post_text
    )


# Markdown and template syntax ----------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "[Apply](javascript:alert(document.domain))",
        "[Apply]( JavaScript:alert(1) )",
        "[x](javascript&#58;alert(1))",
        "[x](java\\script:alert(1))",
        "![x](data:image/svg+xml;base64,AAAA)",
        "see [x][1]\n\n[1]: javascript:alert(1)\n",
        "see [x][1]\n\n   [1]: <vbscript:msgbox(1)>\n",
    ],
)
def test_markdown_links_with_unsafe_targets_point_nowhere(body):
    cleaned, problem = sanitize_body(body)
    assert problem
    lowered = cleaned.lower().replace("\\", "")
    assert "javascript" not in lowered and "data:" not in lowered and "vbscript" not in lowered


@pytest.mark.parametrize(
    "body",
    ["[ok](https://example.com/a_(b)) [m](mailto:jobs@example.com) [r](/jobs/1) [a](#top)",
     "[1]: https://example.com/apply\n", "![logo](https://example.com/logo.png)"],
)  # fmt: skip
def test_markdown_links_with_safe_targets_are_kept(body):
    assert sanitize_body(body) == (body, "")


def test_template_syntax_is_escaped_not_run():
    cleaned, problem = sanitize_body("We use {{< nosuch >}}, {{% param x %}} and {% raw %}.")
    assert problem == "template syntax"
    assert "{{" not in cleaned and "{%" not in cleaned and "{<" not in cleaned
    assert (
        cleaned == "We use &#123;&#123;< nosuch >}}, &#123;&#123;% param x %}} and &#123;% raw %}."
    )


def test_lone_surrogates_in_a_body_become_replacement_characters(crawler):
    run = run_pipelines(crawler, [posting(description_raw="<p>\ud83d broken</p>")])
    assert run.kept[0].body == "<p>\ufffd broken</p>"
    run.kept[0].post_text.encode("utf-8")


def test_unknown_post_extra_field_stops_the_run_at_start():
    crawler = make_crawler(RemoteokSpider, POST_EXTRA_FIELDS=["locaton"])
    with pytest.raises(ValueError, match="locaton cannot go into a post"):
        run_pipelines(crawler, [])
    crawler = make_crawler(RemoteokSpider, POST_EXTRA_FIELDS=["description_raw"])
    with pytest.raises(ValueError, match="description_raw"):
        run_pipelines(crawler, [])
