"""Officers need a second factor (TOTP or a security key); everyone else may add one."""

import pytest
from allauth.core import context
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    generate_totp_secret,
)
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from commun.accounts.middleware import OfficersNeedSecondFactorMiddleware
from commun.accounts.models import User
from commun.accounts.second_factor import record_passed
from commun.conftest import ALICE_TOTP_SECRET, PASSWORD, client_for
from commun.testing.accounts import current_code


@pytest.fixture(autouse=True)
def _tolerant_clock(settings):
    """A code computed at the end of a 30-second period is still valid a moment later."""
    settings.MFA_TOTP_TOLERANCE = 1


@pytest.fixture
def officer_without_factor(alice) -> User:
    Authenticator.objects.filter(user=alice.user).delete()
    return User.objects.get(pk=alice.user_id)


def test_an_officer_without_a_second_factor_is_sent_to_the_totp_setup(officer_without_factor):
    client = client_for(officer_without_factor)

    for path in [reverse("core:home"), reverse("accounts:tokens"), reverse("account_email")]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url == reverse("mfa_activate_totp")

    page = client.get(reverse("mfa_index"))
    assert page.status_code == 200
    assert "responsable juridique" in page.text  # the message says why


@pytest.mark.parametrize(
    "path",
    [
        "/compte/2fa/",
        "/compte/2fa/totp/activate/",
        "/compte/2fa/webauthn/add/",
        "/compte/reauthenticate/",
        "/compte/logout/",
        "/static/commun/commun.css",
    ],
)
def test_the_setup_pages_stay_open_to_an_officer_without_a_factor(officer_without_factor, path):
    response = client_for(officer_without_factor).get(path)

    assert response.get("Location", "") != reverse("mfa_activate_totp")


def test_an_officer_without_a_factor_may_still_change_language(officer_without_factor):
    response = client_for(officer_without_factor).post(
        reverse("set_language"), {"language": "en", "next": "/"}
    )

    assert response.status_code == 302
    assert response.url == "/"


def test_an_htmx_request_is_redirected_by_header(officer_without_factor):
    response = client_for(officer_without_factor).get(
        reverse("core:home"), headers={"HX-Request": "true"}
    )

    assert response["HX-Redirect"] == reverse("mfa_activate_totp")


def test_an_officer_without_a_factor_cannot_use_the_api_with_the_session(
    officer_without_factor,
):
    response = client_for(officer_without_factor).get("/api/v1/openapi.json")

    assert response.status_code == 403
    assert "second facteur" in response.json()["detail"]


def test_token_clients_are_left_to_the_api(officer_without_factor):
    response = Client().get(
        "/api/v1/openapi.json", headers={"Authorization": "Bearer cmn_not-a-token"}
    )

    assert "protégez d’abord votre compte" not in response.content.decode()


def test_an_officer_with_totp_goes_anywhere(officer_without_factor):
    TOTP.activate(officer_without_factor, generate_totp_secret())

    response = client_for(officer_without_factor).get(reverse("core:home"))

    assert response.status_code == 200


def test_an_officer_with_only_a_security_key_goes_anywhere(officer_without_factor):
    Authenticator.objects.create(
        user=officer_without_factor, type=Authenticator.Type.WEBAUTHN, data={"name": "clé"}
    )

    assert client_for(officer_without_factor).get(reverse("core:home")).status_code == 200


def test_members_and_accounts_without_a_factor_are_not_redirected(people):
    for role in ["member", "applicant", "account", "visitor"]:
        response = people[role].get(reverse("core:home"))
        assert response.status_code == 200, role


def test_a_resigned_officer_is_no_longer_held(officer_without_factor, alice):
    type(alice).objects.filter(pk=alice.pk).update(status="resigned")

    assert client_for(officer_without_factor).get(reverse("core:home")).status_code == 200


def run_middleware(user, factor=None):
    """Run the middleware for `user`, whose session passed `factor` if given."""
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}
    if factor is not None:
        record_passed(request, factor)
    request._messages = FallbackStorage(request)
    return OfficersNeedSecondFactorMiddleware(lambda r: HttpResponse("ok"))(request)


