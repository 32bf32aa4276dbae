"""A mission is its decision's subject, versioned with it.

The charter's example — a six-month CDD at 2,000 € net a month — meets an objection: the
pay is too high, 1,800 € net would do. Integrating it makes version 2 of the mission (its
cost recomputed by the payroll engine) and version 2 of the decision's text, generated from
it. Adopted, version 2's cost is what the reserve commits, what the journal records and what
the public mission page shows; a cost line typed by hand never reaches the text.
"""

import datetime
import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from commun.budgets.models import Mission, MissionVersion
from commun.decisions.models import Decision
from commun.ledger import funds
from commun.ledger.models import JournalEntry, Transaction
from commun.lib import payroll
from commun.testing.api import bearer, call
from commun.testing.budgets import (
    CHARTER,
    CHARTER_COST_CENTS,
    DAY,
    consent_all,
    draft,
    fund,
    invoice,
    shown,
    submitted,
)

LOWER_PAY = 180_000
NEW_SCOPE = "Corriger les anomalies **prioritaires** et publier deux versions."
OBJECTION = "2 000 € net, c'est plus que nos autres missions : 1 800 € suffiraient."


@pytest.fixture(scope="module")
def lower_cost():
    """Version 2's cost, from the payroll engine called directly."""
    return payroll.salaried_cost(
        contract="cdd", monthly_net_cents=LOWER_PAY, months=6, start=CHARTER["start_on"]
    ).employer_cost_cents


def objected(proposer, objector) -> tuple[Mission, Decision]:
    """The charter's mission submitted, and an objection to its pay taken up to integrate."""
    fund(6_000_000)
    mission = submitted(proposer, **CHARTER)
    decision = Decision.objects.get(pk=mission.decision_id)
    decision.current_round.take_stance(objector, "objection", OBJECTION)
    decision.objections.get().begin_integration(proposer)
    decision.refresh_from_db()
    return mission, decision


def integrated(proposer, objector) -> tuple[Mission, Decision]:
    """Version 2 at 1,800 € net with a narrower scope, in its own objection round."""
    mission, decision = objected(proposer, objector)
    objection = decision.objections.get()
    mission.amend(
        proposer,
        monthly_amount_cents=LOWER_PAY,
        scope=NEW_SCOPE,
        note="Salaire ramené à 1 800 € net.",
        integrates=[objection],
    )
    decision.start_new_round(proposer)
    objection.resolve(objector)
    return mission, Decision.objects.get(pk=decision.pk)


def adopted(proposer, objector) -> tuple[Mission, Decision]:
    mission, decision = integrated(proposer, objector)
    consent_all(decision)
    assert decision.close(now=decision.deliberation_ends_at + DAY, by=proposer) == "adopted"
    mission.refresh_from_db()
    return mission, Decision.objects.get(pk=decision.pk)


def cost_lines(body: str) -> list[str]:
    """The lines of a text that state a full cost (a figure follows the words)."""
    return [line for line in body.splitlines() if re.search(r"(?i)co[uû]t complet.*\d", line)]


# The charter's example -----------------------------------------------------------------------


def test_integrating_an_objection_on_the_pay_makes_version_2_costed_anew(alice, bob, lower_cost):
    mission, decision = integrated(bob, alice)

    assert lower_cost < CHARTER_COST_CENTS
    first, second = MissionVersion.objects.filter(mission=mission).order_by("number")
    assert (first.number, first.full_cost_cents) == (1, CHARTER_COST_CENTS)
    assert (second.number, second.full_cost_cents) == (2, lower_cost)
    assert second.monthly_amount_cents == LOWER_PAY and second.scope == NEW_SCOPE
    assert second.cost_engine == "openfisca-france" and len(second.cost_breakdown["months"]) == 6
    # The mission's terms are those of its latest version, and so is the decision's text.
    assert mission.full_cost_cents == lower_cost and mission.monthly_amount_cents == LOWER_PAY
    text = decision.current_version
    assert text.number == 2 and second.decision_version_id == text.pk
    assert first.decision_version.number == 1
    assert cost_lines(text.body) and all(
        shown(lower_cost) in line for line in cost_lines(text.body)
    )
    assert shown(CHARTER_COST_CENTS) not in text.body
    assert decision.objections.get().integrated_in_id == text.pk


