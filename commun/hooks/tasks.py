"""The webhooks' background work, run by `commun worker`."""

import datetime

from django.conf import settings
from django.tasks import default_task_backend, task
from django.utils import timezone

SWEEP_BATCH = 500


@task
def deliver(delivery_id: int) -> str | None:
    """One attempt; a failure to retry is enqueued again for its time (exponential backoff)."""
    from commun.hooks.models import Delivery

    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return None
    retry_at = delivery.attempt()
    # A backend that cannot wait (the tests' immediate one) leaves it to the sweep.
    if retry_at is not None and default_task_backend.supports_defer:
        deliver.using(run_after=retry_at).enqueue(delivery_id)
    return Delivery.objects.values_list("status", flat=True).get(pk=delivery_id)


@task
def retry_due_deliveries() -> int:
    """Hand the worker every delivery due and not sent: a retry whose task was lost with a
    killed worker, or one enqueued to a backend that cannot wait. Then forget the events
    older than the log keeps (WEBHOOKS_LOG_DAYS) that nothing waits to send."""
    from commun.hooks.models import Delivery, Event

    now = timezone.now()
    due = list(Delivery.objects.due(now).values_list("pk", flat=True)[:SWEEP_BATCH])
    for pk in due:
        deliver.enqueue(pk)
    Event.objects.forget_older_than(now - datetime.timedelta(days=settings.WEBHOOKS_LOG_DAYS))
    return len(due)
