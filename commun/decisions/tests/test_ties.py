"""A tie is an outcome of its own, settled by the rule the decision states."""

import hashlib

import pytest

from commun.conftest import category
from commun.decisions.models import Decision
from commun.decisions.templatetags.decisions import result_summary
from commun.decisions.tests.helpers import many_members, opened

Outcome = Decision.Outcome
CYCLE = ["ABC", "BCA", "CAB"]


def condorcet_cycle(alice, **fields):
    """Three voters in a cycle (A > B > C, B > C > A, C > A > B), closed at the deadline."""
    voters = many_members(3, category("Partenaires"))
    decision = opened(alice, "ranked", options=list("ABC"), **fields)
    ids = {option.label: option.pk for option in decision.options.all()}
    for member, order in zip(voters, CYCLE, strict=True):
        decision.current_round.take_stance(member, "ballot", ballot=[[ids[c]] for c in order])
    decision.close(now=decision.closes_at)
    return decision, ids


@pytest.mark.django_db
def test_a_condorcet_cycle_is_a_tie_and_a_new_round_opens_among_the_tied(alice):
    decision, ids = condorcet_cycle(alice)

    assert decision.tie_rule == "new_round"  # the default
    assert decision.outcome == Outcome.TIED
    assert sorted(decision.result["tied"]) == sorted(ids.values())
    follow = Decision.objects.get(pk=decision.result["tie_break"]["decision"])
    assert follow.phase == Decision.Phase.VOTING and follow.kind == "ranked"
    assert sorted(follow.options.values_list("label", flat=True)) == ["A", "B", "C"]
    summary = result_summary(decision)
    assert "Égalité" in summary and "Adoptée" not in summary
    assert f"n°{follow.pk}" in summary


@pytest.mark.django_db
def test_a_tie_drawn_by_lot_records_a_seed_anyone_can_check(alice):
    decision, ids = condorcet_cycle(alice, tie_rule="lots")

    assert decision.outcome == Outcome.TIED
    draw = decision.result["tie_break"]
    tied = sorted(decision.result["tied"])
    index = int(hashlib.sha256(draw["seed"].encode()).hexdigest(), 16) % len(tied)
    assert draw["drawn"] == tied[index]
    label = {pk: name for name, pk in ids.items()}[draw["drawn"]]
    assert label in result_summary(decision) and draw["seed"] in result_summary(decision)


@pytest.mark.django_db
def test_a_tie_left_to_the_chair_waits_for_the_casting_vote(alice):
    decision, ids = condorcet_cycle(alice, tie_rule="chair")

    assert decision.outcome == Outcome.TIED
    assert decision.result["tie_break"] == {"rule": "chair"}
    assert "présidence" in result_summary(decision)


@pytest.mark.django_db
def test_a_tied_approval_is_a_tie_with_its_tied_options(alice, bob):
    decision = opened(alice, "approval", options=["Rouge", "Vert"], tie_rule="lots")
    red, green = decision.options.values_list("pk", flat=True)
    decision.current_round.take_stance(alice, "ballot", ballot=[red])
    decision.current_round.take_stance(bob, "ballot", ballot=[green])
    decision.close(now=decision.closes_at)

    assert decision.outcome == Outcome.TIED
    assert decision.result["tied"] == [red, green]
