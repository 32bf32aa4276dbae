"""API v1, giving back: a whole split through tokens, and bad input refused with nothing written."""

import pytest
from django.test import Client

from commun.ledger import funds
from commun.ledger.models import Transaction
from commun.testing.api import API, bearer, call
from commun.testing.upstream import fill_fund, projects, shrink_fund
from commun.upstream.models import CommonsSplit, Gift, UpstreamProject


@pytest.fixture
def officer(alice):
    return bearer(alice.user)


def written():
    return (
        UpstreamProject.objects.count(),
        CommonsSplit.objects.count(),
        sorted(Gift.objects.values_list("pk", "status")),
        Transaction.objects.count(),
    )


def test_a_split_from_projects_to_paid_gifts(officer, alice, bob):
    for name in ("Django", "PostgreSQL"):
        created = call(
            officer,
            "POST",
            "/upstream/projects",
            {"name": name, "url": f"https://{name.lower()}.org/", "used_for": "Tout."},
        )
        assert created.status_code == 201, created.json()
    fill_fund(10_000)

    opened = call(officer, "POST", "/upstream/splits", {"days": 3})
    assert opened.status_code == 201, opened.json()
    split = opened.json()
    assert (split["amount_cents"], split["status"]) == (10_000, "voting")
    assert [p["name"] for p in split["projects"]] == ["Django", "PostgreSQL"]
    assert split["decision_url"] == f"/decisions/{split['decision']}/"

    decision = CommonsSplit.objects.get().decision
    options = dict(decision.options.values_list("label", "pk"))
    voted = call(
        bearer(bob.user),
        "PUT",
        f"/decisions/{decision.pk}/stance",
        {"ballot": {str(options["Django"]): 70, str(options["PostgreSQL"]): 30}},
    )
    assert voted.status_code == 200, voted.json()
    decision.close(now=decision.closes_at)

    detail = call(Client(), "GET", f"/upstream/splits/{split['id']}").json()
    assert detail["status"] == "planned"
    shares = {g["project"]["name"]: g["amount_cents"] for g in detail["gifts"]}
    assert shares == {"Django": 7_000, "PostgreSQL": 3_000}

    gift = detail["gifts"][0]
    body = {"date": "2026-03-02", "idempotency_key": "api-pay-1"}
    paid = call(officer, "POST", f"/upstream/gifts/{gift['id']}/pay", body)
    replayed = call(officer, "POST", f"/upstream/gifts/{gift['id']}/pay", body)
    assert paid.status_code == replayed.status_code == 200, paid.json()
    assert paid.json() == replayed.json()
    assert paid.json()["status"] == "paid" and paid.json()["transaction"]
    assert funds.commons_fund_cents() == 10_000 - gift["amount_cents"]

    listed = call(Client(), "GET", "/upstream/gifts?status=paid").json()
    assert [g["id"] for g in listed["items"]] == [gift["id"]]
    given = {
        p["name"]: p["given_cents"] for p in call(Client(), "GET", "/upstream/projects").json()
    }
    assert given[gift["project"]["name"]] == gift["amount_cents"]

    cancelled = call(officer, "POST", f"/upstream/gifts/{gift['id']}/cancel")
    assert cancelled.json()["cancellation"] > cancelled.json()["transaction"]
    assert funds.commons_fund_cents() == 10_000
    again = call(officer, "POST", f"/upstream/gifts/{gift['id']}/cancel")
    assert again.status_code == 409
    assert again.json()["detail"] == "Ce don est déjà annulé."


def test_a_payment_over_the_fund_is_refused_and_nothing_is_written(officer, alice):
    django, *_ = projects()
    fill_fund(1_001)
    gift = Gift.objects.plan(alice, project=django, amount_cents=1_001, reference="AG")
    shrink_fund(1)  # promised when it fitted; the books were corrected since
    before = written()

    response = call(
        officer,
        "POST",
        f"/upstream/gifts/{gift.pk}/pay",
        {"date": "2026-03-02", "idempotency_key": "k"},
    )

    assert response.status_code == 422
    assert "dépasse ce que contient le fonds" in response.json()["detail"][0]["msg"]
    assert written() == before


