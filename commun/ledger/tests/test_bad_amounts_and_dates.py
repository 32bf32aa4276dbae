"""Bad amounts and booking dates, against every way in: each refused, translated, nothing written.

The same table goes through the web forms (income, mission payments and proposals, gifts),
the API (the same operations, where amounts are integer cents) and the bank import (web
preview and confirmation, API dry run and booking). Amounts are never rounded or read as
an exponent; a booking is dated in an open fiscal year, never after today.
"""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from commun.budgets.models import Mission, MissionPayment, MissionTopUp
from commun.conftest import client_for
from commun.decisions.models import Decision
from commun.ledger import closing
from commun.ledger.models import JournalEntry, MonthlyTotal, Posting, Transaction
from commun.testing.api import bearer
from commun.testing.budgets import mission_in, need_by
from commun.testing.upstream import fill_fund, projects
from commun.upstream.models import Gift

pytestmark = pytest.mark.django_db

API = "/api/v1"
TODAY = timezone.localdate()
DAY = datetime.date(2026, 2, 10)  # a good booking date: open, and not after today
assert DAY <= TODAY

# (case, as typed in a form or a statement, as a JSON literal in the API)
AMOUNTS = [
    ("12,345", "12,345", "1234.5"),
    ("1e5", "1e5", "1e5"),
    ("arabic-indic-digits", "١٢", '"١٢"'),
    ("true", "true", "true"),
    ("minus-zero", "-0", "-0"),
]
# What the parser answers to the typed text, in French then in English.
TYPED = {
    "12,345": ("au plus deux décimales", "at most two decimals"),
    "1e5": ("sans exposant", "without an exponent"),
    "arabic-indic-digits": ("chiffres 0 à 9", "digits 0 to 9"),
    "true": ("Saisissez un montant en euros", "Enter an amount in euros"),
    "minus-zero": ("supérieur à zéro", "greater than zero"),
}
# A statement's line may be negative: there, minus zero is refused as a nil amount.
STATEMENT = TYPED | {
    "true": ("saisissez un montant en euros", "enter an amount in euros"),
    "minus-zero": ("montant est nul", "amount is zero"),
}
# A mission's pay may be nil for a volunteer: the mission says why it is not here.
UNPAID = ("Seule une mission bénévole", "Only a volunteer mission is unpaid")
# What the API answers to a JSON literal that is not an integer number of cents.
NOT_CENTS = ("nombre entier de centimes", "whole number of cents")

FUTURE = ("après aujourd'hui", "after today")
CLOSED = ("exercice 2025 est clos", "year 2025 is closed")
DATES = [
    ("9999-12-31", datetime.date(9999, 12, 31), FUTURE),
    ("tomorrow", TODAY + datetime.timedelta(days=1), FUTURE),
    ("closed-year", datetime.date(2025, 6, 30), CLOSED),
]


@pytest.fixture
def world(alice, bob, english):
    closing.close_year(2025, decision_reference="AG 2026", by=alice.user)
    mission = mission_in("adopted", bob, alice)
    django, *_ = projects(1)
    fill_fund(10_000)
    gift = Gift.objects.plan(alice, project=django, amount_cents=1_000, reference="AG 2026")
    return {
        "alice": alice,
        "bob": bob,
        "mission": mission,
        "need": need_by(bob, "Un autre besoin"),
        "project": django,
        "gift": gift,
    }


def rows():
    """Everything a refused request could have written."""
    return {
        "transactions": Transaction.objects.count(),
        "postings": Posting.objects.count(),
        "journal": JournalEntry.objects.count(),
        "monthly": list(
            MonthlyTotal.objects.order_by("account", "month").values_list(
                "account", "month", "debit_cents", "credit_cents", "count"
            )
        ),
        "missions": list(Mission.objects.order_by("pk").values_list("pk", "status")),
        "payments": MissionPayment.objects.count(),
        "top_ups": MissionTopUp.objects.count(),
        "decisions": Decision.objects.count(),
        "gifts": list(Gift.objects.order_by("pk").values_list("pk", "status", "amount_cents")),
    }


# The ways in. Each takes the world, the language, and the amount (typed text or JSON
# literal) or the date, and answers the messages of the refusal: [(field, message)].


def _form_errors(response, form_name="form"):
    assert response.status_code == 422, response.status_code
    form = response.context[form_name]
    return [(field, str(message)) for field, errors in form.errors.items() for message in errors]


def _web(world, lang, url, data, form_name="form", as_member=False):
    person = world["bob"] if as_member else world["alice"]
    response = client_for(person.user).post(url, data, HTTP_ACCEPT_LANGUAGE=lang)
    return _form_errors(response, form_name)


def web_income(world, lang, amount="12,00", date=DAY):
    data = {
        "date": date.isoformat(),
        "label": "Facture client",
        "nature": "706",
        "amount": amount,
        "vat_rate": "",
        "via": "512",
        "idempotency_key": "form-bad",
    }
    return _web(world, lang, reverse("ledger:income"), data)


