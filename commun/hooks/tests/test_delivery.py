"""Retries with backoff, disabling after repeated failures, replay, and the refused destinations."""

import datetime
import socket
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from standardwebhooks import Webhook

from commun.hooks import destinations, tasks
from commun.hooks.models import Delivery, Endpoint, backoff, emit

pytestmark = pytest.mark.django_db
SECOND = datetime.timedelta(seconds=1)


def sent_once(endpoint_for, django_capture_on_commit_callbacks, *events) -> Delivery:
    endpoint = endpoint_for(*(events or ("task.created",)))
    with django_capture_on_commit_callbacks(execute=True):
        emit("task.created", {"id": 7, "title": "Traduire la charte"})
    return Delivery.objects.get(endpoint=endpoint)


def test_a_failed_attempt_is_retried_after_its_backoff_then_succeeds(
    receiver, endpoint_for, django_capture_on_commit_callbacks
):
    receiver.script = [500]
    delivery = sent_once(endpoint_for, django_capture_on_commit_callbacks)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at == delivery.last_attempt_at + backoff(1)
    assert backoff(1) == 30 * SECOND and backoff(2) == 120 * SECOND  # ×4 each time

    # Before its time, nothing is sent; the sweep sends it once due.
    assert delivery.attempt(now=delivery.next_attempt_at - SECOND) is None
    assert len(receiver.received) == 1
    assert delivery.attempt(now=delivery.next_attempt_at + SECOND) is None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 2, 200)
    first, second = receiver.received
    # The same message (id, body) at each attempt, signed again with the attempt's time.
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]
    assert first["body"] == second["body"]
    Webhook(delivery.endpoint.secret).verify(second["body"], second["headers"])


def test_the_sweep_hands_due_retries_to_the_worker(
    receiver, endpoint_for, django_capture_on_commit_callbacks
):
    receiver.script = [503]
    delivery = sent_once(endpoint_for, django_capture_on_commit_callbacks)
    assert tasks.retry_due_deliveries.call() == 0  # not due yet
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - SECOND)
    assert tasks.retry_due_deliveries.call() == 1
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and len(receiver.received) == 2


def test_a_backend_that_can_wait_is_handed_the_retry_for_its_time(
    receiver, endpoint_for, django_capture_on_commit_callbacks, settings
):
    from django.tasks import default_task_backend

    receiver.script = [500]
    endpoint = endpoint_for("task.created")
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        emit("task.created", {"id": 7})
    delivery = Delivery.objects.get(endpoint=endpoint)
    [first] = default_task_backend.results
    first.task.call(*first.args)  # the worker runs it: one attempt, a 500
    delivery.refresh_from_db()
    retry = default_task_backend.results[-1]
    assert retry.task.run_after == delivery.next_attempt_at
    assert retry.args == [delivery.pk]


def test_a_delivery_gives_up_after_its_last_attempt(
    receiver, endpoint_for, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOKS_MAX_ATTEMPTS = 2
    receiver.script = [500, 500]
    delivery = sent_once(endpoint_for, django_capture_on_commit_callbacks)
    assert delivery.attempt(now=delivery.next_attempt_at + SECOND) is None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 2, None)


def test_an_endpoint_failing_again_and_again_is_disabled_and_the_officers_told(
    receiver, endpoint_for, django_capture_on_commit_callbacks, settings, mailoutbox
):
    settings.WEBHOOKS_DISABLE_AFTER = 3
    receiver.script = [500] * 10
    delivery = sent_once(endpoint_for, django_capture_on_commit_callbacks)
    now = delivery.next_attempt_at
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            now = delivery.attempt(now=now + SECOND) or now
    endpoint = Endpoint.objects.get()
    assert not endpoint.is_active and endpoint.disabled_because == "failures"
    assert endpoint.failure_streak == 3
    [mail] = mailoutbox
    assert mail.to == ["alice@example.org"]
    assert endpoint.url in mail.subject and f"/responsables/webhooks/{endpoint.pk}/" in mail.body

    # A disabled endpoint is sent nothing more: what was pending is marked skipped.
    assert delivery.attempt(now=now + datetime.timedelta(days=1)) is None
    delivery.refresh_from_db()
    assert delivery.status == "skipped" and len(receiver.received) == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert emit("task.created", {"id": 8}) is None


def test_a_success_resets_the_failure_streak(
    receiver, endpoint_for, django_capture_on_commit_callbacks
):
    receiver.script = [500]
    delivery = sent_once(endpoint_for, django_capture_on_commit_callbacks)
    assert Endpoint.objects.get().failure_streak == 1
    delivery.attempt(now=delivery.next_attempt_at + SECOND)
    assert Endpoint.objects.get().failure_streak == 0


def test_an_officer_replays_a_delivery_with_the_same_event_id(
    receiver, endpoint_for, alice, django_capture_on_commit_callbacks
):
    delivery = sent_once(endpoint_for, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        again = delivery.replay(alice)
    again.refresh_from_db()
    assert again.status == "succeeded" and again.replay_of == delivery
    first, second = receiver.received
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]


