"""The board's background work, run by `commun worker` (commun/core/schedule.py)."""

import datetime

from django.conf import settings
from django.tasks import task
from django.utils import timezone


@task
def forget_old_forge_deliveries() -> int:
    """Forget the forges' deliveries older than BOARD_FORGE_LOG_DAYS: a forge retries within
    hours, so an old row guards against nothing, and the tasks' history keeps what moved."""
    from commun.board.models import ForgeDelivery

    cutoff = timezone.now() - datetime.timedelta(days=settings.BOARD_FORGE_LOG_DAYS)
    deleted, _by_model = ForgeDelivery.objects.filter(received_at__lt=cutoff).delete()
    return deleted
