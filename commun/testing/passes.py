"""The PostgreSQL pass of `make test` runs only the tests the database can change.

`make test` runs the suite on SQLite, then again on PostgreSQL (`COMMUN_TEST_PASS=postgresql`,
set by the Makefile). A test that never opens the database — arithmetic, OpenFisca's
figures, settings read in a fresh process, a subprocess given a SQLite file of its own —
answers the same in both, and pytest-django refuses it any query, so it can't depend on
the database without failing. The second pass leaves those out (pytest reports them
"deselected"); they ran in the first. A test that reaches PostgreSQL another way is
marked `postgres`, and is always kept.

Run by hand, with the variable unset, `pgcluster -- pytest …` runs whatever it is given.
"""

import os

import pytest

SECOND_PASS = "postgresql"
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
    }
)


def uses_database(item) -> bool:
    """Whether pytest-django lets this test open the database."""
    from django.test import TransactionTestCase

    if item.get_closest_marker("django_db") or item.get_closest_marker("postgres"):
        return True
    case = getattr(item, "cls", None)
    if case is not None and issubclass(case, TransactionTestCase):
        return True
    return bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    if os.environ.get("COMMUN_TEST_PASS") != SECOND_PASS:
        return
    kept = [item for item in items if uses_database(item)]
    left_out = [item for item in items if not uses_database(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


def pytest_report_header(config):
    if os.environ.get("COMMUN_TEST_PASS") == SECOND_PASS:
        return "PostgreSQL pass: tests that never open the database ran on SQLite, left out here"
    return None
