"""An estimate is kept by its inputs: the same estimate twice runs OpenFisca once."""

import time
from datetime import date, timedelta
from decimal import Decimal

import pytest

from commun.lib import payroll

CHARTER = {"contract": "cdd", "monthly_net_cents": 200_000, "months": 6, "start": date(2026, 3, 1)}


class Tomorrow(date):
    @classmethod
    def today(cls):
        return date.today() + timedelta(days=1)


@pytest.fixture
def simulations(monkeypatch):
    """Counts the contract simulations OpenFisca runs (the costly part of an estimate)."""
    payroll._tax_benefit_system()
    counted = []
    simulate = payroll._simulate_contract

    def counting(*args, **kwargs):
        counted.append(1)
        return simulate(*args, **kwargs)

    monkeypatch.setattr(payroll, "_simulate_contract", counting)
    return counted


def test_the_same_estimate_twice_runs_openfisca_once(simulations):
    first = payroll.salaried_cost(**CHARTER)
    started = time.perf_counter()
    again = payroll.salaried_cost(**CHARTER)
    assert time.perf_counter() - started < 0.1
    assert again == first
    assert again.employer_cost_cents == 2_440_344  # the charter's 24,403.44 €
    assert len(simulations) == 1


def test_every_input_is_part_of_the_key(simulations):
    payroll.salaried_cost(**CHARTER)
    variants = [
        CHARTER | {"monthly_net_cents": 200_001},
        CHARTER | {"months": 5},
        CHARTER | {"start": date(2026, 3, 2)},
        CHARTER | {"working_time_percent": 80},
        CHARTER | {"contract": "cdi"},
        CHARTER | {"cadre": True},
        CHARTER | {"paid_leave_taken": True},
        CHARTER | {"end_of_contract_due": False},
        CHARTER | {"employer": payroll.Employer(accident_rate=Decimal("0.0208"))},
        CHARTER | {"employer": payroll.Employer(mutuelle_cents=5_000)},
        CHARTER | {"headcount": 11},
    ]
    for terms in variants:
        payroll.salaried_cost(**terms)
    assert len(simulations) == 1 + len(variants)  # each one priced anew


def test_a_gross_and_a_net_of_the_same_cents_are_two_estimates(simulations):
    by_net = payroll.salaried_cost(**CHARTER)
    by_gross = payroll.salaried_cost(
        **CHARTER | {"monthly_net_cents": None, "monthly_gross_cents": 200_000}
    )
    assert by_gross.employer_cost_cents < by_net.employer_cost_cents
    assert len(simulations) == 2


def test_a_new_day_or_engine_version_prices_again(simulations, monkeypatch):
    payroll.salaried_cost(**CHARTER)
    monkeypatch.setattr(payroll, "date", Tomorrow)
    payroll.salaried_cost(**CHARTER)
    assert len(simulations) == 2
    monkeypatch.setattr(payroll, "openfisca_version", lambda: "999.0.0")
    payroll.salaried_cost(**CHARTER)
    assert len(simulations) == 3


def test_a_refused_estimate_is_not_kept(simulations):
    """A start before OpenFisca's rates is refused each time, never read from the cache."""
    with pytest.raises(ValueError):
        payroll.salaried_cost(**CHARTER | {"start": date(2001, 1, 1)})
    with pytest.raises(ValueError):
        payroll.salaried_cost(**CHARTER | {"start": date(2001, 1, 1)})
