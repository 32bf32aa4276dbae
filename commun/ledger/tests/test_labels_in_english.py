"""What the software writes in the books is kept in French and read in the reader's language."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from commun.ledger import chart, closing
from commun.ledger.labels import readable, system_label
from commun.ledger.models import Account, Transaction


def english_client() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def test_a_system_label_is_stored_in_french_whoever_reads_english():
    with translation.override("en"):
        label = system_label("year_closing", year=2025)
    assert label == "Clôture de l'exercice 2025 : soldes des charges et produits"


def test_a_system_label_reads_in_english_and_a_typed_one_as_typed():
    label = system_label("direct_gift", project="Django", reference="VIR-12")
    with translation.override("en"):
        assert readable(label) == "Gift to the upstream project Django (direct gift: VIR-12)"
        assert readable("Vente au marché") == "Vente au marché"
    assert readable(label) == label


def test_a_payment_kind_inside_a_label_is_translated_too():
    label = system_label("mission_payment", kind="Paie", ref="M-3")
    with translation.override("en"):
        assert readable(label) == "Payroll — mission M-3"


@pytest.mark.django_db
def test_the_transactions_page_in_english_shows_english_labels_and_account_names(alice):
    booked = Transaction.objects.record(
        datetime.date(2026, 3, 2),
        system_label("gift_from_split", project="Django", split=4),
        [("6238", 1000), ("512", -1000)],
        idempotency_key="gift",
    )
    client = english_client()
    listing = client.get(reverse("ledger:transactions")).content.decode()
    assert "Gift to the upstream project Django (split no. 4)" in listing
    assert "Don au projet amont" not in listing
    detail = client.get(reverse("ledger:transaction", args=[booked.number])).content.decode()
    assert "Gift to the upstream project Django (split no. 4)" in detail
    assert "<td>Bank</td>" in detail
    french = Client().get(reverse("ledger:transaction", args=[booked.number])).content.decode()
    assert "Don au projet amont Django (répartition n°4)" in french
    assert "<td>Banque</td>" in french


@pytest.mark.django_db
def test_a_renamed_standard_account_keeps_its_new_name():
    Account.objects.load_chart()
    assert chart.readable_name("512", "Banque") == "Banque"
    with translation.override("en"):
        assert chart.readable_name("512", "Banque") == "Bank"
        assert chart.readable_name("512", "Compte courant Crédit Coop") == (
            "Compte courant Crédit Coop"
        )


@pytest.mark.django_db
def test_a_year_closed_in_english_books_french_labels_and_the_journal_verifies(alice):
    Transaction.objects.record(
        datetime.date(2025, 3, 2),
        "Vente",
        [("512", 5000), ("706", -5000)],
        idempotency_key="sale",
    )
    with translation.override("en"):
        closing.close_year(
            2025, {chart.RESERVE_AVAILABLE: 5000}, today=datetime.date(2026, 1, 5), by=alice.user
        )
    labels = list(Transaction.objects.filter(date__year=2025).values_list("label", flat=True))
    assert "Clôture de l'exercice 2025 : soldes des charges et produits" in labels
    assert "Affectation du résultat 2025" in labels
    out = io.StringIO()
    call_command("verify", books=True, stdout=out)
    assert "Comptes conformes au journal" in out.getvalue()
