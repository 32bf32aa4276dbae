"""The demo's needs and missions: one mission at each stage, the charter's example paid."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from commun.budgets import demo as budgets_demo
from commun.budgets.models import Mission, Need
from commun.decisions.models import Decision
from commun.ledger import funds
from commun.ledger.models import Transaction
from commun.testing.budgets import CHARTER_COST_CENTS


@pytest.fixture
def loaded(db):
    out = StringIO()
    call_command("demo", stdout=out, stderr=StringIO())  # which loads the budgets demo
    budgets_demo.load(stdout=StringIO())  # again: nothing changes (checked below)
    return out.getvalue()


def test_every_stage_of_a_mission_is_there(loaded):
    assert "missions" in loaded
    statuses = set(Mission.objects.values_list("status", flat=True))
    assert {"draft", "submitted", "adopted", "closing", "closed", "rejected"} <= statuses
    assert set(Need.objects.values_list("status", flat=True)) == {
        "open",
        "in_progress",
        "met",
        "dropped",
    }
    charter = Mission.objects.get(pay_form="salaried", contract="cdd")
    assert charter.status == "adopted"
    # Its start follows today's date: within one calendar year it is the charter's figure;
    # across New Year each year's réduction générale is its own (docs/payroll.md).
    assert charter.full_cost_cents == charter.cost().total_cents
    if charter.start_on.month <= 7:
        assert charter.full_cost_cents == CHARTER_COST_CENTS
    assert charter.payments.count() >= 1
    # One mission was adopted in its version 2, after an objection lowered its expenses.
    lowered = Mission.objects.get(pay_form="expenses")
    assert lowered.adopted_version.number == 2 and lowered.versions.count() == 2
    assert lowered.committed_cents == 50_000 == lowered.adopted_version.full_cost_cents
    assert lowered.versions.get(number=1).full_cost_cents == 60_000
    closed = Mission.objects.get(status="closed")
    assert closed.released_cents > 0 and funds.committed_cents(closed.ref) == 0
    assert (
        Decision.objects.get(pk=Mission.objects.get(status="submitted").decision_id).phase
        == "objections"
    )
    assert "caduque" in Mission.objects.get(status="rejected").status_reason.lower()
    assert funds.available_cents() >= 0


def test_loading_twice_changes_nothing(loaded):
    before = (Need.objects.count(), Mission.objects.count(), Transaction.objects.count())
    budgets_demo.load()
    assert (Need.objects.count(), Mission.objects.count(), Transaction.objects.count()) == before


def test_the_demo_pages_answer(loaded):
    client = Client()
    assert client.get("/besoins/").status_code == 200
    assert client.get("/missions/").status_code == 200
    for mission in Mission.objects.exclude(status="draft"):
        assert client.get(mission.get_absolute_url()).status_code == 200
