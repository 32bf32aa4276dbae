"""API authentication: personal tokens (create, list, revoke) and the web session with CSRF."""

import pytest
from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from commun.accounts.models import ApiToken, User
from commun.testing.api import API, bearer, call
from commun.testing.members import application_body


def test_a_token_is_created_through_the_api_and_its_secret_shown_once(bob):
    client = bearer(bob.user)

    response = call(client, "POST", "/tokens", {"name": "Tableur"})

    assert response.status_code == 201, response.content
    secret = response.json()["secret"]
    token = ApiToken.objects.get(pk=response.json()["id"])
    assert token.digest == ApiToken.hash(secret) and secret.startswith(token.prefix)
    listed = call(client, "GET", "/tokens")
    assert secret not in listed.text and "secret" not in listed.json()[0]
    new_client = Client(headers={"Authorization": f"Bearer {secret}"})
    assert call(new_client, "GET", "/members/me").json()["number"] == bob.number


def test_tokens_are_listed_for_their_owner_only(alice, bob):
    ApiToken.issue(alice.user, "Export comptable")

    listed = call(bearer(bob.user), "GET", "/tokens").json()

    assert [token["name"] for token in listed] == ["tests"]


def test_a_revoked_token_answers_401_everywhere_even_on_public_endpoints(bob):
    token, secret = ApiToken.issue(bob.user, "Ancien")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    assert call(client, "GET", "/members/me").status_code == 200

    assert call(client, "DELETE", f"/tokens/{token.pk}").status_code == 204

    for path in ["/members/me", "/cooperative", "/categories", "/tokens"]:
        response = call(client, "GET", path)
        assert response.status_code == 401, path
        assert response.json()["detail"] == "Jeton d'API invalide ou révoqué."
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert call(client, "POST", "/tokens", {"name": "Relève"}).status_code == 401
    assert ApiToken.objects.usable().filter(user=bob.user).count() == 0


def test_nobody_revokes_someone_elses_token(alice, bob):
    token, _secret = ApiToken.issue(alice.user, "Export comptable")

    response = call(bearer(bob.user), "DELETE", f"/tokens/{token.pk}")

    assert response.status_code == 404
    assert ApiToken.objects.usable().filter(pk=token.pk).exists()


@pytest.mark.parametrize(
    "header", ["Bearer cmn_nope", "Bearer ", "Basic Ym9iOmJvYg==", "Token abc", "cmn_nope"]
)
def test_a_bad_authorization_header_is_a_401(coop, header):
    response = Client(headers={"Authorization": header}).get(f"{API}/cooperative")

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_the_token_of_a_deactivated_account_stops_working(bob):
    client = bearer(bob.user)
    User.objects.filter(pk=bob.user.pk).update(is_active=False)

    assert call(client, "GET", "/members/me").status_code == 401


def test_a_visitor_is_told_to_authenticate(coop):
    response = Client().get(f"{API}/register")

    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]


# The web's session -------------------------------------------------------------------------


def session(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_the_session_reads_without_csrf(bob):
    response = session(bob.user).get(f"{API}/members/me")

    assert response.status_code == 200
    assert response.json()["number"] == bob.number


def test_the_session_writes_only_with_the_csrf_token(bob):
    client = session(bob.user)

    refused = call(client, "PATCH", "/members/me", {"bio": "Sans jeton CSRF"})
    refused_token = call(client, "POST", "/tokens", {"name": "Sans CSRF"})

    assert refused.status_code == refused_token.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    bob.refresh_from_db()
    assert bob.bio == "" and not ApiToken.objects.filter(name="Sans CSRF").exists()

    csrf = _get_new_csrf_string()
    client.cookies[settings.CSRF_COOKIE_NAME] = csrf
    accepted = call(client, "PATCH", "/members/me", {"bio": "Avec"}, HTTP_X_CSRFTOKEN=csrf)
    created = call(client, "POST", "/tokens", {"name": "Avec CSRF"}, HTTP_X_CSRFTOKEN=csrf)

    assert accepted.status_code == 200, accepted.content
    assert created.status_code == 201 and created.json()["secret"].startswith("cmn_")
    bob.refresh_from_db()
    assert bob.bio == "Avec"


def test_a_bearer_token_needs_no_csrf_token(bob):
    client = Client(enforce_csrf_checks=True)
    _token, secret = ApiToken.issue(bob.user, "Script")

    response = call(
        client, "PATCH", "/members/me", {"bio": "Par jeton"}, HTTP_AUTHORIZATION=f"Bearer {secret}"
    )

    assert response.status_code == 200


def test_a_visitor_applies_without_csrf(coop):
    """No session to ride on: a visitor's POST cannot be forged into someone else's act."""
    response = call(Client(enforce_csrf_checks=True), "POST", "/applications", application_body())

    assert response.status_code == 201
