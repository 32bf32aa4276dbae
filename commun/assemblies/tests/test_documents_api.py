"""API v1 for the convocation's documents, its PDF, and members' item requests: the same
model methods and permissions as the pages."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from commun.assemblies.documents import Document
from commun.assemblies.requests import ItemRequest
from commun.ledger import closing
from commun.ledger.models import Transaction
from commun.testing.api import API, bearer, call
from commun.testing.assemblies import convened, draft
from commun.testing.pdf import holds

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_officer_uploads_lists_and_a_member_downloads(alice, bob):
    assembly = draft(alice.user)
    response = bearer(alice.user).post(
        f"{API}/assemblies/{assembly.pk}/documents",
        {"file": SimpleUploadedFile("r.pdf", PDF), "title": "Rapport", "kind": "report"},
    )
    assert response.status_code == 201
    document = Document.objects.get()
    url = f"/api/v1/assemblies/{assembly.pk}/documents/{document.pk}"
    assert response.json() == {
        "id": document.pk,
        "kind": "report",
        "title": "Rapport",
        "content_type": "application/pdf",
        "size": len(PDF),
        "fiscal_year": None,
        "url": url,
    }
    assembly.convene(alice.user)
    listed = call(bearer(bob.user), "GET", f"/assemblies/{assembly.pk}/documents").json()
    assert [d["url"] for d in listed] == [url]
    response = bearer(bob.user).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    response = call(
        bearer(alice.user), "DELETE", f"/assemblies/{assembly.pk}/documents/{document.pk}"
    )
    assert response.status_code == 204 and not Document.objects.exists()


def test_a_file_of_another_type_answers_422_on_its_field(alice):
    assembly = draft(alice.user)
    response = bearer(alice.user).post(
        f"{API}/assemblies/{assembly.pk}/documents",
        {"file": SimpleUploadedFile("r.pdf", b"#!/bin/sh\n"), "title": "Piège"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]
    assert not Document.objects.exists()


def test_the_accounts_of_a_closed_year_through_the_api(alice):
    Transaction.objects.record(
        datetime.date(2025, 4, 2),
        "Facture",
        [("512", 100_000), ("706", -100_000)],
        idempotency_key="f",
    )
    closing.close_year(2025, by=alice.user)
    assembly = draft(alice.user)
    response = call(
        bearer(alice.user), "POST", f"/assemblies/{assembly.pk}/documents/accounts", {"year": 2025}
    )
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["fiscal_year"]) == ("accounts", 2025)
    response = call(
        bearer(alice.user), "POST", f"/assemblies/{assembly.pk}/documents/accounts", {"year": 2024}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "year"]


def test_the_convocation_pdf_through_the_api(alice, bob):
    assembly = convened(alice.user)
    response = bearer(bob.user).get(f"{API}/assemblies/{assembly.pk}/convocation.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert holds(response.content, "Résolution — Approbation des comptes")


def test_a_member_asks_and_an_officer_refuses_through_the_api(
    alice, bob, django_capture_on_commit_callbacks
):
    assembly = convened(alice.user, days_ahead=30)
    response = call(
        bearer(bob.user),
        "POST",
        f"/assemblies/{assembly.pk}/item-requests",
        {"kind": "resolution", "title": "Un local", "text": "L'assemblée loue…"},
    )
    assert response.status_code == 201
    asked = ItemRequest.objects.get()
    assert response.json() == {
        "id": asked.pk,
        "member_number": bob.number,
        "kind": "resolution",
        "title": "Un local",
        "text": "L'assemblée loue…",
        "status": "pending",
        "reason": "",
        "item_position": None,
    }
    path = f"/assemblies/{assembly.pk}/item-requests/{asked.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = call(bearer(alice.user), "POST", path + "/refuse", {"reason": "Pas maintenant."})
    assert response.status_code == 200 and response.json()["status"] == "refused"
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]
    response = call(bearer(alice.user), "POST", path + "/accept")
    assert response.status_code == 422
    assert assembly.items.count() == 1


def test_an_accepted_request_is_an_item_not_put_by_the_officers(alice, bob):
    assembly = convened(alice.user, days_ahead=30)
    asked = ItemRequest.ask(assembly, bob.user, "information", "Le pique-nique")
    path = f"/assemblies/{assembly.pk}/item-requests/{asked.pk}/accept"
    response = call(bearer(alice.user), "POST", path)
    assert response.json()["item_position"] == 2
    items = call(bearer(bob.user), "GET", f"/assemblies/{assembly.pk}").json()["items"]
    assert [i["put_by_officers"] for i in items] == [True, False]
