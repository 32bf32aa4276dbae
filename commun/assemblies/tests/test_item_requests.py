"""Members ask for an item on the agenda; the officers accept it (an agenda item marked as
asked by that member, on which blank proxies vote against) or refuse it with a reason
the member receives by email. Until the opening only."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from commun.assemblies.models import AgendaItem
from commun.assemblies.requests import ItemRequest
from commun.conftest import category, client_for, make_member
from commun.testing.assemblies import convened

pytestmark = pytest.mark.django_db


@pytest.fixture
def assembly(alice, bob):
    return convened(alice.user, days_ahead=30)


def test_a_member_asks_on_the_page_and_an_officer_accepts(assembly, alice, bob):
    response = client_for(bob.user).post(
        f"/assemblees/{assembly.pk}/demandes/",
        {"kind": "resolution", "title": "Un local plus grand", "text": "L'assemblée décide…"},
    )
    assert response.status_code == 302
    asked = ItemRequest.objects.get()
    assert (asked.member, asked.status, asked.item) == (bob, "pending", None)
    page = client_for(alice.user).get(f"/assemblees/{assembly.pk}/").content.decode()
    assert "Un local plus grand" in page and "demandé par Bob Durand" in page
    response = client_for(alice.user).post(
        f"/assemblees/{assembly.pk}/demandes/{asked.pk}/accepter/"
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    item = asked.item
    assert (asked.status, asked.decided_by) == ("accepted", alice)
    assert (item.position, item.kind, item.title, item.text, item.put_by_officers) == (
        2,
        "resolution",
        "Un local plus grand",
        "L'assemblée décide…",
        False,
    )
    for url in (f"/assemblees/{assembly.pk}/", f"/assemblees/{assembly.pk}/convocation/"):
        page = client_for(bob.user).get(url).content.decode()
        assert "Inscrit à la demande de Bob Durand." in page
    # The officers' own items say nothing of the kind.
    assert assembly.items.get(position=1).put_by_officers is True


def test_an_officer_refuses_with_a_reason_and_the_member_is_told_by_email(
    assembly, alice, bob, django_capture_on_commit_callbacks
):
    asked = ItemRequest.ask(assembly, bob.user, "information", "Le pique-nique")
    client = client_for(alice.user)
    response = client.post(
        f"/assemblees/{assembly.pk}/demandes/{asked.pk}/refuser/", {"reason": "  "}
    )
    assert response.status_code == 422
    asked.refresh_from_db()
    assert asked.status == "pending" and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/assemblees/{assembly.pk}/demandes/{asked.pk}/refuser/",
            {"reason": "Ce n'est pas du ressort de l'assemblée."},
        )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert (asked.status, asked.reason) == ("refused", "Ce n'est pas du ressort de l'assemblée.")
    assert assembly.items.count() == 1
    [email] = mail.outbox
    assert email.to == ["bob@example.org"]
    assert email.subject == "Votre demande pour l'ordre du jour : Assemblée générale annuelle"
    assert "« Le pique-nique »" in email.body
    assert "Ce n'est pas du ressort de l'assemblée." in email.body
    page = client_for(bob.user).get(f"/assemblees/{assembly.pk}/").content.decode()
    assert "Motif du refus : Ce n&#x27;est pas du ressort de l&#x27;assemblée." in page


def test_the_refusal_email_is_in_the_member_s_language(
    assembly, alice, bob, django_capture_on_commit_callbacks
):
    bob.language = "en"
    bob.save(update_fields=["language"])
    asked = ItemRequest.ask(assembly, bob.user, "information", "Le pique-nique")
    with django_capture_on_commit_callbacks(execute=True):
        asked.refuse(alice.user, "Non.")
    assert mail.outbox[0].subject.startswith("Your request for the agenda")


def test_a_request_is_answered_once(assembly, alice, bob):
    asked = ItemRequest.ask(assembly, bob.user, "information", "Le pique-nique")
    asked.accept(alice.user)
    with pytest.raises(ValidationError, match="déjà reçu une réponse"):
        asked.accept(alice.user)
    with pytest.raises(ValidationError, match="déjà reçu une réponse"):
        asked.refuse(alice.user, "Finalement non.")
    assert assembly.items.count() == 2


def test_bad_requests_are_refused_nothing_written(assembly, alice, bob):
    with pytest.raises(ValidationError) as refused:
        ItemRequest.ask(assembly, bob.user, "resolution", "Sans texte", "")
    assert "text" in refused.value.message_dict
    with pytest.raises(ValidationError):
        ItemRequest.ask(assembly, bob.user, "resolution", "", "Un texte")
    with pytest.raises(ValidationError):
        ItemRequest.ask(assembly, bob.user, "motion", "Une nature inconnue", "Un texte")
    response = client_for(bob.user).post(
        f"/assemblees/{assembly.pk}/demandes/", {"kind": "resolution", "title": "", "text": ""}
    )
    assert response.status_code == 422
    assert not ItemRequest.objects.exists()


def test_who_asks_and_who_answers(assembly, alice, bob, carol, dan):
    latecomer = make_member("zoe@example.org", "Zoé", "Lambert", category("Partenaires"))
    for outsider in (carol.user, dan, latecomer.user):
        with pytest.raises(PermissionDenied):
            ItemRequest.ask(assembly, outsider, "information", "Un point")
    asked = ItemRequest.ask(assembly, bob.user, "information", "Un point")
    with pytest.raises(PermissionDenied):
        asked.accept(bob.user)
    with pytest.raises(PermissionDenied):
        asked.refuse(bob.user, "Non.")
    assert (
        client_for(bob.user)
        .post(f"/assemblees/{assembly.pk}/demandes/{asked.pk}/accepter/")
        .status_code
        == 403
    )
    # A member sees their own requests, not the others'.
    other = ItemRequest.ask(assembly, alice.user, "information", "Le point d'Alice")
    page = client_for(bob.user).get(f"/assemblees/{assembly.pk}/").content.decode()
    assert "Un point" in page and other.title not in page


def test_not_after_the_opening(assembly, alice, bob):
    asked = ItemRequest.ask(assembly, bob.user, "information", "Un point")
    assembly.open(alice.user, alice, bob, now=assembly.starts_at)
    with pytest.raises(PermissionDenied):
        ItemRequest.ask(assembly, bob.user, "information", "Un autre")
    with pytest.raises(PermissionDenied):
        asked.accept(alice.user)
    with pytest.raises(PermissionDenied):
        asked.refuse(alice.user, "Trop tard.")
    assert ItemRequest.objects.count() == 1 and assembly.items.count() == 1


def test_blank_proxies_vote_against_a_resolution_members_asked_for(alice, bob):
    others = [
        make_member(f"u{i}@example.org", f"U{i}", "Test", category("Partenaires")) for i in range(3)
    ]
    assembly = convened(alice.user, days_ahead=30)
    asked = ItemRequest.ask(assembly, bob.user, "resolution", "Un local", "L'assemblée loue…")
    theirs = asked.accept(alice.user)
    ours = assembly.items.get(position=1)
    for principal in others[:2]:
        assembly.participants.get(member=principal).answer(principal.user, "chair")
    assembly.open(alice.user, chair=alice, secretary=bob, now=assembly.starts_at)
    for member in (alice, bob, others[2]):
        assembly.participants.get(member=member).check_in(member.user)
    results = {}
    for item in (ours, theirs):
        assembly.open_resolution(alice.user, item)
        AgendaItem.objects.get(pk=item.pk).vote(bob.user, "yes")
        AgendaItem.objects.get(pk=item.pk).vote(others[2].user, "no")
        closed = AgendaItem.objects.get(pk=item.pk).close_vote(alice.user)
        results[item.title] = (closed.result["yes"], closed.result["no"], closed.adopted)
    # Two blank proxies: for the officers' resolution, against the one Bob asked for.
    assert results == {"Approbation des comptes": (3, 1, True), "Un local": (1, 3, False)}
