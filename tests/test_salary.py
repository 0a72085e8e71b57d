"""Salaries: free text and board numbers become min / max / currency / period."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobscrape.items import JobPosting
from jobscrape.salary import Salary, parse_salary, salary_period
from jobscrape.spiders.remoteok import RemoteokSpider
from jobscrape.text import unescape_markup
from tests.conftest import make_crawler, run_pipelines


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Salary()),
        ("-", Salary()),
        ("Competitive", Salary()),
        ("$31,2k- $52k", Salary(31200, 52000, "USD", "")),  # no period named: none guessed
        ("$40- $60k", Salary(40000, 60000, "USD", "")),  # the k of the range's end
        ("$60k\u2013$72k", Salary(60000, 72000, "USD", "")),
        ("$50-$75 /hour", Salary(50, 75, "USD", "hour")),
        ("$18 - $22/hr", Salary(18, 22, "USD", "hour")),
        ("OTE $25k - $35k", Salary(25000, 35000, "USD", "")),
        ("$36k", Salary(36000, 36000, "USD", "")),
        ("\u20ac50,000 - \u20ac60,000 per year", Salary(50000, 60000, "EUR", "year")),
        ("\u20ac50.000 - \u20ac60.000", Salary(50000, 60000, "EUR", "")),  # dots group thousands
        ("USD 100000-120000", Salary(100000, 120000, "USD", "")),
        ("40-50 EUR/h", Salary(40, 50, "EUR", "hour")),
        ("40-60k EUR", Salary(40000, 60000, "EUR", "")),
        ("3,500 per month", Salary(3500, 3500, "", "month")),
        ("$1.5M", Salary(1500000, 1500000, "USD", "")),
        ("Up to $14/hr", Salary(None, 14, "USD", "hour")),
        ("2 years exp, $90k annual", Salary(90000, 90000, "USD", "year")),  # 2 is no money
        ("\u00a340k", Salary(40000, 40000, "GBP", "")),
    ],
)
def test_parse_salary(text, expected):
    assert parse_salary(text) == expected


@pytest.mark.parametrize(
    ("word", "period"),
    [("yearly", "year"), ("annual", "year"), ("hourly", "hour"), ("monthly", "month"),
     ("Weekly", "week"), ("", ""), ("whenever", "")],
)  # fmt: skip
def test_salary_period_words(word, period):
    assert salary_period(word) == period


@given(st.text())
def test_parse_salary_never_raises_and_orders_the_range(text):
    salary = parse_salary(text)
    if salary.min is not None:
        assert salary.max is not None and 0 < salary.min <= salary.max


def test_pipeline_parses_text_keeps_raw_and_board_numbers():
    crawler = make_crawler(RemoteokSpider)
    text_only = JobPosting(
        source="b", source_id="1", slug="post-1", title_raw="T", date_raw="2026-01-01T00:00:00Z",
        salary_raw="$60k\u2013$72k",
    )  # fmt: skip
    numbers = JobPosting(
        source="b", source_id="2", slug="post-2", title_raw="T", date_raw="2026-01-01T00:00:00Z",
        salary_raw="", salary_min=122600.0, salary_max=204400.0, salary_currency="USD",
        salary_period="yearly",
    )  # fmt: skip
    run = run_pipelines(crawler, [text_only, numbers])
    first, second = run.kept
    assert (first.salary_min, first.salary_max, first.salary_currency, first.salary_period) == (
        60000, 72000, "USD", "")  # fmt: skip
    assert first.salary_raw == "$60k\u2013$72k"
    assert (second.salary_min, second.salary_period) == (122600.0, "year")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("&lt;p&gt;Hello &amp;amp; bye&lt;/p&gt;", "<p>Hello &amp; bye</p>"),
        ("<p>Tom &amp; Jerry</p>", "<p>Tom &amp; Jerry</p>"),
        ("Fish &amp; chips", "Fish &amp; chips"),
        (
            "&lt;p&gt;Hi&lt;/p&gt;<p>Find <a href='/'>jobs</a></p>",
            "<p>Hi</p><p>Find <a href='/'>jobs</a></p>",
        ),
        ("<p>Write &lt;div&gt; tags</p>", "<p>Write &lt;div&gt; tags</p>"),
        ("", ""),
    ],
)
def test_unescape_markup_once(text, expected):
    assert unescape_markup(text) == expected
