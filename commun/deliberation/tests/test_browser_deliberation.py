"""Deliberation in Chromium: htmx posts, reacts and edits in place; every page passes axe."""

import pytest

from commun.conftest import PASSWORD
from commun.deliberation.models import Space
from commun.testing.browser import assert_all_local, axe_check

pytestmark = pytest.mark.browser


def log_in(page, email: str):
    page.goto("/compte/login/")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe", exact=False).first.fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_a_member_deliberates_in_place_accessibly(bob, gus, garden, page):
    space = Space.objects.cooperative()
    thread = space.start_thread(gus, "Notre charte", f"Qu'en pense @{bob.number} ?")
    log_in(page, "bob@example.org")

    for path in [
        "/espaces/",
        space.get_absolute_url(),
        "/cercles/",
        garden.get_absolute_url(),
        "/notifications/preferences/",
        "/recherche/?q=charte",
        f"/espaces/{space.slug}/nouveau-fil/",
    ]:
        assert page.goto(path).status == 200, path
        axe_check(page)
    assert page.goto("/notifications/").status == 200
    assert "vous a mentionné·e" in page.locator("main").inner_text()

    page.goto(thread.get_absolute_url())
    axe_check(page)
    page.get_by_label("Votre commentaire").fill("J'approuve **pleinement**.")
    page.get_by_role("button", name="Publier").click()
    new = page.locator("#comments article").last
    new.locator("strong", has_text="pleinement").wait_for()
    assert page.get_by_label("Votre commentaire").input_value() == ""  # a fresh form
    assert thread.comments.count() == 2

    new.get_by_role("button", name="Bravo").click()
    new.locator("button[aria-pressed=true]").wait_for()

    new.get_by_role("link", name="Modifier").click()
    page.get_by_label("Texte du commentaire").fill("J'approuve, avec une nuance.")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("avec une nuance").wait_for()
    page.get_by_role("link", name="modifié").wait_for()
    assert thread.comments.last().revisions.count() == 1

    axe_check(page)
    assert_all_local(page)
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
