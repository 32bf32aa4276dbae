"""Personal API tokens: created with a name, shown once, stored as a hash, revocable."""

from django.test import Client
from django.urls import reverse

from commun.accounts.models import ApiToken
from commun.conftest import client_for


def api_status(secret: str) -> int:
    """What the API answers to `secret` on a member's own page: 200 in, 401 refused."""
    return (
        Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/members/me").status_code
    )


def create_token(client: Client, name: str = "Script de sauvegarde"):
    return client.post(reverse("accounts:tokens"), {"name": name})


def test_it_shows_the_secret_once_and_stores_only_its_hash(bob):
    client = client_for(bob.user)

    response = create_token(client)

    token = ApiToken.objects.get(user=bob.user)
    secret = response.context["secret"]
    assert response.status_code == 200
    assert secret in response.text
    assert "il ne sera plus jamais affiché" in response.text
    assert "no-store" in response["Cache-Control"]
    assert token.digest == ApiToken.hash(secret) and secret not in (token.digest, token.prefix)
    assert api_status(secret) == 200

    listing = client.get(reverse("accounts:tokens"))
    assert "Script de sauvegarde" in listing.text
    assert token.prefix in listing.text
    assert secret not in listing.text


def test_a_token_needs_a_name(bob):
    response = create_token(client_for(bob.user), name="   ")

    assert response.status_code == 200
    assert "Donnez un nom à ce jeton." in response.text
    assert 'aria-describedby="id_name_helptext id_name_error"' in response.text
    assert not ApiToken.objects.exists()


def test_revoking_a_token_stops_it_at_once(bob):
    token, secret = ApiToken.issue(bob.user, "Tableur")
    client = client_for(bob.user)

    response = client.post(reverse("accounts:revoke_token", args=[token.pk]))

    assert response.status_code == 302
    assert api_status(secret) == 401
    listing = client.get(reverse("accounts:tokens"))
    assert "révoqué le" in listing.text
    assert reverse("accounts:revoke_token", args=[token.pk]) not in listing.text


def test_nobody_revokes_someone_elses_token(alice, bob):
    token, _secret = ApiToken.issue(alice.user, "Export comptable")

    response = client_for(bob.user).post(reverse("accounts:revoke_token", args=[token.pk]))

    assert response.status_code == 404
    assert ApiToken.objects.usable().filter(pk=token.pk).exists()
    assert "Export comptable" not in client_for(bob.user).get(reverse("accounts:tokens")).text


def test_revoking_takes_a_post(bob):
    token, secret = ApiToken.issue(bob.user, "Tableur")

    response = client_for(bob.user).get(reverse("accounts:revoke_token", args=[token.pk]))

    assert response.status_code == 405
    assert api_status(secret) == 200


def test_a_visitor_is_sent_to_the_login_page(bob):
    token, _secret = ApiToken.issue(bob.user, "Tableur")
    visitor = Client()

    for response in [
        visitor.get(reverse("accounts:tokens")),
        create_token(visitor),
        visitor.post(reverse("accounts:revoke_token", args=[token.pk])),
        visitor.get(reverse("accounts:index")),
    ]:
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login") + "?next=")
    assert ApiToken.objects.usable().count() == 1


def test_the_account_page_links_every_security_setting(dan):
    response = client_for(dan).get(reverse("accounts:index"))

    assert response.status_code == 200
    for name in ["account_email", "account_change_password", "mfa_index", "accounts:tokens"]:
        assert f'href="{reverse(name)}"' in response.text
    assert "non activé" in response.text


def test_the_token_list_costs_the_same_for_many_tokens(bob, django_assert_max_num_queries):
    client = client_for(bob.user)
    client.get(reverse("accounts:tokens"))
    for n in range(20):
        token, _secret = ApiToken.issue(bob.user, f"Jeton {n}")
        if n % 2:
            token.revoke()

    # 7: the layout counts the member's unread notices once, whatever the tokens.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("accounts:tokens"))
    assert response.text.count("<tr>") == 21  # the header row and twenty tokens
