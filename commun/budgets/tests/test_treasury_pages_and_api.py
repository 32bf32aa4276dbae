"""The treasury forecast's public page and API, and the officers' recurring income.

Alice is an officer, Bob a member, Carol an applicant, Dan an account without membership.
A refusal changes nothing; bad input answers a translated error on its field.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commun.budgets.cash import add_months
from commun.budgets.forecast import treasury_forecast
from commun.budgets.models import RecurringIncome
from commun.testing.api import bearer, call
from commun.testing.budgets import adopt, fund, invoice, shown, submitted
from commun.testing.upstream import fill_fund, projects
from commun.upstream.models import Gift

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "applicant", "account", "member", "officer"]
ALL = (200,) * 5
OFFICER = (401, 403, 403, 403, 200)
OFFICER_CREATES = (401, 403, 403, 403, 201)


def next_month() -> datetime.date:
    return add_months(timezone.localdate().replace(day=1), 1)


def income_body(**values) -> dict:
    return {
        "label": "Subvention",
        "amount_cents": 50_000,
        "frequency": "quarterly",
        "starts_on": next_month().isoformat(),
    } | values


MATRIX = [
    ("GET", "/treasury/forecast", None, ALL),
    ("GET", "/treasury/incomes", None, OFFICER),
    ("POST", "/treasury/incomes", income_body(), OFFICER_CREATES),
    ("PUT", "/treasury/incomes/{income_id}", income_body(amount_cents=60_000), OFFICER),
    ("POST", "/treasury/incomes/{income_id}/end", None, OFFICER),
]


@pytest.fixture
def callers(alice, bob, carol, dan):
    return {
        "visitor": Client(),
        "applicant": bearer(carol.user),
        "account": bearer(dan),
        "member": bearer(bob.user),
        "officer": bearer(alice.user),
    }


def rows():
    return sorted(RecurringIncome.objects.values_list("pk", "label", "amount_cents", "ends_on"))


@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX)
def test_who_may_call_what(callers, alice, method, path, body, expected):
    statuses = {}
    for role in ROLES:
        income = RecurringIncome.add(alice, **income_body(starts_on=next_month()))
        before = rows()

        response = call(callers[role], method, path.format(income_id=income.pk), body)

        statuses[role] = response.status_code
        if response.status_code >= 400:
            assert response.json()["detail"], role
            assert rows() == before, f"{role} changed something"
    assert statuses == dict(zip(ROLES, expected, strict=True))


def test_every_treasury_endpoint_is_in_the_matrix():
    document = Client().get("/api/v1/openapi.json").json()
    documented = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "Trésorerie prévue" in operation.get("tags", [])
    }
    assert documented == {(method, path) for method, path, *_rest in MATRIX}


def test_the_api_gives_the_same_months_as_the_model(alice, bob):
    fund(1_000_000)
    adopt(submitted(bob, **invoice(300_000, start_on=next_month(), duration_months=3)), alice)

    answer = Client().get("/api/v1/treasury/forecast").json()

    result = treasury_forecast()
    assert answer["bank_cents"] == result.bank_cents
    assert [m["balance_cents"] for m in answer["months"]] == [
        m.balance_cents for m in result.months
    ]
    assert [m["lowest"] for m in answer["months"]].count(True) == 1
    assert answer["lowest_month"] == result.lowest.month.isoformat()
    assert answer["lowest_balance_cents"] == result.lowest.balance_cents


def test_an_officer_adds_edits_and_ends_an_income_by_api(callers):
    officer = callers["officer"]

    added = call(officer, "POST", "/treasury/incomes", income_body())
    income_id = added.json()["id"]
    edited = call(officer, "PUT", f"/treasury/incomes/{income_id}", income_body(label="Client"))
    ended = call(officer, "POST", f"/treasury/incomes/{income_id}/end")

    assert added.status_code == 201
    assert edited.json()["label"] == "Client"
    assert ended.json()["ends_on"] == next_month().isoformat()  # never before its start
    assert call(officer, "GET", "/treasury/incomes").json()[0]["label"] == "Client"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"amount_cents": 0}, "amount_cents"),
        ({"amount_cents": -5}, "amount_cents"),
        ({"amount_cents": 10**10}, "amount_cents"),
        ({"label": "   "}, "label"),
        ({"ends_on": "2020-01-01"}, "ends_on"),
        ({"frequency": "weekly"}, "frequency"),
        ({"starts_on": "1 janvier"}, "starts_on"),
    ],
)
def test_bad_income_is_refused_on_its_field_nothing_written(callers, values, field):
    response = call(callers["officer"], "POST", "/treasury/incomes", income_body(**values))

    assert response.status_code == 422
    assert field in [error["loc"][-1] for error in response.json()["detail"]]
    assert not RecurringIncome.objects.exists()


def test_the_english_refusal_is_translated(callers):
    response = call(
        callers["officer"],
        "POST",
        "/treasury/incomes",
        income_body(ends_on="2020-01-01"),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "The last due date" in response.json()["detail"][0]["msg"]


def test_the_public_page_shows_the_months_the_chart_and_the_lowest_point(client, alice, bob):
    fund(1_000_000)
    adopt(submitted(bob, **invoice(300_000, start_on=next_month(), duration_months=3)), alice)
    lowest = treasury_forecast().lowest

    response = client.get(reverse("budgets:treasury"))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 1
    assert page.count('class="chart-bar chart-lowest"') == 1
    assert page.count("<tr") == 13  # the header and twelve months
    assert page.count('<tr class="lowest">') == 1
    assert shown(lowest.balance_cents) in page
    assert "Gérer les recettes récurrentes" not in page


def test_the_page_shows_a_month_below_zero_below_the_line(client, alice):
    RecurringIncome.add(alice, label="Client", amount_cents=100, starts_on=next_month())
    fund(10_000)
    fill_fund(50_000)
    Gift.objects.plan(alice, project=projects(1)[0], amount_cents=50_000, reference="AG")

    page = client.get(reverse("budgets:treasury")).content.decode()

    assert "chart-negative" in page
    assert "passe sous zéro" in page


def test_an_officer_adds_and_ends_an_income_on_the_page(people, alice):
    officer = people["officer"]

    response = officer.post(
        reverse("budgets:incomes"),
        {
            "label": "Adhésions",
            "amount": "1 200,50",
            "frequency": "monthly",
            "starts_on": next_month().isoformat(),
        },
    )
    income = RecurringIncome.objects.get()
    ended = officer.post(reverse("budgets:income_end", args=[income.pk]))

    assert response.status_code == 302 and income.amount_cents == 120_050
    assert ended.status_code == 302
    income.refresh_from_db()
    assert income.ends_on == next_month()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"amount": "douze"}, "montant"),
        ({"ends_on": "2020-01-01"}, "La dernière échéance ne vient pas avant la première."),
        ({"label": ""}, "Ce champ est obligatoire."),
    ],
)
def test_the_page_refuses_bad_input_on_its_field(people, values, message):
    body = {
        "label": "Adhésions",
        "amount": "12",
        "frequency": "monthly",
        "starts_on": next_month().isoformat(),
    }

    response = people["officer"].post(reverse("budgets:incomes"), body | values)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not RecurringIncome.objects.exists()


def test_a_member_may_not_open_the_officers_page(people):
    assert people["member"].get(reverse("budgets:incomes")).status_code == 403
    assert Client().get(reverse("budgets:incomes")).status_code == 302


def page_body() -> dict:
    return {
        "label": "Adhésions",
        "amount": "12",
        "frequency": "monthly",
        "starts_on": next_month().isoformat(),
    }


LOGIN = "login"
OFFICER_PAGE = (LOGIN, 403, 403, 403, 200)
OFFICER_ACT = (LOGIN, 403, 403, 403, 302)
PAGES = [
    ("budgets:treasury", "get", False, ALL),
    ("budgets:incomes", "get", False, OFFICER_PAGE),
    ("budgets:incomes", "post", False, OFFICER_ACT),
    ("budgets:income", "get", True, OFFICER_PAGE),
    ("budgets:income", "post", True, OFFICER_ACT),
    ("budgets:income_end", "post", True, OFFICER_ACT),
]


@pytest.mark.parametrize(("name", "method", "of_income", "expected"), PAGES)
def test_who_may_open_each_page(people, alice, name, method, of_income, expected):
    statuses = {}
    for role in ROLES:
        income = RecurringIncome.add(alice, **income_body(starts_on=next_month()))
        before = rows()
        url = reverse(name, args=[income.pk] if of_income else [])

        response = getattr(people[role], method)(url, page_body() if method == "post" else {})

        login = response.status_code == 302 and "/login" in response["Location"]
        statuses[role] = LOGIN if login else response.status_code
        if statuses[role] in (LOGIN, 403):
            assert rows() == before, f"{role} changed something"
    assert statuses == dict(zip(ROLES, expected, strict=True))
