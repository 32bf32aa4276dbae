"""The API's shapes for webhooks: endpoints, their deliveries, the events they may hear.

Input schemas bound sizes and refuse unknown fields and events; the destination's check
(a public address) is the model's, which answers on the `url` field.
"""

import datetime
from typing import Literal

from ninja import Field, Schema

from commun.api_input import Input
from commun.hooks.events import EVENT_TYPES
from commun.hooks.models import Delivery, Endpoint

EventType = Literal[EVENT_TYPES]
DeliveryStatus = Literal[tuple(Delivery.Status.values)]
DisabledBecause = Literal[tuple(Endpoint.Disabled.values)]
URL_HELP = "https://… sur Internet : les adresses privées, locales ou de lien local sont refusées."


class WebhookIn(Input):
    url: str = Field(..., min_length=1, max_length=500, description=URL_HELP)
    description: str = Field("", max_length=200)
    events: list[EventType] = Field(..., min_length=1, max_length=len(EVENT_TYPES))


class WebhookPatch(Input):
    url: str | None = Field(None, min_length=1, max_length=500, description=URL_HELP)
    description: str | None = Field(None, max_length=200)
    events: list[EventType] | None = Field(None, min_length=1, max_length=len(EVENT_TYPES))
    is_active: bool | None = Field(
        None, description="false : désactivé, ne reçoit plus rien ; true : réactivé."
    )


class WebhookOut(Schema):
    id: int
    url: str
    description: str
    events: list[str]
    is_active: bool
    disabled_because: DisabledBecause | None = Field(
        None,
        description="officer : désactivé par un·e responsable ; "
        "failures : après des échecs répétés.",
    )
    disabled_at: datetime.datetime | None
    failure_streak: int = Field(
        description="Tentatives échouées de suite depuis le dernier succès."
    )
    created_at: datetime.datetime

    @staticmethod
    def resolve_disabled_because(endpoint) -> str | None:
        return endpoint.disabled_because or None


class WebhookCreated(WebhookOut):
    secret: str = Field(
        description="Le secret de signature (whsec_…), donné cette fois seulement : gardez-le."
    )


class SecretOut(Schema):
    secret: str = Field(description="Le nouveau secret (whsec_…), donné cette fois seulement.")


class DeliveryOut(Schema):
    id: int
    event_id: str = Field(description="L'en-tête webhook-id, le même à chaque tentative et renvoi.")
    event_type: str
    status: DeliveryStatus
    attempts: int
    response_code: int | None
    duration_ms: int | None
    error: str
    created_at: datetime.datetime
    last_attempt_at: datetime.datetime | None
    next_attempt_at: datetime.datetime | None = Field(
        description="Le prochain essai prévu (en attente seulement)."
    )
    replay_of: int | None = Field(None, description="L'envoi dont celui-ci est le renvoi.")

    @staticmethod
    def resolve_event_type(delivery) -> str:
        return delivery.event.type

    @staticmethod
    def resolve_replay_of(delivery) -> int | None:
        return delivery.replay_of_id

    @staticmethod
    def resolve_next_attempt_at(delivery):
        return delivery.next_attempt_at if delivery.status == Delivery.Status.PENDING else None


class EventTypeOut(Schema):
    type: str
    description: str
