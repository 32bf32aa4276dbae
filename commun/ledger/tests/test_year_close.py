"""The year close: the result, the SCIC floors, the closing entries, and a closed year locked."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commun.ledger import closing, funds
from commun.ledger.models import Account, Books, FiscalYear, Transaction
from commun.members.models import Cooperative
from commun.testing.api import bearer
from commun.testing.ledger import flush, stand_in_officer

pytestmark = pytest.mark.django_db

D = datetime.date


def book(day, postings, key, label="Écriture"):
    return Transaction.objects.record(day, label, postings, idempotency_key=key)


def year_2025(capital=1_000_000, income=10_000_000, spending=3_000_000):
    """Capital paid, a year of sales and spending: a profit of income − spending."""
    book(D(2025, 1, 10), [("512", capital), ("101", -capital)], "capital")
    book(D(2025, 6, 1), [("512", income), ("706", -income)], "sales")
    if spending:
        book(D(2025, 9, 1), [("613", spending), ("512", -spending)], "hosting")


def balance(code):
    return Account.objects.get(code=code).balance()


def test_the_default_allocation_puts_everything_in_reserves(db):
    year_2025()
    numbers = closing.figures(2025)

    assert numbers.result_cents == 7_000_000
    assert numbers.default_allocation() == {
        "1061": 1_000_000,  # 15 % would be 1,050,000: capped at what 1061 lacks
        "1068-DISPO": 5_300_000,
        "1068-COMMUNS": 700_000,
        "457": 0,
    }


def test_closing_zeroes_the_year_and_allocates_the_result(db, officer):
    year_2025()

    closed = closing.close_year(
        2025, decision_reference="AG du 12 juin 2026, résolution n°3", by=officer
    )

    assert closed.result_cents == 7_000_000
    for code in ("706", "613", "120"):
        assert balance(code) == 0
    assert -balance("1061") == 1_000_000
    assert funds.available_cents() == 5_300_000
    assert funds.commons_fund_cents() == 700_000
    assert Books.objects.get().closed_through_year == 2025
    assert "résolution n°3" in closed.allocation_transaction.label


def test_a_loss_is_carried_forward(db, officer):
    year_2025(income=1_000_000, spending=1_500_000)

    closed = closing.close_year(2025, by=officer)

    assert closed.result_cents == -500_000
    assert balance("129") == 0 and balance("119") == 500_000
    assert balance("706") == balance("613") == 0


def test_closing_a_closed_year_is_refused_and_books_nothing(db, officer):
    year_2025()
    first = closing.close_year(2025, by=officer)
    count = Transaction.objects.count()

    with pytest.raises(closing.YearAlreadyClosed, match="L'exercice 2025 est déjà clos"):
        closing.close_year(2025, {"457": 1}, by=officer)
    assert Transaction.objects.count() == count
    assert FiscalYear.objects.get() == first


def test_the_api_answers_409_to_a_second_close(db, officer):
    year_2025()
    api = bearer(officer)
    url = "/api/v1/ledger/years/2025/close"

    first = api.post(url, {"decision_reference": "AG"}, content_type="application/json")
    second = api.post(url, {"decision_reference": "AG"}, content_type="application/json")

    assert first.status_code == 201
    assert second.status_code == 409
    assert "déjà clos" in second.json()["detail"]
    assert FiscalYear.objects.count() == 1


def test_a_page_posted_for_a_year_closed_meanwhile_closes_nothing_else(people):
    book(D(2024, 3, 1), [("512", 100_000), ("706", -100_000)], "v2024")
    book(D(2025, 3, 1), [("512", 100_000), ("706", -100_000)], "v2025")
    officer = people["officer"]
    form = {
        "year": "2024",
        "legal_reserve": "150",
        "available_reserve": "750",
        "commons_fund": "100",
        "decision_reference": "AG",
    }
    assert officer.post(reverse("ledger:years"), form).status_code == 302

    again = officer.post(reverse("ledger:years"), form, follow=True)

    assert "2024 est déjà clos" in again.content.decode()
    assert list(FiscalYear.objects.values_list("year", flat=True)) == [2024]


def test_nothing_may_be_dated_in_a_closed_year(db, officer):
    year_2025()
    closing.close_year(2025, by=officer)

    with pytest.raises(ValidationError, match="L'exercice 2025 est clos"):
        book(D(2025, 12, 31), [("512", 100), ("706", -100)], "late")
    with pytest.raises(ValidationError, match="L'exercice 2025 est clos"):
        funds.commit("LATE", "Tard", 100, idempotency_key="late-commit", on=D(2025, 6, 1))
    assert book(D(2026, 1, 1), [("512", 100), ("706", -100)], "early").number


def test_a_year_closes_only_once_ended_and_in_order(db, officer):
    book(D(2024, 5, 1), [("512", 100), ("101", -100)], "old")
    year_2025()

    with pytest.raises(ValidationError, match="clôturez d'abord 2024"):
        closing.close_year(2025, by=officer)
    with pytest.raises(ValidationError, match="n'est pas terminé"):
        closing.close_year(2026, by=officer)
    closing.close_year(2024, by=officer)
    with pytest.raises(ValidationError, match="le prochain à clore est 2025"):
        closing.close_year(2026, today=D(2028, 1, 1), by=officer)
    assert closing.close_year(2025, by=officer).year == 2025


@pytest.mark.parametrize(
    "allocation, message",
    [
        ({"1061": 500_000, "1068-DISPO": 6_500_000}, "réserve légale doit recevoir au moins"),
        ({"1061": 1_000_000, "1068-DISPO": 5_000_000, "457": 1_000_000}, "100 % des excédents"),
        ({"1061": 1_000_000, "1068-DISPO": 2_000_000, "457": 4_000_000}, "57,5 %"),
        ({"1061": 1_000_000, "1068-DISPO": 1_000_000}, "doit égaler le résultat"),
        ({"1061": 1_000_000, "512": 6_000_000}, "Compte d'affectation inconnu"),
        ({"1061": 1_000_000, "1068-DISPO": -1}, "centimes positif"),
    ],
)
def test_an_allocation_below_the_floors_is_refused_with_nothing_written(
    db, allocation, message, officer
):
    year_2025()
    before = (Transaction.objects.count(), FiscalYear.objects.count())

    with pytest.raises(ValidationError, match=message):
        closing.close_year(2025, allocation, by=officer)

    assert (Transaction.objects.count(), FiscalYear.objects.count()) == before
    assert Books.objects.get().closed_through_year == 0


def allow_interest_on_shares(tmo="3.00"):
    """Statutes that allow interest on shares, with the officers' three-year TMO average."""
    Cooperative.objects.update_or_create(
        pk=1,
        defaults={
            "profit_allocation": Cooperative.ProfitAllocation.INTEREST_ON_SHARES,
            "tmo_average_percent": Decimal(tmo),
        },
    )


