"""The hash-chained journal: its canonical form, its export, and its offline check.

Each entry hashes its sequence, kind, reference, payload and the previous entry's hash, so
changing, removing or reordering one breaks every link after it. Payloads carry no
personal data in clear (member numbers, amounts, accounts, dates), so the chain still
verifies after a member's data is erased.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _

from commun.lib.chain import GENESIS_HASH, Fault, link_fault, link_hash
from commun.lib.hashing import canonical_json

EXPORT_CHUNK_SIZE = 2000


def entry_hash(sequence: int, kind: str, ref: str, payload, previous_hash: str) -> str:
    return link_hash(_fields(sequence, kind, ref, payload), previous_hash)


def _fields(sequence, kind: str, ref: str, payload) -> dict:
    return {"sequence": sequence, "kind": kind, "ref": ref, "payload": payload}


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

    Messages are in the active language: they are printed to the person running
    `commun verify`.
    """
    count, head = 0, GENESIS_HASH
    for count, head in verified_entries(lines):  # noqa: B007 (the last pair is the answer)
        pass
    return count, head


def verified_entries(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(sequence, hash) of each entry once checked, in order; ChainBroken at the first fault.

    A signed digest names an earlier head: whoever checks a longer journal against it looks
    at the hash of the digest's last entry as it goes by (`commun verify --digest`).
    """
    expected_sequence = 1
    previous_hash = GENESIS_HASH
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
                _("ligne %(line)s : entrée illisible ou incomplète (%(error)s).")
                % {"line": line_number, "error": error},
                line_number,
                None,
            ) from None
        if type(sequence) is not int:
            raise ChainBroken(
                _("ligne %(line)s : numéro de séquence invalide.") % {"line": line_number},
                line_number,
                None,
            )
        fault = link_fault(
            sequence=sequence,
            previous_hash=claimed_previous,
            hash=claimed_hash,
            fields=_fields(sequence, kind, ref, payload),
            expected_sequence=expected_sequence,
            expected_previous=previous_hash,
        )
        if fault is Fault.MISPLACED:
            raise ChainBroken(
                _(
                    "ligne %(line)s : l'entrée n°%(expected)s était attendue, l'entrée "
                    "n°%(sequence)s est là — l'entrée n°%(expected)s a été supprimée ou "
                    "déplacée."
                )
                % {"line": line_number, "expected": expected_sequence, "sequence": sequence},
                line_number,
                expected_sequence,
            )
        if fault is Fault.UNLINKED:
            raise ChainBroken(
                _(
                    "ligne %(line)s : l'entrée n°%(sequence)s ne suit pas l'entrée "
                    "n°%(previous)s (hash précédent différent) — l'une des deux a été altérée."
                )
                % {"line": line_number, "sequence": sequence, "previous": sequence - 1},
                line_number,
                sequence,
            )
        if fault is Fault.ALTERED:
            raise ChainBroken(
                _(
                    "ligne %(line)s : l'entrée n°%(sequence)s a été altérée "
                    "(son contenu ne correspond plus à son hash)."
                )
                % {"line": line_number, "sequence": sequence},
                line_number,
                sequence,
            )
        previous_hash = claimed_hash
        expected_sequence += 1
        yield sequence, claimed_hash


def decision_outcome_payload(decision) -> dict:
    """A closed decision as the journal keeps it: its text's digest and counts, never names.

    The tally keeps numbers only (stances, objections, voters, option and college ids):
    whatever text a result holds is dropped, so no participant can be named in clear.
    """
    version = decision.current_version
    round_ = decision.current_round
    text = {"title": version.title, "body": version.body} if version else None
    return {
        "decision": decision.pk,
        "kind": decision.kind,
        "outcome": decision.outcome,
        "closed_at": decision.closed_at.isoformat() if decision.closed_at else None,
        "version": version.number if version else None,
        "text_sha256": hashlib.sha256(canonical_json(text).encode()).hexdigest() if text else None,
        "round": round_.number if round_ else None,
        "tally": counts_only(decision.result or {}),
    }


def counts_only(value):
    """Keep the numbers of a tally (nested dicts and lists of them); drop every text."""
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if isinstance(value, dict):
        kept = {str(key): counts_only(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item is not None}
    if isinstance(value, list | tuple):
        kept = [counts_only(item) for item in value]
        return [item for item in kept if item is not None]
    return None
