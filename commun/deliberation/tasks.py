"""Where the notification tasks used to live: tasks already queued name these paths.

The worker imports a queued task by the path stored with it, and the daily digest's
periodic run is recorded under `commun.deliberation.tasks.send_digests`; both keep working.
The tasks themselves are `commun.notifications.tasks`.
"""

from commun.notifications.tasks import send_digests, send_immediate_notifications

__all__ = ["send_digests", "send_immediate_notifications"]
