"""Documents sent with the convocation: any file, the management report, a closed year's
accounts printed from the ledger; read by the officers and the members convened only."""

import datetime
import io
import os
import zipfile

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from commun.assemblies import documents
from commun.assemblies.documents import Document
from commun.conftest import category, client_for, make_member
from commun.ledger import closing
from commun.ledger.models import Transaction
from commun.testing.assemblies import convened, draft
from commun.testing.pdf import holds

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(content=PDF, name="rapport.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def opendocument(declared=b"application/vnd.oasis.opendocument.text") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), declared, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def closed_2025(officer):
    def book(day, label, postings, key):
        Transaction.objects.record(day, label, postings, idempotency_key=key)

    book(datetime.date(2025, 3, 1), "Capital", [("512", 500_000), ("101", -500_000)], "c")
    book(datetime.date(2025, 4, 2), "Facture", [("512", 1_200_000), ("706", -1_200_000)], "f")
    book(datetime.date(2025, 5, 3), "Hébergement", [("613", 300_000), ("512", -300_000)], "h")
    return closing.close_year(2025, by=officer)


def test_an_officer_attaches_the_report_on_the_page_and_members_read_it(
    alice, bob, django_capture_on_commit_callbacks
):
    assembly = draft(alice.user)
    response = client_for(alice.user).post(
        f"/assemblees/{assembly.pk}/documents/",
        {"kind": "report", "title": "Rapport de gestion 2025", "file": upload()},
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.kind, document.content_type, document.size) == (
        "report",
        "application/pdf",
        len(PDF),
    )
    # The name on disk is ours, never the one uploaded.
    assert "rapport" not in document.file.name and document.file.name.endswith(".pdf")
    with django_capture_on_commit_callbacks(execute=True):
        assembly.convene(alice.user)
    email = next(m for m in mail.outbox if m.to == ["bob@example.org"])
    assert "- Rapport de gestion 2025" in email.body
    url = f"/assemblees/{assembly.pk}/documents/{document.pk}/"
    response = client_for(bob.user).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert 'filename="Rapport de gestion 2025.pdf"' in response["Content-Disposition"]
    for page in ("", "convocation/"):
        html = client_for(bob.user).get(f"/assemblees/{assembly.pk}/{page}").content.decode()
        assert url in html and "Rapport de gestion 2025" in html


def test_an_opendocument_is_accepted_and_anything_else_refused_nothing_written(alice):
    assembly = draft(alice.user)
    odt = Document.attach(assembly, alice.user, upload(opendocument(), "r.odt"), "Annexe")
    assert odt.content_type == "application/vnd.oasis.opendocument.text"
    assert odt.download_name == "Annexe.odt"
    client = client_for(alice.user)
    for content in (
        b"<script>alert(1)</script>",
        b"MZ\x90\x00 an executable",
        opendocument(b"application/x-anything"),
        b"PK\x03\x04" + b"\x00" * 26 + b"mimetype broken zip",
    ):
        response = client.post(
            f"/assemblees/{assembly.pk}/documents/",
            {"kind": "file", "title": "Piège", "file": upload(content, "piege.pdf")},
        )
        assert response.status_code == 422
        assert "Un document est un PDF, une image PNG ou JPEG" in response.content.decode()
    assert Document.objects.count() == 1


def test_a_file_over_the_limit_is_refused(alice, monkeypatch):
    monkeypatch.setattr(documents, "MAX_BYTES", 10)
    assembly = draft(alice.user)
    with pytest.raises(ValidationError) as refused:
        Document.attach(assembly, alice.user, upload(), "Trop lourd")
    assert refused.value.message_dict == {"file": ["Un document pèse 20 Mo au plus."]}
    assert not Document.objects.exists()


def test_a_title_is_required_and_the_uploaded_name_never_becomes_a_path(alice, settings):
    assembly = draft(alice.user)
    with pytest.raises(ValidationError):
        Document.attach(assembly, alice.user, upload(), "   ")
    document = Document.attach(assembly, alice.user, upload(name="../../etc/passwd.pdf"), "Ok")
    assert document.file.name.startswith("assemblies/") and ".." not in document.file.name
    assert document.file.path.startswith(str(settings.MEDIA_ROOT))


def test_the_closed_year_s_accounts_are_printed_from_the_ledger(alice, bob):
    closed = closed_2025(alice.user)
    assembly = draft(alice.user)
    response = client_for(alice.user).post(
        f"/assemblees/{assembly.pk}/documents/comptes/", {"year": "2025"}
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.kind, document.fiscal_year, document.title) == (
        "accounts",
        closed,
        "Comptes de l'exercice 2025",
    )
    content = document.file.read()
    assert content.startswith(b"%PDF")
    assert holds(content, "Comptes de l'exercice 2025")
    assert holds(content, "Produits") and holds(content, "Charges")


def test_a_year_not_closed_is_refused_nothing_written(alice):
    closed_2025(alice.user)
    assembly = draft(alice.user)
    response = client_for(alice.user).post(
        f"/assemblees/{assembly.pk}/documents/comptes/", {"year": "2024"}
    )
    assert response.status_code == 422
    with pytest.raises(ValidationError) as refused:
        Document.attach_accounts(assembly, alice.user, 2024)
    assert refused.value.message_dict == {"year": ["Cet exercice n'est pas clos."]}
    assert not Document.objects.exists()


def test_only_officers_attach_and_only_until_the_opening(alice, bob):
    assembly = convened(alice.user)
    with pytest.raises(PermissionDenied):
        Document.attach(assembly, bob.user, upload(), "Par Bob")
    response = client_for(bob.user).post(
        f"/assemblees/{assembly.pk}/documents/", {"kind": "file", "title": "x", "file": upload()}
    )
    assert response.status_code == 403
    Document.attach(assembly, alice.user, upload(), "Avant l'ouverture")
    assembly.open(alice.user, alice, bob, now=assembly.starts_at)
    with pytest.raises(PermissionDenied):
        Document.attach(assembly, alice.user, upload(), "Trop tard")
    assert Document.objects.count() == 1


def test_who_reads_a_document(alice, bob, carol, dan):
    assembly = draft(alice.user)
    document = Document.attach(assembly, alice.user, upload(), "Rapport")
    url = f"/assemblees/{assembly.pk}/documents/{document.pk}/"
    # A draft's documents are the officers'.
    assert client_for(alice.user).get(url).status_code == 200
    assert client_for(bob.user).get(url).status_code == 404
    assembly.convene(alice.user)
    assert client_for(bob.user).get(url).status_code == 200
    for outsider in (carol.user, dan):
        assert client_for(outsider).get(url).status_code in (403, 404)
    assert client_for(None).get(url).status_code == 302
    # A document is only reached through its own assembly.
    other = draft(alice.user, title="Une autre")
    assert (
        client_for(alice.user).get(f"/assemblees/{other.pk}/documents/{document.pk}/").status_code
        == 404
    )


def test_a_member_active_but_not_convened_does_not_read_the_documents(alice, bob):
    assembly = convened(alice.user)
    document = Document.attach(assembly, alice.user, upload(), "Rapport")
    late = make_member("lea@example.org", "Léa", "Tardive", category("Partenaires"))
    url = f"/assemblees/{assembly.pk}/documents/{document.pk}/"
    assert client_for(late.user).get(url).status_code == 404


def test_an_officer_removes_a_document_before_the_opening(
    alice, bob, django_capture_on_commit_callbacks
):
    assembly = convened(alice.user)
    document = Document.attach(assembly, alice.user, upload(), "Rapport")
    path = document.file.path
    response = client_for(bob.user).post(
        f"/assemblees/{assembly.pk}/documents/{document.pk}/retirer/"
    )
    assert response.status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice.user).post(
            f"/assemblees/{assembly.pk}/documents/{document.pk}/retirer/"
        )
    assert response.status_code == 302
    assert not Document.objects.exists()
    assert not os.path.exists(path)
