"""One person, one voice: only those eligible at the opening speak, and each counts once."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from commun.conftest import category, make_member
from commun.decisions.models import Decision, Stance, StanceChange
from commun.deliberation.models import Circle, Space
from commun.members.models import College, Member, ShareMovement
from commun.testing.decisions import in_objection_round, opened


def vote_round(author, **fields):
    decision = opened(author, "yes_no", **fields)
    return decision, decision.current_round


def test_a_member_who_joined_after_the_opening_is_refused(alice, bob):
    decision, round = vote_round(bob)
    late = make_member("late@example.org", "Léa", "Tardive", category("Partenaires"))

    with pytest.raises(PermissionDenied, match="pas appelé·e"):
        round.take_stance(late, "yes")
    assert not Stance.objects.exists()


def test_a_member_of_another_college_is_refused(alice, bob):
    users = College.objects.get(name__startswith="Usager")
    decision, round = vote_round(bob, scope="colleges", colleges=[users])

    with pytest.raises(PermissionDenied):
        round.take_stance(alice, "yes")  # alice is in the contributors' college
    round.take_stance(bob, "yes")
    assert list(Stance.objects.values_list("member_id", flat=True)) == [bob.pk]


def test_someone_outside_the_circle_is_refused(alice, bob):
    circle = Circle.found("Infrastructure", "Les serveurs", by=bob)
    space = Space.objects.for_circle(circle)
    decision = opened(bob, "yes_no", space=space, scope="circle")
    assert decision.circle == circle

    with pytest.raises(PermissionDenied):
        decision.current_round.take_stance(alice, "yes")
    decision.current_round.take_stance(bob, "yes")
    assert Stance.objects.count() == 1


def test_a_visitor_or_an_account_without_membership_is_refused(alice, bob, dan, carol):
    decision, round = vote_round(bob)
    for who in (None, dan, carol.user):
        with pytest.raises(PermissionDenied, match="associé·es"):
            round.take_stance(who, "yes")
    assert not Stance.objects.exists()


def test_a_member_who_left_is_refused(alice, bob):
    eve = make_member("eve@example.org", "Eve", "Leroy", category("Partenaires"))
    decision, round = vote_round(bob)
    Member.objects.filter(pk=eve.pk).update(status=Member.Status.LEFT)
    eve.refresh_from_db()

    with pytest.raises(PermissionDenied):
        round.take_stance(eve, "yes")
    assert round.silent_count() == round.silent_members().count() == 2
    # The one who left no longer holds back an early close.
    round.take_stance(alice, "yes")
    round.take_stance(bob, "yes")
    assert decision.everyone_has_spoken()
    assert round.silent_count() == 0


def test_a_user_stands_for_their_membership(alice, bob):
    decision, round = vote_round(bob)
    round.take_stance(bob.user, "no")
    assert Stance.objects.get().member == bob


def test_a_thousand_shares_still_count_once(alice, bob):
    rich = make_member("riche@example.org", "Rita", "Riche", category("Partenaires"), shares=1000)
    ShareMovement.objects.record(ShareMovement.Kind.SUBSCRIPTION, rich, 1000, reason="Plus")
    decision, round = vote_round(bob)
    round.take_stance(rich, "no")
    round.take_stance(bob, "yes")
    round.take_stance(alice, "yes")

    tally = decision.tally()

    assert (tally["yes"], tally["no"], tally["eligible"]) == (2, 1, 3)
    assert tally["outcome"] == "adopted"


def test_changing_a_stance_five_times_leaves_one_counted_and_five_in_history(alice, bob):
    decision = in_objection_round(bob)
    round = decision.current_round
    for choice in ["consent", "objection", "stand_aside", "concern", "consent"]:
        round.take_stance(alice, choice, reason="Parce que." if choice != "consent" else "")

    assert Stance.objects.filter(member=alice).count() == 1
    assert Stance.objects.get(member=alice).choice == "consent"
    history = StanceChange.objects.filter(stance__member=alice)
    assert list(history.values_list("choice", flat=True)) == [
        "consent",
        "objection",
        "stand_aside",
        "concern",
        "consent",
    ]
    assert decision.tally()["stances"] == {"consent": 1}


def test_the_database_itself_refuses_a_second_stance_in_a_round(alice, bob):
    decision, round = vote_round(bob)
    round.take_stance(alice, "yes")
    with pytest.raises(IntegrityError), transaction.atomic():
        Stance.objects.create(round=round, member=alice, choice="no")


def test_eligibility_is_fixed_at_the_opening(alice, bob):
    decision = opened(bob, "yes_no")
    before = set(decision.eligible.values_list("member_id", flat=True))
    make_member("late@example.org", "Léa", "Tardive", category("Partenaires"))
    assert set(decision.eligible.values_list("member_id", flat=True)) == before
    assert decision.tally()["eligible"] == 2


def test_members_whose_shares_are_unpaid_are_not_eligible(alice, bob):
    unpaid = make_member("u@example.org", "Ugo", "Impayé", category("Partenaires"), paid=False)
    decision = opened(bob, "yes_no")
    assert not decision.eligible.filter(member=unpaid).exists()


def test_officers_only_decisions_are_for_officers(alice, bob):
    decision = opened(bob, "yes_no", scope="officers")
    assert list(decision.eligible.values_list("member_id", flat=True)) == [alice.pk]
    with pytest.raises(PermissionDenied):
        decision.current_round.take_stance(bob, "yes")


def test_a_stance_after_the_deadline_is_refused_even_before_the_job_runs(alice, bob):
    decision, round = vote_round(bob)
    with pytest.raises(ValidationError, match="échéance est passée"):
        round.take_stance(alice, "yes", now=decision.closes_at + datetime.timedelta(minutes=1))
    assert not Stance.objects.exists()
    assert Decision.objects.get(pk=decision.pk).phase == "voting"
