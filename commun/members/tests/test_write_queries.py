"""An officer's admission and payment are each written in one transaction, in few queries.

Counted as in production (BEGIN and COMMIT included) on SQLite and PostgreSQL. A payment
of shares recorded by an officer, as `bench/locustfile.py` posts it, is 25 statements:

- before the transaction: the session, the officer's user, their member, their second
  factor, and the paying member read by number with their category (the form);
- BEGIN; the cooperative's row locked (it serialises numbering and capital); the member's
  row locked, with their category (does this payment make them active?) and account (the
  e-mail); the cooperative's running figures, the movement, the member's shares; the books
  locked, the register's journal entry, the two accounts, the transaction, its postings,
  the monthly totals (one upsert), the transaction's journal entry, the webhooks
  listening, the books' figures; COMMIT;
- after it: the cooperative for the e-mail, and the session's message in a transaction
  of its own.

An admission by an officer is 23:

- before the transaction: the session, the officer's user, their member, their second
  factor, and the application;
- BEGIN; the application locked with its account and category (two officers cannot admit
  it twice); the cooperative's row locked; no current member on that account; the member;
  the cooperative's running figures (the member's number and the movement's, at once);
  the subscription; the member's shares; the books locked, the journal entry, the books'
  figures; the application decided; the webhooks hearing an admission; COMMIT;
- after it: the cooperative for the e-mail, and the session's message.

The register's check constraints are checked in Python by `ShareMovement.clean()` (the
database checks them again), not by a query each in its savepoint; the ledger books the
register's money in the register's transaction, with no savepoint or second lock of its
own. See docs/architecture.md.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commun.conftest import category, make_member
from commun.members.models import Cooperative, ShareMovement

ADMISSION_QUERIES = 23
PAYMENT_QUERIES = 25


def _transaction_of(statements: list[str], marker: str) -> tuple[int, int, int]:
    """Where the first BEGIN, the marked write and the first COMMIT are."""
    written = [i for i, sql in enumerate(statements) if marker in sql]
    begins = [i for i, sql in enumerate(statements) if sql.startswith("BEGIN")]
    commits = [i for i, sql in enumerate(statements) if sql == "COMMIT"]
    return begins[0], written[0], commits[0]


@pytest.mark.django_db(transaction=True)  # counted as in production: no test savepoint
def test_an_admission_takes_one_transaction_and_a_bounded_number_of_queries(people, carol):
    with CaptureQueriesContext(connection) as captured:
        response = people["officer"].post(reverse("officers:admit_application", args=[carol.pk]))

    assert response.status_code == 302
    statements = [query["sql"] for query in captured]
    begin, written, commit = _transaction_of(statements, 'INSERT INTO "members_member"')
    # The member, the register and the books in the first transaction; then the message.
    assert begin < written < commit
    assert not [sql for sql in statements if "SAVEPOINT" in sql], statements
    assert sum(sql.startswith("BEGIN") for sql in statements) == 2  # the admission, the message
    assert len(statements) == ADMISSION_QUERIES, len(statements)
    carol.refresh_from_db()
    assert carol.status == "admitted" and carol.member.shares_subscribed == carol.shares
    assert carol.member.movements.get().reason == "Souscription à l'admission"


@pytest.mark.django_db(transaction=True)  # counted as in production: no test savepoint
def test_a_payment_takes_one_transaction_and_the_queries_its_invariants_need(people):
    eve = make_member("eve@example.org", "Eve", "Leroy", category("Contrib"), shares=3, paid=False)
    officer = people["officer"]
    path = reverse("officers:record_movement")
    officer.get(f"{path}?kind=payment&member={eve.number}")
    data = {
        "kind": "payment",
        "member": eve.number,
        "quantity": 1,
        "date": datetime.date.today().isoformat(),
        "reason": "Virement reçu",
        "authorised_by": "",
    }
    capital = Cooperative.get().capital_cents

    counts = []
    for _payment in range(2):  # the first of the month creates its totals, the second adds
        with CaptureQueriesContext(connection) as captured:
            response = officer.post(path, data)
        assert response.status_code == 302
        statements = [query["sql"] for query in captured]
        assert not [sql for sql in statements if "SAVEPOINT" in sql], statements
        begin, written, commit = _transaction_of(statements, 'INSERT INTO "ledger_posting"')
        assert begin < written < commit
        assert sum(sql.startswith("BEGIN") for sql in statements) == 2  # the books, the message
        counts.append(len(statements))

    assert counts == [PAYMENT_QUERIES, PAYMENT_QUERIES], counts
    eve.refresh_from_db()
    assert (eve.shares_paid, eve.status) == (2, "active")
    assert Cooperative.get().capital_cents == capital + 2 * 5000
    assert eve.movements.filter(kind=ShareMovement.Kind.PAYMENT).count() == 2
