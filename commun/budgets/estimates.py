"""Estimates the API answers later: a ticket names the terms one person asked to have
costed, while the worker computes them (`Mission.cost_within`), so that they can ask
again for the answer at `GET /api/v1/missions/estimates/{ticket}`; nobody else can."""

import secrets

from django.core.cache import cache

TICKET_SECONDS = 60 * 60  # time to come back for it; the estimate itself is kept a day
_TICKET = "mission-estimate-ticket:"


def open_ticket(user, terms: dict) -> str:
    """A new ticket for `terms` (an `EstimateIn`'s values), readable by `user` alone."""
    ticket = secrets.token_urlsafe(24)
    cache.set(_TICKET + ticket, {"user": user.pk, "terms": terms}, TICKET_SECONDS)
    return ticket


def ticket_terms(user, ticket: str) -> dict | None:
    """The terms under `ticket` if `user` asked for them; None otherwise, or once expired."""
    kept = cache.get(_TICKET + ticket)
    if kept is None or kept["user"] != user.pk:
        return None
    return kept["terms"]
