"""The ledger's answers to what happens elsewhere: a closed decision joins the journal."""

from django.db import transaction
from django.dispatch import receiver

from commun.decisions.signals import decision_closed
from commun.ledger.journal import decision_outcome_payload
from commun.ledger.models import Books, JournalEntry


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
