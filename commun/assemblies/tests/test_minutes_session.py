"""Closing the session held, and the incidents the chair or the secretary notes in it.

Alice (an officer) opens the session; Ivy chairs it, Jo is its secretary; Bob and Gus are
members convened. Five members: a fifth is one voice.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commun.assemblies.models import Assembly, Incident
from commun.conftest import category, client_for, make_member
from commun.testing.api import bearer, call
from commun.testing.assemblies import in_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def ivy(coop):
    return make_member("ivy@example.org", "Ivy", "Noir", category("Partenaires"))


@pytest.fixture
def jo(coop):
    return make_member("jo@example.org", "Jo", "Vert", category("Contrib"))


@pytest.fixture
def gus(coop):
    return make_member("gus@example.org", "Gus", "Blanc", category("Partenaires"))


@pytest.fixture
def assembly(alice, bob, ivy, jo, gus) -> Assembly:
    return in_session(alice.user, ivy, jo, ivy, jo, bob)


def test_the_chair_closes_the_session_once_no_vote_is_open(assembly, ivy, bob):
    item = assembly.items.get(position=1)
    assembly.open_resolution(ivy.user, item)
    with pytest.raises(ValidationError, match="au vote"):
        assembly.close_session(ivy.user)
    assert Assembly.objects.get(pk=assembly.pk).phase == "open"
    with pytest.raises(PermissionDenied):
        assembly.close_session(bob.user)
    item.close_vote(ivy.user)

    assembly.close_session(ivy.user, now=assembly.starts_at)

    assembly.refresh_from_db()
    assert (assembly.phase, assembly.failed) == ("closed", False)
    assert assembly.closed_at == assembly.starts_at


def test_an_officer_closes_the_session_too_and_nothing_is_voted_after(assembly, alice, ivy):
    assembly.close_session(alice.user)
    with pytest.raises(PermissionDenied):
        assembly.open_resolution(ivy.user, assembly.items.get(position=1))
    with pytest.raises(PermissionDenied):
        assembly.close_session(alice.user)


def test_the_chair_and_the_secretary_note_dated_incidents(assembly, ivy, jo, bob, alice):
    at = assembly.starts_at
    first = assembly.record_incident(jo.user, "  Bob quitte la séance.  ", now=at)
    assembly.record_incident(ivy.user, "Coupure de la visioconférence (5 minutes).", now=at)
    for someone in (bob.user, alice.user, None):
        with pytest.raises(PermissionDenied):
            assembly.record_incident(someone, "Rien")
    with pytest.raises(ValidationError) as refused:
        assembly.record_incident(jo.user, "   ")
    assert "text" in refused.value.message_dict

    assert first.text == "Bob quitte la séance."
    assert [i.by for i in Incident.objects.filter(assembly=assembly)] == [jo, ivy]
    assembly.close_session(ivy.user)
    with pytest.raises(PermissionDenied):
        assembly.record_incident(jo.user, "Trop tard")


def test_the_pages_close_the_session_and_note_incidents(assembly, ivy, jo, bob):
    page = client_for(jo.user).get(f"/assemblees/{assembly.pk}/")
    assert "Noter un incident" in page.text
    assert "Clore la séance" not in page.text

    refused = client_for(jo.user).post(f"/assemblees/{assembly.pk}/incidents/", {"text": ""})
    assert refused.status_code == 422
    assert "Décrivez l&#x27;incident" in refused.text
    noted = client_for(jo.user).post(
        f"/assemblees/{assembly.pk}/incidents/", {"text": "Le micro ne marche plus."}
    )
    assert noted.status_code == 302
    assert client_for(bob.user).post(f"/assemblees/{assembly.pk}/cloture/").status_code == 403

    closed = client_for(ivy.user).post(f"/assemblees/{assembly.pk}/cloture/")

    assert closed.status_code == 302
    assert Assembly.objects.get(pk=assembly.pk).phase == "closed"
    assert Incident.objects.get().text == "Le micro ne marche plus."


def test_the_api_closes_the_session_and_notes_incidents(assembly, ivy, jo, bob):
    base = f"/assemblies/{assembly.pk}"
    refused = call(bearer(jo.user), "post", base + "/incidents", {"text": " "})
    assert refused.status_code == 422
    noted = call(bearer(jo.user), "post", base + "/incidents", {"text": "Bob part."})
    assert noted.status_code == 201
    assert noted.json()["text"] == "Bob part."
    assert call(bearer(bob.user), "post", base + "/incidents", {"text": "x"}).status_code == 403
    assert call(bearer(bob.user), "post", base + "/close").status_code == 403

    closed = call(bearer(ivy.user), "post", base + "/close")

    assert closed.status_code == 200
    assert closed.json()["phase"] == "closed"
    listed = call(bearer(bob.user), "get", base + "/incidents").json()
    assert [i["text"] for i in listed] == ["Bob part."]
