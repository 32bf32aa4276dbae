"""A member's language is the one they last chose on the site, and their emails speak it."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from commun.conftest import category, client_for, make_member
from commun.members.models import ShareMovement


@pytest.fixture
def erin(coop):
    return make_member("erin@example.org", "Erin", "Leroy", category("Partenaires"), paid=False)


def test_choosing_english_on_the_site_is_saved_on_the_member(erin):
    response = client_for(erin.user).post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    erin.refresh_from_db()
    assert erin.language == "en"


def test_an_english_choosing_member_gets_english_email(erin, django_capture_on_commit_callbacks):
    client_for(erin.user).post(reverse("set_language"), {"language": "en", "next": "/"})
    erin.refresh_from_db()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        ShareMovement.objects.record(ShareMovement.Kind.PAYMENT, erin, 1, reason="Virement")

    [email] = mail.outbox
    assert email.to == ["erin@example.org"]
    assert email.subject == "Payment for your shares recorded"
    assert "Hello Erin" in email.body


def test_a_visitor_choosing_a_language_changes_no_member(erin):
    response = Client().post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    erin.refresh_from_db()
    assert erin.language == "fr"


def test_an_unknown_language_is_not_saved(erin):
    client_for(erin.user).post(reverse("set_language"), {"language": "xx", "next": "/"})

    erin.refresh_from_db()
    assert erin.language == "fr"