def test_a_split_over_the_fund_is_refused(officer, alice):
    projects()
    fill_fund(1_000)
    before = written()

    response = call(officer, "POST", "/upstream/splits", {"amount_cents": 1_001})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "amount_cents"]
    assert written() == before


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        ("/upstream/gifts", {"project": 1, "amount_cents": -5, "reference": "AG"}, "amount_cents"),
        ("/upstream/gifts", {"project": 1, "amount_cents": 0, "reference": "AG"}, "amount_cents"),
        ("/upstream/gifts", {"project": 1, "amount_cents": "5", "reference": "AG"}, "amount_cents"),
        ("/upstream/gifts", {"project": 1, "amount_cents": 1.5, "reference": "AG"}, "amount_cents"),
        ("/upstream/gifts", {"project": 999_999, "amount_cents": 5, "reference": "AG"}, "project"),
        ("/upstream/gifts", {"project": 1, "amount_cents": 5, "reference": "  "}, "reference"),
        ("/upstream/gifts", {"project": 1, "amount_cents": 5}, "reference"),
        ("/upstream/gifts", {"project": 1, "amount_cents": 5, "reference": "AG", "x": 1}, "x"),
        ("/upstream/splits", {"amount_cents": -100}, "amount_cents"),
        ("/upstream/splits", {"days": 0}, "days"),
        (
            "/upstream/projects",
            {"name": "django", "url": "https://x.org/", "used_for": "x"},
            "name",
        ),
        ("/upstream/projects", {"name": "Neuf", "url": "ftp://x.org/", "used_for": "x"}, "url"),
    ],
)
def test_bad_input_is_refused_on_its_field_in_french_and_nothing_is_written(
    officer, alice, path, body, loc
):
    projects()
    fill_fund(10_000)
    body = {
        k: (UpstreamProject.objects.get(name="Django").pk if v == 1 and k == "project" else v)
        for k, v in body.items()
    }
    before = written()

    response = call(officer, "POST", path, body)

    assert response.status_code == 422, response.json()
    errors = response.json()["detail"]
    assert errors[0]["loc"] == ["body", loc], errors
    assert errors[0]["msg"]
    assert written() == before


def test_a_bad_date_or_a_missing_key_is_refused(officer, alice):
    django, *_ = projects()
    fill_fund(10_000)
    gift = Gift.objects.plan(alice, project=django, amount_cents=100, reference="AG")
    before = written()

    bad_date = call(
        officer,
        "POST",
        f"/upstream/gifts/{gift.pk}/pay",
        {"date": "2026-02-30", "idempotency_key": "k"},
    )
    future = call(
        officer,
        "POST",
        f"/upstream/gifts/{gift.pk}/pay",
        {"date": "2999-01-01", "idempotency_key": "k"},
    )
    no_key = call(officer, "POST", f"/upstream/gifts/{gift.pk}/pay", {"date": "2026-03-02"})

    assert bad_date.status_code == future.status_code == no_key.status_code == 422
    assert bad_date.json()["detail"][0]["msg"] == "Saisissez une date au format AAAA-MM-JJ."
    assert future.json()["detail"][0]["loc"] == ["body", "date"]
    assert no_key.json()["detail"][0]["loc"] == ["body", "idempotency_key"]
    assert written() == before


def test_malformed_json_is_a_clear_400(officer, alice):
    projects()
    before = written()

    response = officer.post(f"{API}/upstream/gifts", data="{nope", content_type="application/json")

    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]
    assert written() == before


def test_unknown_ids_answer_404(officer, alice):
    for method, path, body in [
        ("GET", "/upstream/splits/999999", None),
        ("PATCH", "/upstream/projects/999999", {"is_active": False}),
        ("POST", "/upstream/gifts/999999/cancel", None),
        ("POST", "/upstream/gifts/999999/pay", {"date": "2026-03-02", "idempotency_key": "k"}),
    ]:
        assert call(officer, method, path, body).status_code == 404, path


def test_a_project_is_deactivated_and_leaves_the_next_splits(officer, alice):
    django, postgres, htmx = projects()
    fill_fund(1_000)

    response = call(officer, "PATCH", f"/upstream/projects/{htmx.pk}", {"is_active": False})
    split = call(officer, "POST", "/upstream/splits", {}).json()

    assert response.json()["is_active"] is False
    assert [p["name"] for p in split["projects"]] == ["Django", "PostgreSQL"]


def test_a_paid_gift_is_not_paid_twice(officer, alice):
    django, *_ = projects()
    fill_fund(1_000)
    gift = Gift.objects.plan(alice, project=django, amount_cents=100, reference="AG")
    gift.pay(alice, gift.created_at.date(), "first")
    before = written()

    response = call(
        officer,
        "POST",
        f"/upstream/gifts/{gift.pk}/pay",
        {"date": "2026-03-02", "idempotency_key": "second"},
    )

    assert response.status_code == 409
    assert "déjà versé" in response.json()["detail"]
    assert written() == before
