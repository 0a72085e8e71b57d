"""Salaries as boards write them: free text (``$60k-$72k``, ``$50-$75 /hour``) or numbers."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "₹": "INR", "¥": "JPY"}
_CODES = ("USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "INR", "SEK", "NOK", "DKK", "PLN",
          "BRL", "MXN", "JPY", "SGD", "ZAR")  # fmt: skip
_CODE = re.compile(r"\b(" + "|".join(_CODES) + r")\b", re.IGNORECASE)
_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)*)\s*([kKmM])?(?![A-Za-z])")
_RANGE = re.compile(r"\s*(?:-|\u2013|\u2014|to)\s*[$\u20ac\u00a3\u20b9\u00a5]?\s*", re.IGNORECASE)
_UP_TO = re.compile(r"\b(up to|max(imum)?|until)\b", re.IGNORECASE)
_PERIODS = (
    ("hour", re.compile(r"\b(hour|hourly|hr|h)\b|/\s*h", re.IGNORECASE)),
    ("day", re.compile(r"\b(day|daily)\b", re.IGNORECASE)),
    ("week", re.compile(r"\b(week|weekly|wk)\b", re.IGNORECASE)),
    ("month", re.compile(r"\b(month|monthly|mo)\b", re.IGNORECASE)),
    ("year", re.compile(r"\b(year|yearly|annual|annually|yr|pa|p\.a)\b", re.IGNORECASE)),
)


@dataclass(frozen=True)
class Salary:
    """A salary range; ``None``/``""`` where the text does not say."""

    min: float | None = None
    max: float | None = None
    currency: str = ""
    period: str = ""


def salary_period(word: str) -> str:
    """A board's period word (``yearly``, ``annual``, ``hourly``, ``month``) as
    ``hour``/``day``/``week``/``month``/``year``, or ``""``."""
    for period, pattern in _PERIODS:
        if pattern.search(word or ""):
            return period
    return ""


def _number(digits: str, suffix: str) -> float:
    separators = [char for char in digits if char in ",."]
    if separators:
        head, _, tail = digits.replace(",", ".").rpartition(".")
        if len(set(separators)) == 1 and len(tail) == 3:
            digits = digits.replace(",", "").replace(".", "")  # 50,000 / 50.000: thousands
        else:
            digits = f"{head.replace('.', '')}.{tail}"  # 31,2k / 1.5M: a decimal point
    value = float(digits)
    if suffix:
        value *= 1_000 if suffix.lower() == "k" else 1_000_000
    return value


@dataclass
class _Amount:
    value: float
    suffix: str
    marked: bool  # next to a currency or a k/M: a money amount, not "2 years"
    end: int
    start: int


def _amounts(text: str) -> list[_Amount]:
    found = []
    for match in _AMOUNT.finditer(text):
        before = text[max(0, match.start() - 5) : match.start()]
        after = text[match.end() : match.end() + 5]
        digits, suffix = match.group(1), match.group(2) or ""
        marked = bool(suffix) or any(symbol in before for symbol in _SYMBOLS)
        marked = marked or bool(_CODE.search(before) or _CODE.match(after.strip()))
        found.append(_Amount(_number(digits, suffix), suffix, marked, match.end(), match.start()))
    return found


def parse_salary(text: str) -> Salary:
    """Read a free-text salary: ``"$31,2k- $52k"`` gives 31200..52000 USD; the period only
    when the text names it (``/hour``, ``per year``, ``annual``)."""
    text = text or ""
    amounts = _amounts(text)
    if any(amount.marked for amount in amounts):
        # a bare number joined to a money amount by a dash is the other end of its range
        # ("$40- $60k", "USD 100000-120000")
        for first, second in itertools.pairwise(amounts):
            joined = _RANGE.fullmatch(text[first.end : second.start])
            if joined and (first.marked or second.marked):
                first.marked = second.marked = True
            if joined and second.suffix and not first.suffix and first.value < 1000:
                first.value *= 1_000 if second.suffix.lower() == "k" else 1_000_000
        amounts = [amount for amount in amounts if amount.marked]
    values = [amount.value for amount in amounts if amount.value > 0][:2]
    if not values:
        return Salary()
    currency = next((code for symbol, code in _SYMBOLS.items() if symbol in text), "")
    if not currency and (match := _CODE.search(text)):
        currency = match.group(1).upper()
    low, high = min(values), max(values)
    if len(values) == 1 and _UP_TO.search(text):
        return Salary(None, high, currency, salary_period(text))
    return Salary(low, high, currency, salary_period(text))
