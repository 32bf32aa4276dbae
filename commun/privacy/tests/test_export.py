"""A member's archive holds every declared field of theirs, and nothing of anyone else."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from commun.conftest import PASSWORD
from commun.privacy import declarations
from commun.privacy.export import SECRET_FIELDS, owned_querysets


def archive_of(client, url=None) -> tuple[dict, zipfile.ZipFile]:
    response = client.get(url or reverse("privacy:my_data"))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return json.loads(archive.read("donnees.json")), archive


@pytest.fixture
def bob_wrote(bob, alice):
    """Bob talks in a thread, with Alice around: their words must not mix."""
    from commun.deliberation.models import Space

    thread = Space.objects.cooperative().start_thread(alice, "Budget 2027", "Alice ouvre le fil.")
    thread.post_comment(bob, "Bob répond sur le budget.")
    bob.phone = "06 12 34 56 78"
    bob.postal_address = "12 rue des Communs, 69000 Lyon"
    bob.pseudonym = "bobo"
    bob.bio = "Développeur."
    bob.save()
    return thread


def test_the_archive_holds_every_declared_field_of_the_member(client, bob, bob_wrote):
    client.login(email=bob.user.email, password=PASSWORD)
    data, archive = archive_of(client)

    for model, queryset in owned_querysets(bob.user):
        if not queryset.exists():
            continue
        label = model._meta.label
        for field in model._meta.concrete_fields:
            if declarations.declaration(field) and f"{label}.{field.name}" not in SECRET_FIELDS:
                assert field.attname in data[label][0], f"{label}.{field.name}"
    assert data["members.Member"][0]["postal_address"] == "12 rue des Communs, 69000 Lyon"
    assert data["accounts.User"][0]["email"] == bob.user.email
    assert [c["body"] for c in data["deliberation.Comment"]] == ["Bob répond sur le budget."]
    assert {"LISEZMOI.txt", "donnees.json", "members.Member.csv"} <= set(archive.namelist())


def test_the_archive_holds_nothing_of_anyone_else(client, bob, alice, bob_wrote):
    client.login(email=bob.user.email, password=PASSWORD)
    _data, archive = archive_of(client)
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode()

    for value in (alice.first_name, alice.last_name, alice.user.email, "Alice ouvre le fil"):
        assert value not in everything
    assert "password" not in everything and "argon2" not in everything and "md5$" not in everything


def test_an_officer_produces_a_members_archive_on_request(people, bob):
    url = reverse("privacy:member_data", args=[bob.number])
    data, _archive = archive_of(people["officer"], url)
    assert data["members.Member"][0]["number"] == bob.number
    assert people["member"].get(url).status_code == 403
    assert people["visitor"].get(url).status_code == 302


def test_an_applicant_without_membership_gets_their_application(client, carol):
    client.login(email=carol.user.email, password=PASSWORD)
    data, _archive = archive_of(client)
    assert data["members.Application"][0]["email"] == carol.email
    assert "members.Member" not in data


def test_the_api_gives_the_same_archive(bob, bob_wrote):
    from django.test import Client

    from commun.members.tests.test_api import bearer

    response = bearer(bob.user).get("/api/v1/me/data")
    assert response.status_code == 200
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("donnees.json"))
    assert data["members.Member"][0]["pseudonym"] == "bobo"
    assert Client().get("/api/v1/me/data").status_code == 401


def test_the_archive_of_someone_who_proposed_a_decision_holds_its_durations(bob, bob_wrote):
    """A decision's minimum deliberation time is a duration: it used to make the archive
    fail (500) for anyone who had proposed one."""
    from commun.members.tests.test_api import bearer

    client = bearer(bob.user)
    proposal = {"title": "Budget", "body": "On vote le budget.", "min_deliberation_days": 7}
    created = client.post(
        f"/api/v1/threads/{bob_wrote.pk}/decisions",
        data=json.dumps(proposal),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    response = client.get("/api/v1/me/data")
    assert response.status_code == 200
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("donnees.json"))
    (decision,) = data["decisions.Decision"]
    assert decision["min_deliberation"] == "P7DT00H00M00S"
