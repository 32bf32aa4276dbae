"""A mission is adopted only if the reserve covers it at that instant (Decision.close)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from commun.decisions.models import Decision
from commun.ledger import funds
from commun.ledger.models import Transaction
from commun.testing.budgets import DAY, consent_all, fund, invoice, submitted


def test_a_person_closing_is_refused_and_the_decision_stays_open(alice, bob):
    fund(100_000)
    mission = submitted(bob, **invoice(150_000))
    decision = mission.decision
    consent_all(decision)
    transactions = Transaction.objects.count()

    with pytest.raises(ValidationError) as refused:
        decision.close(now=decision.deliberation_ends_at + DAY, by=alice)

    assert "il manque 500" in str(refused.value)
    decision.refresh_from_db()
    mission.refresh_from_db()
    assert decision.phase == "objections" and decision.outcome == ""
    assert decision.current_round.closed_at is None
    assert mission.status == "submitted"
    assert funds.committed_cents() == 0 and funds.available_cents() == 100_000
    assert Transaction.objects.count() == transactions


def test_the_page_shows_why_the_close_was_refused(people, alice, bob):
    fund(100_000)
    mission = submitted(bob, **invoice(150_000))
    consent_all(mission.decision)
    from unittest import mock

    later = mission.decision.deliberation_ends_at + DAY
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = people["officer"].post(
            reverse("decisions:close", args=[mission.decision_id]), {"close-statement": ""}
        )
    assert "ne couvre pas le coût complet" in response.content.decode()
    assert Decision.objects.get(pk=mission.decision_id).phase == "objections"


def test_the_deadline_job_lets_it_lapse_saying_why(alice, bob):
    fund(100_000)
    mission = submitted(bob, **invoice(150_000))
    decision = mission.decision
    consent_all(decision)

    Decision.objects.close_due(now=decision.closes_at)

    decision.refresh_from_db()
    mission.refresh_from_db()
    assert decision.outcome == "lapsed"
    assert decision.outcome_statement.startswith("L'adoption a été refusée :")
    assert "il manque 500" in decision.outcome_statement
    assert mission.status == "rejected" and "il manque" in mission.status_reason
    assert funds.committed_cents() == 0


def test_the_same_decision_adopts_once_the_reserve_is_enough(alice, bob):
    fund(100_000)
    mission = submitted(bob, **invoice(150_000))
    decision = mission.decision
    consent_all(decision)
    with pytest.raises(ValidationError):
        decision.close(now=decision.deliberation_ends_at + DAY, by=alice)
    fund(50_000)

    assert decision.close(now=decision.deliberation_ends_at + DAY, by=alice) == "adopted"

    mission.refresh_from_db()
    assert mission.status == "adopted" and funds.available_cents() == 0
