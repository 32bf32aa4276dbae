"""Commenting costs a bounded, small number of queries, in one transaction without savepoint.

Counted as in production, BEGIN and COMMIT included, on SQLite and PostgreSQL: the token
with its member, the thread, then BEGIN, the thread counted (and locked) while open, the
comment, the space's activity, the follow and the read mark (one upsert each), the
notifications of those who follow, COMMIT; then the answer's counts.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commun.deliberation.models import ReadMark, Subscription
from commun.testing.api import bearer, call

COMMENT_QUERIES = 16


@pytest.mark.django_db(transaction=True)  # counted as in production: no test savepoint
def test_a_comment_through_the_api_takes_a_bounded_number_of_queries(coop_space, alice, bob):
    thread = coop_space.start_thread(alice, "Fil", "Début")
    client = bearer(bob.user)
    path = f"/threads/{thread.pk}/comments"
    call(client, "GET", f"/threads/{thread.pk}")  # the token's first use is written once

    counts = []
    for body in ("Bonjour", "Encore"):
        with CaptureQueriesContext(connection) as captured:
            assert call(client, "POST", path, {"body": body}).status_code == 201
        statements = [query["sql"] for query in captured]
        assert not [sql for sql in statements if "SAVEPOINT" in sql], statements
        assert sum(sql.startswith("BEGIN") for sql in statements) == 1, statements
        counts.append(len(statements))

    assert counts == [COMMENT_QUERIES, COMMENT_QUERIES]
    assert Subscription.objects.filter(thread=thread, member=bob).count() == 1
    thread.refresh_from_db()
    assert thread.comment_count == 3  # the opening post, then the two comments


@pytest.mark.django_db
def test_a_read_mark_only_moves_forward(coop_space, alice, bob):
    thread = coop_space.start_thread(alice, "Fil", "Début")
    later = timezone.now()
    earlier = later - datetime.timedelta(minutes=5)

    ReadMark.objects.advance(thread, bob, later)
    ReadMark.objects.advance(thread, bob, earlier)

    assert ReadMark.objects.get(thread=thread, member=bob).last_read_at == later
    ReadMark.objects.advance(thread, bob, later + datetime.timedelta(seconds=1))
    assert ReadMark.objects.get(thread=thread, member=bob).last_read_at > later


@pytest.mark.django_db
def test_an_opted_out_member_stays_opted_out_when_commenting(coop_space, alice, bob):
    thread = coop_space.start_thread(alice, "Fil", "Début")
    Subscription.objects.create(thread=thread, member=bob, is_active=False)

    thread.post_comment(bob, "Je commente sans suivre.")

    assert not Subscription.objects.get(thread=thread, member=bob).is_active
