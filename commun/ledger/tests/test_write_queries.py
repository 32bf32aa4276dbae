"""An officer's expense is booked in one transaction, in a bounded number of queries.

Counted as in production (BEGIN and COMMIT included) on SQLite and PostgreSQL: the officer
and their second factor, the form's accounts, then the books locked, the transaction, its
postings, each account's monthly total, the journal entry and the webhooks hearing it;
then the message.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

EXPENSE_QUERIES = 30


@pytest.mark.django_db(transaction=True)  # counted as in production: no test savepoint
def test_an_expense_takes_one_transaction_and_a_bounded_number_of_queries(people):
    officer = people["officer"]
    form = officer.get(reverse("ledger:expense"))
    data = {
        "date": "2026-03-10",
        "label": "Hébergement mars",
        "nature": "613",
        "amount": "120,00",
        "vat_rate": "20",
        "via": "512",
        "idempotency_key": form.context["form"].initial["idempotency_key"],
    }

    with CaptureQueriesContext(connection) as captured:
        response = officer.post(reverse("ledger:expense"), data)

    assert response.status_code == 302
    statements = [query["sql"] for query in captured]
    booked = [i for i, sql in enumerate(statements) if 'INSERT INTO "ledger_posting"' in sql]
    begins = [i for i, sql in enumerate(statements) if sql.startswith("BEGIN")]
    commits = [i for i, sql in enumerate(statements) if sql == "COMMIT"]
    assert len(booked) == 1
    assert begins[0] < booked[0] < commits[0] and len(begins) <= 2
    assert len(statements) <= EXPENSE_QUERIES
