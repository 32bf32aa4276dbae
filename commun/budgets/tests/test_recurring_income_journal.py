"""A recurring income keeps who entered it, and each change joins the chained journal like
the other treasury changes."""

import datetime
import hashlib
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from commun.budgets.cash import add_months
from commun.budgets.models import RecurringIncome
from commun.ledger.models import JournalEntry
from commun.testing.api import bearer, call

pytestmark = pytest.mark.django_db


def next_month() -> datetime.date:
    return add_months(timezone.localdate(), 1)


def income_entries() -> list[dict]:
    return [
        json.loads(entry.payload_json)
        for entry in JournalEntry.objects.filter(kind="recurring_income").order_by("sequence")
    ]


def test_an_income_entered_on_the_page_keeps_its_author_and_is_journaled(people, alice):
    people["officer"].post(
        reverse("budgets:incomes"),
        {
            "label": "Adhésions",
            "amount": "1 200,50",
            "frequency": "monthly",
            "starts_on": next_month().isoformat(),
        },
    )
    income = RecurringIncome.objects.get()
    people["officer"].post(reverse("budgets:income_end", args=[income.pk]))

    assert income.created_by == alice
    added, ended = income_entries()
    assert added == {
        "income": income.pk,
        "label_sha256": hashlib.sha256("Adhésions".encode()).hexdigest(),
        "amount_cents": 120_050,
        "frequency": "monthly",
        "starts_on": next_month().isoformat(),
        "ends_on": None,
        "action": "added",
        "by": alice.number,
    }
    assert ended["action"] == "edited" and ended["ends_on"] == next_month().isoformat()


def test_the_api_keeps_the_author_and_journals_too(alice):
    body = {
        "label": "Subvention",
        "amount_cents": 500_000,
        "frequency": "yearly",
        "starts_on": next_month().isoformat(),
    }

    answer = call(bearer(alice.user), "POST", "/treasury/incomes", body)

    assert answer.status_code == 201
    assert RecurringIncome.objects.get(pk=answer.json()["id"]).created_by == alice
    assert [entry["label_sha256"] for entry in income_entries()] == [
        hashlib.sha256(b"Subvention").hexdigest()
    ]
    assert "Subvention" not in JournalEntry.objects.get(kind="recurring_income").payload_json


def test_a_refused_income_writes_nothing_in_the_journal(alice):
    before = JournalEntry.objects.count()
    body = {"label": "Rien", "amount_cents": 0, "starts_on": next_month().isoformat()}

    answer = call(bearer(alice.user), "POST", "/treasury/incomes", body)

    assert answer.status_code == 422
    assert JournalEntry.objects.count() == before
    assert not RecurringIncome.objects.exists()
