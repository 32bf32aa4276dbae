"""The demo's accounts: a closed 2025 that funds the reserve, an open 2026, loaded once."""

import io

import pytest
from django.utils import timezone

from commun.ledger import demo, funds
from commun.ledger.models import Books, FiscalYear, JournalEntry, Transaction

pytestmark = pytest.mark.django_db


def test_the_demo_funds_the_reserve_and_loads_once(alice):
    out = io.StringIO()
    demo.load(stdout=out)
    counts = (Transaction.objects.count(), JournalEntry.objects.count())

    demo.load()

    assert (Transaction.objects.count(), JournalEntry.objects.count()) == counts
    assert funds.available_cents() >= 7_000_000
    assert funds.commons_fund_cents() >= 300_000
    assert FiscalYear.objects.get(year=2025).result_cents > 0
    assert Books.objects.get().closed_through_year == 2025
    assert not Transaction.objects.filter(date__gt=timezone.localdate()).exists()
    months_2026 = {
        d.month for d in Transaction.objects.filter(date__year=2026).dates("date", "month")
    }
    assert months_2026 >= set(range(1, min(timezone.localdate().month, 11) + 1))
    assert "2025 clos" in out.getvalue()


def test_the_demo_public_page_renders(alice, client):
    demo.load()

    response = client.get("/comptes/")

    assert response.status_code == 200
    assert response.context["summary"]["reserve_available_cents"] >= 7_000_000
