"""Joining through the public form: one transaction, clear French errors, nothing half-written."""

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.urls import reverse

from commun.accounts.models import User
from commun.conftest import category, client_for
from commun.members.models import (
    AdmissionRule,
    Application,
    Category,
    Cooperative,
    Member,
    ShareMovement,
)
from commun.testing.members import NEW_PASSWORD, join_data

JOIN = "/rejoindre/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The signup rate limit lives in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def counts() -> tuple[int, ...]:
    return (
        User.objects.count(),
        EmailAddress.objects.count(),
        Application.objects.count(),
        Member.objects.count(),
        ShareMovement.objects.count(),
    )


def test_the_form_shows_the_share_value_and_the_open_categories(coop, client):
    Category.objects.filter(name__startswith="Responsables").update(open_to_applications=False)
    response = client.get(reverse("members:join"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Une part vaut 50\u00a0€" in html
    assert "Partenaires et usager·es (au moins 1 part)" in html
    assert "Responsables et mainteneur·euses" not in html
    assert 'name="password1"' in html
    assert reverse("core:charter") in html and reverse("core:privacy") in html


def test_a_visitor_joins_and_receives_the_verification_and_the_acknowledgement(
    coop, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(JOIN, join_data(email="Zoe@Example.org"))
    assert response.status_code == 302
    assert response.url == reverse("members:join_done")

    user = User.objects.get(email="zoe@example.org")
    assert user.check_password(NEW_PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert address.email == "zoe@example.org" and address.primary and not address.verified
    application = Application.objects.get(user=user)
    assert application.status == Application.Status.PENDING
    assert (application.shares, application.first_name, application.language) == (3, "Zoé", "fr")
    assert application.email == "zoe@example.org"
    assert application.postal_address == "1 rue des Communs\n75011 Paris"
    assert not Member.objects.filter(user=user).exists()

    to_zoe = [message for message in mailoutbox if message.to == ["zoe@example.org"]]
    bodies = "\n".join(message.body for message in to_zoe)
    assert "/compte/confirm-email/" in bodies, [m.subject for m in to_zoe]
    assert any("est bien reçue" in message.subject for message in to_zoe)

    done = client.get(response.url)
    assert "Confirmez votre adresse e-mail" in done.content.decode()
    assert "Les responsables examinent votre candidature" in done.content.decode()
    assert "150\u00a0€" in done.content.decode()


def test_automatic_admission_gives_a_number_and_a_welcome(
    coop, client, mailoutbox, django_capture_on_commit_callbacks
):
    Cooperative.objects.filter(pk=1).update(admission_rule=AdmissionRule.AUTOMATIC)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(JOIN, join_data())
    assert response.status_code == 302
    member = Member.objects.get(user__email="zoe@example.org")
    assert member.number == 1 and member.status == Member.Status.ADMITTED
    assert member.shares_subscribed == 3 and member.shares_paid == 0
    assert ShareMovement.objects.get(member=member).kind == ShareMovement.Kind.SUBSCRIPTION
    assert any(message.subject.startswith("Bienvenue") for message in mailoutbox)
    done = client.get(response.url).content.decode()
    assert "Votre numéro d'associé·e est le 1" in done


def test_the_application_keeps_the_language_of_the_page(coop, client):
    client.post(JOIN, join_data(), HTTP_ACCEPT_LANGUAGE="en")
    assert Application.objects.get().language == "en"


def test_an_organisation_needs_its_name(coop, client):
    before = counts()
    response = client.post(JOIN, join_data(kind="organisation"))
    assert response.status_code == 400
    assert response.context["form"].errors["organisation_name"] == [
        "Indiquez le nom de la structure que vous représentez."
    ]
    assert counts() == before
    client.post(JOIN, join_data(kind="organisation", organisation_name="Tiers-lieu du Coin"))
    assert Application.objects.get().full_name == "Tiers-lieu du Coin (Zoé Lambert)"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"shares": "-3"}, "shares", "Souscrivez au moins une part."),
        ({"shares": "0"}, "shares", "Souscrivez au moins une part."),
        ({"shares": str(10**12)}, "shares", "Une candidature porte sur 1000000 parts au plus."),
        ({"shares": "trois"}, "shares", "Le nombre de parts est un nombre entier."),
        ({"category": "999999"}, "category", "Choisissez une des catégories proposées."),
        ({"category": "abc"}, "category", "Choisissez une des catégories proposées."),
        (
            {"consents_to_charter": None},
            "consents_to_charter",
            "Adhérer à la charte est nécessaire pour rejoindre.",
        ),
        (
            {"consents_to_privacy": None},
            "consents_to_privacy",
            "Accepter la politique de confidentialité est nécessaire pour rejoindre.",
        ),
        (
            {"email": "pas-une-adresse"},
            "email",
            "Cette adresse e-mail n'est pas valide (exemple : nom@exemple.fr).",
        ),
        ({"first_name": ""}, "first_name", "Indiquez votre prénom."),
        (
            {"password2": "autre-chose-2026"},
            "password2",
            "Les deux mots de passe ne correspondent pas.",
        ),
    ],
)
def test_bad_input_gets_a_french_error_on_its_field_and_writes_nothing(
    coop, client, overrides, field, message
):
    before = counts()
    response = client.post(JOIN, join_data(**overrides))
    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert counts() == before


def test_shares_under_the_category_minimum_are_refused(coop, client):
    before = counts()
    response = client.post(JOIN, join_data(category=category("Responsables").pk, shares="1"))
    assert response.status_code == 400
    assert response.context["form"].errors["shares"] == [
        "La catégorie « Responsables et mainteneur·euses » demande au moins 2 parts."
    ]
    assert counts() == before


