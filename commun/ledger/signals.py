"""What other apps may listen to, without importing the ledger's models.

`transaction_recorded(sender=Transaction, transaction=…, postings=[(code, cents)])` is sent
once per transaction, inside the transaction that books it (never for an idempotent retry
that books nothing).
"""

from django.dispatch import Signal

transaction_recorded = Signal()
