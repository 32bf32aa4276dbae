"""Hand-checked costs: each docstring does the arithmetic from the law, on the charter's
six-month CDD at 2,000 € net (gross 2,526.55 € a month, found by OpenFisca-France)."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commun.lib import payroll
from commun.testing.payroll import cents, simulate

START = date(2026, 3, 1)  # the charter's CDD: March to August 2026
CHARTER = {"contract": "cdd", "monthly_net_cents": 200_000, "months": 6, "start": START}
GROSS = 252_655  # 2,526.55 € a month
CHARTER_TOTAL = 2_440_344


@pytest.fixture(scope="module")
def system():
    return payroll._tax_benefit_system()


@pytest.fixture(scope="module")
def charter(system):
    return payroll.salaried_cost(**CHARTER)


def test_the_charter_example(charter):
    """Gross paid: 6 × 2,526.55 = 15,159.30 €; end-of-contract indemnity 10 % = 1,515.93 €;
    paid leave 10 % of both = 1,667.52 €; in all 18,342.75 €. The charter's cost, checked
    independently against the law: 24,403.44 € ± 1 €."""
    assert charter.monthly_gross_cents == GROSS
    assert charter.end_of_contract_cents == 151_593
    assert charter.paid_leave_cents == 166_752
    assert charter.gross_paid_cents == 1_834_275
    assert abs(charter.employer_cost_cents - CHARTER_TOTAL) <= 100


def test_a_branch_agreement_at_six_percent(charter):
    """At 6 % (art. L1243-9 of the Code du travail, by branch agreement): 6 % of 15,159.30 €
    = 909.56 €; paid leave 10 % of 16,068.86 € = 1,606.89 €; gross paid 17,675.75 €, that
    is 667.00 € less. Each euro less saves its contributions and loses a little of the
    réduction générale (which shrinks as pay grows): the saving is between the average
    cost of a euro of this pay (24,403.44 / 18,342.75 = 1.33) and 1.75 per euro."""
    estimate = payroll.salaried_cost(
        **CHARTER, employer=payroll.Employer(end_of_contract_rate=Decimal("0.06"))
    )
    assert estimate.end_of_contract_cents == 90_956
    assert estimate.paid_leave_cents == 160_689
    assert estimate.gross_paid_cents == 1_767_575
    saving = charter.employer_cost_cents - estimate.employer_cost_cents
    assert 1.33 * 66_700 <= saving <= 1.75 * 66_700


def test_an_accident_rate_of_2_08_percent(charter):
    """The AT/MP rate is outside the réduction's reach beyond its own share, so the cost
    rises by (2.08 − 0.70) % of the gross paid: 1.38 % × 18,342.75 = 253.13 €, about
    183 € a point."""
    estimate = payroll.salaried_cost(
        **CHARTER, employer=payroll.Employer(accident_rate=Decimal("0.0208"))
    )
    assert abs(estimate.employer_cost_cents - charter.employer_cost_cents - 25_313) <= 100


def test_an_executive(charter):
    """A cadre adds the employer's prévoyance cadre, 1.50 % of the pay under the social
    security ceiling (ANI of 17 November 2017), and the APEC, 0.036 %: 1.536 % of
    18,348.20 € = 281.83 €. The employee's 0.024 % of APEC raises the gross for the same
    net by 0.75 € a month: 6 × 0.75 × 1.21 = 5.45 € more pay, costing 1.33 each = 7.25 €.
    In all about 289.08 €."""
    estimate = payroll.salaried_cost(**CHARTER, cadre=True)
    assert estimate.monthly_gross_cents - GROSS == 75
    added = estimate.employer_cost_cents - charter.employer_cost_cents
    assert abs(added - 28_908) <= 200


def test_eleven_staff_in_paris_pay_the_versement_mobilite():
    """From 11 staff an employer in a transport authority's area pays the versement
    mobilité (art. L2333-64 of the CGCT): Île-de-France Mobilités' 2.95 % in Paris 1er, as
    OpenFisca-France's table has it, on the gross paid: 2.95 % × 18,342.75 = 541.11 €.
    Compared with the same 11 staff in L'Abergement-Clémenciat (01001, no authority)."""
    paris = payroll.salaried_cost(**CHARTER, employer=payroll.Employer(11, commune="75101"))
    village = payroll.salaried_cost(**CHARTER, employer=payroll.Employer(11, commune="01001"))
    five_in_paris = payroll.salaried_cost(**CHARTER, employer=payroll.Employer(commune="75101"))
    added = paris.employer_cost_cents - village.employer_cost_cents
    assert abs(added - 54_111) <= 6  # rounded to the cent on each month's payslip
    assert five_in_paris.employer_cost_cents == CHARTER_TOTAL  # under 11 staff: none


