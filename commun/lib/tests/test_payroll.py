"""Full cost of salaried missions: the charter's example checked against OpenFisca-France."""

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from commun.lib import payroll
from commun.testing.payroll import cents, simulate

START = date(2026, 3, 1)  # the charter's CDD: March to August 2026
CHARTER = {"contract": "cdd", "monthly_net_cents": 200_000, "months": 6, "start": START}


@pytest.fixture(scope="module")
def system():
    return payroll._tax_benefit_system()


@pytest.fixture(scope="module")
def charter(system):
    return payroll.salaried_cost(**CHARTER)


def period(month: date) -> str:
    return month.strftime("%Y-%m")


def test_the_charter_example_matches_openfisca_called_directly(system, charter):
    months = [period(month.month) for month in charter.months]
    assert months == ["2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08"]
    every_month = [f"2026-{number:02d}" for number in range(1, 9)]
    inputs = {
        "contrat_de_travail_type": dict.fromkeys(every_month, "cdd"),
        "effectif_entreprise": dict.fromkeys(every_month, payroll.DEFAULT_HEADCOUNT),
        "salaire_de_base": {
            period(m.month): (m.gross_cents + m.paid_leave_cents) / 100 for m in charter.months
        },
        "indemnite_fin_contrat": {
            period(m.month): m.end_of_contract_cents / 100 for m in charter.months
        },
    }
    direct = simulate(system, inputs, "2026-03", "2026-08")

    # The accrual spreads the total evenly: each month is within cents of OpenFisca's.
    assert charter.employer_cost_cents == sum(
        cents(value["salaire_super_brut"]) for value in direct.values()
    )
    for month in charter.months:
        expected = direct[period(month.month)]
        assert month.gross_cents == charter.monthly_gross_cents
        assert abs(month.net_cents - cents(expected["salaire_net"])) <= 5
        assert abs(month.employer_cost_cents - cents(expected["salaire_super_brut"])) <= 50
        contributions = -(
            expected["cotisations_employeur"]
            + expected["allegement_general"]
            + expected["exonerations"]
        )
        assert abs(month.employer_contributions_cents - cents(contributions)) <= 50
        assert expected["allegement_general"] > 0  # the réduction générale is applied
    assert charter.engine == "openfisca-france"
    assert charter.engine_version == payroll.openfisca_version()
    assert charter.estimate is True


def test_the_found_gross_gives_the_net_asked_within_a_cent(system, charter):
    gross = charter.monthly_gross_cents
    inputs = {
        "contrat_de_travail_type": {"2026-03": "cdd"},
        "effectif_entreprise": dict.fromkeys(
            ["2026-01", "2026-02", "2026-03"], payroll.DEFAULT_HEADCOUNT
        ),
        "salaire_de_base": {"2026-03": gross / 100},
    }
    net = cents(simulate(system, inputs, "2026-03", "2026-03")["2026-03"]["salaire_net"])
    assert abs(net - 200_000) <= 1
    assert charter.monthly_net_cents == net
    # the smallest such gross: one cent less falls short
    inputs["salaire_de_base"] = {"2026-03": (gross - 1) / 100}
    below = simulate(system, inputs, "2026-03", "2026-03")["2026-03"]["salaire_net"]
    assert cents(below) < 200_000


def test_the_indemnities_are_ten_percent_of_their_bases(charter):
    total_gross = 6 * charter.monthly_gross_cents
    end_of_contract = (Decimal(total_gross) / 10).quantize(Decimal(1), ROUND_HALF_UP)
    assert charter.end_of_contract_cents == end_of_contract
    paid_leave = (Decimal(total_gross + end_of_contract) / 10).quantize(Decimal(1), ROUND_HALF_UP)
    assert charter.paid_leave_cents == paid_leave
    # spread evenly over the months, to the cent
    shares = {month.end_of_contract_cents for month in charter.months}
    assert max(shares) - min(shares) <= 1


def test_totals_are_the_sums_of_the_months(charter):
    for name in ("gross_cents", "net_cents", "employer_contributions_cents", "employer_cost_cents"):
        assert getattr(charter, name) == sum(getattr(month, name) for month in charter.months)
    for month in charter.months:
        assert month.employer_cost_cents == (
            month.gross_paid_cents + month.employer_contributions_cents
        )
    assert charter.employer_cost_cents == (
        charter.gross_cents
        + charter.end_of_contract_cents
        + charter.paid_leave_cents
        + charter.employer_contributions_cents
    )
    data = json.loads(json.dumps(charter.as_dict()))
    assert data["total"]["employer_cost_cents"] == charter.employer_cost_cents
    assert len(data["months"]) == 6


def test_a_cdi_has_no_end_of_contract_indemnity(charter):
    cdi = payroll.salaried_cost(**CHARTER | {"contract": "cdi"})
    assert cdi.end_of_contract_cents == 0
    assert cdi.paid_leave_cents == 0
    assert cdi.monthly_gross_cents == charter.monthly_gross_cents
    assert all(month.net_cents == cdi.monthly_net_cents for month in cdi.months)
    assert cdi.employer_cost_cents < charter.employer_cost_cents


