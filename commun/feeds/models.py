"""A member's personal calendar link: a secret address, of which only the SHA-256 is kept."""

import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commun.lib.rules import active_member
from commun.members.models import Member


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _member(by) -> Member:
    member = active_member(by)
    if member is None:
        raise PermissionDenied(_("Réservé aux associé·es."))
    return member


class CalendarLinkQuerySet(models.QuerySet):
    def issue(self, by) -> tuple["CalendarLink", str]:
        """Give `by` a new secret address, replacing their previous one; the secret is
        returned here only (the database keeps its hash)."""
        member = _member(by)
        secret = secrets.token_urlsafe(32)
        with transaction.atomic():
            # Two requests at once: the member's row serialises them, the last one wins.
            Member.objects.select_for_update().filter(pk=member.pk).first()
            link, _created = self.update_or_create(
                member=member, defaults={"digest": _digest(secret), "created_at": timezone.now()}
            )
        return link, secret

    def revoke(self, by) -> bool:
        """Forget `by`'s address: it answers 404 from now on. True when there was one."""
        deleted, _rows = self.filter(member=_member(by)).delete()
        return bool(deleted)

    def find(self, secret: str) -> "CalendarLink | None":
        """The link of an active member this secret opens, else None."""
        if not secret or len(secret) > 100:
            return None
        link = self.select_related("member").filter(digest=_digest(secret)).first()
        if link is None or not link.member.is_active_member:
            return None
        return link


class CalendarLink(models.Model):
    """The secret address of a member's own calendar: the decisions awaiting them."""

    member = models.OneToOneField(
        Member, on_delete=models.CASCADE, related_name="calendar_link", editable=False
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(gettext_lazy("créé le"), default=timezone.now)

    objects = CalendarLinkQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("lien de calendrier personnel")
        verbose_name_plural = gettext_lazy("liens de calendrier personnel")

    def __str__(self):
        return _("Calendrier de l'associé·e n°%(number)s") % {"number": self.member.number}