def test_adoption_commits_version_2s_cost_not_version_1s(alice, bob, lower_cost):
    mission, decision = adopted(bob, alice)

    assert mission.status == "adopted"
    assert mission.adopted_version.number == 2
    assert mission.committed_cents == lower_cost == mission.full_cost_cents
    assert funds.committed_cents(mission.ref) == lower_cost
    assert funds.available_cents() == 6_000_000 - lower_cost
    # The books name the version committed; the decision's record names it and its cost.
    commitment = Transaction.objects.get(idempotency_key=f"mission-{mission.pk}-commit")
    assert f"mission {mission.ref}" in commitment.label and "version 2" in commitment.label
    assert decision.result["subject"] == {
        "mission": mission.pk,
        "version": 2,
        "full_cost_cents": lower_cost,
    }
    entry = JournalEntry.objects.get(kind="decision_outcome", ref=f"decision-{decision.pk}")
    payload = json.loads(entry.payload_json)
    assert payload["version"] == 2
    assert payload["tally"]["subject"] == {
        "mission": mission.pk,
        "version": 2,
        "full_cost_cents": lower_cost,
    }


def test_what_is_committed_is_the_version_the_last_round_consented(alice, bob, lower_cost):
    """Even if the mission's terms moved meanwhile, the consented version is what counts."""
    mission, decision = integrated(bob, alice)
    Mission.objects.filter(pk=mission.pk).update(monthly_amount_cents=100, full_cost_cents=1)
    consent_all(decision)

    decision.close(now=decision.deliberation_ends_at + DAY, by=bob)

    mission.refresh_from_db()
    assert mission.committed_cents == lower_cost == funds.committed_cents(mission.ref)
    assert mission.monthly_amount_cents == LOWER_PAY and mission.full_cost_cents == lower_cost


# A hand-typed cost line is impossible ----------------------------------------------------------


def test_the_decision_text_of_a_mission_is_never_amended_by_hand(alice, bob, people):
    mission, decision = objected(bob, alice)
    forged = "Coût complet pour la coopérative : 1 000 €."

    with pytest.raises(ValidationError) as refused:
        decision.amend(bob, title=decision.title, body=forged)
    assert "body" in refused.value.message_dict
    answer = call(
        bearer(bob.user),
        "POST",
        f"/decisions/{decision.pk}/versions",
        {"title": decision.title, "body": forged},
    )
    assert answer.status_code == 422, answer.json()
    page = people["member"].post(
        reverse("decisions:amend", args=[decision.pk]),
        {"amend-title": decision.title, "amend-body": forged},
    )
    assert page.status_code == 400
    assert decision.versions.count() == 1
    lines = cost_lines(decision.current_version.body)
    assert lines and all(shown(CHARTER_COST_CENTS) in line for line in lines)


@pytest.mark.parametrize("field", ["scope", "deliverables", "note"])
def test_a_cost_typed_into_the_prose_is_refused(alice, bob, field):
    mission, decision = objected(bob, alice)

    with pytest.raises(ValidationError) as refused:
        mission.amend(bob, **{field: "Moins cher : coût complet 1 000 €."})

    assert field in refused.value.message_dict
    assert decision.versions.count() == 1
    assert MissionVersion.objects.filter(mission=mission).count() == 1
    mission.refresh_from_db()
    assert mission.full_cost_cents == CHARTER_COST_CENTS


