"""A mission's review lists, month by month, what its adopted estimate planned against what
was paid, and the totals against everything committed."""

import datetime

import pytest

from commun.decisions.models import Decision
from commun.testing.budgets import adopt, fund, invoice, shown, submitted

pytestmark = pytest.mark.django_db


def pay(mission, officer, day: datetime.date, cents: int, key: str):
    return mission.record_payment(
        officer, kind="invoice", on=day, label=key, amount_cents=cents, idempotency_key=key
    )


def test_the_review_lists_paid_against_planned_by_month(alice, bob):
    fund(1_000_000)
    mission = submitted(bob, **invoice(300_000, duration_months=3))  # January to March 2026
    adopt(mission, alice)
    pay(mission, alice, datetime.date(2026, 1, 20), 100_000, "janvier")
    pay(mission, alice, datetime.date(2026, 3, 3), 150_000, "mars")
    pay(mission, alice, datetime.date(2026, 4, 1), 20_000, "avril")
    cancelled = pay(mission, alice, datetime.date(2026, 2, 2), 30_000, "annulé")
    cancelled.cancel(alice, "Doublon.")

    mission.ask_review(bob, "Tout est livré.")

    mission.refresh_from_db()
    body = Decision.objects.get(pk=mission.review_decision_id).current_version.body
    assert row("janvier 2026", 100_000, 100_000, 0) in body
    assert row("février 2026", 100_000, 0, -100_000) in body
    assert row("mars 2026", 100_000, 150_000, 50_000) in body
    assert row("avril 2026", 0, 20_000, 20_000) in body
    assert (
        f"| **Total** | **{shown(300_000)}** | **{shown(270_000)}** | **{shown(-30_000)}** |"
        in body
    )
    assert f"compléments compris) : {shown(300_000)} ; payé : {shown(270_000)}." in body


def row(month: str, planned: int, paid: int, difference: int) -> str:
    return f"| {month} | {shown(planned)} | {shown(paid)} | {shown(difference)} |"
