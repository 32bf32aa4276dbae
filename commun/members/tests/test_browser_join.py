"""A visitor joins from the home page, in Debian's Chromium: accessible, and all local."""

import re

import pytest
from django.core.cache import cache

from commun.accounts.models import User
from commun.members.models import Application
from commun.testing.browser import assert_all_local, axe_check

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_visitor_joins_from_the_home_page(page, coop):
    page.goto("/")
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Rejoindre", exact=True
    ).click()
    page.wait_for_url(re.compile(r"/rejoindre/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Rejoindre la coopérative"
    axe_check(page)

    page.get_by_label("Prénom").fill("Zoé")
    page.get_by_label("Nom", exact=True).fill("Lambert")
    page.get_by_label("Adresse e-mail").fill("zoe@example.org")
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    page.get_by_label("Adresse postale").fill("1 rue des Communs\n75011 Paris")
    page.get_by_label("Partenaires et usager·es (au moins 1 part)").check()
    page.get_by_label("Nombre de parts souscrites").fill("3")
    assert "3 parts = 150" in page.locator("output[data-shares-total]").inner_text()
    page.get_by_label("Ce qui vous amène").fill("Contribuer aux communs.")
    page.get_by_label("Mot de passe", exact=True).fill("Des-communs-pour-tous-2026")
    page.get_by_label("Mot de passe, à nouveau").fill("Des-communs-pour-tous-2026")
    page.get_by_label(re.compile(r"^J'ai lu la charte")).check()
    page.get_by_label(re.compile(r"^J'accepte la politique")).check()
    page.get_by_role("button", name="Envoyer ma candidature").click()

    page.wait_for_url(re.compile(r"/rejoindre/merci/$"))
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "Merci, votre candidature est enregistrée"
    assert "Confirmez votre adresse e-mail" in page.locator("main").inner_text()
    axe_check(page)

    application = Application.objects.get(user__email="zoe@example.org")
    assert (application.first_name, application.shares) == ("Zoé", 3)
    assert not User.objects.get(email="zoe@example.org").emailaddress_set.get().verified
    assert_all_local(page)
    assert page.console_errors == []


def test_the_join_form_shows_its_errors_accessibly(page, coop):
    page.goto("/rejoindre/")
    page.get_by_label("Prénom").fill("Zoé")
    page.get_by_label("Nom", exact=True).fill("Lambert")
    page.get_by_label("Adresse e-mail").fill("zoe@example.org")
    page.get_by_label("Responsables et mainteneur·euses (au moins 2 parts)").check()
    page.get_by_label("Nombre de parts souscrites").fill("1")
    page.get_by_label("Mot de passe", exact=True).fill("Des-communs-pour-tous-2026")
    page.get_by_label("Mot de passe, à nouveau").fill("Des-communs-pour-tous-2026")
    page.get_by_label(re.compile(r"^J'ai lu la charte")).check()
    page.get_by_label(re.compile(r"^J'accepte la politique")).check()
    page.get_by_role("button", name="Envoyer ma candidature").click()

    page.get_by_role("alert").first.wait_for()
    shares = page.get_by_label("Nombre de parts souscrites")
    assert shares.get_attribute("aria-invalid") == "true"
    assert "demande au moins 2 parts" in page.locator("main").inner_text()
    axe_check(page)
    assert not Application.objects.exists()
    assert_all_local(page)
