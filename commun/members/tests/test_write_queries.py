"""An admission by an officer is written in one transaction, in a bounded number of queries.

Counted as in production (BEGIN and COMMIT included) on SQLite and PostgreSQL. The bound is
today's: most of it is the register's own checks (each check constraint validated by a
query in its savepoint, the books' journal, the webhooks hearing an admission), see
docs/architecture.md.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

ADMISSION_QUERIES = 50


@pytest.mark.django_db(transaction=True)  # counted as in production: no test savepoint
def test_an_admission_takes_one_transaction_and_a_bounded_number_of_queries(people, carol):
    with CaptureQueriesContext(connection) as captured:
        response = people["officer"].post(reverse("officers:admit_application", args=[carol.pk]))

    assert response.status_code == 302
    statements = [query["sql"] for query in captured]
    written = [i for i, sql in enumerate(statements) if 'INSERT INTO "members_member"' in sql]
    begins = [i for i, sql in enumerate(statements) if sql.startswith("BEGIN")]
    commits = [i for i, sql in enumerate(statements) if sql == "COMMIT"]
    # The member, the register and the books in the first transaction; then the message.
    assert begins[0] < written[0] < commits[0] and len(begins) <= 2
    assert len(statements) <= ADMISSION_QUERIES
