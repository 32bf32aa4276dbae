"""The ledger's answers to what happens elsewhere: the seams other apps reach it through.

A register movement is journalled and its money booked; a closed decision joins the journal.
"""

from django.db import transaction
from django.dispatch import receiver

from commun.decisions.signals import decision_closed
from commun.ledger.journal import decision_outcome_payload
from commun.ledger.models import Books, JournalEntry, Transaction
from commun.members.signals import share_movement_recorded


@receiver(decision_closed, dispatch_uid="ledger.journal_decision_outcome")
def journal_decision_outcome(sender, decision, **kwargs):
    """Chain the outcome (counts and the text's digest, no names) in the closing transaction."""
    with transaction.atomic():
        # Serialises the journal's sequence with the ledger's own writes.
        books = Books.locked()
        JournalEntry.objects.append(
            books,
            JournalEntry.Kind.DECISION_OUTCOME,
            f"decision-{decision.pk}",
            decision_outcome_payload(decision),
        )
        books.save(update_fields=["journal_length", "journal_head_hash"])


@receiver(share_movement_recorded, dispatch_uid="ledger.post_share_movement")
def post_share_movement(sender, movement, by=None, **kwargs):
    """Journal the movement and book the money it moves, in the register's transaction."""
    Transaction.objects.post_share_movement(movement, by=by)
