"""The emails that go out at each step of joining and leaving."""

from django.conf import settings
from django.urls import reverse

from commun.core.mail import notify


def _officer_emails() -> list[str]:
    from commun.members.models import Member

    return list(
        Member.objects.active().filter(is_officer=True).values_list("user__email", flat=True)
    )


def application_received(application):
    notify(
        [application.email],
        "members/emails/application_received.txt",
        {"application": application},
        application.language,
    )
    notify(
        _officer_emails(),
        "members/emails/application_to_review.txt",
        {"application": application, "url": settings.SITE_URL + reverse("officers:applications")},
    )


def application_admitted(application):
    notify(
        [application.email],
        "members/emails/application_admitted.txt",
        {
            "application": application,
            "member": application.member,
            "url": settings.SITE_URL + reverse("members:me"),
        },
        application.language,
    )


def application_refused(application):
    notify(
        [application.email],
        "members/emails/application_refused.txt",
        {"application": application},
        application.language,
    )


def payment_recorded(movement):
    member = movement.member
    notify(
        [member.user.email],
        "members/emails/payment_recorded.txt",
        {
            "movement": movement,
            "member": member,
            "url": settings.SITE_URL + reverse("members:certificate", args=[member.number]),
        },
        member.language,
    )


def resignation_recorded(repayment):
    member = repayment.member
    notify(
        [member.user.email],
        "members/emails/resignation_recorded.txt",
        {"repayment": repayment, "member": member},
        member.language,
    )
