"""Each event is sent once, signed, by the real action, and never for a rolled-back one."""

import datetime

import pytest
from django.db import transaction
from standardwebhooks import Webhook

from commun.conftest import category, make_applicant
from commun.decisions.models import Decision
from commun.deliberation.models import Space
from commun.hooks import events
from commun.hooks.models import Delivery, Event
from commun.members.models import Visibility
from commun.testing.board import task_on
from commun.testing.browser import make_public
from commun.testing.budgets import adopt, fund, need_by, submitted
from commun.testing.decisions import opened, propose

pytestmark = pytest.mark.django_db


def verified(receiver, endpoint) -> list[dict]:
    """Every body the receiver got, each checked as a receiver would (signature, id, time)."""
    return [Webhook(endpoint.secret).verify(r["body"], r["headers"]) for r in receiver.received]


def test_an_admission_is_sent_signed_once_without_a_hidden_name(
    receiver, endpoint_for, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for("member.admitted")
    carol = make_applicant("carol@example.org", "Carol", "Petit", category("Partenaires"))
    with django_capture_on_commit_callbacks(execute=True):
        member = carol.admit(by=None)

    [sent] = verified(receiver, endpoint)
    assert sent["type"] == "member.admitted"
    assert sent["data"] == {
        "number": member.number,
        "public_name": None,
        "category": "Partenaires et usager·es",
    }
    assert "Carol" not in receiver.received[0]["body"].decode()
    headers = receiver.received[0]["headers"]
    assert headers["webhook-id"] == Event.objects.get().id
    assert headers["webhook-signature"].startswith("v1,")
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 1, 200)
    assert delivery.duration_ms is not None


def test_an_admission_says_what_the_public_pages_show_of_the_member(bob):
    """Admitted members are hidden until they choose (the default); the payload follows it."""
    assert events.member_admitted(bob)["public_name"] is None
    for visibility, shown in [
        (Visibility.NAME, "Bob Durand"),
        (Visibility.PSEUDONYM, "bobd"),
        (Visibility.HIDDEN, None),
    ]:
        bob.pseudonym, bob.public_visibility = "bobd", visibility
        assert events.member_admitted(bob)["public_name"] == shown
        assert shown == bob.name_for(None) or shown is None


def test_a_rolled_back_admission_sends_nothing(
    receiver, endpoint_for, django_capture_on_commit_callbacks
):
    endpoint_for("member.admitted")
    carol = make_applicant("carol@example.org", "Carol", "Petit", category("Partenaires"))
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        carol.admit(by=None)
        raise RuntimeError("the request failed after the admission")
    assert receiver.received == []
    assert not Event.objects.exists()
    assert not any("emit" in getattr(c, "__qualname__", "") for c in callbacks)


