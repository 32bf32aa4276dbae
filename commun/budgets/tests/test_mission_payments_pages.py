"""A mission's page and the API page through its payments, the most recent first, however
many."""

import datetime

import pytest
from django.urls import reverse

from commun.testing.budgets import adopt, fund, invoice, submitted

pytestmark = pytest.mark.django_db


def paid(alice, bob, count: int):
    fund(10_000_000)
    mission = submitted(bob, **invoice(1_000_000))
    adopt(mission, bob)
    for i in range(count):
        mission.record_payment(
            alice,
            kind="invoice",
            on=datetime.date(2026, 2, 1 + i),
            label=f"Facture n°{i + 1:02d}",
            amount_cents=100,
            idempotency_key=f"page-{i}",
        )
    return mission


def labels(page: str, count: int) -> list[str]:
    return [f"Facture n°{i:02d}" for i in range(1, count + 1) if f"Facture n°{i:02d}" in page]


def test_the_payments_beyond_one_page_are_on_the_next(client, alice, bob, monkeypatch):
    monkeypatch.setattr("commun.budgets.views.PAYMENTS_SHOWN", 3)
    mission = paid(alice, bob, 7)
    url = reverse("budgets:mission", args=[mission.pk])

    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    last = client.get(url, {"page": 3}).content.decode()

    assert labels(first, 7) == ["Facture n°05", "Facture n°06", "Facture n°07"]
    assert labels(second, 7) == ["Facture n°02", "Facture n°03", "Facture n°04"]
    assert labels(last, 7) == ["Facture n°01"]
    assert "Page 1 sur 3" in first and 'rel="next"' in first


@pytest.mark.parametrize("asked", ["0", "-1", "abc", "99999999999"])
def test_a_page_out_of_range_shows_a_real_one(client, alice, bob, monkeypatch, asked):
    monkeypatch.setattr("commun.budgets.views.PAYMENTS_SHOWN", 3)
    mission = paid(alice, bob, 4)

    response = client.get(reverse("budgets:mission", args=[mission.pk]), {"page": asked})

    assert response.status_code == 200
    assert len(labels(response.content.decode(), 4)) in (1, 3)


def test_the_api_pages_through_every_payment(client, alice, bob):
    mission = paid(alice, bob, 7)
    mission.payments.get(label="Facture n°03").cancel(alice, "Doublon.")
    url = f"/api/v1/missions/{mission.pk}/payments"

    pages = [client.get(url, {"page_size": 3, "page": page}).json() for page in (1, 2, 3)]

    assert [page["count"] for page in pages] == [7, 7, 7]
    assert [[row["label"][-2:] for row in page["items"]] for page in pages] == [
        ["07", "06", "05"],
        ["04", "03", "02"],
        ["01"],
    ]
    assert pages[1]["items"][1]["cancelled"] is True


@pytest.mark.parametrize("asked", [{"page": 0}, {"page_size": 101}, {"page": "abc"}])
def test_the_api_refuses_a_page_out_of_its_bounds_with_details(client, alice, bob, asked):
    mission = paid(alice, bob, 1)

    response = client.get(f"/api/v1/missions/{mission.pk}/payments", asked)

    assert response.status_code == 422
    assert response.json()["detail"]


def test_a_drafts_payments_are_not_found_by_another(client, bob):
    mission = submitted(bob, **invoice(1_000))
    mission.status = "draft"
    mission.save(update_fields=["status"])

    assert client.get(f"/api/v1/missions/{mission.pk}/payments").status_code == 404
