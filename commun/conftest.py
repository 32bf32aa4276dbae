"""The people every test meets.

Alice is an officer and an active member (contributors' college), Bob an active member
(users' college), Carol has applied and waits, Dan has an account but never applied.
"""

import datetime

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client, RequestFactory

from commun.accounts.models import User
from commun.accounts.second_factor import factors, record_passed
from commun.members.models import (
    AdmissionRule,
    Application,
    Category,
    College,
    Cooperative,
    LegalForm,
    Member,
    ShareMovement,
)

pytest_plugins = [
    "commun.testing.pgcluster",
    "commun.testing.browser",
    "commun.testing.appendonly",
    "commun.testing.locale",
    "commun.testing.matrix",
    "commun.testing.deliberation",
    "commun.testing.passes",
]

PASSWORD = "correct horse battery staple"
ALICE_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _fresh_language(settings):
    settings.LANGUAGE_CODE = "fr"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits live in the cache: each test starts with none spent."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def coop(db):
    coop = Cooperative.get()
    coop.name = "Les Communs du Test"
    coop.legal_form = LegalForm.SCIC
    coop.share_value_cents = 5000
    coop.admission_rule = AdmissionRule.OFFICERS
    coop.charter = "# Charte\n\nUne personne, une voix."
    coop.contact_email = "contact@example.org"
    coop.save()
    founders = College.objects.create(name="Fondateur·ices", weight_percent=40, position=1)
    contributors = College.objects.create(name="Contributeur·ices", weight_percent=30, position=2)
    users = College.objects.create(name="Usager·es", weight_percent=30, position=3)
    Category.objects.create(
        name="Responsables et mainteneur·euses", college=founders, min_shares=2, position=1
    )
    Category.objects.create(
        name="Contributeur·ices", college=contributors, min_shares=1, mandatory=True, position=2
    )
    Category.objects.create(
        name="Partenaires et usager·es", college=users, min_shares=1, mandatory=True, position=3
    )
    return coop


def category(name_start: str) -> Category:
    return Category.objects.get(name__startswith=name_start)


def make_applicant(
    email: str, first_name: str, last_name: str, cat: Category, shares=1, **extra
) -> Application:
    user = User.objects.create_user(email, PASSWORD)
    user.emailaddress_set.create(email=email, verified=True, primary=True)
    return Application(
        user=user,
        email=email,
        first_name=first_name,
        last_name=last_name,
        category=cat,
        shares=shares,
        consents_to_charter=True,
        consents_to_privacy=True,
        **extra,
    ).submit()


def make_member(
    email: str,
    first_name: str,
    last_name: str,
    cat: Category,
    shares=1,
    officer=False,
    paid=True,
    **extra,
) -> Member:
    """An applicant admitted by the officers, shares paid unless `paid=False`."""
    application = make_applicant(email, first_name, last_name, cat, shares, **extra)
    member = application.admit(by=None) if application.status == "pending" else application.member
    if paid:
        ShareMovement.objects.record(
            ShareMovement.Kind.PAYMENT,
            member,
            shares,
            on=datetime.date(2026, 1, 15),
            reason="Virement",
        )
    if officer:
        Member.objects.filter(pk=member.pk).update(is_officer=True)
    member.refresh_from_db()
    return member


@pytest.fixture
def alice(coop) -> Member:
    alice = make_member(
        "alice@example.org", "Alice", "Martin", category("Contrib"), shares=2, officer=True
    )
    # Officers need a second factor before anything else (accounts' middleware).
    TOTP.activate(alice.user, ALICE_TOTP_SECRET)
    return alice


@pytest.fixture
def bob(coop) -> Member:
    return make_member("bob@example.org", "Bob", "Durand", category("Partenaires"))


@pytest.fixture
def carol(coop) -> Application:
    return make_applicant("carol@example.org", "Carol", "Petit", category("Partenaires"))


@pytest.fixture
def dan(coop) -> User:
    user = User.objects.create_user("dan@example.org", PASSWORD)
    user.emailaddress_set.create(email="dan@example.org", verified=True, primary=True)
    return user


def client_for(user) -> Client:
    """A client logged in as `user` the way they log in: through their second factor if
    they have one (allauth would ask for it), so an officer's session may act."""
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        factor = factors(user.pk).first()
        if factor is not None:
            request = RequestFactory().get("/")
            request.session, request.user = client.session, user
            record_passed(request, factor)
            request.session.save()
    return client


@pytest.fixture
def people(alice, bob, carol, dan):
    """Logged-in clients for each role of the permission matrices."""
    return {
        "visitor": Client(),
        "applicant": client_for(carol.user),
        "account": client_for(dan),
        "member": client_for(bob.user),
        "officer": client_for(alice.user),
    }