def test_the_cost_the_text_states_is_the_cost_committed(alice, bob):
    """Whatever was tried on the way, the adopted text's one cost is what the reserve gives."""
    fund(1_000_000)
    mission = submitted(bob, **invoice(900_000, 0, scope="Une facture de 9 000 € HT."))
    decision = Decision.objects.get(pk=mission.decision_id)
    decision.current_round.take_stance(alice, "objection", "Dites-le moins cher.")
    decision.objections.get().begin_integration(bob)
    with pytest.raises(ValidationError):
        Decision.objects.get(pk=decision.pk).amend(bob, title="T", body="Coût complet 1 000 €")
    decision.start_new_round(bob)
    decision.objections.get().resolve(alice)
    decision = Decision.objects.get(pk=decision.pk)
    consent_all(decision)
    decision.close(now=decision.deliberation_ends_at + DAY, by=bob)

    mission.refresh_from_db()
    (line,) = cost_lines(Decision.objects.get(pk=decision.pk).current_version.body)
    assert shown(mission.committed_cents) in line and mission.committed_cents == 900_000


def test_an_amendment_that_changes_nothing_is_refused(alice, bob):
    mission, decision = objected(bob, alice)

    with pytest.raises(ValidationError):
        mission.amend(bob, monthly_amount_cents=CHARTER["monthly_amount_cents"])

    assert decision.versions.count() == 1 and mission.versions.count() == 1


def test_only_the_proposer_amends_and_only_while_integrating(alice, bob):
    fund(6_000_000)
    mission = submitted(bob, **invoice(100_000))
    with pytest.raises(PermissionDenied):
        mission.amend(bob, amount_cents=90_000)  # the objection round: nothing to integrate yet
    decision = Decision.objects.get(pk=mission.decision_id)
    decision.current_round.take_stance(alice, "objection", "Trop cher.")
    decision.objections.get().begin_integration(bob)
    with pytest.raises(PermissionDenied):
        mission.amend(alice, amount_cents=90_000)

    mission.amend(bob, amount_cents=90_000)

    mission.refresh_from_db()
    assert mission.full_cost_cents == 90_000 and mission.versions.count() == 2


def test_a_top_up_decision_is_never_amended_by_hand(alice, bob):
    fund(1_000_000)
    mission = submitted(bob, **invoice(100_000))
    decision = Decision.objects.get(pk=mission.decision_id)
    consent_all(decision)
    decision.close(now=decision.deliberation_ends_at + DAY, by=bob)
    top_up = Mission.objects.get(pk=mission.pk).ask_top_up(bob, 50_000, "Plus long que prévu.")
    top_up_decision = Decision.objects.get(pk=top_up.decision_id)
    top_up_decision.current_round.take_stance(alice, "objection", "Pourquoi ?")
    top_up_decision.objections.get().begin_integration(bob)

    with pytest.raises(ValidationError):
        Decision.objects.get(pk=top_up_decision.pk).amend(
            bob, title="Complément", body="Engager 5 000 € de plus."
        )
    assert top_up_decision.versions.count() == 1


# The pages and the API -------------------------------------------------------------------------


def test_the_public_mission_page_shows_the_adopted_version(alice, bob, lower_cost):
    mission, _decision = adopted(bob, alice)

    page = Client().get(mission.get_absolute_url())

    assert page.status_code == 200
    text = page.content.decode()
    assert "<strong>prioritaires</strong>" in text
    assert "Corriger les anomalies et publier" not in text  # version 1's scope
    assert shown(lower_cost) in text and shown(LOWER_PAY) in text
    assert "version 2" in text.lower()
    assert page.context["mission"].adopted_version.number == 2


def test_the_decision_page_shows_the_terms_diff_next_to_the_text_diff(
    alice, bob, people, lower_cost
):
    mission, decision = integrated(bob, alice)

    page = people["officer"].get(decision.get_absolute_url())

    text = page.content.decode()
    assert "Les conditions qui changent" in text
    assert shown(CHARTER_COST_CENTS) in text and shown(lower_cost) in text
    assert shown(LOWER_PAY) in text
    assert reverse("budgets:mission", args=[mission.pk]) in text


