"""Who may write in the books: recording, importing and closing are the officers'.

The model methods (`Transaction.objects.record_income_or_expense`, `imports.book`,
`closing.close_year`) call `require()` with the person acting; pages and the API ask
`may()` to show a form. The public accounts are read by anyone; receipts by officers.
"""

from django.utils.translation import gettext_lazy as _

from commun.lib.rules import OFFICERS_ONLY, Rulebook, is_officer, officer

ACTION_NAMES = {
    "record_transaction": _("enregistrer une écriture"),
    "import_statement": _("importer un relevé bancaire"),
    "close_year": _("clore un exercice"),
    "read_receipts": _("consulter les justificatifs"),
}

WHO_MAY = {action: (officer, OFFICERS_ONLY) for action in ACTION_NAMES}

RULES = Rulebook(WHO_MAY, ACTION_NAMES)
refusal, may, require = RULES.refusal, RULES.may, RULES.require

__all__ = ["is_officer", "refusal", "may", "require"]
