"""The PostgreSQL pass runs behind PgBouncer in transaction pooling, as a cooperative that
outgrows one machine runs Commun (docs/self-hosting.md, "Quand une machine ne suffit plus")."""

import os
import threading

import psycopg
import pytest
from django.db import connection, transaction

from commun.testing.pgcluster import throwaway_cluster

pytestmark = pytest.mark.postgres


def console(url: str) -> psycopg.Connection:
    """PgBouncer's admin console: the pseudo-database `pgbouncer` on the pooler's port."""
    return psycopg.connect(url.rsplit("/", 1)[0] + "/pgbouncer", autocommit=True)


def test_the_helper_starts_pgbouncer_in_transaction_pooling_and_stops_it():
    with throwaway_cluster(pooled=True) as url:
        with console(url) as admin:
            config = {row[0]: row[1] for row in admin.execute("SHOW CONFIG")}
        with psycopg.connect(url, prepare_threshold=None) as db:
            assert db.execute("SELECT current_database()").fetchone() == ("commun",)
    assert config["pool_mode"] == "transaction"
    assert config["listen_port"] == url.rsplit(":", 1)[1].split("/")[0]
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2)  # stopped with the cluster


@pytest.mark.skipif(
    os.environ.get("DATABASE_POOLING") != "transaction",
    reason="this pass goes straight to PostgreSQL (pgcluster --direct)",
)
@pytest.mark.django_db(transaction=True)
def test_one_connection_s_transactions_run_on_whichever_server_connection_is_free():
    """What transaction pooling means for the code: nothing a session sets outlives a
    transaction, since the next one may run on another server connection."""
    held, release = threading.Event(), threading.Event()

    def hold_a_transaction():
        from django.db import connections

        with transaction.atomic(), connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            holder.append(cursor.fetchone()[0])
            held.set()
            release.wait(30)
        connections.close_all()

    holder: list[int] = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        before = cursor.fetchone()[0]
    thread = threading.Thread(target=hold_a_transaction)
    thread.start()
    held.wait(30)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            during = cursor.fetchone()[0]
    finally:
        release.set()
        thread.join(30)
    # Between two statements of this connection, another client's transaction ran on the
    # server connection it had used (PgBouncer hands out the last one freed), and this
    # connection's next statement ran on another.
    assert holder == [before]
    assert during != before
