"""Webhooks: the endpoints officers register, the events sent to them, each delivery's log.

An event is written with its deliveries inside the transaction of what it reports, and
the deliveries are handed to the worker once that transaction commits: a rolled-back
action sends nothing, a committed one is never lost (`retry_due_deliveries` picks up any
delivery a killed worker left). Each attempt is signed as Standard Webhooks says
(`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,…`); failures are retried with
exponential backoff, and an endpoint failing again and again is disabled, saying so.
"""

import base64
import datetime
import json
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from standardwebhooks import Webhook

from commun.hooks import destinations, rules
from commun.hooks.events import CATALOGUE
from commun.privacy.declarations import not_personal
from commun.privacy.fields import EncryptedCharField, seal_id_field


def new_secret() -> str:
    """A signing secret as Standard Webhooks writes it: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def new_event_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class EndpointQuerySet(models.QuerySet):
    def listening_to(self, event_type: str) -> list["Endpoint"]:
        # Few endpoints, and JSON containment is not portable to SQLite: filtered here.
        return [e for e in self.filter(is_active=True) if event_type in e.events]


class Endpoint(models.Model):
    """An address the officers registered, the events it hears, and its signing secret."""

    class Disabled(models.TextChoices):
        BY_OFFICER = "officer", _("désactivé par un·e responsable")
        FAILURES = "failures", _("désactivé après des échecs répétés")

    url = models.URLField(
        _("adresse"), max_length=500, validators=[URLValidator(schemes=list(destinations.SCHEMES))]
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = not_personal(
        models.JSONField(_("événements"), default=list),
        "names of event types, such as task.created",
    )
    seal_id = seal_id_field()
    secret = not_personal(
        EncryptedCharField(_("secret de signature"), max_length=100, editable=False),
        "a random key the cooperative shares with its receiver",
    )
    is_active = models.BooleanField(_("actif"), default=True)
    disabled_because = models.CharField(max_length=20, choices=Disabled, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    failure_streak = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = EndpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_active=True, disabled_because="")
                | models.Q(is_active=False) & ~models.Q(disabled_because=""),
                name="endpoint_disabled_says_why",
            )
        ]

    def __str__(self):
        return self.url

    def clean(self):
        super().clean()
        if not isinstance(self.events, list) or not self.events:
            raise ValidationError({"events": _("Choisissez au moins un événement.")})
        unknown = [e for e in self.events if e not in CATALOGUE]
        if unknown:
            raise ValidationError(
                {
                    "events": _("Événement inconnu : %(event)s.")
                    % {"event": ", ".join(map(str, unknown))}
                }
            )
        try:
            URLValidator(schemes=list(destinations.SCHEMES))(self.url)
        except ValidationError:
            return  # the field's own validator says so
        destinations.check(self.url)

    @classmethod
    def register(cls, by, url: str, events: list, description: str = "") -> "Endpoint":
        """A new endpoint with a fresh secret, which its page shows once."""
        officer = rules.require(by, "manage_webhooks")
        endpoint = cls(
            url=url.strip(),
            events=list(dict.fromkeys(events)),
            description=description.strip(),
            secret=new_secret(),
            created_by=officer.user,
        )
        endpoint.full_clean(exclude=["secret"])
        endpoint.save()
        return endpoint

    def change(self, by, **values) -> None:
        """New address, events or description; the address is checked again."""
        rules.require(by, "manage_webhooks")
        for field, value in values.items():
            if field == "events":
                value = list(dict.fromkeys(value))
            elif isinstance(value, str):
                value = value.strip()
            setattr(self, field, value)
        self.full_clean(exclude=["secret"])
        self.save(update_fields=[*values])

    def disable(self, by, because=Disabled.BY_OFFICER, now=None) -> None:
        if by is not None:
            rules.require(by, "manage_webhooks")
        self.is_active = False
        self.disabled_because = because
        self.disabled_at = now or timezone.now()
        self.save(update_fields=["is_active", "disabled_because", "disabled_at"])

    def enable(self, by) -> None:
        """Back on, with a clean slate: deliveries skipped while it was off are not resent."""
        rules.require(by, "manage_webhooks")
        self.is_active = True
        self.disabled_because = ""
        self.disabled_at = None
        self.failure_streak = 0
        self.save(update_fields=["is_active", "disabled_because", "disabled_at", "failure_streak"])

    def rotate_secret(self, by) -> str:
        rules.require(by, "manage_webhooks")
        self.secret = new_secret()
        self.save(update_fields=["secret"])
        return self.secret


class EventQuerySet(models.QuerySet):
    def forget_older_than(self, cutoff, batch: int = 1000) -> int:
        """Delete, with their deliveries, the events before `cutoff` none of which is pending."""
        old = self.filter(created_at__lt=cutoff).exclude(deliveries__status=Delivery.Status.PENDING)
        ids = list(old.values_list("pk", flat=True)[:batch])
        # Pending is asked again in the DELETE itself: a replay queued since the read above
        # keeps its event.
        still_old = self.filter(pk__in=ids).exclude(deliveries__status=Delivery.Status.PENDING)
        return still_old.delete()[1].get("hooks.Event", 0)


class Event(models.Model):
    """Something that happened, as sent: its id is the `webhook-id` of every delivery."""

    id = models.CharField(primary_key=True, max_length=40, default=new_event_id, editable=False)
    type = models.CharField(_("type"), max_length=50)
    data = not_personal(
        models.JSONField(default=dict),
        "what the public pages show: a member's name only if they chose to show it, "
        "blanked when that member is erased",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")

    def __str__(self):
        return f"{self.type} {self.id}"

    def body(self) -> bytes:
        """The JSON body, the same bytes at every attempt."""
        document = {"type": self.type, "timestamp": self.created_at.isoformat(), "data": self.data}
        return json.dumps(document, ensure_ascii=False, sort_keys=True).encode()


def emit(event_type: str, data: dict) -> Event | None:
    """Record an event for every active endpoint hearing it; send once the transaction commits.

    Called inside the transaction of what it reports: a rollback takes the event with it.
    Returns None when no endpoint listens (nothing is written then).
    """
    if event_type not in CATALOGUE:
        raise ValueError(f"unknown webhook event {event_type!r}")
    endpoints = Endpoint.objects.listening_to(event_type)
    if not endpoints:
        return None
    event = Event.objects.create(type=event_type, data=data)
    deliveries = Delivery.objects.bulk_create(
        Delivery(event=event, endpoint=endpoint) for endpoint in endpoints
    )
    from commun.hooks import tasks

    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: tasks.deliver.enqueue(pk))
    return event


def backoff(attempts: int) -> datetime.timedelta:
    """The wait after the `attempts`-th failure: 30 s, 2 min, 8 min, 32 min, 2 h 8 min…"""
    return datetime.timedelta(seconds=settings.WEBHOOKS_BACKOFF_SECONDS * 4 ** (attempts - 1))


class DeliveryQuerySet(models.QuerySet):
    def due(self, now):
        return self.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)


class Delivery(models.Model):
    """One event sent to one endpoint: its attempts, its last answer, where it stands."""

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        SUCCEEDED = "succeeded", _("reçu")
        FAILED = "failed", _("échec")
        SKIPPED = "skipped", _("non envoyé (webhook désactivé)")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    replay_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("état"), max_length=20, choices=Status, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("tentatives"), default=0)
    response_code = models.PositiveIntegerField(_("code de réponse"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("durée (ms)"), null=True, blank=True)
    error = models.CharField(_("erreur"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_attempt_at = models.DateTimeField(_("dernière tentative"), null=True, blank=True)
    # When the next attempt is due (pending only): a claimed attempt pushes it past its timeout.
    next_attempt_at = models.DateTimeField(default=timezone.now, null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("envoi")
        verbose_name_plural = _("envois")
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="delivery_endpoint_recent"),
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
        ]

    def __str__(self):
        return f"{self.event_id} → {self.endpoint_id}"

    def _claim(self, now) -> "Delivery | None":
        """Take the next attempt, or None when it is not due (already sent, or another worker's)."""
        with transaction.atomic():
            # Two workers handed the same delivery (a retry and the sweep) send it once.
            delivery = (
                Delivery.objects.select_for_update()
                .select_related("event", "endpoint")
                .filter(pk=self.pk)
                .first()
            )
            if delivery is None or delivery.status != self.Status.PENDING:
                return None
            if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
                return None
            if not delivery.endpoint.is_active:
                delivery.status = self.Status.SKIPPED
                delivery.next_attempt_at = None
                delivery.save(update_fields=["status", "next_attempt_at"])
                return None
            delivery.attempts += 1
            delivery.last_attempt_at = now
            lease = datetime.timedelta(seconds=settings.WEBHOOKS_TIMEOUT_SECONDS * 2 + 30)
            delivery.next_attempt_at = now + lease
            delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
        return delivery

    def headers(self, now) -> dict[str, str]:
        body = self.event.body()
        signature = Webhook(self.endpoint.secret).sign(self.event_id, now, body)
        return {
            "Content-Type": "application/json",
            "User-Agent": "Commun-Webhooks/1",
            "webhook-id": self.event_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature,
        }

    def attempt(self, now=None) -> datetime.datetime | None:
        """Send once if due; the time of the next attempt when it failed and may be retried."""
        now = now or timezone.now()
        delivery = self._claim(now)
        if delivery is None:
            return None
        answer = destinations.post(
            delivery.endpoint.url, delivery.event.body(), delivery.headers(now)
        )
        return delivery._record(answer, now)

    def _record(self, answer, now) -> datetime.datetime | None:
        succeeded = answer.status is not None and 200 <= answer.status < 300
        self.response_code = answer.status
        self.duration_ms = answer.duration_ms
        self.error = answer.error[:300]
        if succeeded:
            self.status, self.next_attempt_at = self.Status.SUCCEEDED, None
        elif self.attempts >= settings.WEBHOOKS_MAX_ATTEMPTS:
            self.status, self.next_attempt_at = self.Status.FAILED, None
        else:
            self.next_attempt_at = now + backoff(self.attempts)
        with transaction.atomic():
            # Only over the attempt this worker claimed: had its lease run out and another
            # worker claimed the delivery since, that one's answer is the one kept.
            written = Delivery.objects.filter(
                pk=self.pk, status=self.Status.PENDING, attempts=self.attempts
            ).update(
                status=self.status,
                response_code=self.response_code,
                duration_ms=self.duration_ms,
                error=self.error,
                next_attempt_at=self.next_attempt_at,
            )
            if not written:
                return None
            self._count_on_endpoint(succeeded, now)
        return self.next_attempt_at

    def _count_on_endpoint(self, succeeded: bool, now) -> None:
        if succeeded:
            Endpoint.objects.filter(pk=self.endpoint_id).update(failure_streak=0)
            return
        # Under the endpoint's lock: two failing deliveries count two, and disable it once.
        endpoint = Endpoint.objects.select_for_update().get(pk=self.endpoint_id)
        endpoint.failure_streak = F("failure_streak") + 1
        endpoint.save(update_fields=["failure_streak"])
        endpoint.refresh_from_db(fields=["failure_streak"])
        if endpoint.is_active and endpoint.failure_streak >= settings.WEBHOOKS_DISABLE_AFTER:
            endpoint.disable(None, Endpoint.Disabled.FAILURES, now)
            from commun.hooks.notices import tell_officers_disabled

            tell_officers_disabled(endpoint)

    def replay(self, by) -> "Delivery":
        """Send this event to this endpoint again, as a new delivery with the same event id."""
        rules.require(by, "manage_webhooks")
        if not self.endpoint.is_active:
            raise ValidationError(_("Ce webhook est désactivé : réactivez-le avant de renvoyer."))
        with transaction.atomic():
            again = Delivery.objects.create(
                event=self.event, endpoint=self.endpoint, replay_of=self
            )
            from commun.hooks import tasks

            transaction.on_commit(lambda: tasks.deliver.enqueue(again.pk))
        return again
