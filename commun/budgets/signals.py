"""What other apps may listen to, without importing the budgets' models.

`mission_adopted(sender=Mission, mission=…)` is sent once, inside the transaction that
commits the mission's budget: a receiver's writes commit or roll back with the adoption.

`forecast_outflows(sender=None)` asks the apps below what else will leave the bank: each
receiver answers a list of (first day of a month, cents), a past month meaning "due now"
(upstream answers its planned gifts). The treasury forecast adds them to the missions'.
"""

from django.dispatch import Signal

mission_adopted = Signal()
forecast_outflows = Signal()
