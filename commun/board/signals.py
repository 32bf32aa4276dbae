"""What other apps (the webhooks) may listen to, without importing the board's models.

`task_created(sender=Task, task=…, change=…)` and `task_changed(sender=Task, task=…,
change=…)` are sent inside the transaction that writes the task and its history row, as
the other apps' signals are: what a receiver writes (a webhook's event) commits or rolls
back with the change; work outside the database waits for `transaction.on_commit`.
`change` is the `TaskChange` row (who, when, from → to).
"""

from django.dispatch import Signal

task_created = Signal()
task_changed = Signal()