def test_nothing_is_written_when_no_endpoint_listens(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        fund(100_000)
    assert not Event.objects.exists()


def test_a_public_decision_is_sent_when_it_opens_and_when_it_closes(
    receiver, endpoint_for, bob, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for("decision.opened", "decision.closed")
    make_public(Space.objects.cooperative())
    with django_capture_on_commit_callbacks(execute=True):
        decision = opened(bob, "consent")
    with django_capture_on_commit_callbacks(execute=True):
        decision.withdraw(bob)

    sent = verified(receiver, endpoint)
    assert [s["type"] for s in sent] == ["decision.opened", "decision.closed"]
    assert sent[0]["data"]["id"] == decision.pk
    assert sent[0]["data"]["title"] == "Acheter un serveur"
    assert sent[0]["data"]["url"] == f"http://testserver/decisions/{decision.pk}/"
    assert sent[1]["data"]["outcome"] == "withdrawn"
    assert len({r["headers"]["webhook-id"] for r in receiver.received}) == 2


def test_a_members_only_decision_is_not_sent(
    receiver, endpoint_for, bob, django_capture_on_commit_callbacks
):
    endpoint_for("decision.opened")
    make_public(Space.objects.cooperative())
    with django_capture_on_commit_callbacks(execute=True):
        opened(bob, "consent", visibility=Decision.Visibility.MEMBERS)
    assert receiver.received == []


def test_a_decision_whose_opening_fails_sends_nothing(
    receiver, endpoint_for, bob, django_capture_on_commit_callbacks
):
    endpoint_for("decision.opened")
    decision = propose(bob)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        decision.open()
        raise RuntimeError("rolled back")
    assert receiver.received == [] and not Event.objects.exists()


def test_an_adopted_mission_is_sent_once(
    receiver, endpoint_for, alice, bob, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for("mission.adopted")
    fund(5_000_000)
    mission = submitted(bob)
    with django_capture_on_commit_callbacks(execute=True):
        assert adopt(mission, alice) == "adopted"
    [sent] = verified(receiver, endpoint)
    assert sent["data"]["ref"] == mission.ref
    assert sent["data"]["committed_cents"] == mission.committed_cents > 0


def test_a_transaction_is_sent_once_and_not_for_its_idempotent_retry(
    receiver, endpoint_for, alice, django_capture_on_commit_callbacks
):
    from commun.ledger.models import Transaction

    endpoint = endpoint_for("transaction.recorded")
    args = (datetime.date(2026, 1, 2), "Don reçu", [("512", 12_345), ("706", -12_345)])
    with django_capture_on_commit_callbacks(execute=True):
        booked = Transaction.objects.record(*args, idempotency_key="don-1")
        Transaction.objects.record(*args, idempotency_key="don-1")
    [sent] = verified(receiver, endpoint)
    assert sent["data"]["number"] == booked.number
    assert sent["data"]["amount_cents"] == 12_345
    assert sent["data"]["label"] == "Don reçu"


def test_a_rolled_back_transaction_sends_nothing(
    receiver, endpoint_for, alice, django_capture_on_commit_callbacks
):
    endpoint_for("transaction.recorded")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        fund(1_000)
        raise RuntimeError("rolled back")
    assert receiver.received == [] and not Event.objects.exists()


def test_an_endpoint_hears_only_its_events(
    receiver, endpoint_for, alice, django_capture_on_commit_callbacks
):
    endpoint_for("member.admitted")
    with django_capture_on_commit_callbacks(execute=True):
        fund(1_000)
    assert receiver.received == []


def test_a_timestamp_too_old_does_not_verify(
    receiver, endpoint_for, alice, django_capture_on_commit_callbacks
):
    from standardwebhooks.webhooks import WebhookVerificationError

    endpoint = endpoint_for("transaction.recorded")
    with django_capture_on_commit_callbacks(execute=True):
        fund(1_000)
    request = receiver.received[0]
    old = dict(
        request["headers"],
        **{"webhook-timestamp": str(int(request["headers"]["webhook-timestamp"]) - 3600)},
    )
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(request["body"], old)


def test_a_task_created_then_taken_is_sent_once_each_without_names(
    receiver, endpoint_for, bob, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for("task.created", "task.changed")
    with django_capture_on_commit_callbacks(execute=True):
        task = task_on(need_by(bob), bob, links=["https://forge.example.org/coop/app/issues/7"])
    with django_capture_on_commit_callbacks(execute=True):
        task.take(bob)

    created, taken = verified(receiver, endpoint)
    assert (created["type"], taken["type"]) == ("task.created", "task.changed")
    assert created["data"]["id"] == taken["data"]["id"] == task.pk
    assert created["data"]["change"]["to"] == "todo"
    assert taken["data"]["change"] | {"at": None} == {
        "kind": "took",
        "from": "todo",
        "to": "doing",
        "at": None,
    }
    assert taken["data"]["links"] == ["https://forge.example.org/coop/app/issues/7"]
    assert "Bob" not in receiver.received[1]["body"].decode()


def test_a_rolled_back_task_change_sends_nothing(
    receiver, endpoint_for, bob, django_capture_on_commit_callbacks
):
    task = task_on(need_by(bob), bob)
    endpoint_for("task.changed")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        task.take(bob)
        raise RuntimeError("rolled back")
    assert receiver.received == [] and not Event.objects.exists()
