"""A start date the payroll engine cannot price is a clear error, never a 500."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from commun.budgets.models import Mission
from commun.lib import payroll
from commun.testing.api import call
from commun.testing.budgets import CHARTER, as_json, draft, errors_by_field, need_by

TOO_EARLY = datetime.date(1990, 6, 1)
YEARS = str(payroll.FIRST_PRICED_YEAR)


def test_the_estimate_names_the_supported_years(member_api, bob):
    values = as_json(CHARTER | {"start_on": TOO_EARLY})

    response = call(member_api, "POST", "/missions/estimate", values)

    assert response.status_code == 422
    assert YEARS in errors_by_field(response)["start_on"]


def test_a_proposal_starting_too_early_is_refused_on_its_date(member_api, bob):  # noqa: F811
    need = need_by(bob)
    values = as_json(CHARTER | {"start_on": TOO_EARLY, "need_id": need.pk})

    response = call(member_api, "POST", "/missions", values)

    assert response.status_code == 422
    assert YEARS in errors_by_field(response)["start_on"]
    assert not Mission.objects.exists()


def test_a_draft_starting_too_early_cannot_be_submitted_and_says_why(member_api, bob):  # noqa: F811
    mission = draft(bob, **CHARTER)
    Mission.objects.filter(pk=mission.pk).update(start_on=TOO_EARLY)  # saved by an older version

    response = call(member_api, "POST", f"/missions/{mission.pk}/submit", {})

    assert response.status_code == 422
    assert YEARS in str(response.json())
    mission.refresh_from_db()
    assert mission.status == Mission.Status.DRAFT
    with pytest.raises(ValidationError):
        mission.submit(bob)


def test_the_engine_itself_refuses_a_year_it_has_no_rates_for():
    with pytest.raises(ValueError, match=YEARS):
        payroll.salaried_cost(contract="cdd", monthly_net_cents=200_000, months=6, start=TOO_EARLY)
