"""The decision page and the register cost a bounded number of queries, however many spoke."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commun.conftest import category, client_for
from commun.decisions.models import Decision, Stance
from commun.testing.decisions import (
    DAY,
    DECISION_PAGE_QUERIES,
    in_objection_round,
    many_members,
    opened,
    queries_for,
)

REGISTER_QUERIES = 12


def speak(decision: Decision, members, choice="consent", **extra):
    """Stances for many members at once, as take_stance would leave them (counting tests)."""
    round = decision.current_round
    members = list(members)
    eligible = set(decision.eligible.values_list("member_id", flat=True))
    assert {member.pk for member in members} <= eligible
    Stance.objects.bulk_create(
        Stance(round=round, member=member, choice=choice, **extra) for member in members
    )


def test_the_consent_page_does_not_grow_with_stances_or_objections(bob, gus):
    voters = many_members(150, category("Partenaires"))
    decision = in_objection_round(bob)
    client = client_for(gus.user)
    path = f"/decisions/{decision.pk}/"
    speak(decision, voters[:3])
    decision.current_round.take_stance(gus, "objection", "Trop tôt.")
    few = queries_for(client, path)

    speak(decision, voters[3:100], "concern", reason="Attention au coût.")
    for voter in voters[100:110]:
        decision.current_round.take_stance(voter, "objection", "Non.")
    many = queries_for(client, path)

    assert many == few
    assert many <= DECISION_PAGE_QUERIES


def test_the_consent_page_reads_its_rounds_once(bob, gus):
    voters = many_members(5, category("Partenaires"))
    decision = in_objection_round(bob)
    speak(decision, voters)
    client = client_for(gus.user)

    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/decisions/{decision.pk}/").status_code == 200

    rounds = [q["sql"] for q in captured if 'FROM "decisions_round"' in q["sql"]]
    assert len(rounds) == 1, rounds


@pytest.mark.parametrize("kind", ["consent", "yes_no"])
def test_the_tally_counts_stances_without_reading_each_row(bob, kind):
    """COUNT(*) lets PostgreSQL count from the (round, choice) index alone; COUNT(id)
    reads all 90,000 rows of a large decision (bench/decisions.py)."""
    voters = many_members(5, category("Partenaires"))
    decision = in_objection_round(bob) if kind == "consent" else opened(bob, "yes_no")
    speak(decision, voters, "consent" if kind == "consent" else "yes")

    with CaptureQueriesContext(connection) as captured:
        tally = decision.tally()

    assert tally["spoken" if kind == "consent" else "voters"] == 5
    grouped = [
        q["sql"] for q in captured if "GROUP BY" in q["sql"] and "decisions_stance" in q["sql"]
    ]
    assert grouped and all("COUNT(*)" in sql for sql in grouped), grouped


@pytest.mark.parametrize("kind", ["yes_no", "approval", "ranked", "score"])
def test_a_vote_page_does_not_grow_with_votes(bob, gus, kind, django_assert_max_num_queries):
    voters = many_members(120, category("Partenaires"))
    options = [] if kind == "yes_no" else ["Alpha", "Bêta", "Gamma"]
    decision = opened(bob, kind, options=options)
    ids = list(decision.options.values_list("pk", flat=True))
    ballot = {
        "yes_no": None,
        "approval": ids[:2],
        "ranked": [[pk] for pk in ids],
        "score": {str(pk): 10 for pk in ids},
    }[kind]
    choice = "yes" if kind == "yes_no" else "ballot"
    client = client_for(gus.user)
    path = f"/decisions/{decision.pk}/"
    speak(decision, voters[:2], choice, ballot=ballot)
    few = queries_for(client, path)

    speak(decision, voters[2:], choice, ballot=ballot)

    with django_assert_max_num_queries(few):
        assert client.get(path).status_code == 200
    assert few <= DECISION_PAGE_QUERIES


def test_the_register_costs_the_same_for_ten_or_sixty_decisions(bob, gus, alice):
    client = client_for(gus.user)

    def add(count):
        for i in range(count):
            kind = ["consent", "yes_no", "approval", "advice"][i % 4]
            fields = {"options": ["A", "B"]} if kind == "approval" else {}
            if kind == "advice":
                fields = {"advisors": [alice], "closes_at": None}
            decision = opened(bob, kind, title=f"Décision {i}", **fields)
            if kind in ("yes_no", "approval"):
                decision.close(now=decision.closes_at + DAY)

    add(10)
    few = queries_for(client, "/decisions/")
    add(50)
    many = queries_for(client, "/decisions/")

    assert many == few
    assert many <= REGISTER_QUERIES
    assert queries_for(client, "/decisions/?page=2&etat=en-cours") <= REGISTER_QUERIES
