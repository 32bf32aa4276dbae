"""The one hash chain that the ballot box and the ledger's journal are both written as.

Each link hashes its own fields and the previous link's hash, so changing, removing or
reordering one link breaks every link after it. What a link's fields are is the caller's
business (a ballot, a journal entry); how they are hashed and checked is written here once.
"""

import enum
import hashlib
from collections.abc import Iterable

from commun.lib.hashing import canonical_json

GENESIS_HASH = "0" * 64


def link_hash(fields: dict, previous_hash: str) -> str:
    """The SHA-256 of a link's fields with the previous link's hash, in canonical JSON."""
    return hashlib.sha256(
        canonical_json({**fields, "previous_hash": previous_hash}).encode()
    ).hexdigest()


def next_link(last: tuple[int, str] | None) -> tuple[int, str]:
    """(sequence, previous hash) of the link to append after `last` = (sequence, hash)."""
    return (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)


class Fault(enum.Enum):
    MISPLACED = "misplaced"  # not the sequence number expected: one was removed or moved
    UNLINKED = "unlinked"  # does not name the previous link's hash
    ALTERED = "altered"  # its fields no longer hash to its hash


def link_fault(
    *,
    sequence,
    previous_hash: str,
    hash: str,
    fields: dict,
    expected_sequence: int,
    expected_previous: str,
) -> Fault | None:
    """What is wrong with one link, read in order after a sound chain; None if nothing."""
    if type(sequence) is not int or sequence != expected_sequence:
        return Fault.MISPLACED
    if previous_hash != expected_previous:
        return Fault.UNLINKED
    if link_hash(fields, previous_hash) != hash:
        return Fault.ALTERED
    return None


def first_break(links: Iterable[tuple[int, str, str, dict]]) -> tuple[bool, int | None]:
    """Read a box's links in order, each (sequence, previous hash, hash, fields): (True,
    None) when every one is its fields chained on the one before, else (False, the sequence
    expected where the chain first breaks)."""
    previous_hash, expected = GENESIS_HASH, 1
    for sequence, claimed_previous, claimed_hash, fields in links:
        fault = link_fault(
            sequence=sequence,
            previous_hash=claimed_previous,
            hash=claimed_hash,
            fields=fields,
            expected_sequence=expected,
            expected_previous=previous_hash,
        )
        if fault:
            return False, expected
        previous_hash = claimed_hash
        expected += 1
    return True, None
