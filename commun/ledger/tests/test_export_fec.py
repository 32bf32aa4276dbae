"""`commun export fec --year YYYY`: 18 columns in the DGFiP order, balanced, numbered 1..N."""

import datetime
import io
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command

from commun.ledger import exports
from commun.ledger.models import Account, Transaction
from commun.testing.ledger import random_ledger

pytestmark = pytest.mark.django_db

HEADER = (
    "JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\t"
    "CompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\t"
    "ValidDate\tMontantdevise\tIdevise"
)


def fec(year: int) -> list[list[str]]:
    out = io.StringIO()
    call_command("export", "fec", "--year", str(year), stdout=out)
    lines = out.getvalue().split("\n")
    assert lines[-1] == ""  # every line ends with a newline
    return [line.split("\t") for line in lines[:-1]]


def cents(text: str) -> int:
    assert "." not in text and " " not in text, text
    units, decimals = text.split(",")
    assert len(decimals) == 2, text
    return int(units) * 100 + int(decimals)


@pytest.fixture
def ledger():
    random_ledger(60, year=2026)
    random_ledger(10, seed=5, year=2025)
    Transaction.objects.record(
        datetime.date(2026, 6, 1),
        "Frais\tbancaires\nde juin",
        [("627", 350), ("512", -350)],
        idempotency_key="frais",
    )


def test_every_line_has_the_18_columns_and_the_exact_header(ledger):
    rows = fec(2026)

    assert "\t".join(rows[0]) == HEADER
    assert all(len(row) == 18 for row in rows), {len(row) for row in rows}
    assert len(rows) > 100


def test_entries_are_numbered_1_to_n_in_date_order_and_each_balances(ledger):
    rows = fec(2026)[1:]

    numbers = [int(row[2]) for row in rows]
    assert sorted(set(numbers)) == list(
        range(1, Transaction.objects.filter(date__year=2026).count() + 1)
    )
    assert numbers == sorted(numbers)
    dates_by_number = {int(row[2]): row[3] for row in rows}
    dates = [dates_by_number[n] for n in sorted(dates_by_number)]
    assert dates == sorted(dates)
    totals = defaultdict(int)
    for row in rows:
        debit, credit = cents(row[11]), cents(row[12])
        assert (debit == 0) != (credit == 0), row
        totals[row[2]] += debit - credit
    assert set(totals.values()) == {0}


def test_only_the_year_and_the_ledger_amounts(ledger):
    rows = fec(2026)[1:]
    in_year = Transaction.objects.filter(date__year=2026)

    assert {row[3][:4] for row in rows} == {"2026"}
    assert {row[9][:4] for row in rows} == {"2026"}
    expected = defaultdict(int)
    for transaction in in_year.prefetch_related("postings__account"):
        for posting in transaction.postings.all():
            expected[(str(transaction.number), posting.account.code)] += posting.amount_cents
    found = defaultdict(int)
    for row in rows:
        code = row[4].rstrip("0")[:2] if row[4] == "740" else row[4]
        code += f"-{row[6]}" if row[6] else ""
        found[(row[8], code)] += cents(row[11]) - cents(row[12])
    assert found == expected


def test_fund_sub_accounts_are_auxiliary_accounts_of_1068(ledger):
    rows = fec(2026)[1:]
    funds = {(row[4], row[5], row[6], row[7]) for row in rows if row[4] == "1068"}

    assert (
        "1068",
        "Autres réserves (impartageables)",
        "DISPO",
        "Réserve disponible pour les missions",
    ) in funds
    assert any(aux == "ENG-M12" and "Mission" in lib for _n, _l, aux, lib in funds)
    assert all(row[4].isdigit() and len(row[4]) >= 3 for row in rows)


def test_bank_transactions_go_to_the_bank_journal(ledger):
    rows = fec(2026)[1:]
    by_entry = defaultdict(set)
    for row in rows:
        by_entry[(row[0], row[1], row[2])].add(row[4])

    for (code, label, _number), accounts in by_entry.items():
        if "512" in accounts:
            assert (code, label) == ("BQ", "Banque")
        else:
            assert (code, label) == ("OD", "Opérations diverses")


def test_labels_never_break_a_line_or_a_column(ledger):
    rows = fec(2026)[1:]

    assert list({row[10] for row in rows if row[10].startswith("Frais")}) == [
        "Frais bancaires de juin"
    ]


def test_a_year_without_transactions_is_the_header_alone(ledger):
    assert fec(2020) == [HEADER.split("\t")]


def test_the_year_is_required():
    with pytest.raises(CommandError):
        call_command("export", "fec")


def test_the_file_name_follows_the_dgfip_convention():
    assert exports.fec_filename(2026, "123456789") == "123456789FEC20261231.txt"


def test_a_two_digit_pcg_account_is_padded(db):
    Account.objects.load_chart()
    assert exports.fec_account("74", {"74": "Subventions"}) == ("740", "Subventions", "", "")


def test_an_impossible_year_is_refused():
    with pytest.raises(CommandError, match="Année invalide"):
        call_command("export", "fec", "--year", "0")
