"""`commun export beancount`: a file the real `bean-check` accepts, with the ledger's balances."""

import datetime
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from commun.ledger import exports
from commun.ledger.models import Account, Transaction
from commun.testing.ledger import random_ledger

pytestmark = pytest.mark.django_db

BEAN_CHECK = Path(sys.executable).parent / "bean-check"


def export_beancount(tmp_path, *extra) -> Path:
    path = tmp_path / "books.beancount"
    call_command("export", "beancount", "--output", str(path), *extra)
    return path


def bean_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BEAN_CHECK), str(path)], capture_output=True, text=True)


def beancount_balances(path: Path) -> dict[str, int]:
    from beancount import loader
    from beancount.core import realization

    entries, errors, _options = loader.load_file(str(path))
    assert not errors, errors
    root = realization.realize(entries)
    balances = {}
    for real in realization.iter_children(root):
        if real.account.count(":") >= 1:
            units = real.balance.get_currency_units("EUR").number
            balances[real.account] = int(units * 100)
    return balances


def assert_same_balances(path: Path):
    balances = beancount_balances(path)
    used = Account.objects.filter(postings__isnull=False).distinct()
    assert used.exists()
    for account in used:
        name = exports.beancount_account(account.code, account.name, account.kind)
        assert balances[name] == account.balance(), account.code


def test_bean_check_accepts_a_generated_ledger_with_the_same_balances(tmp_path):
    random_ledger(120)
    path = export_beancount(tmp_path)

    checked = bean_check(path)

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert_same_balances(path)
    assert path.read_text().count(" * ") == Transaction.objects.count()


def test_bean_check_accepts_the_demo_cooperative_with_the_same_balances(tmp_path):
    call_command("demo", stdout=io.StringIO(), stderr=io.StringIO())
    assert Transaction.objects.exists()
    path = export_beancount(tmp_path)

    checked = bean_check(path)

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert_same_balances(path)


def test_bean_check_refuses_a_broken_export(tmp_path):
    """The check can fail: an unbalanced transaction is refused by the same tool."""
    random_ledger(5)
    path = export_beancount(tmp_path)
    text = path.read_text()
    last_amount = text.rstrip().rsplit(" ", 2)[-2]
    path.write_text(text.rstrip()[: -len(last_amount) - 4] + " 0.01 EUR\n")

    assert bean_check(path).returncode != 0


def test_account_names_are_valid_beancount_names():
    assert exports.beancount_account("512", "Banque", "asset") == "Assets:C512-Banque"
    assert (
        exports.beancount_account("1068-ENG-M12", "Mission n°12 : « Œuvre » d'été", "equity")
        == "Equity:C1068-ENG-M12-Mission-n12-OEuvre-d-ete"
    )
    assert exports.beancount_account("641", "—", "expense") == "Expenses:C641"


def test_transactions_carry_their_number_and_what_they_reverse(tmp_path):
    sale = Transaction.objects.record(
        datetime.date(2026, 2, 3), 'Vente "A"', [("512", 1050), ("706", -1050)], idempotency_key="a"
    )
    sale.reverse("Annulation", idempotency_key="b", on=datetime.date(2026, 2, 4))

    text = export_beancount(tmp_path).read_text()

    assert '2026-02-03 * "Vente \\"A\\""\n  number: 1\n' in text
    assert (
        "  Assets:C512-Banque  10.50 EUR\n  Income:C706-Prestations-de-services  -10.50 EUR" in text
    )
    assert '2026-02-04 * "Annulation"\n  number: 2\n  reverses: 1\n' in text
    assert "2026-02-03 open Assets:C512-Banque EUR" in text


def test_a_year_exports_only_that_year(tmp_path):
    Transaction.objects.record(
        datetime.date(2025, 12, 31), "Avant", [("512", 100), ("706", -100)], idempotency_key="a"
    )
    Transaction.objects.record(
        datetime.date(2026, 1, 1), "Pendant", [("512", 200), ("706", -200)], idempotency_key="b"
    )

    text = export_beancount(tmp_path, "--year", "2026").read_text()

    assert "Pendant" in text and "Avant" not in text
    assert bean_check(tmp_path / "books.beancount").returncode == 0


def test_it_writes_to_standard_output_without_a_file():
    random_ledger(3)
    out = io.StringIO()

    call_command("export", "beancount", stdout=out)

    assert 'option "operating_currency" "EUR"' in out.getvalue()
    assert out.getvalue().count(" * ") == Transaction.objects.count()


def test_an_empty_ledger_is_still_a_valid_file(tmp_path):
    assert bean_check(export_beancount(tmp_path)).returncode == 0
