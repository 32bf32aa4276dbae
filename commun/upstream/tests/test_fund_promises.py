"""The commons fund is never promised twice: a split or a planned gift fits in what is left.

"Available" is the fund less what is promised and not yet paid: the splits still voting
and the planned gifts. A split is checked when it opens and again when its vote adopts it.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from commun.conftest import client_for
from commun.decisions.models import Decision
from commun.ledger.models import Transaction
from commun.testing.api import bearer, call
from commun.testing.upstream import closed_split, fill_fund, projects, shrink_fund
from commun.upstream.models import CommonsSplit, Gift, commons_fund

DAY = datetime.date(2026, 3, 2)


def plain(text: str) -> str:
    """Amounts as typed: French grouping and the space before € are non-breaking."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def written():
    return (
        CommonsSplit.objects.count(),
        Decision.objects.count(),
        Gift.objects.count(),
        Transaction.objects.count(),
    )


def test_a_second_split_beyond_what_the_first_left_is_refused_naming_the_available(alice):
    """Issue 16's case: 13,174.65 € in the fund, a 1,000 € split open, then 13,000 €."""
    projects()
    fill_fund(1_317_465)
    CommonsSplit.objects.open(alice, amount_cents=100_000)
    before = written()

    with pytest.raises(ValidationError) as refused:
        CommonsSplit.objects.open(alice, amount_cents=1_300_000)

    message = plain(refused.value.message_dict["amount_cents"][0])
    assert "disponible dans le fonds pour les communs amont : 12 174,65 €" in message, message
    assert "déjà promis" in message
    assert written() == before


def test_a_split_fits_exactly_in_what_is_left(alice):
    projects()
    fill_fund(1_317_465)
    CommonsSplit.objects.open(alice, amount_cents=100_000)

    second = CommonsSplit.objects.open(alice, amount_cents=1_217_465)

    assert second.amount_cents == 1_217_465
    fund = commons_fund()
    assert (fund.held_cents, fund.promised_cents, fund.available_cents) == (1_317_465, 1_317_465, 0)


def test_a_split_of_the_whole_fund_takes_only_what_is_not_promised(alice):
    projects()
    fill_fund(300_000)
    CommonsSplit.objects.open(alice, amount_cents=100_000)

    split = CommonsSplit.objects.open(alice)

    assert split.amount_cents == 200_000


def test_a_fund_wholly_promised_cannot_be_split_again(alice):
    projects()
    fill_fund(100_000)
    CommonsSplit.objects.open(alice)

    with pytest.raises(ValidationError, match="déjà promis"):
        CommonsSplit.objects.open(alice)


def test_a_planned_gift_is_reserved_against_the_fund(alice):
    django, *_ = projects()
    fill_fund(100_000)
    Gift.objects.plan(alice, project=django, amount_cents=70_000, reference="AG 2026")
    before = written()

    with pytest.raises(ValidationError) as refused:
        CommonsSplit.objects.open(alice, amount_cents=30_001)

    assert "300\u00a0€" in refused.value.message_dict["amount_cents"][0]
    assert written() == before
    assert commons_fund().available_cents == 30_000


def test_a_direct_gift_beyond_what_is_left_is_refused_and_nothing_is_written(alice):
    django, postgres, _htmx = projects()
    fill_fund(100_000)
    CommonsSplit.objects.open(alice, amount_cents=60_000)
    before = written()

    with pytest.raises(ValidationError) as refused:
        Gift.objects.plan(alice, project=postgres, amount_cents=40_001, reference="AG 2026")

    assert "400\u00a0€" in refused.value.message_dict["amount_cents"][0]
    assert written() == before
    assert Gift.objects.plan(alice, project=postgres, amount_cents=40_000, reference="AG")


def test_payments_lapses_and_cancellations_free_or_keep_the_promise(alice, bob):
    django, *_ = projects()
    fill_fund(100_000)
    gift = Gift.objects.plan(alice, project=django, amount_cents=30_000, reference="AG")
    lapsed = closed_split(alice, [], amount_cents=50_000)
    assert lapsed.status == "lapsed"
    assert commons_fund().available_cents == 70_000

    gift.pay(alice, DAY, "pay-1")  # paid: out of the fund and out of the promises
    fund = commons_fund()
    assert (fund.held_cents, fund.promised_cents, fund.available_cents) == (70_000, 0, 70_000)

    other = Gift.objects.plan(alice, project=django, amount_cents=20_000, reference="AG 2")
    other.cancel(alice)
    assert commons_fund().available_cents == 70_000


