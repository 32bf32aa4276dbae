"""Signed outgoing webhooks (Standard Webhooks): see docs/webhooks.md."""


def emit(event_type: str, data: dict):
    """Send `event_type` with `data` to the endpoints hearing it, once the transaction commits.

    The way an app above this one (the board's `task.created`, `task.changed`) reports an
    event; apps below send a signal that `commun.hooks.receivers` hears.
    """
    from commun.hooks.models import emit as record_and_send

    return record_and_send(event_type, data)
