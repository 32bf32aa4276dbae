"""Every account page wears our layout, labels its fields and runs no inline script."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from commun.conftest import PASSWORD

MANAGE_PAGES = [
    "accounts:index",
    "accounts:tokens",
    "account_email",
    "account_change_password",
    "account_logout",
    "mfa_index",
    "mfa_activate_totp",
    "mfa_add_webauthn",
    "mfa_list_webauthn",
    "mfa_generate_recovery_codes",
]


def assert_accessible_and_strict(response):
    html = response.text
    assert response.status_code == 200
    assert 'class="site-header"' in html  # our base.html, not allauth's bare layout
    assert html.count("<h1") == 1
    for tag in re.findall(r"<(?:input|textarea|select)\b[^>]*>", html):
        if 'type="hidden"' in tag:
            continue
        field_id = re.search(r'\bid="([^"]+)"', tag).group(1)
        assert f'for="{field_id}"' in html, f"{tag} has no label"
    for script in re.findall(r"<script\b[^>]*>", html):
        is_data = 'type="application/json"' in script
        assert is_data or ("src=" in script and 'nonce="' in script), script
    assert "style=" not in html
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]


@pytest.fixture
def bob_recently_logged_in(bob) -> Client:
    client = Client()
    client.post(reverse("account_login"), {"login": "bob@example.org", "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return client


@pytest.mark.parametrize("name", MANAGE_PAGES)
def test_account_pages_wear_our_layout(bob_recently_logged_in, name):
    response = bob_recently_logged_in.get(reverse(name))

    assert_accessible_and_strict(response)


def test_the_security_key_page_loads_allauths_script_with_the_nonce(bob_recently_logged_in):
    response = bob_recently_logged_in.get(reverse("mfa_add_webauthn"))

    nonce = re.search(r'<script src="/static/mfa/js/webauthn.js" nonce="([^"]+)"', response.text)
    assert nonce and f"'nonce-{nonce.group(1)}'" in response["Content-Security-Policy"]


def test_the_second_factor_step_of_login_wears_our_layout(alice):
    client = Client()
    client.post(reverse("account_login"), {"login": "alice@example.org", "password": PASSWORD})

    assert_accessible_and_strict(client.get(reverse("mfa_authenticate")))


def test_the_password_reset_flow_wears_our_layout(dan, mailoutbox):
    client = Client()
    response = client.post(reverse("account_reset_password"), {"email": "dan@example.org"})
    assert response.url == reverse("account_reset_password_done")
    assert_accessible_and_strict(client.get(response.url))

    link = re.search(r"http://testserver(/compte/password/reset/key/\S+/)", mailoutbox[0].body)
    form_page = client.get(link.group(1), follow=True)
    assert_accessible_and_strict(form_page)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"password1": "un nouveau mot de passe", "password2": "un nouveau mot de passe"},
        follow=True,
    )
    assert_accessible_and_strict(done)
    dan.refresh_from_db()
    assert dan.check_password("un nouveau mot de passe")
