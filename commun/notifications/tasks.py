"""Notification emails, sent by the worker: one at once, or one digest a day, by choice.

The notifications are deliberation's (about a comment) and decisions' (a decision asks for
a member's voice); emailing them is this app's. Each notification is claimed (`emailed_at`
set) in the same transaction that queues its email, so running a task twice, or two
workers at once, sends nothing twice.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation

from commun.core.mail import notify

DIGEST_MAX_ITEMS = 50
DIGEST_BATCH = 200


def _lines(notifications, member) -> list[dict]:
    """Each notification as the email shows it, in the member's own language."""
    with translation.override(member.language or "fr"):
        return [
            {
                "sentence": n.sentence(n.actor.name_for(member)),
                "excerpt": n.excerpt(),
                "url": settings.SITE_URL + n.get_absolute_url(),
            }
            for n in notifications
        ]


def _pending(member):
    from commun.deliberation.models import Notification

    # FOR UPDATE on the notifications only: the joined rows are read, not claimed.
    return (
        Notification.objects.for_member(member)
        .filter(emailed_at__isnull=True, read_at__isnull=True)
        .select_for_update(of=("self",))
        .select_related("thread", "comment__author", "decision__author")
        .order_by("created_at", "pk")
    )


@task
def send_immediate_notifications(comment_id: int) -> int:
    """Email the people who asked to hear at once about a new comment. Returns emails queued."""
    return email_at_once(comment_id=comment_id)


def email_at_once(**which) -> int:
    """Email, one each, the notifications matching `which` whose member asked to hear at once.

    Members are read in batches: a decision may tell 100,000 people at once.
    """
    from commun.deliberation.models import Notification, NotificationPreference
    from commun.members.models import Member

    immediate = Q(member__notification_preference__email=NotificationPreference.Email.IMMEDIATE)
    member_ids = list(
        Notification.objects.filter(immediate, emailed_at__isnull=True, **which)
        .order_by("member_id")
        .values_list("member_id", flat=True)
    )
    sent = 0
    for start in range(0, len(member_ids), DIGEST_BATCH):
        batch = member_ids[start : start + DIGEST_BATCH]
        sent += _email_each(
            Member.objects.filter(pk__in=batch).select_related("user", "category"), which
        )
    return sent


def _email_each(members, which: dict) -> int:
    from commun.deliberation.models import Notification

    sent = 0
    for member in members:
        with transaction.atomic():
            pending = list(_pending(member).filter(**which))
            if not pending:
                continue
            Notification.objects.filter(pk__in=[n.pk for n in pending]).update(
                emailed_at=timezone.now()
            )
            notification = pending[0]
            line = _lines([notification], member)[0]
            notify(
                [member.user.email],
                "notifications/emails/notification.txt",
                {
                    "member": member,
                    "line": line,
                    "preferences_url": settings.SITE_URL + reverse("deliberation:preferences"),
                },
                member.language,
            )
            sent += 1
    return sent


@task
def send_digests() -> int:
    """One email per member who chose the daily digest, listing what they have not seen."""
    from commun.deliberation.models import Notification, NotificationPreference
    from commun.members.models import Member

    wants_digest = Q(member__notification_preference__isnull=True) | Q(
        member__notification_preference__email=NotificationPreference.Email.DIGEST
    )
    member_ids = list(
        Notification.objects.filter(wants_digest, emailed_at__isnull=True, read_at__isnull=True)
        .order_by("member_id")
        .values_list("member_id", flat=True)
        .distinct()
    )
    sent = 0
    for start in range(0, len(member_ids), DIGEST_BATCH):
        batch = member_ids[start : start + DIGEST_BATCH]
        for member in Member.objects.filter(pk__in=batch).select_related("user", "category"):
            with transaction.atomic():
                pending = list(_pending(member))
                if not pending:
                    continue
                Notification.objects.filter(pk__in=[n.pk for n in pending]).update(
                    emailed_at=timezone.now()
                )
                notify(
                    [member.user.email],
                    "notifications/emails/digest.txt",
                    {
                        "member": member,
                        "lines": _lines(pending[:DIGEST_MAX_ITEMS], member),
                        "count": len(pending),
                        "more": max(0, len(pending) - DIGEST_MAX_ITEMS),
                        "url": settings.SITE_URL + reverse("deliberation:notifications"),
                        "preferences_url": settings.SITE_URL + reverse("deliberation:preferences"),
                    },
                    member.language,
                )
                sent += 1
    return sent


NOTIFY_BATCH = 1000


def tell_eligible(decision_id: int, round_number: int = 0) -> int:
    """Tell every eligible member that a decision asks for their voice; returns how many were.

    Run by the task `decisions.tasks.tell_eligible`. The notifications are written in
    batches of short transactions, so that 100,000 of them never hold SQLite's write lock
    for long while members take their stances. Running it twice tells nobody
    twice (one notification per member and step, by the database).
    """
    from commun.decisions.models import Decision, Eligibility
    from commun.deliberation.models import Notification
    from commun.members.models import Member

    decision = Decision.objects.filter(pk=decision_id).first()
    if decision is None or decision.is_closed:
        return 0
    round = decision.rounds.filter(number=round_number).first() if round_number else None
    if round_number and (round is None or round.closed_at is not None):
        return 0  # a later round, or the close, made this one stale
    if not round_number and decision.rounds.exists():
        return 0  # the objection round opened meanwhile: its own notification says more
    if decision.kind == Decision.Kind.CONSENT:
        kind = Notification.Kind.ROUND if round_number else Notification.Kind.DECISION
    else:
        kind = Notification.Kind.VOTE
    eligible = (
        Eligibility.objects.filter(decision_id=decision_id, member__status=Member.Status.ACTIVE)
        .exclude(member_id=decision.author_id)
        .order_by("member_id")
        .values_list("member_id", flat=True)
    )
    created, last = 0, 0
    while batch := list(eligible.filter(member_id__gt=last)[:NOTIFY_BATCH]):
        Notification.objects.bulk_create(
            [
                Notification(
                    member_id=member_id,
                    kind=kind,
                    thread_id=decision.thread_id,
                    decision_id=decision_id,
                    round_number=round_number,
                )
                for member_id in batch
            ],
            ignore_conflicts=True,
        )
        created += len(batch)
        last = batch[-1]
    email_at_once(decision_id=decision_id, round_number=round_number)
    return created
