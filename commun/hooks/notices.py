"""Telling the officers that an endpoint was disabled: its page says so, and an email."""

from django.conf import settings
from django.urls import reverse

from commun.core.mail import notify
from commun.members.models import Member


def tell_officers_disabled(endpoint) -> None:
    for officer in Member.objects.active().filter(is_officer=True).select_related("user"):
        notify(
            [officer.user.email],
            "hooks/emails/disabled.txt",
            {
                "endpoint": endpoint,
                "url": settings.SITE_URL + reverse("hooks:endpoint", args=[endpoint.pk]),
            },
            officer.language,
        )
