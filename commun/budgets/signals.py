"""What other apps may listen to, without importing the budgets' models.

`mission_adopted(sender=Mission, mission=…)` is sent once, inside the transaction that
commits the mission's budget: a receiver's writes commit or roll back with the adoption.
"""

from django.dispatch import Signal

mission_adopted = Signal()