def test_the_charter_puts_every_profit_in_the_reserves_and_refuses_dividends(db, officer):
    """The case a new user met: 46,103.55 € of dividends on a 19,050 € capital (242 %)."""
    book(D(2025, 1, 10), [("512", 1_905_000), ("101", -1_905_000)], "capital")
    book(D(2025, 6, 1), [("512", 20_000_000), ("706", -20_000_000)], "sales")
    assert Cooperative.get().profit_allocation == Cooperative.ProfitAllocation.ALL_TO_RESERVES
    numbers = closing.figures(2025)
    legal = numbers.legal_reserve_floor_cents

    with pytest.raises(ValidationError, match="100 % des excédents aux réserves") as refused:
        closing.close_year(
            2025,
            {"1061": legal, "1068-DISPO": 20_000_000 - legal - 4_610_355, "457": 4_610_355},
            by=officer,
        )

    assert list(refused.value.error_dict) == ["457"]
    assert not Transaction.objects.filter(idempotency_key__startswith="year-").exists()
    closed = closing.close_year(2025, by=officer)
    assert "457" not in closed.allocation
    assert sum(closed.allocation.values()) == 20_000_000


def test_interest_on_shares_is_capped_at_the_tmo_average_plus_two_points(db, officer):
    """Capital 10,000 €, TMO average 3 %: art. 14 caps the rate at 3 + 2 = 5 %, so 500 €."""
    allow_interest_on_shares("3.00")
    year_2025()  # capital 10,000 €, profit 70,000 €
    book(D(2025, 2, 1), [("1068-DISPO", 1_000_000), ("1061", -1_000_000)], "legal-full")
    over = {"1068-DISPO": 6_949_999, "457": 50_001}

    with pytest.raises(ValidationError, match="art. 14 de la loi n° 47-1775") as refused:
        closing.close_year(2025, over, by=officer)

    assert "plafond légal de 500\xa0€" in " ".join(refused.value.messages)
    assert not FiscalYear.objects.exists()
    closed = closing.close_year(2025, {"1068-DISPO": 6_950_000, "457": 50_000}, by=officer)
    assert closed.allocation["457"] == 50_000


def test_interest_on_shares_waits_for_the_tmo_average(db, officer):
    allow_interest_on_shares("3.00")
    Cooperative.objects.update(tmo_average_percent=None)
    year_2025()

    with pytest.raises(ValidationError, match="moyenne du TMO"):
        closing.close_year(
            2025, {"1061": 1_000_000, "1068-DISPO": 5_999_000, "457": 1_000}, by=officer
        )


