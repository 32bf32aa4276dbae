"""The officers' webhook pages: who may see them, the secret shown once, bad input, queries."""

import pytest
from django.urls import reverse

from commun.hooks.models import Delivery, Endpoint, emit

pytestmark = pytest.mark.django_db
ROLES = ["visitor", "applicant", "account", "member", "officer"]


@pytest.fixture
def endpoint(endpoint_for):
    return endpoint_for("task.created", "member.admitted")


@pytest.fixture
def delivered(endpoint, django_capture_on_commit_callbacks) -> Delivery:
    with django_capture_on_commit_callbacks(execute=True):
        emit("task.created", {"id": 1})
    return Delivery.objects.get()


def pages(endpoint, delivery):
    return [
        ("GET", reverse("hooks:endpoints"), None),
        ("GET", reverse("hooks:create"), None),
        (
            "POST",
            reverse("hooks:create"),
            {"url": "http://127.0.0.1:9/x", "events": ["task.created"]},
        ),
        ("GET", reverse("hooks:endpoint", args=[endpoint.pk]), None),
        (
            "POST",
            reverse("hooks:endpoint", args=[endpoint.pk]),
            {"url": "http://127.0.0.1:9/y", "events": ["task.changed"]},
        ),
        ("POST", reverse("hooks:toggle", args=[endpoint.pk]), {}),
        ("POST", reverse("hooks:rotate_secret", args=[endpoint.pk]), {}),
        ("POST", reverse("hooks:replay", args=[endpoint.pk, delivery.pk]), {}),
    ]


def test_only_officers_reach_the_webhook_pages_and_nobody_else_changes_anything(
    people, endpoint, delivered
):
    before = (endpoint.url, endpoint.events, endpoint.secret, endpoint.is_active)
    for role in ROLES[:-1]:
        for method, url, body in pages(endpoint, delivered):
            client = people[role]
            response = client.get(url) if method == "GET" else client.post(url, body)
            expected = 302 if role == "visitor" else 403
            assert response.status_code == expected, (role, method, url)
            if role == "visitor":
                assert response["Location"].startswith("/compte/login/")
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events, endpoint.secret, endpoint.is_active) == before
    assert Endpoint.objects.count() == 1 and Delivery.objects.count() == 1
    for method, url, body in pages(endpoint, delivered)[:2]:
        assert people["officer"].get(url).status_code == 200


def test_an_officer_registers_an_endpoint_and_reads_its_secret_once(people, receiver):
    officer = people["officer"]
    response = officer.post(
        reverse("hooks:create"),
        {
            "url": receiver.url,
            "description": "Notre chat",
            "events": ["decision.opened", "task.created"],
        },
    )
    assert response.status_code == 201
    assert response["Cache-Control"] == "private, no-store"
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["decision.opened", "task.created"]
    assert endpoint.secret in response.content.decode()
    page = officer.get(reverse("hooks:endpoint", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in page and "Notre chat" in page
    listing = officer.get(reverse("hooks:endpoints")).content.decode()
    assert endpoint.secret not in listing and receiver.url in listing


def test_a_new_secret_replaces_the_old_and_is_shown_once(people, endpoint):
    old = endpoint.secret
    response = people["officer"].post(reverse("hooks:rotate_secret", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in response.content.decode()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"url": "pas une adresse", "events": ["task.created"]}, "url"),
        ({"url": "ftp://example.org/x", "events": ["task.created"]}, "url"),
        ({"url": "http://10.0.0.1/x", "events": ["task.created"]}, "url"),
        ({"url": "http://169.254.169.254/", "events": ["task.created"]}, "url"),
        ({"url": "https://example.org/x"}, "events"),
        ({"url": "https://example.org/x", "events": ["user.deleted"]}, "events"),
        (
            {"url": "https://example.org/x", "events": ["task.created"], "description": "a\x00b"},
            "description",
        ),
        ({"url": "https://example.org/" + "x" * 600, "events": ["task.created"]}, "url"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_written(people, settings, body, field):
    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = False
    response = people["officer"].post(reverse("hooks:create"), body)
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not Endpoint.objects.exists()


def test_an_officer_changes_the_events_and_a_bad_change_keeps_the_old(people, endpoint, settings):
    url = reverse("hooks:endpoint", args=[endpoint.pk])
    response = people["officer"].post(
        url, {"url": endpoint.url, "events": ["transaction.recorded"]}
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.events == ["transaction.recorded"]

    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = False
    response = people["officer"].post(
        url, {"url": "http://127.0.0.1:1/", "events": ["task.created"]}
    )
    assert response.status_code == 422 and "url" in response.context["form"].errors
    endpoint.refresh_from_db()
    assert endpoint.events == ["transaction.recorded"]


def test_an_officer_disables_and_enables_an_endpoint(people, endpoint):
    url = reverse("hooks:toggle", args=[endpoint.pk])
    people["officer"].post(url)
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_because == "officer"
    page = people["officer"].get(reverse("hooks:endpoint", args=[endpoint.pk])).content.decode()
    assert "désactivé par un·e responsable" in page
    people["officer"].post(url)
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.disabled_because == ""


def test_the_page_says_an_endpoint_was_disabled_after_failures(people, endpoint):
    endpoint.failure_streak = 20
    endpoint.save(update_fields=["failure_streak"])
    endpoint.disable(None, Endpoint.Disabled.FAILURES)
    page = people["officer"].get(reverse("hooks:endpoint", args=[endpoint.pk])).content.decode()
    assert "20 envois de suite ont échoué" in page


def test_an_officer_replays_from_the_log(
    people, endpoint, delivered, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = people["officer"].post(reverse("hooks:replay", args=[endpoint.pk, delivered.pk]))
    assert response.status_code == 302
    assert Delivery.objects.count() == 2 and len(receiver.received) == 2
    page = people["officer"].get(reverse("hooks:endpoint", args=[endpoint.pk])).content.decode()
    assert page.count(delivered.event_id) >= 2


def test_another_endpoints_delivery_or_a_missing_one_is_not_found(
    people, endpoint, delivered, endpoint_for
):
    other = endpoint_for("task.created", url="http://127.0.0.1:1/other")
    officer = people["officer"]
    assert officer.post(reverse("hooks:replay", args=[other.pk, delivered.pk])).status_code == 404
    assert officer.get(reverse("hooks:endpoint", args=[999_999])).status_code == 404
    assert officer.get(f"/responsables/webhooks/{2**63}/").status_code == 404
    assert officer.get(reverse("hooks:toggle", args=[endpoint.pk])).status_code == 405


def test_the_pages_read_in_a_bounded_number_of_queries(
    people, endpoint_for, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    endpoints = [endpoint_for("task.created", url=f"http://127.0.0.1:1/{n}") for n in range(5)]
    with django_capture_on_commit_callbacks(execute=False):
        for n in range(30):
            emit("task.created", {"id": n})
    officer = people["officer"]
    officer.get(reverse("hooks:endpoints"))  # the session and the factor, read once warm
    with django_assert_max_num_queries(10):
        assert officer.get(reverse("hooks:endpoints")).status_code == 200
    with django_assert_max_num_queries(12):
        assert officer.get(reverse("hooks:endpoint", args=[endpoints[0].pk])).status_code == 200


def test_the_officers_menu_leads_to_the_webhooks(people):
    page = people["officer"].get(reverse("officers:dashboard")).content.decode()
    assert f'href="{reverse("hooks:endpoints")}"' in page
