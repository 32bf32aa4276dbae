"""DATABASE_URL readers."""

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
    assert pooled["OPTIONS"] == {"sslmode": "disable", "prepare_threshold": None}
    assert "DISABLE_SERVER_SIDE_CURSORS" not in direct  # the direct entry is left as it was


def test_only_postgresql_sits_behind_a_pooler():
    sqlite = database_from_url("sqlite:////tmp/commun.sqlite3")

    assert behind_transaction_pooler(sqlite) == sqlite