def test_a_member_may_not_replay(receiver, endpoint_for, bob, django_capture_on_commit_callbacks):
    from django.core.exceptions import PermissionDenied

    delivery = sent_once(endpoint_for, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        delivery.replay(bob)
    assert Delivery.objects.count() == 1


# Destinations ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://localhost:8000/hook",
    ],
)
def test_a_private_or_local_destination_is_refused(url, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = False
    with pytest.raises(ValidationError) as refused:
        destinations.check(url)
    assert "réseau privé ou local" in refused.value.message_dict["url"][0]


def test_a_name_resolving_to_loopback_is_refused(settings, monkeypatch):
    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = False
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, **kw: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))],
    )
    with pytest.raises(ValidationError):
        destinations.check("https://hooks.example.org/in")


@pytest.mark.parametrize(
    "url", ["ftp://example.org/", "http:///nothing", "http://user:pw@example.org/", "hooks"]
)
def test_a_destination_that_is_no_http_address_is_refused(url):
    with pytest.raises(ValidationError):
        destinations.check(url)


def test_a_public_address_is_accepted(settings, monkeypatch):
    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = False
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, **kw: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))
        ],
    )
    found = destinations.check("https://hooks.example.org/in?x=1")
    assert (found.address, found.port, found.path) == ("93.184.215.14", 443, "/in?x=1")


def test_a_name_that_turns_private_after_registration_is_refused_at_send_time(
    receiver, endpoint_for, settings, django_capture_on_commit_callbacks
):
    """DNS rebinding: registered while allowed (public then), sent once it is not."""
    endpoint = endpoint_for("task.created")
    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = False
    with django_capture_on_commit_callbacks(execute=True):
        emit("task.created", {"id": 7})
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert receiver.received == []
    assert delivery.status == "pending" and delivery.response_code is None
    assert "réseau privé ou local" in delivery.error


def test_registering_a_private_destination_is_refused(alice, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = False
    with pytest.raises(ValidationError) as refused:
        Endpoint.register(alice, "http://10.0.0.5/hook", ["task.created"])
    assert "url" in refused.value.message_dict
    assert not Endpoint.objects.exists()


def test_a_secret_is_a_standard_webhooks_secret_kept_sealed(alice, allow_loopback):
    import base64

    from commun.testing.privacy import raw

    endpoint = Endpoint.register(alice, "http://127.0.0.1:9/hook", ["task.created"])
    assert endpoint.secret.startswith("whsec_")
    assert len(base64.b64decode(endpoint.secret.removeprefix("whsec_"))) == 32
    assert endpoint.secret not in raw("hooks_endpoint", "secret", endpoint.pk)
    assert Endpoint.objects.get().secret == endpoint.secret


def test_the_sweep_forgets_old_events_but_never_one_still_pending(
    receiver, endpoint_for, django_capture_on_commit_callbacks, settings
):
    from commun.hooks.models import Event

    settings.WEBHOOKS_LOG_DAYS = 90
    endpoint_for("task.created")
    receiver.script = [500]
    with django_capture_on_commit_callbacks(execute=True):
        pending = emit("task.created", {"id": 1})
        done = emit("task.created", {"id": 2})
    long_ago = timezone.now() - datetime.timedelta(days=91)
    Event.objects.update(created_at=long_ago)
    Delivery.objects.filter(event=pending).update(next_attempt_at=timezone.now() + 60 * SECOND)
    tasks.retry_due_deliveries.call()
    assert list(Event.objects.values_list("pk", flat=True)) == [pending.pk]
    assert not Delivery.objects.filter(event_id=done.pk).exists()


@pytest.fixture
def dripping(allow_loopback):
    """A receiver that answers one byte every 0.3 s, for ten seconds: never silent long
    enough for a read to time out."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        connection, _address = server.accept()
        connection.recv(65536)
        for byte in b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 100:
            if stop.wait(0.3):
                break
            connection.sendall(bytes([byte]))
        connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/hooks"
    stop.set()
    server.close()


def test_a_receiver_dripping_its_answer_is_cut_at_the_attempt_s_deadline(dripping, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    started = time.monotonic()

    answer = destinations.post(dripping, b"{}", {"Content-Type": "application/json"})

    assert answer.status is None and answer.error
    assert time.monotonic() - started < destinations.deadline() + 1.5


def test_an_attempt_whose_claim_ran_out_does_not_overwrite_the_next_one(
    receiver, endpoint_for, django_capture_on_commit_callbacks
):
    delivery = sent_once(endpoint_for, django_capture_on_commit_callbacks)
    Delivery.objects.filter(pk=delivery.pk).update(attempts=1, response_code=None)
    late = Delivery.objects.select_related("event", "endpoint").get(pk=delivery.pk)
    late.status = Delivery.Status.PENDING
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.PENDING, attempts=2)

    assert late._record(destinations.Answer(500, 12, "late"), timezone.now()) is None

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == ("pending", 2, "")
    assert Endpoint.objects.get(pk=delivery.endpoint_id).failure_streak == 0