def test_a_contract_across_new_year_counts_every_month(charter):
    estimate = payroll.salaried_cost(**CHARTER | {"start": date(2026, 10, 15)})
    assert [month.month for month in estimate.months] == [
        date(2026, 10, 1),
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2027, 2, 1),
        date(2027, 3, 1),
        date(2027, 4, 1),  # begun on the 15th, it ends on 14 April
    ]
    assert all(month.employer_cost_cents > month.gross_paid_cents for month in estimate.months)
    assert estimate.end_of_contract_cents == charter.end_of_contract_cents


def test_a_gross_salary_skips_the_inversion(charter, monkeypatch):
    def no_inversion(*args, **kwargs):
        raise AssertionError("inverted a gross salary")

    monkeypatch.setattr(payroll, "_gross_for_net", no_inversion)
    by_gross = payroll.salaried_cost(
        contract="cdd", monthly_gross_cents=charter.monthly_gross_cents, months=6, start=START
    )
    assert by_gross.months == charter.months


def test_part_time_scales_the_cost(charter):
    half = payroll.salaried_cost(
        **CHARTER | {"monthly_net_cents": 100_000}, working_time_percent=50
    )
    assert abs(2 * half.monthly_gross_cents - charter.monthly_gross_cents) <= 10
    # same ratio to the (prorated) minimum wage, so the same relief rate: half the cost
    assert abs(2 * half.employer_cost_cents - charter.employer_cost_cents) < (
        charter.employer_cost_cents / 1000
    )
    # the working time reaches OpenFisca: half time at full pay earns less relief
    same_pay_half_time = payroll.salaried_cost(**CHARTER, working_time_percent=50)
    assert same_pay_half_time.employer_cost_cents > charter.employer_cost_cents


def test_it_falls_back_to_ratios_without_openfisca(monkeypatch):
    monkeypatch.setattr(payroll, "_tax_benefit_system", lambda: None)
    estimate = payroll.salaried_cost(**CHARTER | {"contract": "cdi"})
    assert estimate.engine == "ratios"
    assert "ratios" in estimate.engine_label
    assert estimate.estimate is True
    assert estimate.monthly_gross_cents == 256_410  # 2,000 € / 0.78
    assert all(month.employer_cost_cents == 364_102 for month in estimate.months)  # × 1.42
    assert estimate.employer_cost_cents == 6 * 364_102


def test_a_cooperative_outside_france_uses_ratios(charter):
    estimate = payroll.salaried_cost(
        **CHARTER, country="BE", net_ratio=Decimal("0.70"), employer_ratio=Decimal("1.30")
    )
    assert estimate.engine == "ratios"
    assert estimate.monthly_gross_cents == 285_714
    total_gross = 6 * 285_714
    assert estimate.end_of_contract_cents == round(total_gross / 10)
    assert estimate.employer_cost_cents == sum(
        int((Decimal(month.gross_paid_cents) * Decimal("1.30")).quantize(1, ROUND_HALF_UP))
        for month in estimate.months
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"monthly_net_cents": -200_000}, "positif"),
        ({"monthly_net_cents": 0}, "positif"),
        ({"months": 0}, "entre 1 et 120 mois"),
        ({"months": 121}, "entre 1 et 120 mois"),
        ({"monthly_gross_cents": 250_000}, "pas les deux"),
        ({"monthly_net_cents": None}, "pas les deux"),
        ({"monthly_net_cents": 2000.5}, "centimes"),
        ({"monthly_net_cents": 10**9}, "vérifiez le montant"),
        ({"contract": "freelance"}, "CDD ou un CDI"),
        ({"working_time_percent": 0}, "temps de travail"),
        ({"working_time_percent": 120}, "temps de travail"),
    ],
)
def test_it_refuses_bad_input(changes, message):
    with pytest.raises(ValueError, match=message):
        payroll.salaried_cost(**CHARTER | changes)
    with pytest.raises(ValueError, match=message):
        payroll.ratio_cost(**CHARTER | changes)


def test_it_refuses_impossible_ratios():
    with pytest.raises(ValueError, match="net / brut"):
        payroll.ratio_cost(**CHARTER, net_ratio=Decimal("1.2"))
    with pytest.raises(ValueError, match="coût employeur"):
        payroll.ratio_cost(**CHARTER, employer_ratio=Decimal("0.9"))


def test_a_start_more_than_ten_years_ahead_is_refused():
    far = date(date.today().year + payroll.FURTHEST_START_YEARS + 1, 1, 1)
    with pytest.raises(ValueError, match="10 prochaines années"):
        payroll.check_start(far)
    payroll.check_start(date(date.today().year + payroll.FURTHEST_START_YEARS, 12, 31))
