"""The needs and missions pages, read and used through the web, without JavaScript."""

from django.urls import reverse

from commun.budgets.models import Mission, MissionPayment, Need, NeedSupport
from commun.testing.budgets import adopt, fund, invoice, need_by, shown, submitted


def test_a_member_raises_a_need_and_another_supports_it(people, alice, bob):
    response = people["member"].post(
        reverse("budgets:need_new"), {"title": "Un serveur", "description": "Le nôtre **flanche**."}
    )
    need = Need.objects.get()
    assert response.status_code == 302 and response["Location"] == need.get_absolute_url()
    assert need.raised_by == bob

    people["officer"].post(reverse("budgets:need_support", args=[need.pk]), {"action": "support"})
    people["officer"].post(reverse("budgets:need_support", args=[need.pk]), {"action": "support"})
    assert NeedSupport.objects.filter(need=need, member=alice).count() == 1

    page = people["visitor"].get(reverse("budgets:needs"))
    assert page.status_code == 200 and "Un serveur" in page.content.decode()
    detail = people["visitor"].get(need.get_absolute_url()).content.decode()
    assert "<strong>flanche</strong>" in detail


def test_the_author_marks_a_need_met_with_a_reason(people, bob):
    need = need_by(bob)
    refused = people["member"].post(
        reverse("budgets:need_status", args=[need.pk]), {"status": "met"}
    )
    assert refused.status_code == 422
    people["member"].post(
        reverse("budgets:need_status", args=[need.pk]), {"status": "met", "reason": "Fait."}
    )
    need.refresh_from_db()
    assert need.status == "met" and need.status_reason == "Fait."


def test_the_estimate_button_shows_the_cost_and_saves_nothing(people, bob):
    need = need_by(bob)
    fund(1_000_000)
    response = people["member"].post(
        reverse("budgets:mission_new", args=[need.pk]),
        {
            "title": "T",
            "scope": "S",
            "deliverables": "D",
            "start_on": "2026-01-01",
            "duration_months": "1",
            "pay_form": "invoice",
            "amount": "1000",
            "vat_rate": "20",
            "estimate": "1",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert shown(120_000) in page and "TVA comprise" in page
    assert shown(10_000 * 100) in page  # the reserve available
    assert Mission.objects.count() == 0


def test_a_proposal_is_saved_as_a_draft_then_submitted(people, alice, bob):
    need = need_by(bob)
    response = people["member"].post(
        reverse("budgets:mission_new", args=[need.pk]),
        {
            "title": "T",
            "scope": "S",
            "deliverables": "D",
            "start_on": "2026-01-01",
            "duration_months": "1",
            "pay_form": "expenses",
            "amount": "300",
        },
    )
    mission = Mission.objects.get()
    assert response.status_code == 302 and mission.status == "draft"
    assert people["visitor"].get(mission.get_absolute_url()).status_code == 302  # log in first
    assert people["officer"].get(mission.get_absolute_url()).status_code == 404
    people["member"].post(reverse("budgets:mission_submit", args=[mission.pk]))
    mission.refresh_from_db()
    assert mission.status == "submitted" and mission.full_cost_cents == 30_000
    page = people["visitor"].get(mission.get_absolute_url()).content.decode()
    assert reverse("decisions:detail", args=[mission.decision_id]) in page


def test_an_officer_records_and_cancels_a_payment_from_the_page(people, alice, bob):
    fund(1_000_000)
    mission = submitted(bob, **invoice(100_000))
    adopt(mission, bob)
    page = people["officer"].get(mission.get_absolute_url())
    key = page.context["payment_form"].initial["idempotency_key"]
    body = {
        "payment-kind": "invoice",
        "payment-date": "2026-02-01",
        "payment-label": "Facture 12",
        "payment-amount": "400",
        "payment-account": "622",
        "payment-idempotency_key": key,
    }
    assert (
        people["officer"].post(reverse("budgets:payment_new", args=[mission.pk]), body).status_code
        == 302
    )
    assert (
        people["officer"].post(reverse("budgets:payment_new", args=[mission.pk]), body).status_code
        == 302
    )
    payment = MissionPayment.objects.get()
    assert payment.lines == [["622", 40_000]]

    over = people["officer"].post(
        reverse("budgets:payment_new", args=[mission.pk]),
        body | {"payment-amount": "2000", "payment-idempotency_key": "autre"},
    )
    assert over.status_code == 422 and "dépasse ce qui reste engagé" in over.content.decode()
    assert MissionPayment.objects.count() == 1

    people["officer"].post(
        reverse("budgets:payment_cancel", args=[payment.pk]), {"cancel-reason": "Doublon"}
    )
    payment.refresh_from_db()
    assert payment.is_cancelled
    detail = people["visitor"].get(mission.get_absolute_url()).content.decode()
    assert f"n°{payment.transaction.number}" in detail and "Annulé" in detail


def test_officers_edit_the_settings(people, alice):
    assert people["member"].get(reverse("budgets:settings")).status_code == 403
    response = people["officer"].post(
        reverse("budgets:settings"),
        {
            "deciders": "officers",
            "min_deliberation_days": "3",
            "deadline_days": "2",
            "country": "FR",
            "net_ratio": "0.78",
            "employer_ratio": "1.42",
            "headcount": "5",
        },
    )
    assert response.status_code == 422
    assert "après la durée minimale" in response.content.decode()


def test_a_mission_on_a_met_need_is_refused_with_a_clear_error(people, bob):
    need = need_by(bob)
    need.set_status(bob, "met", "Fait.")
    response = people["member"].post(
        reverse("budgets:mission_new", args=[need.pk]),
        {
            "title": "T",
            "scope": "S",
            "deliverables": "D",
            "start_on": "2026-01-01",
            "duration_months": "1",
            "pay_form": "expenses",
            "amount": "300",
        },
    )
    assert response.status_code == 422
    assert "Ce besoin est satisfait" in response.content.decode()
    assert Mission.objects.count() == 0
