"""The public accounts: the reserve, the funds, the year's charts, transactions and downloads."""

import csv
import datetime
import io
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commun.ledger import closing, funds
from commun.ledger.models import Transaction

pytestmark = pytest.mark.django_db


def book(day, label, postings, key):
    return Transaction.objects.record(day, label, postings, idempotency_key=key)


@pytest.fixture
def books(coop, officer):
    book(datetime.date(2025, 3, 1), "Capital", [("512", 500_000), ("101", -500_000)], "c")
    book(
        datetime.date(2025, 4, 2),
        "Facture client",
        [("512", 12_000_000), ("706", -12_000_000)],
        "f1",
    )
    book(datetime.date(2025, 5, 3), "Hébergement", [("613", 300_000), ("512", -300_000)], "h1")
    closing.close_year(2025, decision_reference="AG du 1er juin 2026, résolution n°2", by=officer)
    book(
        datetime.date(2026, 2, 4),
        "=cmd|' /C calc'!A0 facture",
        [("512", 250_000), ("706", -250_000)],
        "f2",
    )
    book(datetime.date(2026, 3, 5), "Frais bancaires", [("627", 1_500), ("512", -1_500)], "b1")
    funds.commit(
        "M1", "Refonte du site", 1_000_000, idempotency_key="m1", on=datetime.date(2026, 4, 1)
    )


def test_the_public_page_shows_the_funds_and_the_missions(books):
    response = Client().get(reverse("ledger:public"))

    assert response.status_code == 200
    text = response.content.decode()
    assert "Refonte du site" in text
    assert "1068-ENG-M1" in text
    assert 'role="img"' in text and "aria-labelledby" in text
    assert "style=" not in text.split("<main", 1)[1]


def test_a_closed_year_still_shows_its_activity_by_category(books):
    response = Client().get(reverse("ledger:public"), {"year": 2025})

    charts = {chart.id: chart for chart in response.context["charts"]}
    assert charts["recettes"].rows == [["Prestations de services (706)", "120\u00a0000\u00a0€"]]
    assert charts["depenses"].rows == [["Locations (613)", "3\u00a0000\u00a0€"]]
    assert response.context["result_cents"] == 11_700_000


def test_the_transaction_list_pages_newest_first_with_links_both_ways(books):
    reversal = Transaction.objects.get(idempotency_key="b1").reverse(
        "Erreur de saisie", idempotency_key="rev", on=datetime.date(2026, 3, 6)
    )

    listed = Client().get(reverse("ledger:transactions"))
    detail = Client().get(reverse("ledger:transaction", args=[reversal.reverses.number]))

    numbers = [t.number for t in listed.context["page"]]
    assert numbers == sorted(numbers, reverse=True) and numbers[0] == reversal.number
    assert reverse("ledger:transaction", args=[reversal.number]) in detail.content.decode()


@pytest.mark.parametrize(
    "query, labels",
    [
        ({"account": "627"}, ["Frais bancaires"]),
        ({"month": "2026-02"}, ["=cmd|' /C calc'!A0 facture"]),
        ({"kind": "expense", "month": "2026-03"}, ["Frais bancaires"]),
    ],
)
def test_the_list_filters_by_account_month_and_nature(books, query, labels):
    response = Client().get(reverse("ledger:transactions"), query)

    assert [t.label for t in response.context["page"]] == labels


def test_a_bad_filter_is_reported_not_a_500(books):
    response = Client().get(reverse("ledger:transactions"), {"account": "999", "month": "mars"})

    assert response.status_code == 200
    assert set(response.context["filters"].errors) == {"account", "month"}


def test_the_csv_download_neutralises_formulas_and_balances(books):
    response = Client().get(reverse("ledger:transactions_csv"))

    rows = list(
        csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff")))
    )
    assert response["Content-Disposition"].startswith("attachment")
    assert any(row[2] == "'=cmd|' /C calc'!A0 facture" for row in rows[1:])
    debits = sum(float(r[5] or 0) for r in rows[1:])
    credits = sum(float(r[6] or 0) for r in rows[1:])
    assert round(debits, 2) == round(credits, 2)


def test_the_json_download_has_every_transaction_with_its_postings(books):
    response = Client().get(reverse("ledger:transactions_json"), {"year": 2026})

    entries = json.loads(b"".join(response.streaming_content))
    assert [e["number"] for e in entries] == list(
        Transaction.objects.filter(date__year=2026).values_list("number", flat=True)
    )
    assert all(sum(p["amount_cents"] for p in e["postings"]) == 0 for e in entries)


def test_the_accounts_page_shows_balances_from_the_monthly_totals(books):
    response = Client().get(reverse("ledger:accounts"))

    shown = {a.code: a.balance_cents for a in response.context["accounts"]}
    assert (
        shown["512"]
        == Transaction.objects.get(idempotency_key="c").postings.first().account.balance()
    )
    assert shown["627"] == 1_500


def grow(count, start=0):
    for n in range(start, start + count):
        Transaction.objects.record(
            datetime.date(2026, 1 + n % 10, 1 + n % 28),
            f"Vente {n}",
            [("512", 100 + n), ("706" if n % 2 else "708", -(100 + n))],
            idempotency_key=f"grow-{n}",
        )


@pytest.mark.parametrize(
    "name, query",
    [
        ("ledger:public", {}),
        ("ledger:public", {"year": "2025"}),
        ("ledger:transactions", {}),
        ("ledger:transactions", {"page": "3"}),
        ("ledger:transactions", {"account": "706"}),
        ("ledger:transactions", {"month": "2026-03", "kind": "income"}),
        ("ledger:accounts", {}),
        ("ledger:transaction", {}),
    ],
)
def test_pages_cost_the_same_number_of_queries_however_many_transactions(
    books, django_assert_max_num_queries, name, query
):
    url = reverse(name, args=[1]) if name == "ledger:transaction" else reverse(name)
    counted = []
    for size, start in ((10, 0), (300, 10)):
        grow(size, start=start)
        with CaptureQueriesContext(connection) as queries:
            response = Client().get(url, query)
        assert response.status_code == 200
        counted.append(len(queries))
    assert counted[0] == counted[1]
    with django_assert_max_num_queries(12):
        Client().get(url, query)


def test_the_public_accounts_open_on_the_current_year_whatever_is_dated_later(books):
    """Issue 11: one payment dated 2031 held the page on "2031" for good, even cancelled.

    Booking after today is refused now; a row already dated later (booked before that
    rule, here through the ledger's clock) no longer chooses the year shown."""
    later = datetime.date(2031, 6, 1)
    booked = Transaction.objects.record(
        later, "Paiement daté de 2031", [("613", 10_000), ("512", -10_000)],
        idempotency_key="2031", today=later,
    )  # fmt: skip
    booked.reverse("Annulé", idempotency_key="2031-cancelled", on=later, today=later)
    this_year = timezone.localdate().year

    response = Client().get(reverse("ledger:public"))

    assert response.context["year"] == this_year
    assert this_year in response.context["years"] and 2031 in response.context["years"]
    assert Client().get(reverse("ledger:public"), {"year": "2031"}).context["year"] == 2031
