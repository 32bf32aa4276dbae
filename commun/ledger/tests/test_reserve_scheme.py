"""Reserve commitments never flow back as profit: a year's result is its income minus its
expenses, whatever the missions drew on the reserve (docs/accounting.md)."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commun.ledger import closing, funds
from commun.ledger.models import Account, Transaction
from commun.testing.ledger import flush, stand_in_officer

D = datetime.date
PRIOR_RESERVE = 50_000_000  # 500,000 € in the reserve available for missions on 1 January


def book(day, postings, key):
    return Transaction.objects.record(day, "Écriture", postings, idempotency_key=key)


def opening():
    """Capital and a reserve built by earlier years, as the books hold them in 2025."""
    book(D(2025, 1, 2), [("512", 1_000_000), ("101", -1_000_000)], "capital")
    book(D(2025, 1, 2), [("512", PRIOR_RESERVE), ("1068-DISPO", -PRIOR_RESERVE)], "reserve")


def the_year(income, missions, *, through_commitments):
    """The same year, its missions paid from reserve commitments or simply paid."""
    if income:
        book(D(2025, 3, 1), [("512", income), ("706", -income)], "sales")
    for n, (committed, payments) in enumerate(missions):
        if through_commitments:
            funds.commit(
                f"M{n}", f"Mission {n}", committed, idempotency_key=f"c{n}", on=D(2025, 2, 1)
            )
        for k, (code, cents) in enumerate(payments):
            key = f"p{n}-{k}"
            if through_commitments:
                funds.spend(
                    f"M{n}", [(code, cents)], label="Paie", idempotency_key=key, on=D(2025, 4, 1)
                )
            else:
                book(D(2025, 4, 1), [(code, cents), ("512", -cents)], key)


def equity():
    codes = ("101", "1061", "1068-DISPO", "1068-COMMUNS", "1068-CONSO", "119", "120", "129")
    total = sum(a.balance() for a in Account.objects.filter(code__in=codes))
    total += sum(a.balance() for a in Account.objects.filter(code__startswith="1068-ENG-"))
    return -total


def test_a_mission_paid_from_the_reserve_is_an_expense_of_the_year_and_no_income(db):
    opening()
    funds.commit("M1", "Mission", 3_000_000, idempotency_key="c", on=D(2025, 2, 1))
    paid = funds.spend(
        "M1",
        [("641", 2_000_000), ("645", 800_000)],
        label="Paie",
        idempotency_key="p",
        on=D(2025, 4, 1),
    )

    lines = dict(paid.postings.values_list("account__code", "amount_cents"))
    assert not [code for code in lines if code.startswith("7")]
    assert lines["641"] + lines["645"] == 2_800_000
    assert closing.figures(2025).result_cents == -2_800_000
    assert funds.committed_cents("M1") == 200_000
    assert funds.available_cents() == PRIOR_RESERVE - 3_000_000


@pytest.mark.django_db(transaction=True)
@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    income=st.integers(0, 30_000_000),
    missions=st.lists(
        st.integers(1, 8_000_000).flatmap(
            lambda committed: st.tuples(
                st.just(committed),
                st.lists(
                    st.tuples(
                        st.sampled_from(["641", "645", "622", "625"]), st.integers(1, 2_000_000)
                    ),
                    max_size=4,
                ).filter(lambda payments: sum(c for _code, c in payments) <= committed),
            )
        ),
        max_size=4,
    ),
)
def test_a_year_drawing_on_the_reserve_has_the_result_of_the_same_year_without_commitments(
    income, missions
):
    """The same year without commitments books each payment as 6xx against 512 and nothing
    else: its result is income − spent, and the equity after the close is
    capital + prior reserve + income − spent. The year paid through commitments must match."""
    flush()
    officer = stand_in_officer()
    opening()
    the_year(income, missions, through_commitments=True)
    spent = sum(c for _committed, payments in missions for _code, c in payments)
    committed = sum(committed for committed, _payments in missions)

    closed = closing.close_year(2025, by=officer)

    assert closed.result_cents == income - spent
    assert equity() == 1_000_000 + PRIOR_RESERVE + income - spent
    # The reserve's funds hold exactly the prior reserve plus the result, a loss included:
    # spent reserve money is neither counted twice nor given back to be spent again.
    legal = -Account.objects.get(code="1061").balance()
    funds_total = funds.available_cents() + funds.committed_cents() + funds.commons_fund_cents()
    assert funds_total + legal == PRIOR_RESERVE + income - spent
    assert funds.committed_cents() == committed - spent
    assert Account.objects.get(code="1068-CONSO").balance() == 0


def test_an_old_scheme_789_entry_is_corrected_by_a_new_entry_as_the_docs_say(db, officer):
    """docs/accounting.md: under the old scheme a 2,000 € payment also credited 789; one
    correcting entry D 789 / C 1068-CONSO brings the result back to income − expenses."""
    opening()
    book(D(2025, 3, 1), [("512", 500_000), ("706", -500_000)], "sales")
    funds.commit("M1", "Mission", 300_000, idempotency_key="c", on=D(2025, 2, 1))
    book(
        D(2025, 4, 1),
        [("641", 200_000), ("512", -200_000), ("1068-ENG-M1", 200_000), ("789", -200_000)],
        "old-scheme payment",
    )
    assert closing.figures(2025).result_cents == 500_000  # the old scheme's overstatement

    book(D(2025, 12, 31), [("789", 200_000), ("1068-CONSO", -200_000)], "correction")
    closed = closing.close_year(2025, by=officer)

    assert closed.result_cents == 500_000 - 200_000
    capital = -Account.objects.get(code="101").balance()  # the officer's own shares included
    assert equity() == capital + PRIOR_RESERVE + 300_000
    assert Account.objects.get(code="1068-CONSO").balance() == 0


def test_a_loss_year_that_took_back_an_earlier_year_s_spending_gives_it_back_to_no_reserve():
    """A gift paid in year N (1068-CONSO credited 30 €, returned to 1068-DISPO at N's close)
    is cancelled in N+1: its reversal debits 1068-CONSO 30 € and credits the commons fund
    30 €. N+1 ends with a loss of 100 €. The 30 € are back in the fund, so they leave the
    available reserve (D 1068-DISPO 30 / C 1068-CONSO 30), and the whole loss, no more, is
    carried forward (D 119 100 / C 129 100): otherwise 119 says 130 € and 1068-DISPO keeps
    30 € that the commons fund holds too, promised twice."""
    figures = closing.YearFigures(
        year=2027,
        result_cents=-10_000,
        balances={},
        capital_cents=0,
        legal_reserve_cents=0,
        reserve_spent_cents=-3_000,
    )

    lines = dict(closing.allocation_lines(figures, {}))

    assert lines == {"129": -10_000, "119": 10_000, "1068-CONSO": -3_000, "1068-DISPO": 3_000}
    assert sum(lines.values()) == 0
