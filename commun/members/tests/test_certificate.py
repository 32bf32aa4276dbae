"""Share certificates: the holder and the officers only; a PDF made without the network."""

import socket

import pytest
from django.conf import settings

from commun.conftest import client_for
from commun.members import pdf


def certificate_url(member) -> str:
    return f"/associes/{member.number}/certificat/"


def pdf_url(member) -> str:
    return f"/associes/{member.number}/certificat.pdf"


def test_a_member_reads_their_certificate(bob):
    response = client_for(bob.user).get(certificate_url(bob))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Certificat de parts sociales" in html
    assert "Les Communs du Test" in html and "SCIC" in html
    assert "Bob Durand" in html and f"associé·e n°{bob.number}" in html
    assert "Partenaires et usager·es" in html
    assert "Libération" in html and "Souscription" in html
    assert "50\u00a0€" in html
    assert "15 jan. 2026" in html


def test_the_certificate_names_the_holder_even_when_hidden(bob):
    assert bob.public_visibility == "hidden"
    assert "Bob Durand" in client_for(bob.user).get(certificate_url(bob)).content.decode()


def test_a_member_cannot_read_another_members_certificate(alice, bob):
    assert client_for(bob.user).get(certificate_url(alice)).status_code == 403
    assert client_for(bob.user).get(pdf_url(alice)).status_code == 403


def test_an_officer_reads_anyones_certificate(alice, bob):
    client = client_for(alice.user)
    assert "Bob Durand" in client.get(certificate_url(bob)).content.decode()
    assert client.get("/associes/999/certificat/").status_code == 404


def test_applicants_and_accounts_have_no_certificate(alice, carol, dan):
    assert client_for(carol.user).get(certificate_url(alice)).status_code == 403
    assert client_for(dan).get(certificate_url(alice)).status_code == 403


def test_a_visitor_is_sent_to_log_in(bob, client):
    response = client.get(certificate_url(bob))
    assert response.status_code == 302 and "/compte/login/" in response.url


def test_the_certificate_is_also_a_pdf(bob):
    response = client_for(bob.user).get(pdf_url(bob))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_script_tags_in_names_are_escaped_on_the_certificate(bob):
    type(bob).objects.filter(pk=bob.pk).update(first_name="<script>alert(1)</script>")
    html = client_for(bob.user).get(certificate_url(bob)).content.decode()
    assert "<script>alert(1)</script>" not in html


def test_the_pdf_fetcher_serves_our_static_files_only():
    fetcher = pdf.local_fetcher("http://testserver/")
    static = "http://testserver" + settings.STATIC_URL
    response = fetcher.fetch(static + "commun/commun.css")
    assert b"certificate" in response.read()
    for refused in (
        "https://example.org/tracker.css",
        "http://testserver/media/receipt.pdf",
        "file:///etc/passwd",
        static + "../../../../etc/passwd",
        static + "%2e%2e/%2e%2e/settings.py",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(refused)


def test_rendering_a_pdf_never_opens_a_connection(monkeypatch):
    attempts = []

    def no_network(*args, **kwargs):
        attempts.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    html = (
        '<link rel="stylesheet" href="https://example.org/x.css">'
        '<img src="http://example.org/pixel.png" alt="">'
        '<link rel="stylesheet" href="/static/commun/commun.css"><p>Certificat</p>'
    )
    document = pdf.render_pdf(html, base_url="http://testserver/")
    assert document.startswith(b"%PDF")
    assert attempts == []


def test_a_transfer_shows_on_both_certificates_from_each_side(alice, bob):
    from commun.members.models import Member, ShareMovement

    Member.objects.filter(pk=bob.pk).update(public_visibility="name")
    ShareMovement.objects.record(
        ShareMovement.Kind.TRANSFER, alice, 1, counterpart=bob, reason="Cession entre associé·es"
    )
    alice_side = client_for(alice.user).get(certificate_url(alice)).content.decode()
    assert f"cédées à n°{bob.number} Bob Durand" in alice_side
    bob_side = client_for(bob.user).get(certificate_url(bob)).content.decode()
    assert f"reçues de n°{alice.number} Associé·e n°{alice.number}" in bob_side  # Alice hides
    assert "Cession entre associé·es" in bob_side


def test_weasyprint_is_imported_only_when_a_pdf_is_made():
    """WeasyPrint is a Linux-only dependency: the site must start without it elsewhere."""
    import subprocess
    import sys

    code = (
        "import django, sys; django.setup(); import commun.urls, commun.members.pdf; "
        "sys.exit('weasyprint' in sys.modules)"
    )
    env = {"DJANGO_SETTINGS_MODULE": "commun.settings_test", "PATH": "/usr/bin:/bin"}
    assert subprocess.run([sys.executable, "-c", code], env=env, check=False).returncode == 0
