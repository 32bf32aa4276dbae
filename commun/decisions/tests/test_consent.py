"""The consent process, step by step: versions, objection rounds, objections, the close."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.utils import timezone

from commun.conftest import category, make_member
from commun.decisions.models import Decision, Eligibility, Objection, Stance, StanceChange
from commun.members.models import Category, College, Cooperative
from commun.testing.decisions import DAY, in_objection_round, opened, propose

Phase, Outcome = Decision.Phase, Decision.Outcome


@pytest.fixture
def eve(coop):
    return make_member("eve@example.org", "Eve", "Leroy", category("Partenaires"))


def after_deliberation(decision):
    return decision.opened_at + decision.min_deliberation + datetime.timedelta(seconds=1)


def test_a_proposal_starts_as_a_draft_with_its_first_version(bob):
    decision = propose(bob, title="Un serveur", body="Achetons-le.")

    assert decision.phase == Phase.DRAFT
    assert decision.space.kind == "cooperative"
    assert [(v.number, v.title, v.body) for v in decision.versions.all()] == [
        (1, "Un serveur", "Achetons-le.")
    ]
    assert not decision.eligible.exists()


def test_opening_fixes_eligibility_and_starts_clarification(alice, bob, eve):
    decision = opened(bob)

    assert decision.phase == Phase.CLARIFICATION
    assert decision.opened_at is not None
    assert set(decision.eligible.values_list("member_id", flat=True)) == {alice.pk, bob.pk, eve.pk}
    # A member's college at the opening weighs only a vote weighted by college: not kept here.
    assert set(decision.eligible.values_list("college_id", flat=True)) == {None}


def test_a_vote_weighted_by_college_fixes_each_member_s_college_at_the_opening(alice, bob):
    decision = opened(bob, "yes_no", weighted_by_college=True)

    colleges = dict(decision.eligible.values_list("member_id", "college_id"))
    assert colleges == {alice.pk: alice.category.college_id, bob.pk: bob.category.college_id}
    assert None not in colleges.values()


def test_the_college_fixed_at_the_opening_cannot_be_deleted(bob):
    opened(bob, "yes_no", weighted_by_college=True)
    college = bob.category.college
    Category.objects.filter(college=college).update(college=None)

    with pytest.raises(ProtectedError) as refused:
        College.objects.filter(pk=college.pk).delete()
    assert {type(held) for held in refused.value.protected_objects} == {Eligibility}
    assert College.objects.filter(pk=college.pk).exists()


def test_deleting_a_decision_leaves_no_eligibility_behind_and_an_eligible_member_stays(alice, bob):
    """The eligibility's keys are not checked by the database (decisions/0012): the ORM's
    CASCADE and PROTECT must still hold."""
    decision = opened(bob)
    with pytest.raises(ProtectedError):
        type(alice).objects.filter(pk=alice.pk).delete()
    assert Eligibility.objects.filter(member=alice).exists()

    Decision.objects.filter(pk=decision.pk).delete()

    assert not Eligibility.objects.filter(decision_id=decision.pk).exists()


def test_it_walks_clarification_reactions_then_an_objection_round(alice, bob):
    decision = opened(bob)
    decision.advance(bob)
    assert decision.phase == Phase.REACTIONS
    assert not decision.rounds.exists()

    decision.advance(bob)

    assert decision.phase == Phase.OBJECTIONS
    assert decision.current_round.number == 1
    assert decision.current_round.version.number == 1


def test_only_the_author_advances(alice, bob):
    decision = opened(bob)
    with pytest.raises(PermissionDenied, match="auteur"):
        decision.advance(alice)
    decision.refresh_from_db()
    assert decision.phase == Phase.CLARIFICATION


def test_amending_keeps_every_version(bob, alice):
    decision = opened(bob, title="Un serveur", body="Achetons-le.")

    decision.amend(
        bob, title="Un serveur d'occasion", body="Achetons-le d'occasion.", note="Moins cher"
    )

    versions = list(decision.versions.values_list("number", "title", "note"))
    assert versions == [(1, "Un serveur", ""), (2, "Un serveur d'occasion", "Moins cher")]
    assert decision.title == "Un serveur d'occasion"
    diff = decision.current_version.diff_from(decision.versions.get(number=1))
    assert {"kind": "added", "text": "Achetons-le d'occasion."} in diff
    assert {"kind": "removed", "text": "Achetons-le."} in diff


def test_an_amendment_that_changes_nothing_is_refused(bob, alice):
    decision = opened(bob, title="Un serveur", body="Achetons-le.")
    with pytest.raises(ValidationError) as error:
        decision.amend(bob, title="Un serveur", body="Achetons-le.")
    assert "identique" in str(error.value.message_dict["body"])
    assert decision.versions.count() == 1


def test_everyone_consents_and_the_author_closes_once_deliberation_time_has_passed(alice, bob):
    decision = in_objection_round(bob)
    round = decision.current_round
    round.take_stance(alice, "consent")
    round.take_stance(bob, "concern", reason="Surveillons la consommation électrique.")

    with pytest.raises(ValidationError, match="durée minimale"):
        decision.close(by=bob)

    outcome = decision.close(
        now=after_deliberation(decision),
        by=bob,
        statement="Adoptée.",
        review_on=timezone.localdate() + 365 * DAY,
    )

    assert outcome == Outcome.ADOPTED
    decision.refresh_from_db()
    assert decision.phase == Phase.CLOSED
    assert decision.review_on is not None
    assert decision.result["stances"] == {"consent": 1, "concern": 1}
    assert decision.current_round.closed_at is not None


def test_closing_early_needs_everyone_to_have_spoken(alice, bob, eve):
    decision = in_objection_round(bob)
    decision.current_round.take_stance(bob, "consent")
    decision.current_round.take_stance(alice, "consent")

    with pytest.raises(ValidationError, match="1 ne l'ont pas encore fait"):
        decision.close(now=after_deliberation(decision), by=bob)
    assert decision.current_round.closed_at is None


def test_the_deadline_job_cannot_close_before_the_deadline(alice, bob):
    decision = in_objection_round(bob)
    with pytest.raises(ValidationError, match="Trop tôt"):
        decision.close(now=after_deliberation(decision))


def test_an_objection_blocks_until_integrated_and_resolved(alice, bob, eve):
    decision = in_objection_round(bob)
    first = decision.current_round
    first.take_stance(alice, "consent")
    first.take_stance(bob, "consent")
    first.take_stance(eve, "objection", reason="Le budget n'est pas voté.")
    objection = Objection.objects.get()
    assert (objection.author, objection.status, objection.round) == (eve, "raised", first)

    with pytest.raises(ValidationError, match="objection"):
        decision.close(now=after_deliberation(decision), by=bob)

    objection.begin_integration(bob)
    decision.refresh_from_db()
    assert decision.phase == Phase.INTEGRATION
    first.refresh_from_db()
    assert first.closed_at is not None

    version = decision.amend(
        bob, title=decision.title, body="Avec un budget voté.", integrates=[objection]
    )
    objection.refresh_from_db()
    assert objection.integrated_in == version
    assert objection.status == "integrating"

    second = decision.start_new_round(bob)
    assert (second.number, second.version) == (2, version)
    with pytest.raises(PermissionDenied):
        objection.resolve(alice)
    objection.resolve(eve)
    for member in (alice, bob, eve):
        second.take_stance(member, "consent")

    assert decision.close(now=after_deliberation(decision), by=bob) == Outcome.ADOPTED


def test_an_objection_is_resolved_only_in_a_later_round(alice, bob):
    decision = in_objection_round(bob)
    decision.current_round.take_stance(alice, "objection", reason="Trop cher.")
    objection = Objection.objects.get()
    with pytest.raises(ValidationError, match="tour suivant"):
        objection.resolve(alice)
    objection.refresh_from_db()
    assert objection.status == "raised"


def test_changing_away_from_an_objection_withdraws_it(alice, bob):
    decision = in_objection_round(bob)
    round = decision.current_round
    round.take_stance(alice, "objection", reason="Trop cher.")
    round.take_stance(alice, "objection", reason="Vraiment trop cher.")
    assert Objection.objects.get().reason == "Vraiment trop cher."

    round.take_stance(alice, "consent")

    objection = Objection.objects.get()
    assert objection.status == "withdrawn"
    assert Stance.objects.get(member=alice).choice == "consent"
    assert StanceChange.objects.filter(stance__member=alice).count() == 3


def test_dismissing_an_objection_needs_a_reason_and_tells_the_objector(
    alice, bob, eve, mailoutbox, django_capture_on_commit_callbacks
):
    decision = in_objection_round(bob)
    decision.current_round.take_stance(eve, "objection", reason="Je n'aime pas le bleu.")
    objection = Objection.objects.get()

    with pytest.raises(ValidationError):
        objection.dismiss(bob, "  ")
    with pytest.raises(PermissionDenied):
        objection.dismiss(eve, "Ce n'est pas bloquant.")
    with django_capture_on_commit_callbacks(execute=True):
        objection.dismiss(alice, "Une préférence n'est pas une objection.")

    objection.refresh_from_db()
    assert objection.status == "not_an_objection"
    assert objection.status_note == "Une préférence n'est pas une objection."
    told = [m for m in mailoutbox if m.to == ["eve@example.org"]]
    assert told and "Une préférence n'est pas une objection." in told[0].body


def test_the_objector_withdraws_their_objection(alice, bob):
    decision = in_objection_round(bob)
    decision.current_round.take_stance(alice, "objection", reason="Trop cher.")
    objection = Objection.objects.get()
    with pytest.raises(PermissionDenied):
        objection.withdraw(bob)
    objection.withdraw(alice)
    objection.refresh_from_db()
    assert objection.status == "withdrawn"


def test_the_deadline_lapses_a_decision_with_an_open_objection(alice, bob):
    decision = in_objection_round(bob)
    decision.current_round.take_stance(alice, "objection", reason="Trop cher.")
    decision.current_round.take_stance(bob, "consent")

    assert decision.close(now=decision.closes_at) == Outcome.LAPSED
    assert decision.outcome == Outcome.LAPSED


def test_silence_is_not_consent_under_the_strict_rule(alice, bob, eve):
    Cooperative.objects.filter(pk=1).update(silence_is_consent=False)
    decision = in_objection_round(bob)
    decision.current_round.take_stance(alice, "consent")
    decision.current_round.take_stance(bob, "consent")

    assert decision.close(now=decision.closes_at) == Outcome.LAPSED


def test_silence_is_consent_when_the_profile_says_so_with_its_quorum(alice, bob, eve):
    Cooperative.objects.filter(pk=1).update(silence_is_consent=True, consent_quorum_percent=60)
    decision = in_objection_round(bob)
    assert decision.silence_is_consent and decision.quorum_percent == 60
    decision.current_round.take_stance(bob, "consent")
    # One out of three spoke: under the 60 % quorum.
    assert decision.close(now=decision.closes_at) == Outcome.NO_QUORUM

    other = in_objection_round(bob)
    other.current_round.take_stance(bob, "consent")
    other.current_round.take_stance(alice, "stand_aside")
    assert other.close(now=other.closes_at) == Outcome.ADOPTED


def test_the_deadline_before_any_objection_round_lapses_the_decision(alice, bob):
    decision = opened(bob)
    assert decision.close(now=decision.closes_at) == Outcome.LAPSED


def test_the_author_withdraws_at_any_step_before_the_close(alice, bob):
    decision = in_objection_round(bob)
    with pytest.raises(PermissionDenied):
        decision.withdraw(alice)
    decision.withdraw(bob, statement="Plus nécessaire.")
    assert (decision.phase, decision.outcome) == (Phase.CLOSED, Outcome.WITHDRAWN)
    assert decision.outcome_statement == "Plus nécessaire."
    with pytest.raises(ValidationError, match="clos"):
        decision.current_round.take_stance(alice, "consent")


def test_the_closed_signal_is_sent_once_with_the_decision(alice, bob):
    from commun.decisions.signals import decision_closed

    heard = []

    def listener(sender, decision, **kwargs):
        heard.append((sender, decision.pk, decision.outcome))

    decision_closed.connect(listener)
    try:
        decision = in_objection_round(bob)
        decision.withdraw(bob)
    finally:
        decision_closed.disconnect(listener)
    assert heard == [(Decision, decision.pk, "withdrawn")]
