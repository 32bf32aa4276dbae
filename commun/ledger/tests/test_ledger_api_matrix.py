"""Every treasury endpoint × every role, through tokens: reads are public, writes officers'.

A refusal (401 authenticate, 403 not yours to do) changes nothing in the books.
"""

import datetime
import json

import pytest
from django.test import Client

from commun.ledger.models import FiscalYear, JournalEntry, Posting, Transaction
from commun.testing.api import bearer, documented_endpoints

pytestmark = pytest.mark.django_db

API = "/api/v1"
ROLES = ["visitor", "applicant", "account", "member", "officer"]
PUBLIC = (200,) * 5
OFFICERS = (401, 403, 403, 403, 201)
ENTRY = {"date": "2026-03-01", "label": "Facture", "nature": "706", "amount_cents": 1200}
CSV = "date;libellé;montant;compte\n02/03/2026;Frais;-12,50;627\n"

# (method, path, body or None, content type, expected statuses of ROLES)
MATRIX = [
    ("GET", "/ledger/accounts", None, None, PUBLIC),
    ("GET", "/ledger/accounts/{code}", None, None, PUBLIC),
    ("GET", "/ledger/transactions", None, None, PUBLIC),
    ("GET", "/ledger/transactions/{number}", None, None, PUBLIC),
    ("GET", "/ledger/summary", None, None, PUBLIC),
    ("POST", "/ledger/income", ENTRY, "application/json", OFFICERS),
    ("POST", "/ledger/expenses", {**ENTRY, "nature": "627"}, "application/json", OFFICERS),
    ("POST", "/ledger/imports", CSV, "text/csv", OFFICERS),
    ("POST", "/ledger/years/{year}/close", {}, "application/json", OFFICERS),
]


@pytest.fixture
def callers(alice, bob, carol, dan):
    return {
        "visitor": Client(),
        "applicant": bearer(carol.user),
        "account": bearer(dan),
        "member": bearer(bob.user),
        "officer": bearer(alice.user),
    }


def snapshot():
    return (
        Transaction.objects.count(),
        Posting.objects.count(),
        JournalEntry.objects.count(),
        FiscalYear.objects.count(),
    )


@pytest.mark.parametrize(
    ("method", "path", "body", "content_type", "expected"),
    [pytest.param(*row, id=f"{row[0]} {row[1]}") for row in MATRIX],
)
def test_permission_matrix(callers, method, path, body, content_type, expected):
    url = API + path.format(code="512", number=1, year=2025)
    statuses = {}
    for index, role in enumerate(ROLES):
        before = snapshot()
        data = body
        if isinstance(body, dict):
            data = json.dumps({**body, "idempotency_key": f"k-{role}"} if "label" in body else body)
        if content_type:
            response = getattr(callers[role], method.lower())(
                url, data=data, content_type=content_type
            )
        else:
            response = callers[role].get(url)
        statuses[role] = response.status_code
        if response.status_code >= 400:
            assert response.json()["detail"], role
            assert snapshot() == before, f"{role} changed something"
    assert statuses == dict(zip(ROLES, expected, strict=True)), response.content


def test_every_treasury_endpoint_is_in_the_matrix(db):
    documented = documented_endpoints("Trésorerie")
    assert documented == {(method, path) for method, path, *_rest in MATRIX}


def test_the_officer_books_income_once_however_often_it_is_sent(callers):
    body = json.dumps({**ENTRY, "vat_rate": "20", "idempotency_key": "retry"})
    officer = callers["officer"]

    first = officer.post(f"{API}/ledger/income", data=body, content_type="application/json")
    second = officer.post(f"{API}/ledger/income", data=body, content_type="application/json")

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert sorted(
        map(tuple, ((p["account"], p["amount_cents"]) for p in first.json()["postings"]))
    ) == [
        ("44571", -200),
        ("512", 1200),
        ("706", -1000),
    ]


def test_the_summary_and_a_balance_read_the_books(callers):
    Transaction.objects.record(
        datetime.date(2026, 3, 1), "Vente", [("512", 5000), ("706", -5000)], idempotency_key="v"
    )
    visitor = callers["visitor"]

    summary = visitor.get(f"{API}/ledger/summary").json()
    bank = visitor.get(f"{API}/ledger/accounts/512").json()

    assert bank["balance_cents"] == summary["bank_cents"]
    assert summary["capital_cents"] > 0  # the members' share payments
    page = visitor.get(f"{API}/ledger/transactions?page_size=1").json()
    assert page["items"][0]["label"] == "Vente"
    assert page["count"] == Transaction.objects.count()
