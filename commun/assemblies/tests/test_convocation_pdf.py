"""The convocation, printable and as a PDF: kind, date, place, the agenda with the
resolutions' text, the documents, and how to answer or give a proxy."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commun.assemblies.documents import Document
from commun.assemblies.models import AgendaItem
from commun.conftest import client_for
from commun.testing.assemblies import convened, draft
from commun.testing.pdf import holds

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def assembly(alice, bob):
    assembly = draft(alice.user, video_link="https://visio.example.org/ag")
    assembly.add_item(
        alice.user, AgendaItem.Kind.RESOLUTION, "Affectation du résultat", "Tout en réserves."
    )
    assembly.add_item(alice.user, AgendaItem.Kind.INFORMATION, "Point sur les missions")
    Document.attach(
        assembly,
        alice.user,
        SimpleUploadedFile("r.pdf", b"%PDF-1.7\n%%EOF\n"),
        "Rapport de gestion 2025",
        "report",
    )
    assembly.convene(alice.user)
    return assembly


def test_the_convocation_pdf_holds_the_resolutions_titles(assembly, bob):
    response = client_for(bob.user).get(f"/assemblees/{assembly.pk}/convocation.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    document = response.content
    assert document.startswith(b"%PDF")
    for heading in (
        "Résolution — Approbation des comptes",
        "Résolution — Affectation du résultat",
        "Information — Point sur les missions",
        "Répondre à la convocation",
        "Documents joints",
    ):
        assert holds(document, heading), heading
    assert not holds(document, "Résolution — Une résolution qui n'existe pas")


def test_the_printable_page_says_everything_a_member_needs(assembly, bob):
    page = client_for(bob.user).get(f"/assemblees/{assembly.pk}/convocation/").content.decode()
    for text in (
        "Assemblée générale ordinaire",
        "Salle des fêtes, 1 rue des Communs",
        "https://visio.example.org/ag",
        "L&#x27;assemblée approuve…",
        "Tout en réserves.",
        "Rapport de gestion 2025",
        f"http://testserver/assemblees/{assembly.pk}/",
        "chacun·e en porte 1 au plus",
        f"/assemblees/{assembly.pk}/convocation.pdf",
    ):
        assert text in page, text
    assert "vote par correspondance" not in page


def test_the_terms_follow_the_rules_fixed_at_the_convocation(alice, bob):
    assembly = convened(alice.user, proxies_allowed=False, advance_votes_count=True)
    page = client_for(bob.user).get(f"/assemblees/{assembly.pk}/convocation/").content.decode()
    assert "Les statuts n'admettent pas les pouvoirs." in page
    assert "vote par correspondance ou en ligne avant la séance" in page


def test_the_pdf_is_read_like_the_page(alice, bob, carol, dan):
    assembly = draft(alice.user)
    url = f"/assemblees/{assembly.pk}/convocation.pdf"
    # A draft's convocation is previewed by the officers only.
    assert client_for(alice.user).get(url).status_code == 200
    assert client_for(bob.user).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302
    assembly.convene(alice.user)
    assert client_for(bob.user).get(url).status_code == 200
    assert client_for(dan).get(url).status_code in (403, 404)


def test_an_election_is_convened_as_an_election_with_its_seats(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    from commun.assemblies import elections

    assembly = draft(alice.user)
    elections.add_election(alice.user, assembly, "Conseil coopératif", 2, "approval")
    with django_capture_on_commit_callbacks(execute=True):
        assembly.convene(alice.user)
    page = client_for(bob.user).get(f"/assemblees/{assembly.pk}/convocation/").content.decode()
    said = "2 postes à pourvoir, Vote par approbation (les plus approuvé·es), à bulletin secret."
    assert "Élection — Conseil coopératif" in page and said in page
    body = next(m.body for m in mailoutbox if m.to == [bob.user.email])
    assert "Élection — Conseil coopératif" in body and said in body


def test_the_live_quorum_waits_for_the_convocation(alice):
    assembly = draft(alice.user)
    assert client_for(alice.user).get(f"/assemblees/{assembly.pk}/quorum/").status_code == 404


def test_a_public_election_is_convened_as_public(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    """Whoever votes in it, before the day or in the room, sees their choice will be named
    in the minutes: the convocation must not promise a secret ballot."""
    from commun.assemblies import elections

    assembly = draft(alice.user)
    elections.add_election(alice.user, assembly, "Conseil coopératif", 2, "approval", secret=False)
    with django_capture_on_commit_callbacks(execute=True):
        assembly.convene(alice.user)
    page = client_for(bob.user).get(f"/assemblees/{assembly.pk}/convocation/").content.decode()
    body = next(m.body for m in mailoutbox if m.to == [bob.user.email])
    for text in (page, body):
        assert "bulletin secret" not in text
        assert "vote public : le choix de chaque voix figure au procès-verbal" in text
