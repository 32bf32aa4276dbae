"""One rule on the web, the API and tokens: an officer acts only from a session that passed
the second factor, or with a token created from one. Tokens expire and die with their parent.
"""

import datetime
import json
import uuid

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commun.accounts.models import ApiToken, User
from commun.conftest import ALICE_TOTP_SECRET, client_for
from commun.ledger.models import Transaction
from commun.members.models import Member
from commun.testing.accounts import current_code

API = "/api/v1"
ENTRY = {"date": "2026-03-01", "label": "Facture", "nature": "706", "amount_cents": 1200}


@pytest.fixture(autouse=True)
def _tolerant_clock(settings):
    settings.MFA_TOTP_TOLERANCE = 1


@pytest.fixture
def officer_without_factor(alice) -> User:
    Authenticator.objects.filter(user=alice.user).delete()
    return User.objects.get(pk=alice.user_id)


def booked() -> int:
    return Transaction.objects.filter(label=ENTRY["label"]).count()


def book_income(client: Client, **headers):
    return client.post(
        f"{API}/ledger/income",
        data=json.dumps({**ENTRY, "idempotency_key": uuid.uuid4().hex}),
        content_type="application/json",
        headers=headers,
    )


def with_token(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


def web_token(client: Client, name="Script", **fields) -> str:
    """Create a token on the web page as `client`'s session; return its secret."""
    response = client.post(reverse("accounts:tokens"), {"name": name, **fields})
    assert response.status_code == 200, response.content
    return response.context["secret"]


def api_token(client: Client, name="Relève", headers=None, **fields):
    return client.post(
        f"{API}/tokens",
        data=json.dumps({"name": name, **fields}),
        content_type="application/json",
        headers=headers,
    )


# The empty Authorization header -------------------------------------------------------------


def test_an_empty_authorization_header_does_not_fall_back_to_the_session(
    officer_without_factor,
):
    client = client_for(officer_without_factor)

    response = client.get(f"{API}/applications", headers={"Authorization": ""})

    assert response.status_code == 401
    assert response.json()["detail"] == "Jeton d'API invalide ou révoqué."


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic abc", "n'importe quoi"])
def test_no_malformed_header_books_income_for_an_officer_without_a_factor(
    officer_without_factor, header
):
    client = client_for(officer_without_factor)

    response = book_income(client, Authorization=header)

    assert response.status_code == 401
    assert booked() == 0


def test_an_empty_header_mints_no_token(officer_without_factor):
    client = client_for(officer_without_factor)

    response = api_token(client, headers={"Authorization": ""})

    assert response.status_code == 401
    assert not ApiToken.objects.exists()


def test_a_visitor_with_an_empty_header_is_told_the_token_is_invalid(coop):
    response = Client().get(f"{API}/cooperative", headers={"Authorization": ""})

    assert response.status_code == 401


# Officers' tokens ---------------------------------------------------------------------------


def test_an_officers_token_made_without_the_second_factor_books_nothing(alice):
    _token, secret = ApiToken.issue(alice.user, "Sans second facteur")

    response = book_income(with_token(secret))

    assert response.status_code == 403
    assert "second facteur" in response.json()["detail"]
    assert "nouveau jeton" in response.json()["detail"]
    assert booked() == 0


def test_a_members_token_stops_when_they_become_an_officer_without_a_factor(bob):
    secret = web_token(client_for(bob.user))
    assert with_token(secret).get(f"{API}/members/me").status_code == 200

    Member.objects.filter(pk=bob.pk).update(is_officer=True)

    response = with_token(secret).get(f"{API}/members/me")
    assert response.status_code == 403
    assert "second facteur" in response.json()["detail"]
    assert book_income(with_token(secret)).status_code == 403
    assert booked() == 0


def test_a_token_stops_when_its_officer_removes_their_factor(alice):
    secret = web_token(client_for(alice.user))
    assert book_income(with_token(secret)).status_code == 201

    Authenticator.objects.filter(user=alice.user).delete()

    assert book_income(with_token(secret)).status_code == 403
    assert booked() == 1


def test_an_officers_token_made_from_a_verified_session_books_income(alice):
    secret = web_token(client_for(alice.user))

    assert ApiToken.objects.get(user=alice.user).second_factor
    response = book_income(with_token(secret))

    assert response.status_code == 201, response.content
    assert booked() == 1


def test_a_token_made_by_a_verified_token_is_verified_too(alice):
    parent = web_token(client_for(alice.user))

    response = api_token(with_token(parent))

    assert response.status_code == 201, response.content
    assert response.json()["second_factor"] is True
    assert book_income(with_token(response.json()["secret"])).status_code == 201


def test_a_members_session_makes_unverified_tokens_that_still_work_for_them(bob):
    secret = web_token(client_for(bob.user))

    assert not ApiToken.objects.get(user=bob.user).second_factor
    assert with_token(secret).get(f"{API}/members/me").status_code == 200


# Sessions -----------------------------------------------------------------------------------


def test_an_officer_with_totp_acts_from_a_session_that_passed_it(alice):
    client = client_for(alice.user)

    assert client.get(f"{API}/applications").status_code == 200
    assert book_income(client).status_code == 201


def test_a_session_that_skipped_the_factor_must_confirm_it(alice):
    client = Client()
    client.force_login(alice.user, backend="django.contrib.auth.backends.ModelBackend")

    page = client.get(reverse("core:home"))
    assert page.status_code == 302
    assert page.url.startswith(reverse("mfa_reauthenticate"))
    assert client.get(f"{API}/applications").status_code == 403
    client.post(reverse("accounts:tokens"), {"name": "Détour"})
    assert not ApiToken.objects.exists()

    response = client.post(reverse("mfa_reauthenticate"), {"code": current_code(ALICE_TOTP_SECRET)})

    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    assert client.get(f"{API}/applications").status_code == 200


# Expiry -------------------------------------------------------------------------------------


def test_a_token_expires_after_90_days_by_default(bob):
    token, secret = ApiToken.issue(bob.user, "Tableur")

    assert token.expires_at - token.created_at == datetime.timedelta(days=90)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())

    response = with_token(secret).get(f"{API}/members/me")
    assert response.status_code == 401
    assert "expiré" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_its_lifetime_is_chosen_within_a_year(bob):
    client = client_for(bob.user)

    web_token(client, name="Court", days=7)
    created = api_token(client_for(bob.user), name="Long", days=365)
    too_long = client.post(reverse("accounts:tokens"), {"name": "Trop", "days": 366})
    too_long_api = api_token(client, name="Trop", days=366)

    short = ApiToken.objects.get(name="Court")
    assert short.expires_at - short.created_at == datetime.timedelta(days=7)
    assert created.status_code == 201
    assert created.json()["expires_at"]
    assert "365" in too_long.text and too_long.context["form"].errors["days"]
    assert too_long_api.status_code in (400, 422)
    assert not ApiToken.objects.filter(name="Trop").exists()


