"""SQLite has one writer: under a burst of writes, one that waited its whole `busy_timeout`
for the lock fails with « database is locked ». The member gets a clear 503 and a
Retry-After, never a 500, and nothing is half written (the transaction rolled back)."""

import pytest
from django.db import OperationalError

from commun.conftest import client_for
from commun.decisions.models import Stance
from commun.testing.api import bearer, call
from commun.testing.decisions import opened


def failing_with(message: str):
    def take_stance(*args, **kwargs):
        raise OperationalError(message)

    return take_stance


@pytest.fixture
def locked(monkeypatch):
    monkeypatch.setattr("commun.decisions.models._take_stance", failing_with("database is locked"))


def test_a_stance_the_database_cannot_take_in_time_answers_503_in_the_api(bob, gus, locked):
    decision = opened(bob, "yes_no")

    answer = call(bearer(gus.user), "PUT", f"/decisions/{decision.pk}/stance", {"choice": "yes"})

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "2"
    assert "réessayez" in answer.json()["detail"]
    assert not Stance.objects.filter(member=gus).exists()


def test_a_stance_the_database_cannot_take_in_time_answers_503_on_the_page(bob, gus, locked):
    decision = opened(bob, "yes_no")
    client = client_for(gus.user)

    answer = client.post(f"/decisions/{decision.pk}/position/", {"stance-choice": "yes"})
    english = client.post(
        f"/decisions/{decision.pk}/position/", {"stance-choice": "yes"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "2"
    assert "réessayez dans un instant" in answer.content.decode()
    assert english.status_code == 503
    assert not Stance.objects.filter(member=gus).exists()


def test_any_other_database_error_is_not_hidden(bob, gus, monkeypatch):
    monkeypatch.setattr("commun.decisions.models._take_stance", failing_with("no such table: x"))
    decision = opened(bob, "yes_no")

    with pytest.raises(OperationalError):
        call(bearer(gus.user), "PUT", f"/decisions/{decision.pk}/stance", {"choice": "yes"})
