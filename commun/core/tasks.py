"""Background work run by `commun worker` through Django's tasks API."""

from django.core.mail import EmailMessage
from django.tasks import task


@task
def send_email(to: list[str], subject: str, body: str, reply_to: list[str] | None = None):
    EmailMessage(subject=subject, body=body, to=to, reply_to=reply_to or None).send()
