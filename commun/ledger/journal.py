"""The hash-chained journal: its canonical form, its export, and its offline check.

Each entry hashes its sequence, kind, reference, payload and the previous entry's hash, so
changing, removing or reordering one breaks every link after it. Payloads carry no
personal data in clear (member numbers, amounts, accounts, dates), so the chain still
verifies after a member's data is erased.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator

from commun.lib.hashing import canonical_json

GENESIS_HASH = "0" * 64
EXPORT_CHUNK_SIZE = 2000


def entry_hash(sequence: int, kind: str, ref: str, payload, previous_hash: str) -> str:
    body = {
        "sequence": sequence,
        "kind": kind,
        "ref": ref,
        "payload": payload,
        "previous_hash": previous_hash,
    }
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


def export_lines(entries: Iterable) -> Iterator[str]:
    """One JSON line per entry, in sequence order; `entries` should be a chunked iterator."""
    for entry in entries:
        yield canonical_json(
            {
                "sequence": entry.sequence,
                "kind": entry.kind,
                "ref": entry.ref,
                "payload": json.loads(entry.payload_json),
                "previous_hash": entry.previous_hash,
                "hash": entry.hash,
            }
        )


class ChainBroken(Exception):
    """The first place where an exported journal stops verifying."""

    def __init__(self, message: str, line: int, sequence: int | None):
        super().__init__(message)
        self.line = line
        self.sequence = sequence


def verify_lines(lines: Iterable[str]) -> tuple[int, str]:
    """Check an exported journal line by line: (entries, head hash) or ChainBroken.

    Messages are French: they are printed to the person running `commun verify`.
    """
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    count = 0
    for line_number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            sequence = entry["sequence"]
            kind, ref, payload = entry["kind"], entry["ref"], entry["payload"]
            claimed_previous, claimed_hash = entry["previous_hash"], entry["hash"]
        except (ValueError, KeyError, TypeError) as error:
            raise ChainBroken(
                f"ligne {line_number} : entrée illisible ou incomplète ({error}).",
                line_number,
                None,
            ) from None
        if type(sequence) is not int:
            raise ChainBroken(
                f"ligne {line_number} : numéro de séquence invalide.", line_number, None
            )
        if sequence != expected_sequence:
            raise ChainBroken(
                f"ligne {line_number} : l'entrée n°{expected_sequence} était attendue, "
                f"l'entrée n°{sequence} est là — l'entrée n°{expected_sequence} a été "
                "supprimée ou déplacée.",
                line_number,
                expected_sequence,
            )
        if claimed_previous != previous_hash:
            raise ChainBroken(
                f"ligne {line_number} : l'entrée n°{sequence} ne suit pas l'entrée "
                f"n°{sequence - 1} (hash précédent différent) — l'une des deux a été altérée.",
                line_number,
                sequence,
            )
        if entry_hash(sequence, kind, ref, payload, claimed_previous) != claimed_hash:
            raise ChainBroken(
                f"ligne {line_number} : l'entrée n°{sequence} a été altérée "
                "(son contenu ne correspond plus à son hash).",
                line_number,
                sequence,
            )
        previous_hash = claimed_hash
        expected_sequence += 1
        count += 1
    return count, previous_hash
