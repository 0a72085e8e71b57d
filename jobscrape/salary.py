"""Salaries as boards write them: free text (``$60k-$72k``, ``$50-$75 /hour``) or numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "₹": "INR", "¥": "JPY"}
_CODES = ("USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "INR", "SEK", "NOK", "DKK", "PLN",
          "BRL", "MXN", "JPY", "SGD", "ZAR")  # fmt: skip
_CODE = re.compile(r"\b(" + "|".join(_CODES) + r")\b", re.IGNORECASE)
_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)*)\s*([kKmM])?(?![A-Za-z])")
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


def _number(digits: str, suffix: str | None) -> float:
    if "," in digits and "." not in digits:
        head, _, tail = digits.rpartition(",")
        # "50,000" groups thousands; "31,2k" is a decimal comma
        digits = digits.replace(",", "") if len(tail) == 3 else f"{head.replace(',', '')}.{tail}"
    else:
        digits = digits.replace(",", "")
    value = float(digits)
    if suffix:
        value *= 1_000 if suffix.lower() == "k" else 1_000_000
    return value


def parse_salary(text: str) -> Salary:
    """Read a free-text salary: ``"$31,2k- $52k"`` gives 31200..52000 USD a year."""
    amounts = [_number(digits, suffix) for digits, suffix in _AMOUNT.findall(text or "")]
    amounts = [amount for amount in amounts if amount > 0]
    if not amounts:
        return Salary()
    currency = ""
    for symbol, code in _SYMBOLS.items():
        if symbol in text:
            currency = code
            break
    if not currency and (match := _CODE.search(text)):
        currency = match.group(1).upper()
    low, high = min(amounts[:2]), max(amounts[:2])
    period = salary_period(text) or ("year" if high >= 10_000 else "")
    return Salary(low, high, currency, period)
