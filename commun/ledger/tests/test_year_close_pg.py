"""Two closes of one year at once, on PostgreSQL: exactly one closes it, the other is told."""

import datetime

import pytest

from commun.accounts.models import User
from commun.ledger import closing
from commun.ledger.models import FiscalYear, Transaction
from commun.members.models import Member
from commun.testing.concurrency import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_closes_of_one_year_at_once_close_it_once():
    Transaction.objects.record(
        datetime.date(2025, 6, 1),
        "Vente",
        [("512", 100_000), ("706", -100_000)],
        idempotency_key="v",
    )
    officer = User.objects.create_user("treasurer@example.org")
    officer.__dict__["member"] = Member(status=Member.Status.ACTIVE, is_officer=True)

    outcomes = all_at_once(2, lambda i: closing.close_year(2025, by=officer))

    closed = [o for o in outcomes if isinstance(o, FiscalYear)]
    refused = [o for o in outcomes if isinstance(o, closing.YearAlreadyClosed)]
    assert len(closed) == 1 and len(refused) == 1, outcomes
    assert FiscalYear.objects.count() == 1
    assert Transaction.objects.filter(idempotency_key__startswith="year-2025-").count() == 2
