"""Who may write in the books, role by role, on the rules and on the model methods.

The expected table is written here by hand, apart from `ledger/rules.py`.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commun.ledger import closing, imports, rules
from commun.ledger.models import FiscalYear, Transaction
from commun.testing.matrix import OFFICER, ROLES, refused, wrong_answers

pytestmark = pytest.mark.django_db

EXPECTED = {
    "record_transaction": OFFICER,
    "import_statement": OFFICER,
    "close_year": OFFICER,
    "read_receipts": OFFICER,
}
STATEMENT = "date;libellé;montant;compte\n02/03/2026;Frais;-12,50;627\n"


def test_the_table_names_every_action():
    assert set(EXPECTED) == rules.RULES.actions


def test_who_may_act(roles):
    assert not wrong_answers(rules, EXPECTED, roles)


def _record(who):
    return Transaction.objects.record_income_or_expense(
        "income",
        datetime.date(2026, 3, 1),
        "Facture",
        "706",
        1200,
        idempotency_key="matrix",
        receipt=SimpleUploadedFile("r.pdf", b"%PDF-1.4\n", content_type="application/pdf"),
        by=who,
    )


@pytest.mark.parametrize(
    "write",
    [
        _record,
        lambda who: imports.book(STATEMENT, by=who),
        lambda who: imports.preview(STATEMENT, by=who),
        lambda who: closing.close_year(2025, by=who),
    ],
    ids=["record", "import", "preview", "close"],
)
def test_the_model_methods_refuse_everyone_but_an_officer(roles, write, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    books = (Transaction.objects.count(), FiscalYear.objects.count())
    for role in ROLES[:-1]:
        assert refused(lambda role=role: write(roles[role])), role
        assert (Transaction.objects.count(), FiscalYear.objects.count()) == books, role
    assert not refused(lambda: write(roles["officer"]))
