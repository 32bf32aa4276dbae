"""Rows changed in the tables themselves, behind the journal's back: `verify --books` names them.

An exported journal still verifies after such a change (its chain is intact): only the
comparison of each entry with the rows it describes finds it. The append-only guards are
removed first, as someone with the database owner's rights would. Runs on both engines.
"""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from commun.ledger.models import Posting, Transaction
from commun.members.models import ShareMovement
from commun.testing.appendonly import tamper
from commun.testing.decisions import opened


@pytest.fixture
def books(alice, bob):
    """Sales, one reversed; the register's payments (from the fixtures); a closed vote."""
    for i in range(1, 6):
        sale = Transaction.objects.record(
            datetime.date(2026, 3, i),
            f"Vente {i}",
            [("512", 1000 * i), ("706", -1000 * i)],
            idempotency_key=f"sale-{i}",
        )
    sale.reverse("Annulation de la vente 5", idempotency_key="undo-5", on=datetime.date(2026, 3, 9))
    decision = opened(alice, "yes_no")
    decision.current_round.take_stance(alice, "yes")
    decision.current_round.take_stance(bob, "no")
    decision.close(now=decision.closes_at + datetime.timedelta(minutes=1))
    return decision


def unguarded(*statements):
    """Run SQL with the append-only triggers of the books and the register out of the way."""
    tamper(*statements, tables=("ledger_posting", "ledger_transaction", "members_sharemovement"))


def verify_books() -> str:
    out = io.StringIO()
    call_command("verify", books=True, stdout=out)
    return out.getvalue()


def exported_journal_verifies(tmp_path) -> None:
    path = tmp_path / "journal.jsonl"
    out = io.StringIO()
    call_command("export", "journal", stdout=out)
    path.write_text(out.getvalue())
    call_command("verify", str(path), stdout=io.StringIO())


def test_untouched_books_match_their_journal(books):
    report = verify_books()
    assert "Comptes conformes au journal" in report
    # 5 sales, a reversal, and Alice's and Bob's share payments from the fixtures.
    assert "8 écritures, 4 mouvements du registre, 1 décision," in report


def test_the_report_is_in_the_language_of_the_person_running_it(books, tmp_path):
    with translation.override("en"):
        report = verify_books()
        path = tmp_path / "journal.jsonl"
        out = io.StringIO()
        call_command("export", "journal", stdout=out)
        path.write_text(out.getvalue())
        journal = io.StringIO()
        call_command("verify", str(path), stdout=journal)
    assert "Books match the journal: 8 transactions, 4 register movements, 1 decision," in report
    entries = len(path.read_text().splitlines())
    assert f"Journal intact: {entries} entries, last hash" in journal.getvalue()


def test_a_posting_changed_in_both_lines_is_named(books, tmp_path):
    sale = Transaction.objects.get(number=3)
    lines = list(Posting.objects.filter(transaction=sale).order_by("pk"))
    unguarded(
        *[
            (
                "UPDATE ledger_posting SET amount_cents = %s WHERE id = %s",
                [p.amount_cents * 10, p.pk],
            )
            for p in lines
        ]
    )
    exported_journal_verifies(tmp_path)  # the chain alone cannot see it
    with pytest.raises(CommandError, match="l'écriture n°3 ne correspond plus"):
        verify_books()


def test_a_transaction_dated_elsewhere_is_named(books):
    unguarded(("UPDATE ledger_transaction SET date = %s WHERE number = %s", ["2026-04-01", 2]))
    with pytest.raises(CommandError, match="l'écriture n°2 ne correspond plus"):
        verify_books()


def test_a_register_movement_changed_is_named(books, bob):
    payment = ShareMovement.objects.get(member=bob, kind="payment")
    unguarded(
        ("UPDATE members_sharemovement SET quantity = 40 WHERE id = %s", [payment.pk]),
    )
    with pytest.raises(CommandError, match=f"le mouvement n°{payment.number} du registre"):
        verify_books()


def test_a_tally_changed_is_named(books):
    decision = books
    result = {**decision.result, "yes": 2, "no": 0}
    from commun.decisions.models import Decision

    Decision.objects.filter(pk=decision.pk).update(result=result)
    with pytest.raises(CommandError, match=f"la décision n°{decision.pk} ne correspond plus"):
        verify_books()


def test_a_transaction_added_behind_commun_is_found(books):
    """Balanced, so the database's own check lets it in; but never journaled."""
    from commun.ledger.models import Account

    last = Transaction.objects.order_by("-number").first()
    bank, sales = Account.objects.get(code="512"), Account.objects.get(code="706")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_transaction (number, date, label, idempotency_key, "
            "request_digest, recorded_at) VALUES (%s, %s, %s, %s, %s, %s)",
            [last.number + 1, "2026-03-20", "Ajout", "forged", "0" * 64, last.recorded_at],
        )
        forged = Transaction.objects.get(idempotency_key="forged").pk
        for account, cents in ((bank, 100), (sales, -100)):
            cursor.execute(
                "INSERT INTO ledger_posting (transaction_id, account_id, amount_cents) "
                "VALUES (%s, %s, %s)",
                [forged, account.pk, cents],
            )
    with pytest.raises(CommandError, match="ajoutée ou supprimée hors de Commun"):
        verify_books()


def test_a_monthly_total_changed_is_named(books):
    from commun.ledger.models import MonthlyTotal

    row = MonthlyTotal.objects.get(account__code="706", month=datetime.date(2026, 3, 1))
    MonthlyTotal.objects.filter(pk=row.pk).update(credit_cents=row.credit_cents + 100_000)
    with pytest.raises(CommandError, match=r"totaux mensuels du compte 706 \(03/2026\)"):
        verify_books()
    MonthlyTotal.objects.rebuild()
    assert "Comptes conformes" in verify_books()
