"""The public pages and the officers' forms, through Django's test client."""

import datetime
import json

import pytest

from commun.conftest import client_for
from commun.ledger import funds
from commun.ledger.models import Transaction
from commun.testing.upstream import closed_split, fill_fund, projects, shrink_fund
from commun.upstream.models import CommonsSplit, Gift, UpstreamProject

DAY = datetime.date(2026, 3, 2)


@pytest.fixture
def given(alice, bob):
    """Three projects, a fund of 1,000 €, a closed split of 600 € with one gift paid."""
    projects()
    fill_fund(100_000)
    split = closed_split(
        alice, [(alice, {"Django": 60, "PostgreSQL": 40}), (bob, {"Django": 100})], 60_000
    )
    split.gifts.get(project__name="Django").pay(alice, DAY, "paid-django")
    return split


def test_the_index_shows_the_projects_what_they_received_and_the_fund(client, given):
    response = client.get("/communs-amont/")

    text = response.content.decode()
    assert response.status_code == 200
    assert "Django" in text and "htmx" in text
    assert "480\u00a0€" in text  # Django's share, paid
    assert "520\u00a0€" in text  # what the fund still holds
    assert f"/communs-amont/repartitions/{given.pk}/" in text
    assert "Ouvrir une répartition" not in text  # visitors see no officer action


def test_the_gifts_page_shows_what_was_given_per_year_with_the_books_number(client, given):
    gift = Gift.objects.get(status="paid")

    text = client.get("/communs-amont/dons/").content.decode()

    assert "Django" in text
    assert f"écriture n°{gift.transaction.number}" in text
    assert "2026" in text
    assert "Les dons prévus" in text  # PostgreSQL's share waits for its payment


def test_the_split_page_links_to_its_decision(client, given):
    text = client.get(f"/communs-amont/repartitions/{given.pk}/").content.decode()

    assert f"/decisions/{given.decision.pk}/" in text
    assert "Versé" in text and "Prévu" in text


def test_the_exports_list_the_paid_gifts(client, given):
    gift = Gift.objects.get(status="paid")

    csv_text = b"".join(client.get("/communs-amont/dons.csv").streaming_content).decode("utf-8-sig")
    data = json.loads(b"".join(client.get("/communs-amont/dons.json").streaming_content))

    assert csv_text.splitlines()[1].split(",") == [
        str(gift.pk),
        "2026-03-02",
        "Django",
        "https://www.djangoproject.com/",
        "480.00",
        str(given.pk),
        "",
        str(gift.transaction.number),
    ]
    assert data == [
        {
            "id": gift.pk,
            "paid_on": "2026-03-02",
            "project": "Django",
            "project_url": "https://www.djangoproject.com/",
            "amount_cents": 48_000,
            "split": given.pk,
            "reference": "",
            "transaction": gift.transaction.number,
        }
    ]


def test_the_json_export_of_nothing_is_an_empty_list(client, coop):
    assert json.loads(b"".join(client.get("/communs-amont/dons.json").streaming_content)) == []


def test_an_officer_adds_edits_and_deactivates_a_project(alice):
    client = client_for(alice.user)

    response = client.post(
        "/communs-amont/projets/nouveau/",
        {
            "name": "WeasyPrint",
            "url": "https://weasyprint.org/",
            "used_for": "Les PDF.",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    project = UpstreamProject.objects.get()
    response = client.post(
        f"/communs-amont/projets/{project.pk}/modifier/",
        {"name": "WeasyPrint", "url": "https://weasyprint.org/", "used_for": "Nos certificats."},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.used_for, project.is_active) == ("Nos certificats.", False)


def test_a_project_form_with_a_taken_name_or_no_address_says_so(alice):
    projects(1)
    client = client_for(alice.user)

    response = client.post(
        "/communs-amont/projets/nouveau/", {"name": "django", "url": "", "used_for": "x"}
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert text.count("Un projet porte déjà ce nom.") == 1
    assert "Ce champ est obligatoire." in text
    assert UpstreamProject.objects.count() == 1


def test_an_officer_opens_a_split_from_the_page(alice, bob):
    projects()
    fill_fund(50_000)
    client = client_for(alice.user)

    response = client.post("/communs-amont/repartitions/nouvelle/", {"amount": "300", "days": "7"})

    split = CommonsSplit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/communs-amont/repartitions/{split.pk}/"
    assert split.amount_cents == 30_000


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("600", "dépasse ce que contient le fonds"),
        ("-3", "ne peut pas être négatif"),
        ("0", "supérieur à zéro"),
        ("douze", "Saisissez un montant en euros"),
        ("12,345", "au plus deux décimales"),
    ],
)
def test_a_split_form_with_a_bad_amount_says_why_and_opens_nothing(alice, amount, message):
    projects()
    fill_fund(50_000)

    response = client_for(alice.user).post(
        "/communs-amont/repartitions/nouvelle/", {"amount": amount, "days": "14"}
    )

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not CommonsSplit.objects.exists()


def test_an_officer_plans_and_pays_a_direct_gift_from_the_pages(alice):
    django, *_ = projects()
    fill_fund(50_000)
    client = client_for(alice.user)

    client.post(
        "/communs-amont/dons/nouveau/",
        {"project": django.pk, "amount": "120,50", "reference": "AG du 12 mars"},
    )
    gift = Gift.objects.get()
    form = client.get(f"/communs-amont/dons/{gift.pk}/verser/").content.decode()
    assert 'name="idempotency_key"' in form
    data = {"paid_on": "2026-03-02", "idempotency_key": "web-1"}
    first = client.post(f"/communs-amont/dons/{gift.pk}/verser/", data)
    again = client.post(f"/communs-amont/dons/{gift.pk}/verser/", data)  # a double click

    assert (first.status_code, again.status_code) == (302, 302)
    gift.refresh_from_db()
    assert gift.status == "paid"
    assert funds.commons_fund_cents() == 50_000 - 12_050


def test_a_payment_over_the_fund_is_refused_on_the_page(alice):
    django, *_ = projects()
    fill_fund(5_000)
    gift = Gift.objects.plan(alice, project=django, amount_cents=5_000, reference="AG")
    shrink_fund(4_000)  # promised when it fitted; the books were corrected since
    before = Transaction.objects.count()

    response = client_for(alice.user).post(
        f"/communs-amont/dons/{gift.pk}/verser/", {"paid_on": "2026-03-02", "idempotency_key": "k"}
    )

    assert response.status_code == 422
    assert "dépasse ce que contient le fonds" in response.content.decode()
    assert Transaction.objects.count() == before


def test_cancelling_a_paid_gift_from_the_page_restores_the_fund(alice):
    django, *_ = projects()
    fill_fund(10_000)
    gift = Gift.objects.plan(alice, project=django, amount_cents=5_000, reference="AG")
    gift.pay(alice, DAY, "to-cancel")

    response = client_for(alice.user).post(f"/communs-amont/dons/{gift.pk}/annuler/")

    assert response.status_code == 302
    assert funds.commons_fund_cents() == 10_000
    assert Gift.objects.get().status == "cancelled"
