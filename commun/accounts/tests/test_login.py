"""Email login, verification, password rules and rate limiting (django-allauth)."""

import re

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.test import Client
from django.urls import reverse

from commun import settings as production_settings
from commun.accounts.models import User
from commun.conftest import PASSWORD

ENTRANCE_PAGES = ["/compte/login/", "/compte/signup/", "/compte/password/reset/"]


def signup(client: Client, email: str, password: str):
    return client.post(
        reverse("account_signup"), {"email": email, "password1": password, "password2": password}
    )


@pytest.mark.parametrize("path", ENTRANCE_PAGES)
def test_it_serves_the_entrance_pages_in_french_by_default(coop, path):
    response = Client().get(path)

    assert response.status_code == 200
    assert '<html lang="fr">' in response.text
    assert "<title>" in response.text and "Les Communs du Test" in response.text


@pytest.mark.parametrize(
    ("path", "english", "french"),
    [
        ("/compte/login/", "Sign In", "Connexion"),
        ("/compte/signup/", "Sign Up", "Création de compte"),
        ("/compte/password/reset/", "Password Reset", "Réinitialisation du mot de passe"),
    ],
)
def test_it_serves_the_entrance_pages_in_english_with_the_language_cookie(
    coop, path, english, french
):
    client = Client()
    client.cookies["django_language"] = "en"

    response = client.get(path)

    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    assert re.search(rf"<h1>\s*{english}\s*</h1>", response.text)
    assert french not in response.text
    assert re.search(rf"<h1>\s*{french}\s*</h1>", Client().get(path).text)


@pytest.mark.parametrize("path", ENTRANCE_PAGES)
def test_entrance_pages_label_every_field_and_run_no_inline_script(coop, path):
    response = Client().get(path)
    html = response.text

    for field_id in re.findall(r'<input[^>]*\bid="([^"]+)"', html):
        if 'type="hidden"' in re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html).group(0):
            continue
        assert f'for="{field_id}"' in html, f"{field_id} has no label"
    for script in re.findall(r"<script\b[^>]*>", html):
        assert 'type="application/json"' in script or ("src=" in script and "nonce=" in script), (
            script
        )
    assert "style=" not in html
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]


def test_the_signup_page_sends_future_associates_to_the_join_form(coop):
    response = Client().get(reverse("account_signup"))

    assert f'href="{reverse("members:join")}"' in response.text
    assert "formulaire d’adhésion" in response.text


def test_signup_sends_a_verification_email_and_login_waits_for_it(coop):
    client = Client()

    response = signup(client, "erin@example.org", PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert User.objects.filter(email="erin@example.org").exists()
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["erin@example.org"]
    assert "Les Communs du Test" in mail.outbox[0].body  # the cooperative greets, in French
    assert "Bonjour" in mail.outbox[0].body

    # Before verification, the right password does not open the account.
    login = Client().post(
        reverse("account_login"), {"login": "erin@example.org", "password": PASSWORD}
    )
    assert login.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in login.wsgi_request.session

    link = re.search(r"https?://testserver(/compte/confirm-email/[^/\s]+/)", mail.outbox[0].body)
    confirm_path = link.group(1)
    assert client.get(confirm_path).status_code == 200
    response = client.post(confirm_path)
    assert response.status_code == 302
    assert User.objects.get(email="erin@example.org").emailaddress_set.get().verified
    assert client.session["_auth_user_id"] == str(User.objects.get(email="erin@example.org").pk)


def test_a_verified_account_logs_in_with_its_email_and_no_username(dan):
    client = Client()

    response = client.post(
        reverse("account_login"), {"login": "DAN@example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(dan.pk)


@pytest.mark.parametrize(
    ("password", "expected_error"),
    [
        ("password", "Ce mot de passe est trop courant."),
        ("1234567", "Ce mot de passe est trop court. Il doit contenir au minimum 8 caractères."),
    ],
)
def test_it_refuses_short_and_common_passwords_in_french(coop, password, expected_error):
    response = signup(Client(), "erin@example.org", password)

    assert response.status_code == 200
    assert expected_error in response.text
    assert 'aria-invalid="true"' in response.text
    assert not User.objects.filter(email="erin@example.org").exists()
    assert mail.outbox == []


def test_passwords_are_stored_with_argon2_in_production(settings, dan):
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS

    dan.set_password("un mot de passe solide")
    dan.save()
    dan.refresh_from_db()

    assert dan.password.startswith("argon2$argon2id$")
    assert check_password("un mot de passe solide", dan.password)


def test_it_refuses_even_the_right_password_after_five_failed_logins(dan):
    client = Client()
    for _ in range(5):
        failed = client.post(
            reverse("account_login"), {"login": "dan@example.org", "password": "wrong password"}
        )
        assert failed.status_code == 200
        assert "_auth_user_id" not in client.session

    response = client.post(
        reverse("account_login"), {"login": "dan@example.org", "password": PASSWORD}
    )

    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    assert "Trop de tentatives de connexion échouées" in response.text


def test_too_many_login_attempts_get_a_translated_429_page(settings, coop):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    client = Client()
    for _ in range(2):
        client.post(reverse("account_login"), {"login": "x@example.org", "password": "x"})

    response = client.post(reverse("account_login"), {"login": "x@example.org", "password": "x"})

    assert response.status_code == 429
    assert "Trop de tentatives" in response.text
    assert '<html lang="fr">' in response.text


def test_the_admin_login_form_sends_to_our_login_with_its_second_factor(alice):
    client = Client()

    response = client.post("/admin/login/", {"username": "alice@example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login") + "?next=")
    assert "_auth_user_id" not in client.session
