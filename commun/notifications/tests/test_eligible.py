"""Everyone a decision asks for hears of it: in the app, and by email as they chose."""

import pytest
from django.db import transaction

from commun.conftest import category, client_for, make_member
from commun.decisions import tasks
from commun.decisions.models import Decision
from commun.deliberation.models import Notification, NotificationPreference
from commun.members.models import College
from commun.notifications import tasks as notification_tasks
from commun.notifications.tasks import send_digests
from commun.testing.decisions import many_members, propose


@pytest.fixture
def eve(coop):
    return make_member("eve@example.org", "Eve", "Leroy", category("Contrib"))


@pytest.fixture
def gus(coop):
    return make_member("gus@example.org", "Gus", "Blanc", category("Partenaires"))


def told(member) -> list[tuple[str, int]]:
    return list(
        Notification.objects.filter(member=member)
        .order_by("pk")
        .values_list("kind", "round_number")
    )


def opened_now(decision: Decision, capture) -> Decision:
    with capture(execute=True):
        decision.open()
    return decision


def test_opening_a_consent_decision_tells_each_eligible_member_once(
    alice, bob, eve, gus, carol, django_capture_on_commit_callbacks
):
    users = College.objects.get(name="Usager·es")
    decision = propose(alice, scope="colleges", colleges=[users])
    opened_now(decision, django_capture_on_commit_callbacks)
    assert told(bob) == told(gus) == [("decision", 0)]
    assert told(eve) == []  # another college
    assert told(alice) == []  # the author knows
    assert carol.member is None or told(carol.member) == []
    notification = Notification.objects.get(member=bob)
    assert notification.decision_id == decision.pk
    assert notification.thread_id == decision.thread_id

    # The worker may run a task twice: nobody is told twice.
    tasks.tell_eligible.call(decision.pk, 0)
    assert Notification.objects.filter(decision=decision).count() == 2


def test_who_joins_after_the_opening_is_not_told(alice, bob, django_capture_on_commit_callbacks):
    decision = opened_now(propose(bob), django_capture_on_commit_callbacks)
    late = make_member("late@example.org", "Léo", "Tardif", category("Partenaires"))
    tasks.tell_eligible.call(decision.pk, 0)
    assert told(alice) == [("decision", 0)]
    assert told(late) == []


def test_a_vote_tells_its_voters_and_each_objection_round_tells_them_again(
    alice, bob, gus, django_capture_on_commit_callbacks
):
    vote = opened_now(propose(bob, "yes_no"), django_capture_on_commit_callbacks)
    assert told(gus) == [("vote", 1)]
    Notification.objects.all().delete()

    decision = opened_now(propose(bob), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        decision.advance(bob)
        decision.advance(bob)
    assert told(gus) == [("decision", 0), ("round", 1)]
    decision.current_round.take_stance(gus, "objection", "Le budget n'y est pas.")
    objection = decision.objections.get()
    objection.begin_integration(bob)
    decision.amend(bob, title="Acheter un serveur d'occasion", body="Moins cher.")
    with django_capture_on_commit_callbacks(execute=True):
        decision.start_new_round(bob)
    assert told(gus) == [("decision", 0), ("round", 1), ("round", 2)]
    assert told(alice) == [("decision", 0), ("round", 1), ("round", 2)]
    assert told(bob) == []
    assert vote.pk != decision.pk


def test_an_opening_superseded_by_its_objection_round_is_told_once(
    alice, bob, django_capture_on_commit_callbacks
):
    """Admission by consent opens and reaches the objection round in one transaction."""
    decision = propose(bob)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        decision.open()
        decision.advance(bob)
        decision.advance(bob)
    assert told(alice) == [("round", 1)]


def test_a_stale_task_tells_nobody(alice, bob, django_capture_on_commit_callbacks):
    decision = propose(bob, "yes_no")
    decision.open()  # not committed in this test: the task is run by hand below
    decision.withdraw(bob)
    assert tasks.tell_eligible.call(decision.pk, 1) == 0
    assert tasks.tell_eligible.call(123_456, 0) == 0
    assert not Notification.objects.exists()


def test_many_eligible_members_are_told_in_batches(
    alice, bob, monkeypatch, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    voters = many_members(25, category("Partenaires"))
    decision = propose(bob, "yes_no")
    decision.open()
    monkeypatch.setattr(notification_tasks, "NOTIFY_BATCH", 4)
    # Queries grow with the batches, never with each member.
    with django_assert_max_num_queries(40):
        assert tasks.tell_eligible.call(decision.pk, 1) == 26
    assert Notification.objects.filter(decision=decision).count() == 26
    assert set(Notification.objects.values_list("member_id", flat=True)) == {
        alice.pk,
        *(v.pk for v in voters),
    }


def test_the_daily_digest_includes_the_decision(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    decision = opened_now(propose(bob), django_capture_on_commit_callbacks)
    assert mailoutbox == []  # the digest is the default
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests.call() == 1
    (email,) = mailoutbox
    assert email.to == ["alice@example.org"]
    assert "« Acheter un serveur » : la décision vous concerne" in email.body
    assert f"http://testserver/decisions/{decision.pk}/" in email.body
    assert "Questions de clarification — échéance" in email.body


def test_who_chose_immediate_emails_hears_at_once_and_not_again_in_the_digest(
    alice, bob, gus, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreference.choose(gus, "immediate")
    NotificationPreference.choose(alice, "none")
    with django_capture_on_commit_callbacks(execute=True):
        decision = propose(bob, "yes_no", title="Changer d'hébergeur")
        decision.open()
    (email,) = mailoutbox
    assert email.to == ["gus@example.org"]
    assert email.subject.endswith("ouvre un vote qui vous concerne : « Changer d'hébergeur »")
    assert f"/decisions/{decision.pk}/" in email.body
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests.call() == 0
    assert len(mailoutbox) == 1
    assert Notification.objects.filter(member=alice).count() == 1  # in the app all the same


def test_the_notifications_page_and_api_link_to_the_decision(
    alice, bob, gus, django_capture_on_commit_callbacks
):
    decision = opened_now(propose(bob, "yes_no"), django_capture_on_commit_callbacks)
    client = client_for(gus.user)
    listed = client.get("/api/v1/notifications?unread=true").json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert (item["kind"], item["decision"], item["comment"]) == ("vote", decision.pk, None)
    assert "ouvre un vote qui vous concerne" in item["text"]
    page = client.get("/notifications/").content.decode()
    assert f'href="/decisions/{decision.pk}/"' in page


def test_seeing_the_decision_marks_its_notifications_read(
    alice, bob, gus, django_capture_on_commit_callbacks
):
    decision = opened_now(propose(bob, "yes_no"), django_capture_on_commit_callbacks)
    assert client_for(gus.user).get(decision.get_absolute_url()).status_code == 200
    assert Notification.objects.get(member=gus).read_at is not None
    assert Notification.objects.get(member=alice).read_at is None
