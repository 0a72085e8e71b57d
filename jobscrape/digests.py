"""DigestSet: the names a run has seen, in memory that does not grow with their length."""

from __future__ import annotations

import hashlib
import marshal
from array import array
from typing import Any

_EMPTY = 0
_MIN_SLOTS = 1024  # a power of two


def value_hash(value: Any) -> str:
    """A 128-bit hex digest (SHA-256, cut) of a value made of JSON's types (str, int, float,
    bool, None, list, dict, tuple): of its ``marshal`` form (version 2: no back-references, so
    equal values give equal bytes), else of its ``repr``. RecursionError for a value nested
    too deep."""
    try:
        data = marshal.dumps(value, 2)
    except ValueError:  # a type marshal does not know, or nesting too deep for it
        data = repr(value).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:32]


class DigestSet:
    """A set of strings kept as 8-byte digests in one flat array: about 16 to 32 bytes a member
    and no Python object per member, where a ``set`` of the strings costs some 100 bytes or more
    a member (the string, and its slot). Membership is by digest: two different strings taken
    for one needs a 64-bit collision (about one chance in 10**9 among a million names). A
    string's digest is Python's own string hash (SipHash, keyed anew in each process: for this
    process's memory only) cut to the set's width, and never 0, which marks an empty slot.

    ``bits=32`` keeps 4-byte digests, half the memory: for a filter whose yes is checked
    elsewhere (a look-up that is then asked of the state index), as a collision is no longer
    rare among a million names."""

    __slots__ = ("_keys", "_len", "_mask", "_slots")

    def __init__(self, bits: int = 64) -> None:
        if bits not in (32, 64):
            raise ValueError("a DigestSet keeps 32- or 64-bit digests")
        self._keys = (1 << bits) - 1
        self._slots = array("Q" if bits == 64 else "I", bytes(bits // 8 * _MIN_SLOTS))
        self._mask = _MIN_SLOTS - 1
        self._len = 0

    def __len__(self) -> int:
        return self._len

    def __contains__(self, text: object) -> bool:
        if not isinstance(text, str):
            return False
        key = (hash(text) & self._keys) or 1  # its digest (the hot path of a run)
        slots, mask = self._slots, self._mask
        slot = key & mask
        while True:
            found = slots[slot]
            if found == key:
                return True
            if found == _EMPTY:
                return False
            slot = (slot + 1) & mask

    def add(self, text: str) -> None:
        key = (hash(text) & self._keys) or 1  # its digest, as in __contains__
        slots, mask = self._slots, self._mask
        slot = key & mask
        while True:
            found = slots[slot]
            if found == key:
                return
            if found == _EMPTY:
                break
            slot = (slot + 1) & mask
        slots[slot] = key
        self._len += 1
        if self._len * 2 > len(slots):  # at most half full: probes stay short
            self._grow()

    def _grow(self) -> None:
        old = self._slots
        slots = array(old.typecode, bytes(2 * old.itemsize * len(old)))
        mask = len(slots) - 1
        for key in filter(None, old):  # the keys; 0 marks an empty slot
            slot = key & mask
            while slots[slot] != _EMPTY:  # linear probing; no key is in twice
                slot = (slot + 1) & mask
            slots[slot] = key
        self._slots, self._mask = slots, mask
