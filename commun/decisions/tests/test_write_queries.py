"""Taking a stance costs a bounded, small number of queries, first or changed, API and page;
opening a decision costs as many queries for a hundred members as for a few.

Counted as in production, BEGIN and COMMIT included; the bounds hold on SQLite and PostgreSQL
(run them there through `python -m commun.testing.pgcluster -- pytest …`). Through the API a
stance on SQLite is six statements: the token read with its user and member, BEGIN, the round
locked and read with its decision, the member's eligibility, stance and history, the stance
upserted, its history row, COMMIT. On PostgreSQL it is three: the token, the same read
without a lock, and one statement that locks the round and writes the stance and its
history (no BEGIN, no COMMIT). The page adds the session and the redirect's message.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commun.conftest import category, client_for
from commun.decisions import models as decisions_models
from commun.decisions.models import Stance, StanceChange
from commun.members.models import Member
from commun.testing.api import bearer, call
from commun.testing.decisions import many_members, opened, propose

STANCE_QUERIES = {"sqlite": 6, "postgresql": 3}
PAGE_STANCE_QUERIES = 13


def stance_queries(send) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = send()
    assert response.status_code in (200, 302), response.content[:300]
    statements = [query["sql"] for query in captured]
    # One transaction for the stance, no savepoint, the decision read once (in the lock).
    assert not [sql for sql in statements if "SAVEPOINT" in sql], statements
    written = [sql for sql in statements if '"decisions_stance"' in sql and "INSERT" in sql]
    assert len(written) == 1, statements
    assert sum('FROM "decisions_decision"' in sql for sql in statements) <= 1, statements
    return len(captured)


@pytest.mark.django_db(transaction=True)  # counted as in production: no test savepoint
@pytest.mark.parametrize("kind", ["yes_no", "consent"])
def test_a_stance_through_the_api_takes_a_bounded_number_of_queries(bob, gus, kind):
    decision = opened(bob, "yes_no") if kind == "yes_no" else opened(bob, "consent")
    if kind == "consent":
        decision.advance(bob)
        decision.advance(bob)
    first, then = ("yes", "no") if kind == "yes_no" else ("consent", "concern")
    client = bearer(gus.user)
    path = f"/decisions/{decision.pk}/stance"
    call(client, "GET", f"/decisions/{decision.pk}")  # the token's first use is written once

    first_queries = stance_queries(lambda: call(client, "PUT", path, {"choice": first}))
    changed_queries = stance_queries(
        lambda: call(client, "PUT", path, {"choice": then, "reason": "Réflexion faite."})
    )

    assert Stance.objects.get(member=gus).choice == then
    assert StanceChange.objects.filter(stance__member=gus).count() == 2
    assert first_queries == changed_queries == STANCE_QUERIES[connection.vendor]


@pytest.mark.django_db(transaction=True)
def test_a_stance_from_the_page_takes_a_bounded_number_of_queries(bob, gus):
    decision = opened(bob, "yes_no")
    client = client_for(gus.user)
    path = f"/decisions/{decision.pk}/position/"
    client.get(f"/decisions/{decision.pk}/")

    first = stance_queries(lambda: client.post(path, {"stance-choice": "yes"}))
    changed = stance_queries(lambda: client.post(path, {"stance-choice": "no"}))

    assert Stance.objects.get(member=gus).choice == "no"
    assert first <= PAGE_STANCE_QUERIES
    assert changed <= PAGE_STANCE_QUERIES


def opening_queries(author, kind: str) -> int:
    """The opening's transaction, up to its COMMIT: the notifications are a task of their own."""
    decision = propose(author, kind)
    with CaptureQueriesContext(connection) as captured:
        decision.open()
    assert decision.eligible_count == Member.objects.active().count()
    statements = [query["sql"] for query in captured]
    return statements.index("COMMIT") + 1


@pytest.mark.django_db(transaction=True)  # counted as in production: no test savepoint
@pytest.mark.parametrize("kind", ["yes_no", "consent"])
def test_opening_takes_as_many_queries_for_a_hundred_members_as_for_a_few(bob, kind):
    few = opening_queries(bob, kind)
    many_members(100, category("Contributeur"))

    assert opening_queries(bob, kind) == few


@pytest.mark.django_db(transaction=True)
def test_a_changed_stance_answers_its_whole_history_without_reading_it_again(bob, gus):
    decision = opened(bob, "yes_no")
    client = bearer(gus.user)
    path = f"/decisions/{decision.pk}/stance"
    for choice in ("yes", "no", "abstain"):
        answer = call(client, "PUT", path, {"choice": choice})

    assert [entry["choice"] for entry in answer.json()["history"]] == ["yes", "no", "abstain"]


@pytest.mark.django_db(transaction=True)
def test_a_large_opening_leaves_its_statistics_to_the_worker_once_committed(bob, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL keeps planner statistics to refresh")
    monkeypatch.setattr(decisions_models, "ANALYZE_AFTER", 1)  # as if 100,000 were eligible
    decision = propose(bob, "yes_no")

    with CaptureQueriesContext(connection) as captured:
        decision.open()

    statements = [query["sql"] for query in captured]
    analyses = [i for i, sql in enumerate(statements) if sql.startswith("ANALYZE")]
    assert len(analyses) == 1, statements
    # The immediate backend runs the task where the worker would: after the COMMIT.
    assert analyses[0] > statements.index("COMMIT"), statements
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'decisions_eligibility'"
        )
        assert cursor.fetchone()[0] is not None


@pytest.mark.django_db
def test_an_opening_pays_for_one_index_per_eligible_row_no_more():
    """Each index on the eligibility rows is written 100,000 times by an opening: the
    primary key (decision, member) is all the frequent readings need, and no sequence."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "decisions_eligibility")

    indexed = sorted(
        tuple(found[name]["columns"])
        for name in found
        if found[name]["index"] or found[name]["primary_key"] or found[name]["unique"]
    )
    assert indexed == [("decision_id", "member_id")], found
