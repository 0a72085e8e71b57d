"""The companies whose own job boards are followed: data in ``companies.toml``, not code."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from jobscrape.items import SAFE_ID

DEFAULT_COMPANIES_FILE = Path(__file__).with_name("companies.toml")


@dataclass(frozen=True)
class Company:
    """One company board on an applicant-tracking platform."""

    platform: str
    """The platform's spider name: ``greenhouse``, ``lever``, ``ashby``, ``workable``..."""
    board: str
    """The company's token on that platform (``gitlab`` in boards-api.greenhouse.io/.../gitlab)."""
    name: str = ""
    logo: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    region: str = ""
    """Platform region where it has several (Lever: ``eu`` for api.eu.lever.co)."""


def load_companies(path: str | Path = DEFAULT_COMPANIES_FILE) -> list[Company]:
    """Every ``[[company]]`` of a companies file; a clear ValueError for a bad entry."""
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    companies = []
    for number, entry in enumerate(data.get("company", []), start=1):
        platform, board = str(entry.get("platform", "")), str(entry.get("board", ""))
        if not platform or not SAFE_ID.match(board) or "--" in board:
            raise ValueError(f"{path}: company {number} needs a platform and a board token")
        companies.append(
            Company(
                platform=platform,
                board=board,
                name=str(entry.get("name", "")),
                logo=str(entry.get("logo", "")),
                tags=tuple(str(tag) for tag in entry.get("tags", [])),
                region=str(entry.get("region", "")),
            )
        )
    return companies
