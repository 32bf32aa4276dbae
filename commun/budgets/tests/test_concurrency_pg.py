"""The reserve is never over-committed under real concurrency (PostgreSQL row locks).

SQLite serialises every writer, so these only prove something on PostgreSQL.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from commun.budgets.models import Mission, MissionPayment
from commun.decisions.models import Decision
from commun.ledger import funds
from commun.testing.budgets import DAY, adopt, consent_all, fund, invoice, need_by
from commun.testing.concurrency import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

COST = 10_000


def test_twenty_adoptions_at_once_against_a_reserve_for_seven(alice, bob):
    fund(7 * COST)
    need = need_by(bob)
    missions = []
    for _i in range(20):
        mission = Mission.objects.propose(bob, need, **invoice(COST)).submit(bob)
        consent_all(mission.decision)
        missions.append(mission)
    when = max(m.decision.deliberation_ends_at for m in missions) + DAY

    outcomes = all_at_once(
        20, lambda i: Decision.objects.get(pk=missions[i].decision_id).close(now=when, by=alice)
    )

    adopted = [o for o in outcomes if o == "adopted"]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(adopted) == 7 and len(refused) == 13, outcomes
    assert all("il manque 100" in str(error) for error in refused)
    assert funds.available_cents() == 0
    assert funds.committed_cents() == 7 * COST
    assert Mission.objects.filter(status="adopted").count() == 7
    assert Mission.objects.filter(status="submitted").count() == 13
    still_open = Decision.objects.filter(phase="objections", subject_kind="mission").count()
    assert still_open == 13


def test_twenty_payments_at_once_against_a_commitment_for_ten(alice, bob):
    fund(100_000)
    mission = Mission.objects.propose(bob, need_by(bob), **invoice(10 * COST)).submit(bob)
    adopt(mission, bob)

    outcomes = all_at_once(
        20,
        lambda i: Mission.objects.get(pk=mission.pk).record_payment(
            alice,
            kind="invoice",
            on=datetime.date(2026, 2, 1),
            label=f"Facture {i}",
            amount_cents=COST,
            idempotency_key=f"concurrent-{i}",
        ),
    )

    booked = [o for o in outcomes if isinstance(o, MissionPayment)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(booked) == 10 and len(refused) == 10, outcomes
    assert MissionPayment.objects.count() == 10
    assert funds.committed_cents(mission.ref) == 0
