"""API of webhooks: the endpoints (CRUD), their deliveries' log, replaying one.

Everything is the officers' (403 for anyone else, before anything is looked up), and calls
the same model methods as the pages. A secret is in the answer that makes it, never again.
"""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Path, Router, Status
from ninja.pagination import paginate

from commun.api_auth import authenticated
from commun.api_helpers import Pages
from commun.hooks import rules
from commun.hooks.events import CATALOGUE
from commun.hooks.models import Delivery, Endpoint
from commun.hooks.schemas import (
    DeliveryOut,
    EventTypeOut,
    SecretOut,
    WebhookCreated,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
)
from commun.lib.ids import MAX_API_ID

router = Router(tags=["Webhooks"], auth=authenticated)
Id = Path(..., ge=1, le=MAX_API_ID)
NO_STORE = "private, no-store"  # an answer holding a secret is kept by no cache


def _officer(request):
    return rules.require(request.user, "manage_webhooks")


def _endpoint(request, webhook_id: int) -> Endpoint:
    _officer(request)  # 403 before the endpoint is looked up
    return get_object_or_404(Endpoint, pk=webhook_id)


@router.get("/webhooks/events", response=list[EventTypeOut])
def list_event_types(request):
    """The events a webhook may hear (officers)."""
    _officer(request)
    return [{"type": event, "description": str(label)} for event, label in CATALOGUE.items()]


@router.get("/webhooks", response=list[WebhookOut])
def list_webhooks(request):
    """The registered webhooks (officers)."""
    _officer(request)
    return list(Endpoint.objects.order_by("pk"))


@router.post("/webhooks", response={201: WebhookCreated})
def create_webhook(request, payload: WebhookIn, response: HttpResponse):
    """Register a webhook (officers); the answer holds its secret, given this once.

    Refused (422, on `url`) when the address leads to a private or local network."""
    _officer(request)
    endpoint = Endpoint.register(request.user, **payload.dict())
    response["Cache-Control"] = NO_STORE
    return Status(201, endpoint)


@router.get("/webhooks/{webhook_id}", response=WebhookOut)
def get_webhook(request, webhook_id: int = Id):
    """A webhook (officers), without its secret."""
    return _endpoint(request, webhook_id)


@router.patch("/webhooks/{webhook_id}", response=WebhookOut)
def update_webhook(request, payload: WebhookPatch, webhook_id: int = Id):
    """Change a webhook's address, description or events, or disable or enable it (officers)."""
    endpoint = _endpoint(request, webhook_id)
    changes = payload.dict(exclude_unset=True)
    is_active = changes.pop("is_active", None)
    for field in ("url", "events"):
        if field in changes and changes[field] is None:
            raise ValidationError({field: _("Ce champ ne peut pas être vide.")})
    if changes.get("description", "") is None:
        changes["description"] = ""
    if changes:
        endpoint.change(request.user, **changes)
    if is_active is True and not endpoint.is_active:
        endpoint.enable(request.user)
    elif is_active is False and endpoint.is_active:
        endpoint.disable(request.user)
    return endpoint


@router.delete("/webhooks/{webhook_id}", response={204: None})
def delete_webhook(request, webhook_id: int = Id):
    """Delete a webhook and its deliveries' log (officers)."""
    _endpoint(request, webhook_id).delete()
    return Status(204, None)


@router.post("/webhooks/{webhook_id}/secret", response=SecretOut)
def rotate_secret(request, response: HttpResponse, webhook_id: int = Id):
    """Replace the signing secret (officers): the old one signs nothing more."""
    endpoint = _endpoint(request, webhook_id)
    response["Cache-Control"] = NO_STORE
    return {"secret": endpoint.rotate_secret(request.user)}


@router.get("/webhooks/{webhook_id}/deliveries", response=list[DeliveryOut])
@paginate(Pages)
def list_deliveries(request, webhook_id: int = Id):
    """What was sent to a webhook, the latest first: status, response code, duration, attempts."""
    endpoint = _endpoint(request, webhook_id)
    return (
        endpoint.deliveries.select_related("event")
        .defer("event__data")
        .order_by("-created_at", "-pk")
    )


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/replay", response={202: DeliveryOut})
def replay_delivery(request, webhook_id: int = Id, delivery_id: int = Id):
    """Send a delivery's event again, as a new delivery with the same `webhook-id` (officers).

    Refused (422) while the webhook is disabled."""
    endpoint = _endpoint(request, webhook_id)
    delivery = get_object_or_404(
        Delivery.objects.select_related("event", "endpoint"), pk=delivery_id, endpoint=endpoint
    )
    again = delivery.replay(request.user)
    return Status(202, Delivery.objects.select_related("event").get(pk=again.pk))
