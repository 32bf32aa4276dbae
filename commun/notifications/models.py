"""Notices: every request and reminder the app sends, kept in the app as well as emailed.

A notice stores its kind and a few parameters, never a sentence: it is worded when read,
in the reader's language. `tell()` is the one way to send one, so the notice and its
email are never written apart.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commun.core.mail import notify
from commun.members.models import Member
from commun.privacy.declarations import not_personal


class NoticeQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def in_reading_order(self):
        """Unread first, newest first within each."""
        return self.order_by(models.F("read_at").desc(nulls_first=True), "-created_at", "-pk")


class Notice(models.Model):
    """Something a member is asked to do or should know, shown on their « À faire » page."""

    class Kind(models.TextChoices):
        ADVICE_REQUESTED = "advice_requested", _("Avis demandé")
        ADVICE_GIVEN = "advice_given", _("Avis reçu")
        ADVICE_OUTCOME = "advice_outcome", _("Issue d'une décision où votre avis était demandé")
        ADVICE_OVERDUE = "advice_overdue", _("Sollicitation d'avis en retard")
        OBJECTION_RAISED = "objection_raised", _("Objection soulevée")
        OBJECTION_DISMISSED = "objection_dismissed", _("Objection écartée")
        NEW_ROUND = "new_round", _("Nouveau tour d'objections")
        REMIND_SILENT = "remind_silent", _("Rappel avant l'échéance")
        REVIEW_DUE = "review_due", _("Date de révision atteinte")
        CLOSED = "closed", _("Proposition close")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=30, choices=Kind)
    params = not_personal(
        models.JSONField(default=dict, blank=True),
        "a decision's title and outcome, as its page shows them; nobody's words",
    )
    url = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["member", "read_at", "created_at"])]

    def __str__(self):
        return f"{self.member_id}: {self.kind}"

    def get_absolute_url(self):
        return self.url

    def sentence(self) -> str:
        """What happened, in the active language."""
        values = {"title": "", "outcome": "", **self.params}
        if self.kind == self.Kind.ADVICE_OUTCOME and values.get("outcome_code"):
            from commun.decisions.models import Decision

            values["outcome"] = Decision.Outcome(values["outcome_code"]).label
        return str(SENTENCES[self.kind]) % values

    def mark_read(self, now=None) -> None:
        if self.read_at is None:
            self.read_at = now or timezone.now()
            Notice.objects.filter(pk=self.pk, read_at__isnull=True).update(read_at=self.read_at)


SENTENCES = {
    Notice.Kind.ADVICE_REQUESTED: _("Votre avis est demandé : « %(title)s »"),
    Notice.Kind.ADVICE_GIVEN: _("Un avis a été donné sur « %(title)s »"),
    Notice.Kind.ADVICE_OUTCOME: _("« %(title)s » est décidée : %(outcome)s"),
    Notice.Kind.ADVICE_OVERDUE: _(
        "« %(title)s » a passé son échéance : l'auteur·ice doit enregistrer sa décision"
    ),
    Notice.Kind.OBJECTION_RAISED: _("Une objection a été soulevée sur « %(title)s »"),
    Notice.Kind.OBJECTION_DISMISSED: _("Votre objection sur « %(title)s » a été écartée"),
    Notice.Kind.NEW_ROUND: _("Un nouveau tour d'objections est ouvert sur « %(title)s »"),
    Notice.Kind.REMIND_SILENT: _(
        "Il vous reste peu de temps pour vous prononcer sur « %(title)s »"
    ),
    Notice.Kind.REVIEW_DUE: _("« %(title)s » a atteint sa date de révision"),
    Notice.Kind.CLOSED: _("Votre proposition « %(title)s » est close"),
}

BATCH = 1000


def tell(members, kind: str, url: str, params: dict, template: str, context: dict) -> int:
    """A notice for each member, and an email unless they chose to hear only on the site.

    `members` may be an iterator over 100,000 people: notices are written in batches.
    """
    from commun.deliberation.models import NotificationPreference

    told, batch = 0, []

    def flush():
        site_only = set(
            NotificationPreference.objects.filter(
                member_id__in=[m.pk for m in batch], email=NotificationPreference.Email.NONE
            ).values_list("member_id", flat=True)
        )
        now = timezone.now()
        Notice.objects.bulk_create(
            [Notice(member=m, kind=kind, url=url, params=params, created_at=now) for m in batch]
        )
        for member in batch:
            if member.pk not in site_only:
                # One email each: a shared `To:` line would show everyone's address.
                notify(
                    [member.user.email], template, {**context, "member": member}, member.language
                )
        batch.clear()

    for member in members:
        batch.append(member)
        told += 1
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return told