def test_a_closed_category_is_refused(coop, client):
    closed = category("Responsables")
    Category.objects.filter(pk=closed.pk).update(open_to_applications=False)
    before = counts()
    response = client.post(JOIN, join_data(category=closed.pk, shares="2"))
    assert response.context["form"].errors["category"] == [
        "Choisissez une des catégories proposées."
    ]
    assert counts() == before


def test_a_common_password_is_refused(coop, client):
    before = counts()
    response = client.post(JOIN, join_data(password1="password", password2="password"))
    assert response.status_code == 400
    assert response.context["form"].errors["password1"]
    assert counts() == before


@pytest.mark.parametrize("email", ["bob@example.org", "BOB@Example.ORG"])
def test_an_address_that_has_an_account_must_log_in_first(bob, client, email):
    before = counts()
    response = client.post(JOIN, join_data(email=email))
    html = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 400
    assert response.context["form"].errors["email"] == [
        "Un compte existe déjà avec cette adresse : connectez-vous d'abord."
    ]
    assert f"{reverse('account_login')}?next={reverse('members:join')}" in html
    assert "Bob" not in html  # nothing more is revealed about the account
    assert counts() == before


def test_a_refusal_by_the_model_rolls_the_new_account_back(coop, client, monkeypatch):
    """Should the model refuse after the account is created, no orphan account remains."""
    from django.core.exceptions import ValidationError

    def refuse(self):
        raise ValidationError({"shares": "Refusé par le modèle."})

    monkeypatch.setattr(Application, "submit", refuse)
    before = counts()
    response = client.post(JOIN, join_data())
    assert response.status_code == 400
    assert response.context["form"].errors["shares"] == ["Refusé par le modèle."]
    assert counts() == before


def test_a_logged_in_account_applies_without_a_password(dan, mailoutbox):
    client = client_for(dan)
    page = client.get(JOIN).content.decode()
    assert 'name="password1"' not in page and 'name="email"' not in page
    response = client.post(JOIN, join_data(email=None, password1=None, password2=None))
    assert response.status_code == 302
    application = Application.objects.get(user=dan)
    assert application.email == "dan@example.org"
    assert User.objects.filter(email="zoe@example.org").count() == 0
    done = client.get(response.url).content.decode()
    assert "Confirmez votre adresse e-mail" not in done


def test_a_member_is_told_they_already_are_one(bob):
    client = client_for(bob.user)
    page = client.get(JOIN).content.decode()
    assert (
        "Vous êtes déjà associé·e" in page
        and '<form method="post" action="/rejoindre/"' not in page
    )
    before = counts()
    client.post(JOIN, join_data(email=None, password1=None, password2=None))
    assert counts() == before


def test_an_applicant_with_a_pending_application_cannot_apply_twice(carol):
    client = client_for(carol.user)
    assert "en attente de réponse" in client.get(JOIN).content.decode()
    before = counts()
    client.post(JOIN, join_data(email=None, password1=None, password2=None))
    assert counts() == before


def test_a_refused_applicant_may_apply_again(carol):
    carol.refuse("Catégorie inadaptée", by=None)
    client = client_for(carol.user)
    response = client.post(JOIN, join_data(email=None, password1=None, password2=None))
    assert response.status_code == 302
    assert carol.user.applications.count() == 2


def test_script_tags_in_names_are_stored_as_text_and_escaped(coop, client):
    client.post(JOIN, join_data(first_name="<script>alert(1)</script>", last_name="<b>Nom</b>"))
    application = Application.objects.get()
    assert application.first_name == "<script>alert(1)</script>"
    client.force_login(application.user, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("members:me")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "<b>Nom</b>" not in page


def test_the_signup_rate_limit_answers_429_and_writes_nothing(coop, client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/h/ip"}
    assert client.post(JOIN, join_data()).status_code == 302
    before = counts()
    response = client.post(JOIN, join_data(email="yann@example.org"))
    assert response.status_code == 429
    assert counts() == before


def test_an_address_registered_meanwhile_is_caught_by_the_database(bob, client, monkeypatch):
    monkeypatch.setattr("commun.members.forms.account_exists", lambda email: False)
    before = counts()
    response = client.post(JOIN, join_data(email="bob@example.org"))
    assert response.status_code == 400
    assert response.context["form"].errors["email"] == [
        "Un compte existe déjà avec cette adresse : connectez-vous d'abord."
    ]
    assert counts() == before


def test_a_duplicate_pending_application_caught_by_the_database_is_a_form_error(dan, monkeypatch):
    from django.db import IntegrityError

    def collide(self):
        self.save()
        raise IntegrityError("one_pending_application_per_user")

    monkeypatch.setattr(Application, "submit", collide)
    before = counts()
    response = client_for(dan).post(JOIN, join_data(email=None, password1=None, password2=None))
    assert response.status_code == 400
    assert (
        "Vous avez déjà une candidature en attente." in response.context["form"].non_field_errors()
    )
    assert counts() == before


def test_script_tags_are_escaped_when_the_form_comes_back_and_on_the_next_steps(coop, client):
    script = "<script>alert(1)</script>"
    invalid = client.post(JOIN, join_data(first_name=script, shares="-1"))
    assert script not in invalid.content.decode()
    response = client.post(JOIN, join_data(first_name=script, last_name=script))
    assert script not in client.get(response.url).content.decode()
