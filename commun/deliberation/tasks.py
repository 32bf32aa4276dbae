"""Notification emails, sent by the worker: one at once, or one digest a day, by choice.

Each notification is claimed (`emailed_at` set) in the same transaction that queues its
email, so running a task twice, or two workers at once, sends nothing twice.
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
                "deliberation/emails/notification.txt",
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
                    "deliberation/emails/digest.txt",
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
