"""The canonical form that hash chains (ballot box, journal) hash."""

import json


def canonical_json(value) -> str:
    """The one text a value hashes to, whoever computes it (keys sorted, no spaces)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
