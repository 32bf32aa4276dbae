"""Right to erasure: a person deletes their account, and their personal data goes with it.

What they wrote and how they voted stays, attributed to "Associé·e n°N" (decisions,
tallies and the ledger are the cooperative's record). What the law makes the cooperative
keep — the register of associates: the fields declared `Erasure.RESTRICT`, identity and
address, 10 years after leaving; not the email — moves to a sealed `RestrictedRecord`
that only officers read and the retention job deletes. Emails queued or kept for others
(the task queue's arguments and results) name them no more. The hash-chained journal needs
nothing: it never held personal data in clear. Backups taken before keep the old data
until they are rotated away (docs/backup.md).
"""

import datetime
import json
import re

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from commun.members.models import Application, Member, Visibility
from commun.privacy.declarations import (
    ERASED_EMAIL,
    ERASED_TEXT,
    REGISTER,
    Erasure,
    declared_fields,
)
from commun.privacy.models import PrivacyLog, RestrictedRecord


def erasable(user) -> tuple[bool, str]:
    """Whether `user` may erase their account now, and if not, why (in the user's language)."""
    member = user.member
    if member is not None and member.status in (Member.Status.ADMITTED, Member.Status.ACTIVE):
        return False, _(
            "Vous êtes associé·e : le registre légal vous lie à la coopérative. "
            "Démissionnez d'abord ; vous pourrez ensuite supprimer votre compte."
        )
    if member is not None and member.is_officer:
        return False, _("Un·e responsable juridique quitte d'abord ce rôle.")
    return True, ""


def erase_account(user, *, by=None, now: datetime.datetime | None = None) -> PrivacyLog:
    """Erase `user`'s personal data everywhere, keeping the legal register restricted."""
    now = now or timezone.now()
    allowed, why = erasable(user)
    if not allowed:
        raise ValidationError(why)
    with transaction.atomic():
        # Locked so that a concurrent admission or payment cannot write a name back.
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        # A former member who joined again has a row per membership: each is erased.
        members = list(Member.objects.select_for_update().filter(user=user).order_by("number"))
        member = members[-1] if members else None
        email = user.email
        counts = {}
        # Read before they are blanked: the stored emails are searched for them.
        names = _names_of(user, members)
        if members:
            counts["restricted_records"] = sum(
                _restrict_register_identity(each, now) for each in members
            )
            for each in members:
                _erase_member(each)
        counts["applications"] = _erase_applications(user)
        counts.update(_redact_tasks(email, names, _erased_label(member)))
        counts.update(_erase_account_rows(user, member))
        user.email = ERASED_EMAIL.format(pk=user.pk)
        user.is_active = False
        user.set_unusable_password()  # also ends every session signed with the old hash
        user.save()
        return PrivacyLog.objects.create(
            kind=PrivacyLog.Kind.ERASURE,
            at=now,
            member_number=member.number if member else None,
            by_officer=by is not None and by.pk != user.pk,
            counts=counts,
        )


def restricted_fields() -> list:
    """The member's fields the register keeps after erasure: those declared `RESTRICT`."""
    return [
        item.field
        for item in declared_fields()
        if item.model is Member and item.declared.erasure == Erasure.RESTRICT
    ]


def _restrict_register_identity(member: Member, now) -> int:
    left = member.left_on or timezone.localdate(now)
    content = {
        "number": member.number,
        "kind": member.kind,
        **{field.name: getattr(member, field.attname) for field in restricted_fields()},
        "admitted_at": member.admitted_at.isoformat(),
        "left_on": member.left_on.isoformat() if member.left_on else None,
    }
    RestrictedRecord.objects.create(
        member_number=member.number,
        reason=_("Registre des associé·es (obligation légale)"),
        content=json.dumps(content, ensure_ascii=False),
        keep_until=years_after(left, REGISTER.retention_years),
    )
    return 1


def years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, in a year that has none
        return day.replace(year=day.year + years, day=28)


def _erase_member(member: Member) -> None:
    member.first_name = ""
    member.last_name = ""
    member.organisation_name = ""
    member.phone = ""
    member.postal_address = ""
    member.iban = ""
    member.pseudonym = ""
    member.bio = ""
    member.public_visibility = Visibility.HIDDEN
    member.save(
        update_fields=[
            "first_name",
            "last_name",
            "organisation_name",
            "phone",
            "postal_address",
            "iban",
            "pseudonym",
            "bio",
            "public_visibility",
        ]
    )


def _erase_applications(user) -> int:
    return Application.objects.filter(user=user).blank()


