"""DATABASE_URL readers, and what their PostgreSQL options do on a real server."""

import os

import pytest
from django.db.utils import ConnectionHandler

from commun.lib.env import behind_transaction_pooler, database_from_url


def test_sqlite_connections_are_kept_between_requests():
    database = database_from_url("sqlite:////var/lib/commun/commun.sqlite3")
    assert database["NAME"] == "/var/lib/commun/commun.sqlite3"
    assert database["CONN_MAX_AGE"] > 0
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]


def test_behind_a_transaction_pooler_nothing_outlives_a_transaction():
    direct = database_from_url("postgres://commun@127.0.0.1:6432/commun?sslmode=disable")
    pooled = behind_transaction_pooler(direct)

    assert pooled["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert pooled["OPTIONS"] == {
        "sslmode": "disable",
        "server_side_binding": True,
        "prepare_threshold": None,
    }
    assert "DISABLE_SERVER_SIDE_CURSORS" not in direct  # the direct entry is left as it was


def test_only_postgresql_sits_behind_a_pooler():
    sqlite = database_from_url("sqlite:////tmp/commun.sqlite3")

    assert behind_transaction_pooler(sqlite) == sqlite


def test_postgresql_binds_on_the_server_and_prepares_what_it_repeats():
    database = database_from_url("postgres://commun@127.0.0.1/commun")

    assert database["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}


def test_the_url_may_set_the_binding_and_the_threshold():
    options = database_from_url(
        "postgres://commun@/commun?host=/run/postgresql&server_side_binding=off&prepare_threshold=0"
    )["OPTIONS"]
    never = database_from_url("postgres://commun@/commun?prepare_threshold=none")["OPTIONS"]

    assert options == {"server_side_binding": False, "prepare_threshold": 0}
    assert never["prepare_threshold"] is None


def _prepared_after_repeating(url: str, pooled: bool) -> list[str]:
    """The statements the server holds prepared for one connection made from `url` (as the
    settings make it, straight or behind a pooler) once it has run one query six times."""
    database = database_from_url(url)
    entry = behind_transaction_pooler(database) if pooled else database
    connection = ConnectionHandler({"default": entry})["default"]
    try:
        with connection.cursor() as cursor:
            for number in range(6):
                cursor.execute("SELECT %s::int + 1", [number])
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [statement for (statement,) in cursor.fetchall()]
    finally:
        connection.close()


@pytest.mark.postgres
def test_a_direct_connection_plans_a_repeated_statement_once_and_a_pooled_one_never(
    django_db_blocker,
):
    """Planning a statement again each time was almost half of a stance's time on PostgreSQL.
    Straight to the server, a statement run five times is prepared and its plan kept; behind a
    pooler in transaction mode, where the next transaction may run on another server
    connection, none is. The standby is reached directly in both passes of `make test`
    (`commun.testing.pgcluster`)."""
    url = os.environ["DATABASE_REPLICA_URL"]

    with django_db_blocker.unblock():
        direct, pooled = (_prepared_after_repeating(url, pooled) for pooled in (False, True))

    assert direct == ["SELECT $1::int + 1"]
    assert pooled == []