def test_a_contract_from_october_to_march(system):
    """The réduction générale is computed per contract and calendar year over that year's
    pay (art. L241-13 and D241-7 CSS); the indemnities are paid, and so counted, in March.
    So 2026 holds three months of the salary alone, 2027 three months of salary and every
    indemnity (3,183.52 €, a third in each month's payslip base). OpenFisca-France run on
    its own with exactly that gives the cost; spreading the indemnities over all six
    months instead, as the engine did, overstates it by about 142 €."""
    october = payroll.salaried_cost(**CHARTER | {"start": date(2026, 10, 1)})
    months = [f"2026-{n}" for n in (10, 11, 12)] + [f"2027-0{n}" for n in (1, 2, 3)]
    end_of_contract, paid_leave = 151_593, 166_752

    def by_law(share_months: int) -> int:
        shares = [0] * (6 - share_months) + [1] * share_months
        inputs = {
            "contrat_de_travail_type": dict.fromkeys(months, "cdd"),
            "effectif_entreprise": dict.fromkeys(months, payroll.DEFAULT_HEADCOUNT),
            "salaire_de_base": {
                month: (GROSS + share * paid_leave / share_months) / 100
                for month, share in zip(months, shares, strict=True)
            },
            "indemnite_fin_contrat": {
                month: share * end_of_contract / share_months / 100
                for month, share in zip(months, shares, strict=True)
            },
        }
        direct = simulate(system, inputs, "2026-10", "2027-03")
        return sum(cents(value["salaire_super_brut"]) for value in direct.values())

    assert abs(october.employer_cost_cents - by_law(3)) <= 6
    assert 13_000 <= by_law(6) - october.employer_cost_cents <= 15_500


def test_a_part_time_contract_starting_on_the_15th(system):
    """Half time at 1,000 € net (gross 1,263.25 €) from Sunday 15 March 2026 to 14
    September: March is paid for its 12 working days out of 22, 1,263.25 × 12 / 22 =
    689.05 €; April to August whole; September for 10 of 22, 574.20 €. In all 7,579.50 €
    of salary; end-of-contract indemnity 757.95 €; paid leave 10 % of 8,337.45 € =
    833.75 €; gross paid 9,171.20 €. The relief is prorated like the pay (OpenFisca counts
    the same working days for the minimum wage), so the cost is within 0.1 % (about 12 €)
    of the same contract begun on 1 March."""
    half = {"monthly_net_cents": 100_000, "working_time_percent": 50}
    on_the_15th = payroll.salaried_cost(**CHARTER | half | {"start": date(2026, 3, 15)})
    on_the_1st = payroll.salaried_cost(**CHARTER | half)

    assert on_the_15th.monthly_gross_cents == 126_325
    salaries = [month.gross_cents for month in on_the_15th.months]
    assert salaries == [68_905, *[126_325] * 5, 57_420]
    assert on_the_15th.months[-1].month == date(2026, 9, 1)
    assert on_the_15th.end_of_contract_cents == 75_795
    assert on_the_15th.paid_leave_cents == 83_375
    assert on_the_15th.gross_paid_cents == 917_120 == on_the_1st.gross_paid_cents
    gap = abs(on_the_15th.employer_cost_cents - on_the_1st.employer_cost_cents)
    assert gap <= on_the_1st.employer_cost_cents / 1000
    assert sum(on_the_15th.cash_cents) == on_the_15th.employer_cost_cents


def test_the_cash_sums_to_the_accrual_and_pays_the_indemnities_last(charter):
    """Payslips of the salary alone in months 1–5 (about 3,178 €), the indemnities and
    the relief's regularisation in the last (about 8,514 €); the even accrual is about
    4,067 € a month, and both come to the same total."""
    cash = charter.cash_cents
    assert (
        sum(cash)
        == charter.employer_cost_cents
        == sum(month.employer_cost_cents for month in charter.months)
    )
    assert all(abs(month - 317_800) <= 100 for month in cash[:5])
    assert abs(cash[-1] - 851_400) <= 100
    assert all(abs(month.employer_cost_cents - 406_724) <= 1 for month in charter.months)


@settings(max_examples=8, deadline=None)
@given(
    net=st.integers(min_value=50_000, max_value=800_000),
    months=st.integers(min_value=1, max_value=18),
    start_month=st.integers(min_value=1, max_value=12),
    contract=st.sampled_from(["cdd", "cdi"]),
)
def test_the_cash_always_sums_to_the_accrual_to_the_cent(
    system, net, months, start_month, contract
):
    estimate = payroll.salaried_cost(
        contract=contract, monthly_net_cents=net, months=months, start=date(2026, start_month, 1)
    )
    assert len(estimate.cash_cents) == len(estimate.months) == months
    assert sum(estimate.cash_cents) == estimate.employer_cost_cents
    assert estimate.employer_cost_cents == sum(m.employer_cost_cents for m in estimate.months)
