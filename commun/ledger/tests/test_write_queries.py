"""An officer's expense is booked in one transaction, in the queries its invariants need.

Counted as in production (BEGIN and COMMIT included) on SQLite and PostgreSQL, 20:

- before the transaction: the session, the officer's user, their member, their second
  factor; the form's expense accounts (the chart is loaded only when one is missing) and
  the books' closed year (the date's error told on its field);
- BEGIN; the books locked (they serialise numbering, so two retries of one request cannot
  both book it); the idempotency key looked up; the three accounts; the transaction, its
  postings, the monthly totals (one upsert for every line), the journal entry, the
  webhooks hearing it, the books' figures; COMMIT; no savepoint;
- after it: the session's message in a transaction of its own.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

EXPENSE_QUERIES = 20


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
    assert begins[0] < booked[0] < commits[0] and len(begins) == 2
    assert not [sql for sql in statements if "SAVEPOINT" in sql], statements
    assert len(statements) == EXPENSE_QUERIES, len(statements)