def web_mission_payment(world, lang, amount="12,00", date=DAY):
    data = {
        "payment-kind": "invoice",
        "payment-date": date.isoformat(),
        "payment-label": "Facture",
        "payment-amount": amount,
        "payment-account": "",
        "payment-idempotency_key": "bad-payment",
    }
    url = reverse("budgets:payment_new", args=[world["mission"].pk])
    return _web(world, lang, url, data, form_name="payment_form")


def web_mission_proposal(world, lang, amount):
    data = {
        "title": "Une mission",
        "scope": "Ce qui sera fait.",
        "deliverables": "Un livrable.",
        "start_on": "2026-03-01",
        "duration_months": "1",
        "pay_form": "invoice",
        "amount": amount,
    }
    url = reverse("budgets:mission_new", args=[world["need"].pk])
    return _web(world, lang, url, data, as_member=True)


def web_gift(world, lang, amount):
    data = {"project": world["project"].pk, "amount": amount, "reference": "AG 2026"}
    return _web(world, lang, reverse("upstream:gift_create"), data)


def web_gift_payment(world, lang, date):
    data = {"paid_on": date.isoformat(), "idempotency_key": "bad-gift-payment"}
    return _web(world, lang, reverse("upstream:gift_pay", args=[world["gift"].pk]), data)


