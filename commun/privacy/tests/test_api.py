"""The personal-data endpoints: each person reaches only their own data."""

import io
import json
import zipfile

import pytest
from django.test import Client

from commun.conftest import PASSWORD
from commun.testing.api import bearer

TAG = "Données personnelles"
# (method, path) of every endpoint with this tag: the completeness test below checks it.
ENDPOINTS = {("GET", "/me/data"), ("POST", "/me/erase")}


def test_every_personal_data_endpoint_is_tested(db):
    document = Client().get("/api/v1/openapi.json").json()
    documented = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if TAG in operation.get("tags", [])
    }
    assert documented == ENDPOINTS


@pytest.mark.parametrize("method, path", sorted(ENDPOINTS))
def test_a_visitor_gets_401(db, method, path):
    response = getattr(Client(), method.lower())(
        f"/api/v1{path}", data={}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["detail"]


def test_each_caller_downloads_only_their_own_data(bob, alice, carol, dan):
    for person in (bob, alice, carol, dan):
        user = getattr(person, "user", person)
        response = bearer(user).get("/api/v1/me/data")
        assert response.status_code == 200
        data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("donnees.json"))
        assert [row["email"] for row in data["accounts.User"]] == [user.email]


def test_an_associate_cannot_erase_before_resigning(bob):
    response = bearer(bob.user).post(
        "/api/v1/me/erase", {"password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 409
    assert "Démissionnez" in response.json()["detail"]


def test_a_wrong_password_or_unknown_field_gets_422_and_erases_nothing(dan):
    client = bearer(dan)
    wrong = client.post("/api/v1/me/erase", {"password": "x"}, content_type="application/json")
    extra = client.post(
        "/api/v1/me/erase", {"password": PASSWORD, "force": True}, content_type="application/json"
    )
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["body", "password"]
    assert extra.status_code == 422
    dan.refresh_from_db()
    assert dan.is_active


def test_an_account_erases_itself_through_the_api(dan):
    response = bearer(dan).post(
        "/api/v1/me/erase", {"password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json() == {"erased": True, "member_number": None}
    dan.refresh_from_db()
    assert not dan.is_active and dan.email.endswith("@commun.invalid")
