"""DATABASE_URL readers."""

from commun.lib.env import database_from_url


def test_sqlite_connections_are_kept_between_requests():
    database = database_from_url("sqlite:////var/lib/commun/commun.sqlite3")
    assert database["NAME"] == "/var/lib/commun/commun.sqlite3"
    assert database["CONN_MAX_AGE"] > 0
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
