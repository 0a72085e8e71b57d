"""Every spider's parser on mutated real-shaped records: valid items or drops with a reason.

Hypothesis takes a board's real-shaped record (the cassette builders' shapes, through the
boards of tests/test_hostile_input.py) and replaces, deletes or retypes some of its fields with
arbitrary JSON values, then runs the spider's parse on an answer holding it between two good
records. Nothing may escape the callback; every posting it yields either passes the pipelines
(then its post loads back with python-frontmatter to exactly the metadata rendered, and its
body is safe) or is dropped with a DropItem reason naming it.
"""

from __future__ import annotations

from typing import Any

import frontmatter
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobscrape.renderer import post_metadata
from tests.conftest import run_pipelines
from tests.test_hostile_input import (
    BOARDS,
    DELETE,
    XML_ILLEGAL,
    Board,
    assert_body_safe,
    good_slugs,
    set_field,
)

INTS = st.integers()  # huge ones too: a float cannot hold 10**400


KEYS = st.text(max_size=8)
SCALARS = st.none() | st.booleans() | INTS | st.floats() | st.text(max_size=40)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=12,
)
XML_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]).filter(
        lambda char: ord(char) not in XML_ILLEGAL
    ),
    max_size=60,
)
RETYPES = {
    "list": lambda value: [value],
    "object": lambda value: {"value": value},
    "text": lambda value: str(value),
    "number": lambda value: len(str(value)),
    "null": lambda value: None,
}


def field_paths(board: Board, record: dict[str, Any]) -> list[str]:
    """The record's top-level keys and the nested paths the board reads its fields from."""
    return sorted({*record, *board.fields.values()})


def lookup(record: Any, path: str) -> Any:
    node = record
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node.get(part)
    return node


def mutate(data: st.DataObject, board: Board, record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with up to five fields replaced by other JSON, deleted or retyped."""
    paths = field_paths(board, record)
    for _ in range(data.draw(st.integers(min_value=1, max_value=5), label="mutations")):
        path = data.draw(st.sampled_from(paths), label="path")
        kind = data.draw(st.sampled_from(["replace", "delete", "retype"]), label="kind")
        if board.text_only:  # an RSS item holds text, in characters XML allows
            value: Any = DELETE if kind == "delete" else data.draw(XML_TEXT, label="text")
            if path == "category" and kind == "retype":
                value = data.draw(st.lists(XML_TEXT, max_size=4), label="categories")
        elif kind == "delete":
            value = DELETE
        elif kind == "replace":
            value = data.draw(JSON_VALUES, label="value")
        else:
            try:
                current = lookup(record, path)
            except (AttributeError, IndexError, KeyError, TypeError, ValueError):
                continue
            retype = data.draw(st.sampled_from(sorted(RETYPES)), label="retype")
            value = RETYPES[retype](current)
        try:
            set_field(record, path, value)
        except (AttributeError, IndexError, KeyError, TypeError, ValueError):
            continue  # the path runs through a value already replaced by a scalar
    return record


@pytest.mark.parametrize("board", BOARDS, ids=[board.name for board in BOARDS])
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data())
def test_mutated_records_give_valid_items_or_reasoned_drops(board, data):
    mutated = mutate(data, board, board.record(2))
    postings, crawler = board.parse([board.record(1), mutated, board.record(3)])  # no raise
    run = run_pipelines(crawler, postings)
    assert len(run.kept) + len(run.dropped) == len(postings)
    for item, reason in run.dropped:
        assert f"{item.source}:{item.source_id}" in reason, reason
    for item in run.kept:
        loaded = frontmatter.loads(item.post_text)
        assert loaded.metadata == post_metadata(item), item.label
        assert loaded.content == item.body.strip()
        assert_body_safe(item.body, item.label)
    first_good = good_slugs(board.name)[0]
    assert first_good in [item.slug for item in run.kept]  # read before the mutated record
