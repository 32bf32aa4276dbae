"""What other apps (the webhooks) may listen to, without importing the board's models.

`task_created(sender=Task, task=…, change=…)` and `task_changed(sender=Task, task=…,
change=…)` are sent once the transaction that wrote the task and its history row has
committed: a receiver never hears of a change that was rolled back. `change` is the
`TaskChange` row (who, when, from → to).
"""

from django.dispatch import Signal

task_created = Signal()
task_changed = Signal()
