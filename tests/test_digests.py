"""DigestSet: a run's seen names in a flat array of digests."""

from __future__ import annotations

import json

from jobscrape.digests import DigestSet, value_hash


def test_a_digest_set_holds_what_was_added_and_nothing_else():
    seen = DigestSet()
    names = [f"post-remoteok-{n}" for n in range(5000)]  # enough to grow several times
    for name in names:
        seen.add(name)
    seen.add(names[0])  # again: still one member
    assert len(seen) == len(names)
    assert all(name in seen for name in names)
    assert not any(f"post-remoteok-{n}" in seen for n in range(5000, 10000))
    assert "" not in seen and None not in seen
    seen.add("")
    assert "" in seen
    assert "Post-Remoteok-1" not in seen  # by exact text, case included
    assert "\ud800" not in seen  # a lone surrogate is a name like any other


def test_value_hash_is_the_same_for_equal_values_and_tells_types_apart():
    record = {"id": 7, "tags": ["a", "b"], "salary": 1.5, "remote": True, "logo": None}
    assert value_hash(record) == value_hash(json.loads(json.dumps(record)))
    assert len(value_hash(record)) == 32
    values = [1, 1.0, True, "1", [1], (1,), {"a": 1}, {"a": 1.0}, None, "", []]
    assert len({value_hash(value) for value in values}) == len(values)
    assert value_hash({"a": 1, "b": 2}) != value_hash({"b": 2, "a": 1})  # the record's order
    assert value_hash({1, 2}) == value_hash({1, 2})  # marshal knows sets too
    assert value_hash(range(3)) == value_hash(range(3))  # marshal does not: hashed by repr


def test_a_32_bit_digest_set_holds_what_was_added_in_half_the_memory():
    wide, narrow = DigestSet(), DigestSet(bits=32)
    names = [f"post-remoteok-{n}" for n in range(5000)]
    for name in names:
        wide.add(name)
        narrow.add(name)
    assert all(name in narrow for name in names)
    misses = sum(f"post-other-{n}" in narrow for n in range(100_000))
    assert misses <= 2  # a wrong yes about once in 4 billion look-ups per member
    wide_bytes = wide._slots.itemsize * len(wide._slots)
    assert narrow._slots.itemsize * len(narrow._slots) * 2 == wide_bytes
