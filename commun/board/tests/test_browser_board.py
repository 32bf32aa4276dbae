"""The board in Chromium: a visitor reads it without JavaScript, a member moves a card with
htmx, the need's author validates it; its author moves a task to another need on a phone;
every page axe-clean, nothing loaded from elsewhere.
"""

import pytest

from commun.board.models import Task
from commun.members.models import Member
from commun.testing.board import task_on
from commun.testing.browser import act_as, assert_all_local, axe_check, done
from commun.testing.budgets import need_by

pytestmark = pytest.mark.browser


def test_a_member_moves_a_card_and_the_need_author_validates_it(browser, page, need, bob, gus):
    Member.objects.filter(pk=gus.pk).update(public_visibility="pseudonym", pseudonym="gugus")
    task = task_on(need, bob, title="Corriger l'envoi", labels=["billetterie"])
    task_on(need, bob, title="Écrire la doc")

    # A visitor, JavaScript off: the columns and the task are there, no button.
    context = browser.new_context(
        locale="fr-FR", base_url=page.live_server_url, java_script_enabled=False
    )
    visitor = context.new_page()
    visitor.goto("/tableau/")
    assert visitor.get_by_role("heading", name="À faire").is_visible()
    assert visitor.get_by_role("link", name="Corriger l'envoi").is_visible()
    assert visitor.get_by_role("button", name="Prendre").count() == 0
    context.close()

    # Gus takes it from the board: htmx moves the card to « En cours ».
    act_as(page, gus)
    page.goto("/tableau/")
    axe_check(page)
    page.get_by_role("button", name="Prendre : Corriger l'envoi").click()
    doing = page.locator("section", has=page.get_by_role("heading", name="En cours"))
    doing.get_by_role("link", name="Corriger l'envoi").wait_for()
    assert Task.objects.get(pk=task.pk).state == "doing"
    page.get_by_role("button", name="Marquer faite : Corriger l'envoi").click()
    page.locator("section", has=page.get_by_role("heading", name="Fait", exact=True)).get_by_role(
        "link", name="Corriger l'envoi"
    ).wait_for()
    axe_check(page)

    # Bob, who raised the need, reads the task's page and validates it.
    act_as(page, bob)
    page.goto(task.get_absolute_url())
    axe_check(page)
    page.get_by_role("button", name="Valider").click()
    done(page, "La tâche est validée.")
    assert Task.objects.get(pk=task.pk).state == "validated"
    assert page.get_by_text("a validé la tâche").is_visible()
    page.goto("/tableau/liste/")
    axe_check(page)
    page.goto("/tableau/mes-taches/")
    axe_check(page)
    assert_all_local(page)


def test_its_author_moves_a_task_to_another_need_from_its_page_on_a_phone(
    browser, page, need, bob, gus
):
    other = need_by(bob, title="Une documentation à jour")
    task = task_on(need, gus, title="Relire le guide")
    page.set_viewport_size({"width": 360, "height": 740})
    act_as(page, gus)
    page.goto(task.get_absolute_url())
    axe_check(page)
    page.get_by_label("Déplacer vers").select_option(label="Besoin « Une documentation à jour »")
    page.get_by_role("button", name="Déplacer la tâche").click()
    done(page, "La tâche est déplacée.")
    assert Task.objects.get(pk=task.pk).need == other
    assert page.get_by_text("Une documentation à jour").first.is_visible()
    axe_check(page)
    assert_all_local(page)