def test_it_costs_no_query_for_visitors_and_members(django_assert_num_queries, bob):
    user = User.objects.get(pk=bob.user_id)
    user.member  # read by the layout anyway, and kept on the user

    with django_assert_num_queries(0):
        assert run_middleware(AnonymousUser()).status_code == 200
        assert run_middleware(user).status_code == 200


def test_it_costs_one_query_for_an_officer(django_assert_num_queries, alice):
    user = User.objects.get(pk=alice.user_id)
    user.member  # read by the layout anyway, and kept on the user
    factor = Authenticator.objects.select_related("user").get(user=user)

    with django_assert_num_queries(1):
        assert run_middleware(user, factor).status_code == 200
    del user.has_second_factor
    with django_assert_num_queries(1):
        assert run_middleware(user).url.startswith(reverse("mfa_reauthenticate"))


def test_an_officer_logs_in_with_password_then_totp_code(alice):
    client = Client()

    response = client.post(
        reverse("account_login"), {"login": "alice@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": current_code(ALICE_TOTP_SECRET)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.user_id)
    assert client.get(reverse("core:home")).status_code == 200


def test_an_officer_activates_totp_through_the_pages_and_is_released(officer_without_factor):
    client = Client()
    client.post(reverse("account_login"), {"login": "alice@example.org", "password": PASSWORD})
    assert client.get(reverse("core:home")).url == reverse("mfa_activate_totp")
    # allauth asks for the password again before adding a factor, even just after login.
    assert client.get(reverse("mfa_activate_totp")).url.startswith(
        reverse("account_reauthenticate")
    )
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in page.text  # shown for typing by hand, next to the QR code
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(
        user=officer_without_factor, type=Authenticator.Type.TOTP
    ).exists()
    assert client.get(reverse("core:home")).status_code == 200


def test_a_member_may_add_totp_too(bob):
    client = Client()
    client.post(reverse("account_login"), {"login": "bob@example.org", "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    page = client.get(reverse("mfa_activate_totp"))

    assert page.status_code == 200
    assert 'alt="Code QR à scanner avec votre application d’authentification"' in page.text
    assert page.context["totp_url"].endswith("&issuer=Les%20Communs%20du%20Test")


# Adding a factor proves it only when it is the first ----------------------------------------


def assert_held_for_the_factor(client: Client) -> None:
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_reauthenticate"))


def password_only_session(email: str) -> Client:
    """A session that logged in and reauthenticated with the password, no factor proven."""
    client = Client()
    user = User.objects.get(email=email)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return client


def test_adding_totp_beside_a_security_key_does_not_verify_a_password_session(
    officer_without_factor,
):
    Authenticator.objects.create(
        user=officer_without_factor, type=Authenticator.Type.WEBAUTHN, data={"name": "clé"}
    )
    client = password_only_session("alice@example.org")
    assert_held_for_the_factor(client)

    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(
        user=officer_without_factor, type=Authenticator.Type.TOTP
    ).exists()
    # Only the password was proven: the factor that protected the account still must be.
    assert_held_for_the_factor(client)


def add_security_key_in(client: Client, user: User) -> None:
    """What allauth's WebAuthn flow does once the key answered: create it for the request."""
    request = RequestFactory().post(reverse("mfa_add_webauthn"))
    request.session, request.user = client.session, user
    with context.request_context(request):
        Authenticator.objects.create(user=user, type=Authenticator.Type.WEBAUTHN, data={})
    request.session.save()


def test_an_officer_with_totp_adding_a_security_key_must_still_prove_a_factor(alice):
    client = password_only_session("alice@example.org")

    add_security_key_in(client, alice.user)

    assert_held_for_the_factor(client)
    response = client.get("/api/v1/applications")
    assert response.status_code == 403


def test_a_first_security_key_added_in_the_session_verifies_it(officer_without_factor):
    client = password_only_session("alice@example.org")

    add_security_key_in(client, officer_without_factor)

    assert client.get(reverse("core:home")).status_code == 200
