"""Periodic jobs: `commun worker` enqueues each one when its interval has passed."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

# Task path → interval. Each task is idempotent: running it twice does no harm.
PERIODIC = {
    "commun.decisions.tasks.close_due_decisions": datetime.timedelta(minutes=5),
    "commun.decisions.tasks.flag_overdue_advice": datetime.timedelta(hours=1),
    # The digest is `notifications.tasks.send_digests`; its schedule (`PeriodicRun`) keeps its
    # old name, which `deliberation.tasks` keeps importable.
    "commun.deliberation.tasks.send_digests": datetime.timedelta(days=1),
    "commun.members.tasks.process_repayments": datetime.timedelta(days=1),
    "commun.privacy.tasks.purge_expired_data": datetime.timedelta(days=1),
    # A safety net: each retry is enqueued for its own time; this finds any a killed worker lost.
    "commun.hooks.tasks.retry_due_deliveries": datetime.timedelta(minutes=5),
    "commun.board.tasks.forget_old_forge_deliveries": datetime.timedelta(days=1),
}


def enqueue_due(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue the jobs whose interval has passed; several workers never enqueue one twice."""
    from commun.core.models import PeriodicRun

    now = now or timezone.now()
    enqueued = []
    for path, interval in PERIODIC.items():
        with transaction.atomic():
            # The row lock makes a second worker wait, then see the fresh timestamp.
            run = PeriodicRun.objects.select_for_update().filter(name=path).first()
            if run is None:
                try:
                    with transaction.atomic():
                        PeriodicRun.objects.create(name=path, last_enqueued_at=now)
                except IntegrityError:
                    continue  # another worker created it at this very moment
            elif now - run.last_enqueued_at < interval:
                continue
            else:
                run.last_enqueued_at = now
                run.save(update_fields=["last_enqueued_at"])
            task = import_string(path)
            transaction.on_commit(task.enqueue)
            enqueued.append(path)
    return enqueued
