"""The cost preview of a mission with other people paid on it shows each one's cost and the
total its submission stores, on the draft's form, in its htmx preview and while amending."""

import pytest
from django.urls import reverse

from commun.budgets.models import Mission
from commun.decisions.models import Decision
from commun.testing.budgets import draft, fund, invoice, shown

pytestmark = pytest.mark.django_db

# Bob invoices 2,000 € excl. VAT at 20 % (2,400 €) on the form; Gus: 10 h × 50 € (500 €).
FORM = {
    "title": "Maintenir la billetterie",
    "scope": "Corriger les anomalies.",
    "deliverables": "Deux versions publiées.",
    "start_on": "2026-01-01",
    "duration_months": "1",
    "pay_form": "invoice",
    "amount": "2000",
    "vat_rate": "20",
}
TOTAL = 240_000 + 50_000


def with_gus(bob, gus) -> Mission:
    """Bob's draft at 1,000 € excl. VAT, and Gus co-remunerated beside him."""
    mission = draft(bob, **invoice(100_000, 2_000))
    mission.add_contributor(
        bob, gus, pay_form="co_remuneration", estimated_hours=10, hourly_rate_cents=5_000
    )
    return mission


def assert_each_person_and_the_total(page: str, bob, gus) -> None:
    assert gus.name_for(bob) in page and bob.name_for(bob) in page
    assert shown(240_000) in page and shown(50_000) in page and shown(TOTAL) in page


def test_estimating_a_draft_shows_each_person_paid_and_the_total(people, bob, gus):
    mission = with_gus(bob, gus)

    response = people["member"].post(
        reverse("budgets:mission_edit", args=[mission.pk]), FORM | {"estimate": "1"}
    )

    assert response.status_code == 200
    assert response.context["cost"].total_cents == TOTAL
    assert_each_person_and_the_total(response.content.decode(), bob, gus)
    mission.refresh_from_db()
    assert mission.amount_cents == 100_000  # nothing saved


def test_the_preview_total_is_what_submission_stores(people, bob, gus):
    mission = with_gus(bob, gus)
    previewed = people["member"].post(reverse("budgets:mission_estimate", args=[mission.pk]), FORM)
    assert previewed.status_code == 200
    assert_each_person_and_the_total(previewed.content.decode(), bob, gus)

    people["member"].post(reverse("budgets:mission_edit", args=[mission.pk]), FORM)
    mission.submit(bob)
    mission.refresh_from_db()

    assert mission.full_cost_cents == previewed.context["cost"].total_cents == TOTAL


def test_the_draft_form_asks_its_own_preview(people, bob, gus):
    mission = with_gus(bob, gus)

    page = people["member"].get(reverse("budgets:mission_edit", args=[mission.pk]))

    assert reverse("budgets:mission_estimate", args=[mission.pk]) in page.content.decode()


def test_amending_shows_each_person_paid_and_the_total(people, alice, bob, gus):
    fund(1_000_000)
    mission = with_gus(bob, gus)
    mission.submit(bob)
    decision = Decision.objects.get(pk=mission.decision_id)
    decision.current_round.take_stance(alice, "objection", "La facture est trop basse.")
    decision.objections.get().begin_integration(bob)
    path = reverse("budgets:mission_amend", args=[mission.pk])

    response = people["member"].post(path, FORM | {"note": "Facture relevée.", "estimate": "1"})
    htmx = people["member"].post(reverse("budgets:mission_estimate", args=[mission.pk]), FORM)

    assert response.status_code == htmx.status_code == 200
    assert_each_person_and_the_total(response.content.decode(), bob, gus)
    assert_each_person_and_the_total(htmx.content.decode(), bob, gus)
    assert mission.versions.count() == 1


def test_no_one_else_previews_a_draft(people, bob, gus):
    mission = with_gus(bob, gus)

    for role in ("officer", "visitor"):
        response = people[role].post(reverse("budgets:mission_estimate", args=[mission.pk]), FORM)
        assert response.status_code in (302, 404)