def test_adoption_is_checked_again_against_what_earlier_promises_left(alice, bob):
    """Both fit when opened; the fund then shrinks: the earlier one is served first."""
    projects()
    fill_fund(100_000)
    earlier = CommonsSplit.objects.open(alice, amount_cents=60_000)
    later = CommonsSplit.objects.open(alice, amount_cents=40_000)
    shrink_fund(30_000)
    for split in (earlier, later):
        option = split.decision.options.order_by("position").first()
        split.decision.current_round.take_stance(bob, "ballot", ballot={str(option.pk): 100})
    when = later.decision.closes_at + datetime.timedelta(seconds=1)
    before = written()

    with pytest.raises(ValidationError) as refused:
        later.decision.close(now=when, by=alice)

    assert "100\u00a0€" in refused.value.messages[0]  # 70,000 held less 60,000 promised first
    assert written() == before
    later.refresh_from_db()
    assert later.status == "voting" and later.decision.phase == "voting"

    assert earlier.decision.close(now=when, by=alice) == "adopted"
    earlier.refresh_from_db()
    assert earlier.status == "planned"
    assert commons_fund().available_cents == 70_000 - 60_000 - 40_000


def test_the_deadline_job_lets_a_split_the_fund_no_longer_covers_lapse(alice, bob):
    projects()
    fill_fund(100_000)
    split = CommonsSplit.objects.open(alice, amount_cents=100_000)
    option = split.decision.options.order_by("position").first()
    split.decision.current_round.take_stance(bob, "ballot", ballot={str(option.pk): 100})
    shrink_fund(1)

    Decision.objects.close_due(now=split.decision.closes_at)

    split.refresh_from_db()
    assert split.status == "lapsed" and not split.gifts.exists()
    assert "L'adoption a été refusée" in split.decision.outcome_statement
    assert commons_fund().available_cents == 99_999


# Paid, partly paid, promised ------------------------------------------------------------------


def test_a_fully_paid_split_shows_as_given_and_a_partial_one_what_remains(alice, bob):
    projects()
    fill_fund(100_000)
    split = closed_split(alice, [(bob, {"Django": 60, "PostgreSQL": 40})], amount_cents=100_000)
    django, postgres = split.gifts.order_by("project__name")
    assert split.status_label() == "Répartie : dons prévus"
    assert (split.promised_cents, split.paid_cents, split.remaining_cents) == (100_000, 0, 100_000)

    django.pay(alice, DAY, "pay-django")
    split = CommonsSplit.objects.with_payments().get(pk=split.pk)
    assert (split.promised_cents, split.paid_cents, split.remaining_cents) == (
        100_000,
        60_000,
        40_000,
    )
    assert "400\u00a0€ restent à verser" in split.status_label()

    postgres.pay(alice, DAY, "pay-postgres")
    split = CommonsSplit.objects.with_payments().get(pk=split.pk)
    assert split.remaining_cents == 0
    assert split.status_label() == "Répartie : dons versés"

    page = client_for(None).get(split.get_absolute_url()).content.decode()
    assert "dons versés" in page and "dons prévus" not in page
    index = client_for(None).get("/communs-amont/").content.decode()
    assert "Répartie : dons versés" in index


def test_the_index_shows_what_is_held_promised_and_available(alice):
    django, *_ = projects()
    fill_fund(1_317_465)
    CommonsSplit.objects.open(alice, amount_cents=100_000)
    Gift.objects.plan(alice, project=django, amount_cents=17_465, reference="AG")

    page = plain(client_for(None).get("/communs-amont/").content.decode())

    assert "<strong>13 174,65 €</strong>" in page  # held
    assert "<strong>1 174,65 €</strong>" in page  # promised
    assert "<strong>12 000 €</strong>" in page  # available


# API --------------------------------------------------------------------------------------------


def test_the_api_answers_the_fund_and_each_split_s_promised_paid_and_remaining(alice, bob):
    projects()
    fill_fund(150_000)
    split = closed_split(alice, [(bob, {"Django": 60, "PostgreSQL": 40})], amount_cents=100_000)
    voting = CommonsSplit.objects.open(alice, amount_cents=20_000)
    split.gifts.order_by("project__name").first().pay(alice, DAY, "pay-api")

    fund = call(Client(), "GET", "/upstream/fund").json()
    assert fund == {
        "held_cents": 90_000,
        "promised_cents": 60_000,
        "available_cents": 30_000,
        "given_cents": 60_000,
    }
    detail = call(Client(), "GET", f"/upstream/splits/{split.pk}").json()
    assert (detail["promised_cents"], detail["paid_cents"], detail["remaining_cents"]) == (
        100_000,
        60_000,
        40_000,
    )
    listed = {s["id"]: s for s in call(Client(), "GET", "/upstream/splits").json()["items"]}
    assert (listed[voting.pk]["promised_cents"], listed[voting.pk]["remaining_cents"]) == (
        20_000,
        20_000,
    )
    assert listed[split.pk]["remaining_cents"] == 40_000


def test_the_api_refuses_a_split_beyond_what_is_left(alice):
    projects()
    fill_fund(100_000)
    CommonsSplit.objects.open(alice, amount_cents=99_000)
    before = written()

    response = call(bearer(alice.user), "POST", "/upstream/splits", {"amount_cents": 1_001})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "amount_cents"]
    assert "10\u00a0€" in response.json()["detail"][0]["msg"]
    assert written() == before
