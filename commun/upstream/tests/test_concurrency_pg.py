"""On PostgreSQL, ten payments at once against a fund that covers four: exactly four paid."""

import datetime

import pytest

from commun.ledger import funds
from commun.testing.concurrency import all_at_once
from commun.testing.upstream import fill_fund, projects
from commun.upstream.models import Gift

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_ten_concurrent_payments_never_overdraw_the_fund(alice):
    django, *_ = projects()
    fill_fund(40_000)
    gifts = [
        Gift.objects.plan(alice, project=django, amount_cents=10_000, reference=f"AG n°{i}")
        for i in range(10)
    ]

    outcomes = all_at_once(
        10, lambda i: gifts[i].pay(alice, datetime.date(2026, 3, 2), f"concurrent-{i}")
    )

    paid = [o for o in outcomes if isinstance(o, Gift)]
    refused = [o for o in outcomes if not isinstance(o, Gift)]
    assert len(paid) == 4, outcomes
    assert all(getattr(error, "code", None) == "over_fund" for error in refused), refused
    assert Gift.objects.filter(status="paid").count() == 4
    assert Gift.objects.filter(status="planned", transaction__isnull=True).count() == 6
    assert funds.commons_fund_cents() == 0
