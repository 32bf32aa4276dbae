"""Advice process: the author asks named people, then records what they decide and why."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commun.conftest import category, make_member
from commun.decisions.models import Decision
from commun.testing.decisions import DAY, opened


@pytest.fixture
def eve(coop):
    return make_member("eve@example.org", "Eve", "Leroy", category("Partenaires"))


@pytest.fixture
def asking(alice, bob, eve, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        decision = opened(bob, "advice", advisors=[alice, eve])
    return decision


def test_opening_asks_each_advisor_by_email(asking, mailoutbox):
    assert asking.phase == "advice"
    assert not asking.rounds.exists()
    asked = sorted(to for m in mailoutbox for to in m.to)
    assert asked == ["alice@example.org", "eve@example.org"]
    assert all(len(m.to) == 1 for m in mailoutbox)


def test_only_a_named_advisor_gives_advice(asking, alice, bob):
    request = asking.advice.get(advisor=alice)
    with pytest.raises(PermissionDenied):
        request.give(bob, "Je suis pour.")
    with pytest.raises(ValidationError):
        request.give(alice, "   ")
    request.give(alice, "Vérifie le budget.")
    request.refresh_from_db()
    assert request.advice == "Vérifie le budget." and request.given_at is not None


def test_the_author_decides_once_every_advisor_answered(asking, alice, bob, eve):
    later = asking.opened_at + 2 * DAY
    asking.advice.get(advisor=alice).give(alice, "Oui.")
    with pytest.raises(ValidationError, match="manque"):
        asking.record_advice_decision(bob, "Je le fais.", now=later)
    asking.advice.get(advisor=eve).give(eve, "Non, attends.")
    with pytest.raises(PermissionDenied):
        asking.record_advice_decision(alice, "Décidé.", now=later)
    with pytest.raises(ValidationError):
        asking.record_advice_decision(bob, " ", now=later)

    asking.record_advice_decision(bob, "Je le fais, en tenant compte d'Eve.", now=later)

    assert (asking.phase, asking.outcome) == ("closed", Decision.Outcome.DECIDED)
    assert asking.outcome_statement == "Je le fais, en tenant compte d'Eve."
    assert asking.result == {
        "kind": "advice",
        "round": None,
        "eligible": 3,
        "asked": 2,
        "given": 2,
    }


def test_the_author_decides_at_the_deadline_without_every_advice(asking, bob):
    asking.record_advice_decision(bob, "Faute de réponses, je décide.", now=asking.closes_at)
    assert asking.outcome == Decision.Outcome.DECIDED


def test_not_before_the_minimum_deliberation_time(asking, alice, bob, eve):
    asking.advice.get(advisor=alice).give(alice, "Oui.")
    asking.advice.get(advisor=eve).give(eve, "Oui.")
    with pytest.raises(ValidationError, match="durée minimale"):
        asking.record_advice_decision(bob, "Je le fais.", now=asking.opened_at)


def test_the_deadline_job_leaves_advice_to_the_author(asking):
    done = Decision.objects.close_due(asking.closes_at + DAY)
    assert done["closed"] == []
    assert Decision.objects.get(pk=asking.pk).phase == "advice"
