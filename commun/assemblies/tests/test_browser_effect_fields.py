"""The agenda form shows only the fields of the effect chosen, in Chromium: Alice, an
officer, picks « Changer une règle des statuts » and sees only that effect's fields, then
the year close's; a refused field stays in sight with its error. Without JavaScript every
field is there and the server reads the chosen effect's, as before.
Every page visited is axe-clean, nothing leaves the server, no script is refused."""

import pytest

from commun.assemblies.models import AgendaItem
from commun.testing.assemblies import draft
from commun.testing.browser import act_as, assert_all_local, axe_check

pytestmark = pytest.mark.browser

YEAR = "Exercice dont les comptes sont approuvés"
RULE = "Règle à changer"
VALUE = "Nouvelle valeur"
APPLICATION = "Numéro de la candidature"
MEMBER = "Numéro de l'associé·e"
EVERY_EFFECT_FIELD = (YEAR, "Dividendes (457)", RULE, VALUE, APPLICATION, MEMBER)


def agenda_form(page):
    return page.locator("form", has=page.get_by_role("button", name="Ajouter", exact=True))


def visible(form, labels) -> set[str]:
    return {label for label in labels if form.get_by_label(label, exact=True).is_visible()}


def test_only_the_chosen_effect_s_fields_show(page, alice):
    assembly = draft(alice.user)
    act_as(page, alice)
    page.goto(f"/assemblees/{assembly.pk}/")
    form = agenda_form(page)
    assert visible(form, EVERY_EFFECT_FIELD) == set()
    axe_check(page)

    form.get_by_label("Effet une fois adoptée").select_option("change_rule")
    assert visible(form, EVERY_EFFECT_FIELD) == {RULE, VALUE}
    assert form.get_by_label("Règles de quel type d'assemblée").is_visible()
    form.get_by_label("Effet une fois adoptée").select_option("approve_accounts")
    assert visible(form, EVERY_EFFECT_FIELD) == {YEAR, "Dividendes (457)"}
    form.get_by_label("Effet une fois adoptée").select_option("exclude")
    assert visible(form, EVERY_EFFECT_FIELD) == {MEMBER}
    axe_check(page)

    # Chosen and submitted: the rules change is added with the values typed.
    form.get_by_label("Effet une fois adoptée").select_option("change_rule")
    form.get_by_label("Intitulé").fill("Un délai de convocation de 21 jours")
    form.get_by_label("Texte").fill("L'assemblée porte le délai à 21 jours.")
    form.get_by_label("Règles de quel type d'assemblée").select_option("ordinary")
    form.get_by_label(RULE).select_option("notice_days")
    form.get_by_label(VALUE).fill("21")
    form.get_by_role("button", name="Ajouter", exact=True).click()
    page.get_by_text("Un délai de convocation de 21 jours").first.wait_for()
    added = AgendaItem.objects.get(assembly=assembly, position=2)
    assert added.effect == {
        "kind": "change_rule",
        "assembly_kind": "ordinary",
        "rule": "notice_days",
        "value": 21,
    }

    # A field the server refused stays in sight, whatever effect is chosen next.
    form = agenda_form(page)
    form.get_by_label("Effet une fois adoptée").select_option("approve_accounts")
    form.get_by_label("Intitulé").fill("Les comptes")
    form.get_by_label("Texte").fill("L'assemblée approuve…")
    form.get_by_label(YEAR).fill("1800")
    form.get_by_role("button", name="Ajouter", exact=True).click()
    page.get_by_text("Rien n'a été enregistré").first.wait_for()
    form = agenda_form(page)
    assert form.get_by_label(YEAR).is_visible()
    form.get_by_label("Effet une fois adoptée").select_option("")
    assert visible(form, EVERY_EFFECT_FIELD) == {YEAR}
    axe_check(page)
    assert assembly.items.count() == 2
    assert_all_local(page)
    # The refused form's 422 is the only error: no script refused by the page's policy.
    assert [e for e in page.console_errors if "422" not in e] == []


def test_without_javascript_every_field_shows(browser, page, alice):
    assembly = draft(alice.user)
    act_as(page, alice)
    context = browser.new_context(
        locale="fr-FR", base_url=page.live_server_url, java_script_enabled=False
    )
    context.add_cookies(page.context.cookies())
    plain = context.new_page()
    plain.goto(f"/assemblees/{assembly.pk}/")
    form = agenda_form(plain)
    assert visible(form, EVERY_EFFECT_FIELD) == set(EVERY_EFFECT_FIELD)
    context.close()
