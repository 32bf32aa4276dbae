"""What other apps may listen to, without importing the decisions' models.

`decision_closed(sender=Decision, decision=…)` is sent once, inside the transaction that
closes the decision (adopted, rejected, lapsed, withdrawn or decided): whatever a receiver
writes commits or rolls back with the outcome itself.

`decision_opened(sender=Decision, decision=…)` is sent once, inside the transaction that
opens the decision, after its eligibility is fixed.
"""

from django.dispatch import Signal

decision_closed = Signal()
decision_opened = Signal()
