"""Emails rendered in the recipient's language and sent by the worker."""

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from commun.core.tasks import send_email


def notify(to: list[str], template: str, context: dict, language: str = "fr"):
    """Render `template` (subject on its first line) and enqueue it once the transaction commits."""
    to = [address for address in to if address]
    if not to:
        return
    with translation.override(language):
        from commun.members.models import Cooperative

        text = render_to_string(template, {"cooperative": Cooperative.get(), **context}).strip()
    subject, _, body = text.partition("\n")
    transaction.on_commit(lambda: send_email.enqueue(to, subject.strip(), body.strip() + "\n"))
