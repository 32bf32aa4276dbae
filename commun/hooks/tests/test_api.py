"""The webhooks' API: officers only, the secret given once, bad input as 422, replay."""

import pytest

from commun.hooks.models import Delivery, Endpoint, emit
from commun.testing.api import bearer, call

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_api(alice):
    return bearer(alice.user)


@pytest.fixture
def member_api(bob):
    return bearer(bob.user)


def test_an_officer_registers_a_webhook_and_gets_its_secret_once(officer_api, receiver):
    response = call(
        officer_api, "post", "/webhooks", {"url": receiver.url, "events": ["task.created"]}
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert response["Cache-Control"] == "private, no-store"
    endpoint = Endpoint.objects.get()
    assert created["secret"] == endpoint.secret and created["secret"].startswith("whsec_")
    assert created["events"] == ["task.created"] and created["is_active"] is True
    shown = call(officer_api, "get", f"/webhooks/{endpoint.pk}").json()
    assert "secret" not in shown and shown["url"] == receiver.url
    assert [w["id"] for w in call(officer_api, "get", "/webhooks").json()] == [endpoint.pk]
    listing = call(officer_api, "get", "/webhooks").content.decode()
    assert endpoint.secret not in listing


def test_the_catalogue_lists_every_event(officer_api):
    types = [e["type"] for e in call(officer_api, "get", "/webhooks/events").json()]
    assert "member.admitted" in types and "task.changed" in types


@pytest.mark.parametrize(
    "body, loc",
    [
        ({"url": "http://10.0.0.1/x", "events": ["task.created"]}, ["body", "url"]),
        ({"url": "http://[::1]/x", "events": ["task.created"]}, ["body", "url"]),
        ({"url": "pas une adresse", "events": ["task.created"]}, ["body", "url"]),
        ({"url": "https://example.org/", "events": []}, ["body", "events"]),
        ({"url": "https://example.org/", "events": ["user.deleted"]}, ["body", "events", 0]),
        ({"url": "https://example.org/"}, ["body", "events"]),
        (
            {"url": "https://example.org/", "events": ["task.created"], "secret": "x"},
            ["body", "secret"],
        ),
        ({"url": "https://example.org/\x00", "events": ["task.created"]}, ["body", "url"]),
    ],
)
def test_bad_input_answers_422_on_its_field_and_writes_nothing(officer_api, settings, body, loc):
    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = False
    response = call(officer_api, "post", "/webhooks", body)
    assert response.status_code == 422, response.content
    assert loc in [error["loc"] for error in response.json()["detail"]]
    assert not Endpoint.objects.exists()


def test_a_member_is_refused_everywhere_and_changes_nothing(
    member_api, endpoint_for, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for("task.created")
    with django_capture_on_commit_callbacks(execute=True):
        emit("task.created", {"id": 1})
    delivery = Delivery.objects.get()
    w = f"/webhooks/{endpoint.pk}"
    for method, path, body in [
        ("get", "/webhooks", None),
        ("get", "/webhooks/events", None),
        ("post", "/webhooks", {"url": "https://example.org/", "events": ["task.created"]}),
        ("get", w, None),
        ("patch", w, {"is_active": False}),
        ("delete", w, None),
        ("post", f"{w}/secret", None),
        ("get", f"{w}/deliveries", None),
        ("post", f"{w}/deliveries/{delivery.pk}/replay", None),
        ("get", "/webhooks/999999", None),  # 403 before any lookup: nothing is told
    ]:
        assert call(member_api, method, path, body).status_code == 403, (method, path)
    endpoint.refresh_from_db()
    assert endpoint.is_active and Delivery.objects.count() == 1
    assert call(bearer_free(), "get", "/webhooks").status_code == 401


def bearer_free():
    from django.test import Client

    return Client()


def test_an_officer_edits_disables_and_enables_a_webhook(officer_api, endpoint_for, settings):
    endpoint = endpoint_for("task.created")
    w = f"/webhooks/{endpoint.pk}"
    changed = call(officer_api, "patch", w, {"events": ["decision.closed"], "description": "x"})
    assert changed.status_code == 200 and changed.json()["events"] == ["decision.closed"]
    off = call(officer_api, "patch", w, {"is_active": False}).json()
    assert off["is_active"] is False and off["disabled_because"] == "officer"
    on = call(officer_api, "patch", w, {"is_active": True}).json()
    assert on["is_active"] is True and on["disabled_because"] is None

    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = False
    refused = call(officer_api, "patch", w, {"url": "http://192.168.0.1/"})
    assert refused.status_code == 422
    assert ["body", "url"] in [e["loc"] for e in refused.json()["detail"]]
    assert call(officer_api, "patch", w, {"events": None}).status_code == 422
    endpoint.refresh_from_db()
    assert endpoint.events == ["decision.closed"] and endpoint.url.startswith("http://127.0.0.1")


def test_an_officer_reads_the_log_and_replays(
    officer_api, endpoint_for, receiver, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for("task.created")
    receiver.script = [500]
    with django_capture_on_commit_callbacks(execute=True):
        emit("task.created", {"id": 1})
    delivery = Delivery.objects.get()
    log = call(officer_api, "get", f"/webhooks/{endpoint.pk}/deliveries").json()
    [row] = log["items"]
    assert (row["status"], row["response_code"], row["attempts"]) == ("pending", 500, 1)
    assert row["event_id"] == delivery.event_id and row["event_type"] == "task.created"
    assert row["next_attempt_at"] is not None and row["duration_ms"] is not None

    path = f"/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/replay"
    with django_capture_on_commit_callbacks(execute=True):
        replayed = call(officer_api, "post", path)
    assert replayed.status_code == 202
    assert replayed.json()["replay_of"] == delivery.pk
    assert Delivery.objects.get(pk=replayed.json()["id"]).status == "succeeded"
    assert len(receiver.received) == 2


def test_a_delivery_of_another_webhook_is_not_found(
    officer_api, endpoint_for, django_capture_on_commit_callbacks
):
    first = endpoint_for("task.created")
    other = endpoint_for("task.changed", url="http://127.0.0.1:1/other")
    with django_capture_on_commit_callbacks(execute=True):
        emit("task.created", {"id": 1})
    delivery = Delivery.objects.get(endpoint=first)
    path = f"/webhooks/{other.pk}/deliveries/{delivery.pk}/replay"
    assert call(officer_api, "post", path).status_code == 404
    assert call(officer_api, "get", f"/webhooks/{2**40}").status_code == 422


def test_replaying_to_a_disabled_webhook_is_refused(
    officer_api, alice, endpoint_for, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for("task.created")
    with django_capture_on_commit_callbacks(execute=True):
        emit("task.created", {"id": 1})
    endpoint.disable(alice)
    delivery = Delivery.objects.get()
    path = f"/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/replay"
    assert call(officer_api, "post", path).status_code == 422
    assert Delivery.objects.count() == 1


def test_an_officer_deletes_a_webhook_and_rotates_a_secret(officer_api, endpoint_for):
    endpoint = endpoint_for("task.created")
    old = endpoint.secret
    rotated = call(officer_api, "post", f"/webhooks/{endpoint.pk}/secret")
    assert rotated["Cache-Control"] == "private, no-store"
    new = rotated.json()["secret"]
    endpoint.refresh_from_db()
    assert new == endpoint.secret != old
    assert call(officer_api, "delete", f"/webhooks/{endpoint.pk}").status_code == 204
    assert not Endpoint.objects.exists()


def test_the_webhooks_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/webhooks" in paths
    assert "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/replay" in paths
