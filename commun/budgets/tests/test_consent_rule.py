"""Consent as the charter means it: the absence of reasoned objection, silence included."""

import pytest
from django.utils import timezone

from commun.budgets.models import Mission
from commun.conftest import category
from commun.decisions.models import Decision
from commun.members.models import Cooperative, Member
from commun.testing.budgets import fund, submitted
from commun.testing.decisions import many_members

pytestmark = pytest.mark.django_db
ELIGIBLE, CONSENTING = 44, 37


def mission_with_37_of_44_consenting(proposer) -> tuple[Mission, Decision]:
    many_members(ELIGIBLE - Member.objects.active().count(), category("Partenaires"))
    fund(1_000_000)
    mission = submitted(proposer)
    decision = Decision.objects.get(pk=mission.decision_id)
    assert decision.eligible_count == ELIGIBLE
    round = decision.current_round
    for eligibility in decision.eligible.select_related("member")[:CONSENTING]:
        round.take_stance(eligibility.member, "consent")
    return mission, decision


def test_by_default_silence_is_consent_and_the_mission_is_adopted_at_its_deadline(alice, bob):
    mission, decision = mission_with_37_of_44_consenting(bob)

    assert decision.silence_is_consent
    assert decision.close(now=decision.closes_at) == Decision.Outcome.ADOPTED
    mission.refresh_from_db()
    assert mission.status == Mission.Status.ADOPTED


def test_under_the_strict_rule_the_same_decision_lapses(alice, bob):
    Cooperative.objects.filter(pk=1).update(silence_is_consent=False)
    mission, decision = mission_with_37_of_44_consenting(bob)

    assert not decision.silence_is_consent
    assert decision.close(now=decision.closes_at) == Decision.Outcome.LAPSED
    mission.refresh_from_db()
    assert mission.status != Mission.Status.ADOPTED


def test_under_the_quorum_silence_adopts_nothing_and_says_why(alice, bob):
    Cooperative.objects.filter(pk=1).update(consent_quorum_percent=90)
    mission, decision = mission_with_37_of_44_consenting(bob)

    assert decision.close(now=decision.closes_at) == Decision.Outcome.NO_QUORUM


def test_the_decision_page_states_the_rule(alice, bob, client):
    mission, decision = mission_with_37_of_44_consenting(bob)
    client.force_login(bob.user)

    page = client.get(decision.get_absolute_url()).content.decode()

    deadline = timezone.localtime(decision.closes_at).strftime("%Y")
    assert "Sans objection d&#x27;ici le" in page or "Sans objection d'ici le" in page
    assert "la mission est adoptée" in page and deadline in page


def test_silent_members_are_reminded_of_the_rule_before_the_deadline(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    mission, decision = mission_with_37_of_44_consenting(bob)

    with django_capture_on_commit_callbacks(execute=True):
        sent = Decision.objects.remind_silent(decision.closes_at - timezone.timedelta(hours=2))

    assert sent == ELIGIBLE - CONSENTING
    reminder = next(m for m in mailoutbox if "peu de temps" in m.subject)
    assert "votre silence vaudra consentement" in reminder.body
