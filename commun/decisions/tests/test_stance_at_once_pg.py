"""On PostgreSQL a stance is a read, then one statement that writes it with its history
(`_write_at_once`), with no transaction around them. Whatever changes between the two goes
the transaction's way: here something changes exactly there, committed, as another request
would."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from commun.decisions import models as decisions_models
from commun.decisions.models import Decision, Objection, Stance, StanceChange
from commun.testing.decisions import in_objection_round, opened

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def between_read_and_write(monkeypatch):
    """Run `meanwhile()` once, committed, after the stance's first read was allowed."""
    done = []

    def install(meanwhile):
        allowed = decisions_models._allowed_stance

        def and_then(*args, **kwargs):
            answer = allowed(*args, **kwargs)
            if not done:
                done.append(True)
                meanwhile()
            return answer

        monkeypatch.setattr(decisions_models, "_allowed_stance", and_then)

    yield install
    assert done, "the stance never reached its write"


def written_at_once(monkeypatch) -> list:
    """Record whether each stance was written by the one statement."""
    outcomes = []
    write = decisions_models._write_at_once

    def recorded(*args):
        outcomes.append(write(*args))
        return outcomes[-1]

    monkeypatch.setattr(decisions_models, "_write_at_once", recorded)
    return outcomes


def test_a_stance_is_one_read_and_one_write_with_no_transaction(bob, gus, monkeypatch):
    decision = opened(bob, "yes_no")
    outcomes = written_at_once(monkeypatch)

    stance = decision.current_round.take_stance(gus, "yes")
    changed = decision.current_round.take_stance(gus, "no", "Réflexion faite.")

    assert outcomes == [True, True]
    assert changed.pk == stance.pk
    assert [c.choice for c in changed.recent_history] == ["no", "yes"]
    assert [(c.choice, c.at) for c in StanceChange.objects.filter(stance=stance)] == [
        ("yes", stance.updated_at),
        ("no", changed.updated_at),
    ]
    assert decision.tally()["no"] == 1


def test_a_close_between_the_read_and_the_write_refuses_the_stance(
    bob, gus, between_read_and_write, monkeypatch
):
    decision = opened(bob, "yes_no")
    just_before = decision.closes_at - datetime.timedelta(seconds=1)
    between_read_and_write(
        lambda: Decision.objects.get(pk=decision.pk).close(now=decision.closes_at)
    )
    outcomes = written_at_once(monkeypatch)

    with pytest.raises(ValidationError, match="clos"):
        decision.current_round.take_stance(gus, "yes", now=just_before)

    assert outcomes == [False]
    assert not Stance.objects.exists() and not StanceChange.objects.exists()
    decision.refresh_from_db()
    assert decision.result["voters"] == 0


def test_a_deadline_moved_between_the_read_and_the_write_is_checked_again(
    bob, gus, between_read_and_write, monkeypatch
):
    decision = opened(bob, "yes_no")
    almost = decision.closes_at - datetime.timedelta(seconds=1)
    earlier = almost - datetime.timedelta(hours=1)
    between_read_and_write(
        lambda: Decision.objects.filter(pk=decision.pk).update(closes_at=earlier)
    )
    outcomes = written_at_once(monkeypatch)

    with pytest.raises(ValidationError, match="échéance"):
        decision.current_round.take_stance(gus, "yes", now=almost)

    assert outcomes == [False]
    assert not Stance.objects.exists()


def test_a_change_of_the_same_member_between_the_read_and_the_write_is_kept_in_order(
    bob, gus, between_read_and_write, monkeypatch
):
    decision = opened(bob, "yes_no")
    round = decision.current_round
    round.take_stance(gus, "yes")
    # Another request of Gus's lands meanwhile, through the transaction's way.
    between_read_and_write(lambda: round.take_stance(gus, "abstain"))
    outcomes = written_at_once(monkeypatch)

    stance = round.take_stance(gus, "no")

    assert outcomes == [True, False]  # the other request's write, then this one's refused
    assert Stance.objects.get(pk=stance.pk).choice == "no"
    history = list(StanceChange.objects.filter(stance=stance))
    assert [c.choice for c in history] == ["yes", "abstain", "no"]
    assert history[-1].at == Stance.objects.get(pk=stance.pk).updated_at


def test_an_objection_and_its_withdrawal_go_through_the_transaction(bob, gus, monkeypatch):
    decision = in_objection_round(bob)
    outcomes = written_at_once(monkeypatch)
    round = decision.current_round

    round.take_stance(gus, "objection", "Trop cher pour nous.")
    round.take_stance(gus, "consent")

    assert outcomes == []
    assert Objection.objects.get(author=gus).status == Objection.Status.WITHDRAWN
