"""What erasure keeps by law, and the trace of what erasure and retention did."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commun.privacy.declarations import REGISTER, Audience, Erasure, personal
from commun.privacy.fields import EncryptedTextField, seal_id_field


class RestrictedRecord(models.Model):
    """A departed person's identity that the law makes the cooperative keep for a while.

    Only officers read it; the retention job deletes it on `keep_until`. The content is a
    sealed JSON object, so a dump of the database never shows it in clear.
    """

    member_number = models.PositiveIntegerField(_("numéro d'associé·e"), null=True, blank=True)
    reason = models.CharField(_("motif de conservation"), max_length=200)
    content = personal(
        EncryptedTextField(_("données conservées")), REGISTER, Audience.OFFICERS, Erasure.RESTRICT
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    keep_until = models.DateField(_("conservé jusqu'au"))
    seal_id = seal_id_field()

    class Meta:
        verbose_name = _("archive légale restreinte")
        verbose_name_plural = _("archives légales restreintes")
        ordering = ["keep_until", "pk"]

    def __str__(self):
        return f"{self.member_number or '—'} → {self.keep_until}"


class PrivacyLog(models.Model):
    """One line per erasure or purge: what was done, never whose data it was in clear."""

    class Kind(models.TextChoices):
        ERASURE = "erasure", _("Effacement d'un compte")
        PURGE = "purge", _("Purge des données arrivées à échéance")

    kind = models.CharField(max_length=20, choices=Kind)
    at = models.DateTimeField(default=timezone.now, editable=False)
    member_number = models.PositiveIntegerField(null=True, blank=True)
    by_officer = models.BooleanField(default=False)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.counts}"