def _api(world, lang, path, body: dict, raw: dict | None = None, as_member=False):
    """POST `body` as JSON, with `raw` fields written as JSON literals of their own."""
    text = json.dumps(body)
    for field, literal in (raw or {}).items():
        text = text[:-1] + f', "{field}": {literal}' + "}"
    person = world["bob"] if as_member else world["alice"]
    response = bearer(person.user).post(
        f"{API}{path}?lang={lang}", data=text, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    return [(e["loc"][-1], e["msg"]) for e in response.json()["detail"]]


def api_income(world, lang, amount="1200", date=DAY):
    body = {"date": str(date), "label": "Facture", "nature": "706", "idempotency_key": "api-bad"}
    return _api(world, lang, "/ledger/income", body, {"amount_cents": amount})


def api_mission_payment(world, lang, amount="1200", date=DAY):
    body = {"kind": "invoice", "date": str(date), "label": "Facture", "idempotency_key": "bad"}
    path = f"/missions/{world['mission'].pk}/payments"
    return _api(world, lang, path, body, {"amount_cents": amount})


def api_mission_proposal(world, lang, amount):
    body = {
        "need_id": world["need"].pk,
        "title": "Une mission",
        "scope": "Ce qui sera fait.",
        "deliverables": "Un livrable.",
        "start_on": "2026-03-01",
        "duration_months": 1,
        "pay_form": "invoice",
        "vat_rate_bp": 0,
    }
    return _api(world, lang, "/missions", body, {"amount_cents": amount}, as_member=True)


def api_top_up(world, lang, amount):
    body = {"reason": "Plus de travail que prévu."}
    path = f"/missions/{world['mission'].pk}/top-ups"
    return _api(world, lang, path, body, {"amount_cents": amount}, as_member=True)


def api_gift(world, lang, amount):
    body = {"project": world["project"].pk, "reference": "AG 2026"}
    return _api(world, lang, "/upstream/gifts", body, {"amount_cents": amount})


def api_gift_payment(world, lang, date):
    body = {"date": str(date), "idempotency_key": "bad-gift-payment"}
    return _api(world, lang, f"/upstream/gifts/{world['gift'].pk}/pay", body)


def statement(amount="12,00", date=DAY) -> str:
    # The amount is quoted: "12,345" holds the separator of a comma-separated file.
    return f'date;libellé;montant;compte\n{date:%d/%m/%Y};Virement client;"{amount}";706\n'


def _web_import(world, lang, text, button):
    response = client_for(world["alice"].user).post(
        reverse("ledger:import"), {"text": text, button: "1"}, HTTP_ACCEPT_LANGUAGE=lang
    )
    assert response.status_code == 422, response.status_code
    return [(error.line, str(error.message)) for error in response.context["line_errors"]]


def _api_import(world, lang, text, query):
    response = bearer(world["alice"].user).post(
        f"{API}/ledger/imports?lang={lang}{query}", data=text, content_type="text/csv"
    )
    assert response.status_code == 422, response.content
    return [(e["loc"][2], e["msg"]) for e in response.json()["detail"]]


IMPORTS = {
    "web-preview": lambda world, lang, text: _web_import(world, lang, text, "preview"),
    "web-confirm": lambda world, lang, text: _web_import(world, lang, text, "confirm"),
    "api-dry-run": lambda world, lang, text: _api_import(world, lang, text, "&dry_run=true"),
    "api-book": lambda world, lang, text: _api_import(world, lang, text, ""),
}


def refused_in_both_languages(attempt, field, expected):
    """The attempt is refused on `field` in French, then in English; nothing is written."""
    before = rows()
    for lang, fragment in zip(("fr", "en"), expected, strict=True):
        errors = attempt(lang)
        on_field = [message for name, message in errors if name == field]
        assert on_field, errors
        assert any(fragment in message for message in on_field), (lang, errors)
    assert rows() == before


# Amounts -----------------------------------------------------------------------------------

WEB_AMOUNTS = {
    "income": web_income,
    "mission-payment": web_mission_payment,
    "mission-proposal": web_mission_proposal,
    "gift": web_gift,
}


@pytest.mark.parametrize("way", WEB_AMOUNTS)
@pytest.mark.parametrize(("case", "typed", "_literal"), AMOUNTS, ids=[a[0] for a in AMOUNTS])
def test_a_bad_amount_typed_in_a_form_is_refused(world, way, case, typed, _literal):
    attempt = WEB_AMOUNTS[way]
    expected = UNPAID if (way, case) == ("mission-proposal", "minus-zero") else TYPED[case]
    refused_in_both_languages(lambda lang: attempt(world, lang, typed), "amount", expected)


API_AMOUNTS = {
    "income": api_income,
    "mission-payment": api_mission_payment,
    "mission-proposal": api_mission_proposal,
    "top-up": api_top_up,
    "gift": api_gift,
}


@pytest.mark.parametrize("way", API_AMOUNTS)
@pytest.mark.parametrize(("case", "_typed", "literal"), AMOUNTS, ids=[a[0] for a in AMOUNTS])
def test_a_bad_amount_sent_to_the_api_is_refused(world, way, case, _typed, literal):
    attempt = API_AMOUNTS[way]
    if case == "minus-zero":
        # JSON's -0 is the integer 0: refused as no amount, in each operation's words.
        before = rows()
        french, english_ = (attempt(world, lang, literal) for lang in ("fr", "en"))
        assert [f for f, _m in french] == [f for f, _m in english_] == ["amount_cents"]
        assert french[0][1] != english_[0][1]
        assert rows() == before
        return
    refused_in_both_languages(lambda lang: attempt(world, lang, literal), "amount_cents", NOT_CENTS)


@pytest.mark.parametrize("way", IMPORTS)
@pytest.mark.parametrize(("case", "typed", "_literal"), AMOUNTS, ids=[a[0] for a in AMOUNTS])
def test_a_bad_amount_in_a_bank_statement_is_refused(world, way, case, typed, _literal):
    attempt = IMPORTS[way]
    refused_in_both_languages(
        lambda lang: attempt(world, lang, statement(amount=typed)), 2, STATEMENT[case]
    )


# Dates -------------------------------------------------------------------------------------

WEB_DATES = {
    "income": (web_income, "date"),
    "mission-payment": (web_mission_payment, "date"),
    "gift-payment": (web_gift_payment, "paid_on"),
}
API_DATES = {
    "income": api_income,
    "mission-payment": api_mission_payment,
    "gift-payment": api_gift_payment,
}


@pytest.mark.parametrize("way", WEB_DATES)
@pytest.mark.parametrize(("case", "date", "expected"), DATES, ids=[d[0] for d in DATES])
def test_a_bad_booking_date_in_a_form_is_refused(world, way, case, date, expected):
    attempt, field = WEB_DATES[way]
    refused_in_both_languages(lambda lang: attempt(world, lang, date=date), field, expected)


@pytest.mark.parametrize("way", API_DATES)
@pytest.mark.parametrize(("case", "date", "expected"), DATES, ids=[d[0] for d in DATES])
def test_a_bad_booking_date_sent_to_the_api_is_a_422_naming_the_field(
    world, way, case, date, expected
):
    attempt = API_DATES[way]
    refused_in_both_languages(lambda lang: attempt(world, lang, date=date), "date", expected)


@pytest.mark.parametrize("way", IMPORTS)
@pytest.mark.parametrize(("case", "date", "expected"), DATES, ids=[d[0] for d in DATES])
def test_a_bad_booking_date_in_a_bank_statement_is_refused(world, way, case, date, expected):
    attempt = IMPORTS[way]
    refused_in_both_languages(lambda lang: attempt(world, lang, statement(date=date)), 2, expected)


def test_the_good_values_of_the_table_are_booked(world):
    """The table's control: the same ways in book a well-formed amount on a good date."""
    officer = client_for(world["alice"].user)
    before = Transaction.objects.count()

    response = officer.post(
        reverse("ledger:income"),
        {
            "date": DAY.isoformat(),
            "label": "Facture client",
            "nature": "706",
            "amount": "12,34",
            "vat_rate": "",
            "via": "512",
            "idempotency_key": "form-good",
        },
    )
    assert response.status_code == 302
    booked = bearer(world["alice"].user).post(
        f"{API}/ledger/imports", data=statement(amount="-1 250,5"), content_type="text/csv"
    )
    assert booked.status_code == 201, booked.content
    assert Transaction.objects.count() == before + 2
    assert sorted(
        Transaction.objects.order_by("-number")[0].postings.values_list("amount_cents", flat=True)
    ) == [-125_050, 125_050]
