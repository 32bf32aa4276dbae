"""A tie is an outcome of its own, settled by the rule the decision states."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from commun.conftest import category, client_for
from commun.decisions.models import Decision
from commun.decisions.templatetags.decisions import result_summary
from commun.testing.decisions import many_members, opened

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


@pytest.mark.django_db
def test_the_chair_casts_the_deciding_vote_once_and_the_register_says_so(alice, bob):
    decision, ids = condorcet_cycle(alice, tie_rule="chair")
    assert decision.awaits_casting_vote

    decision.cast_deciding_vote(alice, ids["B"], "B coûte le moins à la réserve.")

    decision.refresh_from_db()
    assert decision.outcome == Outcome.TIED  # the tie stays the record; the chair settled it
    settled = decision.result["tie_break"]
    assert settled["chosen"] == ids["B"] and settled["by"] == alice.pk
    assert settled["statement"] == "B coûte le moins à la réserve."
    assert not decision.awaits_casting_vote
    summary = result_summary(decision)
    assert "départagé : B" in summary and "B coûte le moins à la réserve." in summary
    with pytest.raises(ValidationError):
        decision.cast_deciding_vote(alice, ids["A"], "Finalement A.")
    decision.refresh_from_db()
    assert decision.result["tie_break"]["chosen"] == ids["B"]


@pytest.mark.django_db
def test_only_an_officer_casts_the_deciding_vote_and_only_among_the_tied(alice, bob):
    decision, ids = condorcet_cycle(alice, tie_rule="chair")

    with pytest.raises(PermissionDenied):
        decision.cast_deciding_vote(bob, ids["A"], "Je tranche.")
    with pytest.raises(ValidationError) as refused:
        decision.cast_deciding_vote(alice, 999_999, "Une autre.")
    assert "choice" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        decision.cast_deciding_vote(alice, ids["A"], "   ")
    assert "statement" in refused.value.message_dict
    decision.refresh_from_db()
    assert decision.result["tie_break"] == {"rule": "chair"}


@pytest.mark.django_db
def test_no_deciding_vote_where_the_rule_or_the_outcome_does_not_call_for_it(alice):
    drawn, ids = condorcet_cycle(alice, tie_rule="lots")
    assert not drawn.awaits_casting_vote
    with pytest.raises(ValidationError):
        drawn.cast_deciding_vote(alice, ids["A"], "Je préfère A.")
    assert "chosen" not in Decision.objects.get(pk=drawn.pk).result["tie_break"]


@pytest.mark.django_db
def test_the_chair_settles_a_tie_on_the_page_and_through_the_api(alice, bob):
    decision, ids = condorcet_cycle(alice, tie_rule="chair")
    officer, member = client_for(alice.user), client_for(bob.user)
    page = reverse("decisions:detail", args=[decision.pk])

    assert 'name="casting-choice"' in officer.get(page).content.decode()
    assert 'name="casting-choice"' not in member.get(page).content.decode()
    url = reverse("decisions:casting_vote", args=[decision.pk])
    refused = member.post(url, {"casting-choice": ids["A"], "casting-statement": "Moi."})
    assert refused.status_code == 403
    wrong = officer.post(url, {"casting-choice": "", "casting-statement": "Sans choix."})
    assert wrong.status_code == 400 and "des options à égalité" in wrong.content.decode()
    done = officer.post(url, {"casting-choice": ids["C"], "casting-statement": "C."})
    assert done.status_code == 302
    assert Decision.objects.get(pk=decision.pk).result["tie_break"]["chosen"] == ids["C"]

    again = officer.post(
        f"/api/v1/decisions/{decision.pk}/casting-vote",
        {"choice": ids["A"], "statement": "Encore."},
        content_type="application/json",
    )
    assert again.status_code == 403  # settled: nothing awaits a casting vote any more
    assert Decision.objects.get(pk=decision.pk).result["tie_break"]["chosen"] == ids["C"]


@pytest.mark.django_db
def test_the_api_records_the_casting_vote(alice, bob):
    decision, ids = condorcet_cycle(alice, tie_rule="chair")
    url = f"/api/v1/decisions/{decision.pk}/casting-vote"
    body = {"choice": ids["A"], "statement": "A, pour finir."}

    assert client_for(bob.user).post(url, body, content_type="application/json").status_code == 403
    answer = client_for(alice.user).post(url, body, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert Decision.objects.get(pk=decision.pk).result["tie_break"]["chosen"] == ids["A"]
