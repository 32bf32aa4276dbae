"""In Chromium: each public page names its feed in its head, and the calendar page works."""

import pytest

from commun.testing.browser import act_as, assert_all_local, axe_check

pytestmark = pytest.mark.browser

PAGES = {
    "/besoins/": "/flux/besoins.atom",
    "/missions/": "/flux/missions.atom",
    "/decisions/": "/flux/decisions.atom",
    "/comptes/": "/flux/ecritures.atom",
    "/comptes/ecritures/": "/flux/ecritures.atom",
    "/tableau/": "/flux/taches.atom",
    "/tableau/liste/": "/flux/taches.atom",
}


@pytest.mark.parametrize(("path", "feed"), PAGES.items())
def test_a_public_page_advertises_its_feed_and_stays_accessible(record, page, path, feed):
    page.goto(path)

    links = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
    assert links.count() == 1
    assert links.get_attribute("href") == feed
    assert links.get_attribute("title")
    assert page.locator(f'main a[href="{feed}"]').is_visible()  # for people, too
    answer = page.request.get(feed)
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("application/atom+xml")
    axe_check(page)
    assert_all_local(page)


def test_the_register_and_the_missions_advertise_the_public_calendar(record, page):
    for path in ("/decisions/", "/missions/"):
        page.goto(path)
        calendar = page.locator('head link[rel="alternate"][type="text/calendar"]')
        assert calendar.get_attribute("href") == "/calendrier.ics"
    assert page.request.get("/calendrier.ics").status == 200


def test_a_member_creates_copies_and_revokes_their_calendar_address(record, page, bob):
    act_as(page, bob)
    page.goto("/compte/")
    page.get_by_role("link", name="Mon calendrier").click()
    page.wait_for_url("**/compte/calendrier/")
    axe_check(page)

    page.get_by_role("button", name="Créer mon adresse de calendrier").click()
    url = page.get_by_label("Adresse de votre calendrier").input_value()
    axe_check(page)
    assert page.request.get(url).status == 200

    page.get_by_role("link", name="J’ai copié l’adresse").click()
    page.get_by_role("button", name="Révoquer l’adresse").click()
    page.get_by_text("Votre lien de calendrier est révoqué").wait_for()
    assert page.request.get(url).status == 404
    axe_check(page)
    assert_all_local(page)