def test_the_author_amends_the_mission_from_its_page(alice, bob, people, lower_cost):
    mission, decision = objected(bob, alice)
    path = reverse("budgets:mission_amend", args=[mission.pk])
    decision_page = people["member"].get(decision.get_absolute_url()).content.decode()
    assert path in decision_page and 'name="amend-body"' not in decision_page

    form = people["member"].get(path)
    assert form.status_code == 200
    assert form.context["form"]["monthly_amount"].value() in ("2000", "2 000", "2000,00")
    objection = decision.objections.get()
    values = {
        "title": mission.title,
        "scope": NEW_SCOPE,
        "deliverables": mission.deliverables,
        "start_on": "2026-01-01",
        "duration_months": "6",
        "pay_form": "salaried",
        "contract": "cdd",
        "working_time_percent": "100",
        "monthly_amount": "1800",
        "amount_basis": "net",
        "note": "Salaire ramené à 1 800 € net.",
        "integrates": [str(objection.pk)],
    }
    estimate = people["member"].post(path, values | {"estimate": "1"})
    assert estimate.status_code == 200 and estimate.context["cost"].total_cents == lower_cost
    assert mission.versions.count() == 1

    answer = people["member"].post(path, values)

    assert answer.status_code == 302 and answer["Location"] == decision.get_absolute_url()
    mission.refresh_from_db()
    assert mission.full_cost_cents == lower_cost and mission.versions.count() == 2
    assert decision.objections.get().integrated_in.number == 2
    # Anyone else: refused, nothing written.
    assert people["officer"].post(path, values | {"monthly_amount": "100"}).status_code == 403
    assert mission.versions.count() == 2


def test_the_mission_api_exposes_its_versions_and_amends_through_them(alice, bob, lower_cost):
    mission, decision = objected(bob, alice)
    client = bearer(bob.user)
    terms = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in CHARTER.items()} | {
        "monthly_amount_cents": LOWER_PAY
    }

    amended = call(
        client,
        "POST",
        f"/missions/{mission.pk}/versions",
        terms | {"note": "Moins cher.", "integrates": [decision.objections.get().pk]},
    )

    assert amended.status_code == 201, amended.json()
    detail = amended.json()
    assert detail["version"] == 2 and detail["adopted_version"] is None
    assert [v["number"] for v in detail["versions"]] == [1, 2]
    assert detail["versions"][0]["full_cost_cents"] == CHARTER_COST_CENTS
    assert detail["versions"][1]["full_cost_cents"] == lower_cost == detail["full_cost_cents"]
    assert detail["versions"][1]["monthly_amount_cents"] == LOWER_PAY
    assert detail["versions"][1]["decision_version"] == 2
    assert "1\u00a0800" in detail["versions"][1]["pay_asked"]
    again = call(client, "POST", f"/missions/{mission.pk}/versions", terms)
    assert again.status_code == 422
    other = call(bearer(alice.user), "POST", f"/missions/{mission.pk}/versions", terms)
    assert other.status_code == 403


# A draft is editable until it is submitted -----------------------------------------------------


def test_a_draft_is_editable_until_submitted(alice, bob):
    fund(1_000_000)
    mission = draft(bob, **invoice(100_000))

    mission.edit(bob, amount_cents=80_000, scope="Un périmètre revu.")

    mission.refresh_from_db()
    assert mission.amount_cents == 80_000 and mission.scope == "Un périmètre revu."
    assert not mission.versions.exists()  # a draft has no version: it is not decided yet
    with pytest.raises(PermissionDenied):
        mission.edit(alice, amount_cents=1)
    mission.submit(bob)
    assert mission.versions.get().full_cost_cents == 80_000
    with pytest.raises(PermissionDenied):
        mission.edit(bob, amount_cents=1)
    mission.refresh_from_db()
    assert mission.amount_cents == 80_000