def test_the_legal_reserve_floor_lapses_once_it_equals_the_capital(db, officer):
    allow_interest_on_shares("3.00")
    year_2025()
    book(D(2025, 2, 1), [("1068-DISPO", 1_000_000), ("1061", -1_000_000)], "legal-full")

    closed = closing.close_year(2025, {"1068-DISPO": 6_950_000, "457": 50_000}, by=officer)

    assert closed.allocation == {"1068-DISPO": 6_950_000, "457": 50_000}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    result=st.integers(min_value=-5_000_000, max_value=50_000_000),
    capital=st.integers(min_value=1, max_value=5_000_000),
    legal_before=st.integers(min_value=0, max_value=6_000_000),
    shares=st.lists(st.integers(min_value=0, max_value=1000), min_size=4, max_size=4),
    rule=st.sampled_from(list(Cooperative.ProfitAllocation)),
    tmo=st.one_of(st.none(), st.decimals(min_value=0, max_value=60, places=2)),
)
def test_accepted_allocations_always_respect_the_floors(
    result, capital, legal_before, shares, rule, tmo
):
    numbers = closing.YearFigures(2025, result, {}, capital, legal_before, rule, tmo)
    total = sum(shares) or 1
    codes = ["1061", "1068-DISPO", "1068-COMMUNS", "457"]
    allocation = {
        code: max(result, 0) * share // total for code, share in zip(codes, shares, strict=True)
    }
    if result > 0:
        allocation["1068-DISPO"] += result - sum(allocation.values())

    try:
        cleaned = closing.check_allocation(numbers, allocation)
    except ValidationError:
        cleaned = None
    default = closing.check_allocation(numbers, numbers.default_allocation())

    for accepted in (a for a in (cleaned, default) if a is not None):
        if result <= 0:
            assert accepted == {}
            continue
        assert sum(accepted.values()) == result
        legal = accepted.get("1061", 0)
        assert legal * 100 >= 15 * result or legal_before + legal >= capital
        unshared = legal + accepted.get("1068-DISPO", 0) + accepted.get("1068-COMMUNS", 0)
        assert unshared * 1000 >= 575 * result
        dividends = accepted.get("457", 0)
        if rule == Cooperative.ProfitAllocation.ALL_TO_RESERVES or tmo is None:
            assert dividends == 0
        else:
            assert dividends * 100 <= capital * (tmo + 2)


@pytest.mark.django_db(transaction=True)
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(
        st.tuples(
            st.sampled_from(["706", "74", "613", "627", "622", "625"]), st.integers(1, 10**8)
        ),
        min_size=1,
        max_size=12,
    )
)
def test_closing_leaves_every_income_and_expense_account_of_the_year_at_zero(lines):
    flush()
    officer = stand_in_officer()
    book(D(2025, 1, 2), [("512", 10_000_000), ("101", -10_000_000)], "capital")
    for n, (code, cents) in enumerate(lines):
        sign = -1 if code.startswith("7") else 1
        book(D(2025, 1 + n % 12, 5), [(code, sign * cents), ("512", -sign * cents)], f"l{n}")

    closed = closing.close_year(2025, by=officer)

    for account in Account.objects.filter(code__regex=r"^[67]"):
        assert account.balance() == 0, account.code
    assert balance("120") == 0 and balance("129") == 0
    assert closed.result_cents == sum(c if code.startswith("7") else -c for code, c in lines)
    for t in Transaction.objects.all():
        assert sum(t.postings.values_list("amount_cents", flat=True)) == 0


def test_the_officer_closes_a_year_through_the_page(people):
    book(D(2025, 1, 6), [("512", 1_000_000), ("101", -1_000_000)], "capital")
    book(D(2025, 6, 1), [("512", 100_000), ("706", -100_000)], "v")
    officer = people["officer"]

    page = officer.get(reverse("ledger:years"))
    assert page.context["year"] == 2025
    assert "Tous les excédents en réserves (100 %, aucun dividende)" in page.content.decode()
    refused = officer.post(
        reverse("ledger:years"),
        {
            "legal_reserve": "0",
            "available_reserve": "1000",
            "commons_fund": "0",
            "dividends": "0",
            "decision_reference": "AG",
        },
    )
    assert refused.status_code == 422
    assert "réserve légale doit recevoir" in refused.content.decode()
    assert not FiscalYear.objects.exists()

    done = officer.post(
        reverse("ledger:years"),
        {
            "legal_reserve": "150",
            "available_reserve": "750",
            "commons_fund": "100",
            "dividends": "",
            "decision_reference": "AG du 5 juin 2026",
        },
    )
    assert done.status_code == 302
    assert FiscalYear.objects.get().allocation == {
        "1061": 15_000,
        "1068-DISPO": 75_000,
        "1068-COMMUNS": 10_000,
    }


def test_dividends_the_statutes_refuse_are_a_field_error_on_the_page_and_in_the_api(people, alice):
    book(D(2025, 1, 6), [("512", 1_000_000), ("101", -1_000_000)], "capital")
    book(D(2025, 6, 1), [("512", 100_000), ("706", -100_000)], "v")
    form = {
        "legal_reserve": "150",
        "available_reserve": "750",
        "dividends": "100",
        "decision_reference": "AG",
    }

    page = people["officer"].post(reverse("ledger:years"), form)
    api = bearer(alice.user).post(
        "/api/v1/ledger/years/2025/close",
        {"allocation": {"1061": 15_000, "1068-DISPO": 75_000, "457": 10_000}},
        content_type="application/json",
    )

    assert page.status_code == 422
    assert "100 % des excédents aux réserves" in " ".join(page.context["form"].errors["dividends"])
    assert api.status_code == 422
    assert api.json()["detail"][0]["loc"] == ["body", "allocation", "457"]
    assert not FiscalYear.objects.exists()
