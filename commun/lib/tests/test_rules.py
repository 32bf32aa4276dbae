"""The machinery every app's `rules.py` shares: one table, three questions."""

import pytest
from django.core.exceptions import PermissionDenied

from commun.lib.rules import MEMBERS_ONLY, Rulebook, anyone, officer

NAMES = {"read": "lire", "sign": "signer"}
WHO_MAY = {"read": (anyone, MEMBERS_ONLY), "sign": (officer, "Réservé : %(action)s.")}


def test_every_action_needs_a_name_and_a_rule():
    with pytest.raises(AssertionError):
        Rulebook(WHO_MAY, {"read": "lire"})


def test_an_unknown_action_is_a_programming_error(db):
    with pytest.raises(ValueError):
        Rulebook(WHO_MAY, NAMES).may(None, "dance")


def test_a_visitor_reads_the_members_only_refusal_or_the_action_s_own(db):
    assert str(Rulebook(WHO_MAY, NAMES).refusal(None, "sign")) == (
        "Seul·es les associé·es peuvent signer."
    )
    own = Rulebook(WHO_MAY, NAMES, members_only=None)
    assert str(own.refusal(None, "sign")) == "Réservé : signer."


def test_require_names_the_acting_member_or_refuses(alice, bob):
    book = Rulebook(WHO_MAY, NAMES)
    assert book.require(bob.user, "read") == bob
    assert book.require(alice.user, "sign") == alice
    with pytest.raises(PermissionDenied, match="Réservé : signer."):
        book.require(bob.user, "sign")
