"""Every request and reminder a decision sends is a notice in the app, email or not."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from commun.conftest import category, client_for, make_member
from commun.decisions.models import Decision, Objection
from commun.decisions.tests.helpers import DAY, in_objection_round, opened
from commun.deliberation.models import NotificationPreference
from commun.notifications.models import Notice

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def eve(coop):
    return make_member("eve@example.org", "Eve", "Leroy", category("Partenaires"))


def kinds(member) -> list[str]:
    return sorted(Notice.objects.filter(member=member).values_list("kind", flat=True))


def emailed(mailoutbox, address: str) -> int:
    return sum(1 for m in mailoutbox if m.to == [address])


def test_each_reminder_is_a_notice_even_for_who_chose_no_email(
    alice, bob, eve, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreference.choose(eve, NotificationPreference.Email.NONE)
    decision = in_objection_round(bob)
    decision.current_round.take_stance(bob, "consent")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert Decision.objects.remind_silent(decision.closes_at - 12 * HOUR) == 2

    assert kinds(alice) == kinds(eve) == [Notice.Kind.REMIND_SILENT]
    assert emailed(mailoutbox, "alice@example.org") == 1
    assert emailed(mailoutbox, "eve@example.org") == 0
    notice = Notice.objects.get(member=eve)
    assert notice.url == decision.get_absolute_url() and notice.read_at is None
    assert "Acheter un serveur" in notice.sentence()


def test_requests_objections_rounds_reviews_and_closes_are_notices(
    alice, bob, eve, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asking = opened(bob, "advice", advisors=[alice, eve])
        asking.advice.get(advisor=eve).give(eve, "Oui.")
    assert kinds(alice) == [Notice.Kind.ADVICE_REQUESTED]
    assert kinds(bob) == [Notice.Kind.ADVICE_GIVEN]

    Notice.objects.all().delete()
    decision = in_objection_round(bob)
    decision.current_round.take_stance(alice, "objection", reason="Trop cher.")
    objection = Objection.objects.get()
    objection.dismiss(bob, "Ce n'est pas une objection.")
    assert kinds(bob) == [Notice.Kind.OBJECTION_RAISED]
    assert kinds(alice) == [Notice.Kind.OBJECTION_DISMISSED]

    Notice.objects.all().delete()
    decision.current_round.take_stance(alice, "consent")
    decision.current_round.take_stance(eve, "consent")
    decision.current_round.take_stance(bob, "consent")
    review_on = timezone.localdate() + 30 * DAY
    decision.close(now=decision.opened_at + 2 * DAY, by=bob, review_on=review_on)
    at_review = timezone.make_aware(datetime.datetime.combine(review_on, datetime.time(9)))
    Decision.objects.remind_reviews(at_review)
    assert kinds(bob) == [Notice.Kind.CLOSED, Notice.Kind.REVIEW_DUE]


def test_a_new_round_is_a_notice_to_the_objector(alice, bob):
    decision = in_objection_round(bob)
    decision.current_round.take_stance(alice, "objection", reason="Non.")
    Objection.objects.get().begin_integration(bob)
    Notice.objects.all().delete()
    decision.start_new_round(bob)
    assert kinds(alice) == [Notice.Kind.NEW_ROUND]


def test_advisors_are_told_the_outcome(
    alice, bob, eve, mailoutbox, django_capture_on_commit_callbacks
):
    asking = opened(bob, "advice", advisors=[alice, eve])
    asking.advice.get(advisor=alice).give(alice, "Oui.")
    Notice.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        asking.record_advice_decision(bob, "Je le fais.", now=asking.closes_at)

    assert kinds(alice) == kinds(eve) == [Notice.Kind.ADVICE_OUTCOME]
    told = sorted(m.to[0] for m in mailoutbox if "Décidée" in m.subject)
    assert told == ["alice@example.org", "bob@example.org", "eve@example.org"]
    assert "Décidée (après avis)" in Notice.objects.get(member=eve).sentence()


def test_an_overdue_advice_decision_is_flagged_once_to_author_and_officers(
    alice, bob, eve, mailoutbox, django_capture_on_commit_callbacks
):
    asking = opened(bob, "advice", advisors=[eve])
    mailoutbox.clear()
    Notice.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        assert Decision.objects.flag_overdue_advice(asking.closes_at - HOUR) == 0
        assert Decision.objects.flag_overdue_advice(asking.closes_at + HOUR) == 1
        assert Decision.objects.flag_overdue_advice(asking.closes_at + 2 * DAY) == 0

    assert kinds(bob) == kinds(alice) == [Notice.Kind.ADVICE_OVERDUE]  # alice is an officer
    assert kinds(eve) == []
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.org", "bob@example.org"]


def test_the_overdue_flag_is_a_periodic_job():
    from commun.core.schedule import PERIODIC

    assert "commun.decisions.tasks.flag_overdue_advice" in PERIODIC


def test_a_notice_speaks_the_readers_language(alice, bob, eve):
    from django.utils import translation

    asking = opened(bob, "advice", advisors=[eve])
    notice = Notice.objects.get(member=eve)
    with translation.override("en"):
        assert notice.sentence() == f"Your advice is asked for: “{asking.title}”"


def test_a_member_marks_their_notice_read_and_not_someone_elses(alice, bob, eve):
    opened(bob, "advice", advisors=[alice, eve])
    mine = Notice.objects.get(member=eve)
    theirs = Notice.objects.get(member=alice)
    client = client_for(eve.user)

    forged = client.post(reverse("notifications:mark_read", args=[theirs.pk]))
    assert forged.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None

    assert client.get(reverse("notifications:mark_read", args=[mine.pk])).status_code == 405
    response = client.post(
        reverse("notifications:mark_read", args=[mine.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert f'id="notice-{mine.pk}"' in response.content.decode()
    mine.refresh_from_db()
    assert mine.read_at is not None
    response = client.post(reverse("notifications:mark_read", args=[mine.pk]))
    assert response.url == reverse("notifications:awaits")
