"""DigestSet: a run's seen names in a flat array of digests."""

from __future__ import annotations

from jobscrape.digests import DigestSet


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
