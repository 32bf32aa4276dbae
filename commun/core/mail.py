"""Emails rendered in the recipient's language and sent by the worker."""

from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import translation

from commun.core.tasks import send_email


def notify(to: list[str], template: str, context: dict, language: str = "fr"):
    """Render `template` (subject on its first line) and enqueue it once the transaction commits."""
    to = [address for address in to if address]
    if not to:
        return
    with translation.override(language):
        from commun.members.models import Cooperative

        # Plain-text email: no HTML escaping (a name like O'Brien stays as written).
        context = Context({"cooperative": Cooperative.get(), **context}, autoescape=False)
        text = get_template(template).template.render(context).strip()
    subject, _, body = text.partition("\n")
    transaction.on_commit(lambda: send_email.enqueue(to, subject.strip(), body.strip() + "\n"))
