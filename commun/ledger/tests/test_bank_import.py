"""Bank statement import: checked whole, every error with its line, then all lines or none."""

import datetime
import json

import pytest
from django.urls import reverse

from commun.ledger import closing, imports
from commun.ledger.models import JournalEntry, MonthlyTotal, Posting, Transaction
from commun.testing.api import bearer

pytestmark = pytest.mark.django_db

GOOD = """date;libellé;montant;compte
05/03/2026;Facture 2026-012 Client A;1 250,00;706
2026-03-06;Frais de tenue de compte;-12,50;627
07/03/2026;Subvention Région;5000;74
"""


def counts():
    return (
        Transaction.objects.count(),
        Posting.objects.count(),
        JournalEntry.objects.count(),
        sum(MonthlyTotal.objects.values_list("count", flat=True)),
    )


def test_it_books_every_line_against_the_bank(coop, officer):
    booked = imports.book(GOOD, by=officer)

    assert [t.label for t in booked] == [
        "Facture 2026-012 Client A",
        "Frais de tenue de compte",
        "Subvention Région",
    ]
    assert [sorted(t.postings.values_list("account__code", "amount_cents")) for t in booked] == [
        [("512", 125_000), ("706", -125_000)],
        [("512", -1_250), ("627", 1_250)],
        [("512", 500_000), ("74", -500_000)],
    ]


def test_it_accepts_commas_and_english_headers(coop):
    text = (
        "Date,Label,Amount,Account\n"
        '2026-03-05,Invoice,"1250,00",706\n'
        "2026-03-06,Fee,-3.5,627\n"
        '2026-03-07,Card,"\u221212,50 €",627\n'
    )

    assert [line.cents for line in imports.parse(text)] == [125_000, -350, -1250]


def test_a_malformed_statement_lists_every_error_and_books_nothing(coop, officer):
    text = """date;libellé;montant;compte
31/02/2026;Date impossible;10;706
05/03/2026;;10;706
05/03/2026;Montant illisible;douze;706
05/03/2026;Compte inconnu;10;999
05/03/2026;Zéro;0,00;706
06/03/2026;Bonne ligne;10;706
06/03/2026;Bonne ligne;10;706
07/03/2026;Colonnes manquantes
"""
    before = counts()

    with pytest.raises(imports.ImportRefused) as refused:
        imports.book(text, by=officer)

    assert [(e.line, e.message) for e in refused.value.line_errors] == [
        (2, "date invalide « 31/02/2026 » (JJ/MM/AAAA ou AAAA-MM-JJ)."),
        (3, "le libellé est vide."),
        (
            4,
            "montant invalide « douze » : saisissez un montant en euros, par exemple 1250 ou "
            "1 250,50.",
        ),
        (5, "compte inconnu « 999 »."),
        (6, "montant invalide « 0,00 » : le montant est nul."),
        (8, "ligne en double (identique à la ligne 7)."),
        (9, "il manque des colonnes."),
    ]
    assert counts() == before


def test_importing_the_same_statement_twice_books_it_once(coop, officer):
    imports.book(GOOD, by=officer)
    before = counts()

    with pytest.raises(imports.ImportRefused) as refused:
        imports.book(GOOD, by=officer)

    assert [e.line for e in refused.value.line_errors] == [2, 3, 4]
    assert "déjà importée" in refused.value.line_errors[0].message
    assert counts() == before


def test_a_line_in_a_closed_year_is_refused(coop, officer):
    closing.close_year(2025, by=officer)

    with pytest.raises(imports.ImportRefused) as refused:
        imports.parse("date;libellé;montant;compte\n31/12/2025;Tard;10;706\n")

    assert refused.value.line_errors[0].message == (
        "l'exercice 2025 est clos : aucune écriture ne peut plus y être datée. Datez-la dans "
        "l'exercice ouvert."
    )


def test_a_header_without_the_columns_is_refused(coop):
    with pytest.raises(imports.ImportRefused, match="l'en-tête doit nommer"):
        imports.parse("a;b;c\n1;2;3\n")


def test_the_officer_previews_then_confirms(people):
    officer = people["officer"]
    before = counts()

    preview = officer.post(reverse("ledger:import"), {"text": GOOD, "preview": "1"})

    assert preview.status_code == 200
    assert len(preview.context["lines"]) == 3
    assert counts() == before
    confirmed = officer.post(
        reverse("ledger:import"), {"text": preview.context["csv"], "confirm": "1"}
    )
    assert confirmed.status_code == 302
    assert counts()[0] == before[0] + 3


def test_the_page_lists_the_errors_with_their_lines(people):
    bad = "date;libellé;montant;compte\n05/03/2026;A;x;706\n05/03/2026;B;10;999\n"

    response = people["officer"].post(reverse("ledger:import"), {"text": bad, "preview": "1"})

    text = response.content.decode()
    assert response.status_code == 422
    assert "Ligne 2 : montant invalide" in text and "Ligne 3 : compte inconnu" in text


def test_the_api_dry_run_checks_without_booking_then_books(alice):
    officer = bearer(alice.user)
    before = counts()

    dry = officer.post("/api/v1/ledger/imports?dry_run=true", data=GOOD, content_type="text/csv")

    assert dry.status_code == 200 and dry.json()["count"] == 3
    assert counts() == before
    booked = officer.post(
        "/api/v1/ledger/imports", data=json.dumps({"csv": GOOD}), content_type="application/json"
    )
    assert booked.status_code == 201 and len(booked.json()["transactions"]) == 3


def test_the_api_names_each_bad_line(alice):
    bad = "date;libellé;montant;compte\n05/03/2026;A;x;706\n05/03/2026;B;10;999\n"
    before = counts()

    response = bearer(alice.user).post("/api/v1/ledger/imports", data=bad, content_type="text/csv")

    assert response.status_code == 422
    assert [(e["loc"], e["type"]) for e in response.json()["detail"]] == [
        (["body", "csv", 2], "bank_line"),
        (["body", "csv", 3], "bank_line"),
    ]
    assert counts() == before


def test_a_big_statement_is_numbered_without_gaps(coop, officer):
    start = datetime.date(2026, 1, 1)
    lines = "".join(
        f"{start + datetime.timedelta(days=n % 300):%d/%m/%Y};Ligne {n};{n + 1},00;706\n"
        for n in range(300)
    )
    booked = imports.book("date;libellé;montant;compte\n" + lines, by=officer)

    assert len(booked) == 300
    assert [t.number for t in booked] == list(range(booked[0].number, booked[0].number + 300))


def test_a_member_is_refused_before_the_statement_is_read(bob):
    response = bearer(bob.user).post(
        "/api/v1/ledger/imports", data=b"\xff\xfe", content_type="text/csv"
    )
    assert response.status_code == 403
