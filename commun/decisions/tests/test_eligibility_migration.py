"""Migration `decisions/0014`: an open decision's eligibility rows and stances come through
the change of the eligibility's key unchanged, and voting goes on."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from commun.decisions.models import Eligibility, Stance
from commun.testing.decisions import opened

BEFORE = ("decisions", "0013_eligibility_without_member_index")
AFTER = ("decisions", "0014_eligibility_keyed_by_decision_and_member")


def migrate(target: tuple[str, str]):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_an_open_decision_keeps_its_eligible_and_its_stances_through_the_new_key(alice, bob):
    decision = opened(bob, "yes_no")
    round = decision.current_round
    eligible = set(decision.eligible.values_list("decision_id", "member_id", "college_id"))
    assert len(eligible) == 2

    old = migrate(BEFORE)
    OldEligibility, OldStance = (
        old.get_model("decisions", "Eligibility"),
        old.get_model("decisions", "Stance"),
    )
    assert set(OldEligibility.objects.values_list("decision_id", "member_id", "college_id")) == (
        eligible
    )
    OldStance.objects.create(
        round_id=round.pk,
        member_id=alice.pk,
        eligibility=OldEligibility.objects.get(decision_id=decision.pk, member_id=alice.pk),
        choice="yes",
    )
    migrate(AFTER)

    assert set(decision.eligible.values_list("decision_id", "member_id", "college_id")) == (
        eligible
    )
    assert Stance.objects.get(round=round).member_id == alice.pk
    round.take_stance(bob, "no")
    assert decision.tally()["voters"] == 2
    assert Eligibility.objects.get(pk=(decision.pk, alice.pk)).member_id == alice.pk
