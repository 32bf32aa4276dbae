"""Bookkeeping of the periodic jobs that `commun worker` enqueues."""

from django.db import models


class PeriodicRun(models.Model):
    """When a periodic job was last enqueued: shared by every worker process."""

    name = models.CharField(max_length=200, unique=True)
    last_enqueued_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} @ {self.last_enqueued_at:%Y-%m-%d %H:%M}"
