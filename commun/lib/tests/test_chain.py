"""The shared hash chain: hashes stored in ballot boxes and journals must never change."""

from commun.lib import chain

BALLOT_HASH = "d0fbc24bb1975b5379cdb9cf340da6ba3f1a622ff964c02f7027303f71e2517b"
ENTRY_HASH = "eaaf3dedf48dc8d15591c99587d8ab410e271ddb3ca1cbac33ba51ca9004349f"


def test_a_ballot_link_hashes_as_it_always_has():
    fields = {
        "round": 7,
        "sequence": 3,
        "receipt": "ABCD-EFGH-IJKL-MNOP",
        "content": {"choice": "yes"},
    }
    assert chain.link_hash(fields, chain.GENESIS_HASH) == BALLOT_HASH


def test_a_journal_link_hashes_as_it_always_has():
    fields = {
        "sequence": 3,
        "kind": "transaction",
        "ref": "T-1",
        "payload": {"amount_cents": 1250, "label": "é"},
    }
    assert chain.link_hash(fields, "a" * 64) == ENTRY_HASH


def test_the_first_link_follows_the_genesis_hash():
    assert chain.next_link(None) == (1, chain.GENESIS_HASH)
    assert chain.next_link((4, "b" * 64)) == (5, "b" * 64)


def _fault(**changes):
    fields = {"sequence": 1, "kind": "k"}
    link = {
        "sequence": 1,
        "previous_hash": chain.GENESIS_HASH,
        "hash": chain.link_hash(fields, chain.GENESIS_HASH),
        "fields": fields,
    } | changes
    return chain.link_fault(**link, expected_sequence=1, expected_previous=chain.GENESIS_HASH)


def test_it_names_what_is_wrong_with_a_link():
    assert _fault() is None
    assert _fault(sequence=2) is chain.Fault.MISPLACED
    assert _fault(sequence=True) is chain.Fault.MISPLACED
    assert _fault(previous_hash="c" * 64) is chain.Fault.UNLINKED
    assert _fault(fields={"sequence": 1, "kind": "changed"}) is chain.Fault.ALTERED