def test_a_token_never_outlives_the_token_that_made_it(bob):
    parent, secret = ApiToken.issue(bob.user, "Parent", days=10)

    response = api_token(with_token(secret), days=90)

    child = ApiToken.objects.get(pk=response.json()["id"])
    assert child.parent == parent
    assert child.expires_at == parent.expires_at


def test_the_web_page_shows_each_tokens_expiry(bob):
    token, _secret = ApiToken.issue(bob.user, "Tableur", days=30)
    expired, _secret = ApiToken.issue(bob.user, "Ancien")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())

    page = client_for(bob.user).get(reverse("accounts:tokens"))

    assert "Expire le" in page.text
    assert "expiré" in page.text


# Revocation ---------------------------------------------------------------------------------


def family(user):
    root, root_secret = ApiToken.issue(user, "Racine")
    child = api_token(with_token(root_secret), name="Enfant").json()
    grandchild = api_token(with_token(child["secret"]), name="Petit-enfant").json()
    return root, root_secret, child["secret"], grandchild["secret"]


def test_revoking_a_token_through_the_api_revokes_the_tokens_it_made(bob):
    root, root_secret, child, grandchild = family(bob.user)
    sibling, sibling_secret = ApiToken.issue(bob.user, "Autre")

    response = with_token(child).delete(f"{API}/tokens/{root.pk}")

    assert response.status_code == 204
    for secret in [root_secret, child, grandchild]:
        assert with_token(secret).get(f"{API}/members/me").status_code == 401
    assert with_token(sibling_secret).get(f"{API}/members/me").status_code == 200


def test_revoking_a_token_on_the_web_revokes_the_tokens_it_made(bob):
    root, root_secret, child, grandchild = family(bob.user)

    response = client_for(bob.user).post(
        reverse("accounts:revoke_token", args=[root.pk]), follow=True
    )

    assert "avec les 2 jetons qu’il avait créés" in response.text
    assert ApiToken.objects.usable().count() == 0
    for secret in [root_secret, child, grandchild]:
        assert with_token(secret).get(f"{API}/members/me").status_code == 401


def test_a_revoked_token_makes_no_more_tokens(bob):
    token, secret = ApiToken.issue(bob.user, "Parent")
    token.revoke()

    with pytest.raises(ApiToken.Unusable):
        ApiToken.issue(bob.user, "Enfant", parent=token)
