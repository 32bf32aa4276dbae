"""The PostgreSQL pass leaves out only the tests that can't open the database."""

from types import SimpleNamespace

import pytest
from django.test import SimpleTestCase, TestCase

from commun.testing.passes import uses_database


def collected(*, markers=(), fixtures=(), case=None):
    def marker(name):
        return getattr(pytest.mark, name).mark if name in markers else None

    return SimpleNamespace(
        get_closest_marker=marker,
        fixturenames=list(fixtures),
        cls=case,
    )


@pytest.mark.parametrize(
    "item",
    [
        collected(fixtures=["tmp_path", "db"]),
        collected(fixtures=["transactional_db"]),
        collected(fixtures=["live_server", "page"]),
        collected(markers=["django_db"]),
        collected(markers=["postgres"]),
        collected(case=TestCase),
    ],
)
def test_a_test_that_may_open_the_database_runs_in_both_passes(item):
    assert uses_database(item)


@pytest.mark.parametrize(
    "item",
    [
        collected(fixtures=["tmp_path", "settings"]),
        collected(markers=["browser"]),
        collected(case=SimpleTestCase),
    ],
)
def test_a_test_that_never_opens_it_runs_on_sqlite_alone(item):
    assert not uses_database(item)
