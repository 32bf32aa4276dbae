"""What other apps may listen to, without the register knowing them.

`share_movement_recorded(sender=ShareMovement, movement=…, by=…)` is sent once, inside the
transaction that numbers the movement in the register: whatever a receiver writes (the
ledger journals it and books the money it moves) commits or rolls back with the movement.
A receiver that refuses (raises) refuses the movement.

`member_admitted(sender=Member, member=…)` is sent once, inside the transaction that
admits an application: a receiver's writes commit or roll back with the admission.
"""

from django.dispatch import Signal

share_movement_recorded = Signal()
member_admitted = Signal()
