"""The append-only guards in tests: out of the way for a flush, or for a deliberate tamper.

The register, the books and the ballot box refuse UPDATE and DELETE in the database
itself, on both engines. Django's test flush empties SQLite tables with DELETE, so this
plugin (see commun/conftest.py) drops every trigger around that flush and creates it again
from its own stored SQL. PostgreSQL's flush uses TRUNCATE, which row triggers do not see.
Production never flushes: the guards there are never lifted.
"""

import pytest
from django.db import connection, transaction


def _execute_sql_flush_around_triggers(original):
    def execute_sql_flush(self, sql_list):
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {self.quote_name(name)}")
            original(self, sql_list)
            for _name, sql in triggers:
                cursor.execute(sql)

    return execute_sql_flush


@pytest.fixture(autouse=True, scope="session")
def _flush_lifts_the_append_only_guards():
    # Through the backend's module: importing its operations first is a circular import.
    from django.db.backends.sqlite3.base import DatabaseWrapper

    DatabaseOperations = DatabaseWrapper.ops_class  # noqa: N806 (a class)
    original = DatabaseOperations.execute_sql_flush
    DatabaseOperations.execute_sql_flush = _execute_sql_flush_around_triggers(original)
    yield
    DatabaseOperations.execute_sql_flush = original


def tamper(*statements, tables=("ledger_journalentry",)):
    """Run SQL with the append-only triggers of `tables` out of the way, as someone with the
    database owner's rights would (in a test's transaction: the triggers come back after)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # PostgreSQL will not alter a table with checks pending: run them now, and defer
            # the balance check again for the statements below (it still runs at the end).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in tables:
            trigger = f"{table}_append_only"
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}_delete")
        for statement in statements:
            sql, params = statement if isinstance(statement, tuple) else (statement, None)
            cursor.execute(sql, params)
