"""The treasury forecast is never overdrawn under real concurrency (PostgreSQL row locks).

SQLite serialises every writer, so this only proves something on PostgreSQL.
"""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commun.budgets.cash import add_months
from commun.budgets.forecast import treasury_forecast
from commun.budgets.models import Mission
from commun.decisions.models import Decision
from commun.testing.budgets import (
    DAY,
    consent_all,
    fund,
    invoice,
    need_by,
    reserve_without_cash,
)
from commun.testing.concurrency import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

COST = 10_000  # each mission pays it next month and the month after


def test_twenty_adoptions_at_once_never_overdraw_a_month(alice, bob):
    """The bank holds the members' shares (less than one mission) and seven missions' worth;
    the reserve covers all twenty: only the forecast can refuse, and it keeps every month
    at zero or above."""
    shares = treasury_forecast().bank_cents
    assert shares < 2 * COST
    fund(7 * 2 * COST)
    reserve_without_cash(20 * 2 * COST)
    need = need_by(bob)
    start = add_months(timezone.localdate().replace(day=1), 1)
    missions = []
    for _i in range(20):
        terms = invoice(2 * COST, start_on=start, duration_months=2)
        mission = Mission.objects.propose(bob, need, **terms).submit(bob)
        consent_all(mission.decision)
        missions.append(mission)
    when = max(m.decision.deliberation_ends_at for m in missions) + DAY

    outcomes = all_at_once(
        20, lambda i: Decision.objects.get(pk=missions[i].decision_id).close(now=when, by=alice)
    )

    adopted = [o for o in outcomes if o == "adopted"]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(adopted) == 7 and len(refused) == 13, outcomes
    assert all("passerait sous zéro" in str(error) for error in refused)
    assert Mission.objects.filter(status="adopted").count() == 7
    result = treasury_forecast()
    assert result.first_overdrawn is None
    assert result.lowest.balance_cents == shares