def test_a_draft_is_edited_on_its_page_and_through_the_api(alice, bob, people):
    fund(1_000_000)
    mission = draft(bob, **invoice(100_000))
    path = reverse("budgets:mission_edit", args=[mission.pk])
    assert path in people["member"].get(mission.get_absolute_url()).content.decode()
    values = {
        "title": "Un titre revu",
        "scope": mission.scope,
        "deliverables": mission.deliverables,
        "start_on": "2026-01-01",
        "duration_months": "1",
        "pay_form": "invoice",
        "amount": "900",
        "vat_rate": "20",
    }

    answer = people["member"].post(path, values)

    assert answer.status_code == 302
    mission.refresh_from_db()
    assert mission.title == "Un titre revu" and mission.amount_cents == 90_000
    assert mission.vat_rate_bp == 2000
    bad = people["member"].post(path, values | {"amount": "-3"})
    assert bad.status_code == 422
    mission.refresh_from_db()
    assert mission.amount_cents == 90_000

    terms = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in invoice(70_000).items()
    }
    put = call(bearer(bob.user), "PUT", f"/missions/{mission.pk}", terms)
    assert put.status_code == 200, put.json()
    assert put.json()["amount_cents"] == 70_000 and put.json()["versions"] == []

    mission.submit(bob)
    assert call(bearer(bob.user), "PUT", f"/missions/{mission.pk}", terms).status_code == 403
    assert people["member"].post(path, values).status_code == 403
    mission.refresh_from_db()
    assert mission.amount_cents == 70_000


def test_a_version_is_never_changed(alice, bob):
    fund(1_000_000)
    mission = submitted(bob, **invoice(100_000))
    version = mission.versions.get()
    version.full_cost_cents = 1

    with pytest.raises(PermissionError):
        version.save()

    assert MissionVersion.objects.get(pk=version.pk).full_cost_cents == 100_000


def test_the_version_1_of_a_submitted_mission_matches_its_text(alice, bob):
    fund(1_000_000)
    mission = submitted(bob, **invoice(100_000, 2000, start_on=datetime.date(2026, 3, 1)))

    version = mission.versions.get()

    assert version.number == 1 and version.full_cost_cents == 120_000
    body = Decision.objects.get(pk=mission.decision_id).current_version.body
    assert version.decision_version.body == body
    assert "version 1" in body.lower()


def test_the_pages_read_the_versions_in_a_bounded_number_of_queries(alice, bob, people, lower_cost):
    from commun.testing.budgets import MISSION_QUERIES
    from commun.testing.decisions import DECISION_PAGE_QUERIES, queries_for

    fund(1_000_000)
    one = submitted(bob, **invoice(100_000))
    mission, decision = adopted(bob, alice)
    client = people["officer"]

    first = queries_for(client, Decision.objects.get(pk=one.decision_id).get_absolute_url())
    second = queries_for(client, decision.get_absolute_url())

    assert second <= first + 1 and second <= DECISION_PAGE_QUERIES
    assert queries_for(client, mission.get_absolute_url()) <= MISSION_QUERIES
    assert queries_for(Client(), mission.get_absolute_url()) <= MISSION_QUERIES


def test_missions_submitted_before_versions_existed_get_theirs(alice, bob):
    """The migration: a mission's terms become the version its decision's latest text states."""
    import importlib

    from django.apps import apps

    fund(1_000_000)
    adopted_one = submitted(bob, **invoice(100_000))
    consent_all(Decision.objects.get(pk=adopted_one.decision_id))
    decision = Decision.objects.get(pk=adopted_one.decision_id)
    decision.close(now=decision.deliberation_ends_at + DAY, by=bob)
    open_one = submitted(bob, **invoice(200_000))
    draft(bob, **invoice(300_000))
    Mission.objects.update(adopted_version=None)
    MissionVersion.objects.all().delete()

    migration = importlib.import_module("commun.budgets.migrations.0003_mission_versions")
    migration.version_the_submitted_missions(apps, None)

    adopted_one.refresh_from_db()
    assert adopted_one.adopted_version.number == 1
    assert adopted_one.adopted_version.full_cost_cents == 100_000
    assert adopted_one.adopted_version.decision_version == decision.current_version
    assert open_one.versions.get().full_cost_cents == 200_000
    assert MissionVersion.objects.count() == 2
