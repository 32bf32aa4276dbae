"""The retention job: delete what has outlived the time the record of processing promises.

Run by the worker once a day (commun/core/schedule.py), and idempotent. Each run that
deletes something leaves a `PrivacyLog` line with the counts, never the data.
"""

import datetime

from django.contrib.sessions.models import Session
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone

from commun.members.models import Application
from commun.privacy.declarations import APPLICATIONS
from commun.privacy.erasure import years_after
from commun.privacy.models import PrivacyLog, RestrictedRecord

FINISHED_TASKS_KEPT = datetime.timedelta(days=30)


def purge(now: datetime.datetime | None = None) -> dict:
    """Delete or blank what is past its retention; returns the counts (also logged)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        counts = {
            "restricted_records": RestrictedRecord.objects.filter(keep_until__lt=today).delete()[0],
            "refused_applications": _blank_old_applications(today),
            "finished_tasks": _delete_finished_tasks(now),
            "expired_sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
        }
        if any(counts.values()):
            PrivacyLog.objects.create(kind=PrivacyLog.Kind.PURGE, at=now, counts=counts)
    return counts


def _blank_old_applications(today: datetime.date) -> int:
    """A refused or withdrawn application is blanked a year after it was decided."""
    limit = years_after(today, -APPLICATIONS.retention_years)
    due = Application.objects.filter(
        status__in=[Application.Status.REFUSED, Application.Status.WITHDRAWN],
        decided_at__date__lt=limit,
    ).exclude(first_name="", last_name="", motivation="")
    return due.blank()


def _delete_finished_tasks(now: datetime.datetime) -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        finished_at__lt=now - FINISHED_TASKS_KEPT,
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
    ).delete()[0]