def _names_of(user, members) -> list[str]:
    """What emails may call the person: the names they gave, their pseudonym, their address."""
    people = [*Application.objects.filter(user=user), *members]
    names = {user.email}
    for person in people:
        names |= {person.full_name, person.first_name, person.last_name, person.organisation_name}
        names.add(getattr(person, "pseudonym", ""))
        names.add(getattr(person, "email", ""))
    # Longest first: "Barnabé Quenouille" goes as one, before "Barnabé" alone.
    return sorted({name.strip() for name in names if name.strip()}, key=len, reverse=True)


def _erased_label(member) -> str:
    if member is None:
        return ERASED_TEXT
    return _("Associé·e n°%(number)s") % {"number": member.number}


def _redact_tasks(email: str, names: list[str], label: str) -> dict:
    """Emails kept in the task queue (waiting, or sent in the last 30 days) forget the person.

    Those addressed to them go: their account is closed. Those sent to others (a digest, a
    notice to the officers) stay, with the person named as the pages now name them.
    """
    from django_tasks_db.models import DBTaskResult

    if not names:
        return {"tasks_deleted": 0, "tasks_redacted": 0}
    # Word bounds, so that a short name is not cut out of the middle of another word.
    pattern = re.compile(
        "|".join(rf"(?<!\w){re.escape(name)}(?!\w)" for name in names), re.IGNORECASE
    )
    mentions = Q()
    for name in names:
        # SQLite keeps JSON ASCII-escaped ("Barnab\u00e9"), PostgreSQL as written.
        for form in {name, json.dumps(name)[1:-1]}:
            mentions |= Q(arguments__icontains=form) | Q(result__icontains=form)
    found = DBTaskResult.objects.annotate(
        arguments=Cast("args_kwargs", TextField()), result=Cast("return_value", TextField())
    ).filter(mentions)
    deleted, redacted = [], 0
    for task in found.select_for_update().iterator():
        if _addressed_to(task.args_kwargs, email):
            deleted.append(task.pk)
            continue
        args_kwargs = _redact(task.args_kwargs, pattern, label)
        return_value = _redact(task.return_value, pattern, label)
        if (args_kwargs, return_value) != (task.args_kwargs, task.return_value):
            DBTaskResult.objects.filter(pk=task.pk).update(
                args_kwargs=args_kwargs, return_value=return_value
            )
            redacted += 1
    DBTaskResult.objects.filter(pk__in=deleted).delete()
    return {"tasks_deleted": len(deleted), "tasks_redacted": redacted}


def _addressed_to(value, email: str) -> bool:
    """Whether `email` is one of the recipients: an item of a list in the task's arguments."""
    if isinstance(value, list):
        if any(isinstance(item, str) and item.lower() == email.lower() for item in value):
            return True
        return any(_addressed_to(item, email) for item in value)
    if isinstance(value, dict):
        return any(_addressed_to(item, email) for item in value.values())
    return False


def _redact(value, pattern: re.Pattern, label: str):
    if isinstance(value, str):
        return pattern.sub(label, value)
    if isinstance(value, list):
        return [_redact(item, pattern, label) for item in value]
    if isinstance(value, dict):
        return {key: _redact(item, pattern, label) for key, item in value.items()}
    return value


def _erase_account_rows(user, member) -> dict:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from commun.accounts.models import ApiToken

    counts = {
        "email_addresses": EmailAddress.objects.filter(user=user).delete()[0],
        "authenticators": Authenticator.objects.filter(user=user).delete()[0],
        "api_tokens": ApiToken.objects.filter(user=user).delete()[0],
    }
    if member is not None:
        from commun.deliberation.models import (
            Notification,
            NotificationPreference,
            ReadMark,
            Subscription,
        )
        from commun.feeds.models import CalendarLink

        for model in (Notification, NotificationPreference, ReadMark, Subscription, CalendarLink):
            counts[model._meta.model_name] = model.objects.filter(member__user=user).delete()[0]
        counts["webhook_events"] = _forget_in_webhook_events(member)
    counts["sessions"] = _end_sessions(user)
    return counts


def _forget_in_webhook_events(member) -> int:
    """The name an admission's webhook event showed, if the member showed one: blanked, so
    an officer's replay never sends it out again."""
    from commun.hooks.models import Event

    blanked = 0
    for event in Event.objects.filter(type="member.admitted", data__number=member.number):
        if event.data.get("public_name") is not None:
            event.data = {**event.data, "public_name": None}
            event.save(update_fields=["data"])
            blanked += 1
    return blanked


def _end_sessions(user) -> int:
    """Delete the sessions that name this user (their data is signed, not searchable: decode)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended
