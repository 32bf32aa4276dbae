"""In Chromium: an officer registers a webhook, copies its secret, reads the log, replays,
disables it. Every page is axe-clean, and nothing leaves the server."""

import re

import pytest
from standardwebhooks import Webhook

from commun.hooks.models import Endpoint, emit
from commun.testing.browser import act_as, assert_all_local, axe_check

pytestmark = pytest.mark.browser


def test_an_officer_registers_a_webhook_and_follows_its_deliveries(page, alice, receiver):
    act_as(page, alice)
    page.goto("/responsables/webhooks/")
    axe_check(page)
    page.get_by_text("Aucun webhook n'est enregistré.").wait_for()
    page.get_by_role("link", name="Ajouter un webhook").click()
    page.wait_for_url(re.compile(r"/nouveau/$"))
    axe_check(page)
    page.get_by_label("Adresse qui reçoit").fill(receiver.url)
    page.get_by_role("checkbox", name=re.compile(r"task\.created")).check()
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("heading", name="Secret de signature").wait_for()
    axe_check(page)
    secret = page.get_by_label("Secret").input_value()
    endpoint = Endpoint.objects.get()
    assert secret == endpoint.secret and secret.startswith("whsec_")

    emit("task.created", {"id": 1, "title": "Traduire la charte"})  # autocommit: sent at once
    request = receiver.received[0]
    assert Webhook(secret).verify(request["body"], request["headers"])["type"] == "task.created"

    page.get_by_role("link", name="J'ai copié le secret").click()
    page.wait_for_url(re.compile(rf"/responsables/webhooks/{endpoint.pk}/$"))
    axe_check(page)
    assert secret not in page.content()
    row = page.get_by_role("row", name=re.compile("task.created"))
    assert "reçu" in row.inner_text() and "200" in row.inner_text()
    row.get_by_role("button", name="Renvoyer").click()
    page.get_by_text("L'événement est renvoyé").wait_for()
    assert len(receiver.received) == 2

    page.get_by_role("button", name="Désactiver").click()
    page.get_by_text("Ce webhook est désactivé par un·e responsable").wait_for()
    axe_check(page)
    page.set_viewport_size({"width": 320, "height": 640})
    axe_check(page)
    page.goto("/responsables/webhooks/")
    axe_check(page)
    assert_all_local(page)
