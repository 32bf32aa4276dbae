"""Every treasury page × every role: the accounts are public, bookings are officers' work."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commun.ledger.models import Posting, Receipt, Transaction

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "applicant", "account", "member", "officer"]
PUBLIC = (200, 200, 200, 200, 200)
OFFICERS = (302, 403, 403, 403, 200)
HIDDEN = (404, 404, 404, 404, 200)

PAGES = {
    "ledger:public": PUBLIC,
    "ledger:transactions": PUBLIC,
    "ledger:transaction": PUBLIC,
    "ledger:transactions_csv": PUBLIC,
    "ledger:transactions_json": PUBLIC,
    "ledger:accounts": PUBLIC,
    "ledger:income": OFFICERS,
    "ledger:expense": OFFICERS,
    "ledger:import": OFFICERS,
    "ledger:years": OFFICERS,
    "ledger:receipt": HIDDEN,
}
POSTS = {
    "ledger:income": {
        "date": "2026-03-01",
        "label": "Vente",
        "nature": "706",
        "amount": "10",
        "via": "512",
        "idempotency_key": "p",
    },
    "ledger:expense": {
        "date": "2026-03-01",
        "label": "Achat",
        "nature": "606",
        "amount": "10",
        "via": "512",
        "idempotency_key": "p",
    },
    "ledger:import": {
        "text": "date;libellé;montant;compte\n01/03/2026;Vente;10;706\n",
        "confirm": "1",
    },
    "ledger:years": {"decision_reference": "AG"},
}


@pytest.fixture
def receipt(alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    booked = Transaction.objects.record(
        datetime.date(2026, 2, 1), "Achat", [("606", 100), ("512", -100)], idempotency_key="r"
    )
    return booked.attach_receipt(SimpleUploadedFile("r.pdf", b"%PDF-1.4 test"))


def url(name, receipt):
    if name == "ledger:transaction":
        return reverse(name, args=[receipt.transaction.number])
    if name == "ledger:receipt":
        return reverse(name, args=[receipt.pk])
    return reverse(name)


def test_the_matrix_covers_every_treasury_url():
    from commun.ledger.urls import urlpatterns

    assert {f"ledger:{p.name}" for p in urlpatterns} == set(PAGES)


@pytest.mark.parametrize("name", PAGES)
def test_who_may_read_each_page(people, receipt, name):
    statuses = {role: people[role].get(url(name, receipt)).status_code for role in ROLES}

    assert statuses == dict(zip(ROLES, PAGES[name], strict=True))


@pytest.mark.parametrize("name", POSTS)
def test_only_officers_may_book(people, receipt, name):
    statuses = {}
    for role in ROLES:
        before = (Transaction.objects.count(), Posting.objects.count(), Receipt.objects.count())
        response = people[role].post(url(name, receipt), POSTS[name])
        statuses[role] = response.status_code
        if role != "officer":
            assert (
                Transaction.objects.count(),
                Posting.objects.count(),
                Receipt.objects.count(),
            ) == before
    assert statuses == {
        "visitor": 302,
        "applicant": 403,
        "account": 403,
        "member": 403,
        "officer": statuses["officer"],
    }
    assert statuses["officer"] in (200, 302)
