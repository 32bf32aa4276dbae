"""Counting who may speak and who has, without recounting 100,000 rows on every page."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from commun.conftest import category
from commun.members.models import Member
from commun.testing.decisions import in_objection_round, many_members, opened


def _counts_of(table: str, queries) -> list[str]:
    return [q["sql"] for q in queries if "COUNT(" in q["sql"] and f'FROM "{table}"' in q["sql"]]


def test_the_number_of_eligible_members_is_fixed_at_the_opening(alice, bob):
    many_members(12, category("Partenaires"))
    decision = opened(bob, "yes_no")
    assert decision.eligible_count == decision.eligible.count() == 14
    many_members(3, category("Partenaires"))  # joined after the opening: no voice here
    decision.refresh_from_db()
    with CaptureQueriesContext(connection) as captured:
        tally = decision.tally()
    assert tally["eligible"] == 14
    eligible_counts = _counts_of("decisions_eligibility", captured)
    assert not [sql for sql in eligible_counts if "member_id" not in sql]


def test_who_left_since_the_opening_is_neither_silent_nor_counted_twice(alice, bob):
    voters = many_members(5, category("Partenaires"))
    decision = in_objection_round(bob)
    round = decision.current_round
    for voter in voters[:3]:
        round.take_stance(voter, "consent")
    Member.objects.filter(pk__in=[voters[0].pk, voters[4].pk]).update(status="leaving")
    # Seven eligible; two left (one had spoken); three spoke: silent are Alice, Bob, voter 3.
    assert round.silent_count() == 3
    assert round.silent_count(spoken=3) == 3
    assert decision.tally()["silent"] == 3
    assert sorted(round.silent_members().values_list("pk", flat=True)) == sorted(
        [alice.pk, bob.pk, voters[3].pk]
    )


def test_the_page_counts_the_stances_once(alice, bob, people):
    voters = many_members(20, category("Partenaires"))
    decision = in_objection_round(bob)
    for voter in voters[:8]:
        decision.current_round.take_stance(voter, "consent")
    with CaptureQueriesContext(connection) as captured:
        response = people["member"].get(decision.get_absolute_url())
    assert response.status_code == 200
    stance_counts = _counts_of("decisions_stance", captured)
    assert len(stance_counts) == 2  # by choice, and the voiceless among them
    assert not [sql for sql in stance_counts if "GROUP BY" not in sql and "member_id" not in sql]
    assert response.context["spoken_count"] == 8
    tally = decision.tally()
    assert decision.spoken_count(decision.current_round, tally) == 8
    assert decision.spoken_count(decision.current_round) == 8
