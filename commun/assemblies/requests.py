"""Members ask for an item to be added to the agenda of an assembly they are convened to;
the officers accept it (it becomes an agenda item, marked as asked by that member) or refuse
it with a reason the member receives by email. Until the opening."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commun.assemblies.models import AgendaItem, Assembly, rules
from commun.lib.dates import date_format
from commun.members.models import Member
from commun.privacy.declarations import DELIBERATION, Audience, Erasure, personal


class ItemRequest(models.Model):
    """A convened member's request for an item on the agenda, and the officers' answer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        ACCEPTED = "accepted", _("Acceptée")
        REFUSED = "refused", _("Refusée")

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="requests")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    # A resolution or an information item: an election goes on the agenda by the officers.
    kind = models.CharField(
        _("nature"),
        max_length=20,
        choices=[(k, label) for k, label in AgendaItem.Kind.choices if k != "election"],
        default=AgendaItem.Kind.RESOLUTION,
    )
    title = models.CharField(_("intitulé"), max_length=300)
    text = personal(
        models.TextField(_("texte"), blank=True, max_length=20000),
        DELIBERATION,
        Audience.MEMBERS,
        Erasure.PSEUDONYMISE,
    )
    asked_at = models.DateTimeField(default=timezone.now, editable=False)
    status = models.CharField(
        _("suite donnée"), max_length=10, choices=Status, default=Status.PENDING
    )
    reason = personal(
        models.TextField(_("motif du refus"), blank=True, max_length=2000),
        DELIBERATION,
        Audience.MEMBERS,
        Erasure.PSEUDONYMISE,
    )
    decided_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    item = models.OneToOneField(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="request"
    )

    class Meta:
        verbose_name = _("demande d'inscription à l'ordre du jour")
        verbose_name_plural = _("demandes d'inscription à l'ordre du jour")
        ordering = ["assembly", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(reason=""),
                name="item_request_refused_with_a_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="accepted") | models.Q(item__isnull=False),
                name="item_request_accepted_with_its_item",
            ),
        ]

    def __str__(self):
        return self.title

    @classmethod
    def ask(cls, assembly: Assembly, by, kind: str, title: str, text: str = "", now=None):
        """A convened member asks for an item; checked like an agenda item, then saved."""
        now = now or timezone.now()
        with transaction.atomic():
            # Locked: a request never lands once the assembly has opened.
            locked = Assembly.objects.select_for_update().get(pk=assembly.pk)
            member = rules().require(by, "ask_item", locked)
            if not locked.takes_requests(now):
                raise ValidationError({"asked_at": too_late(locked)})
            request = cls(
                assembly=locked, member=member, kind=kind, title=title, text=text, asked_at=now
            )
            request.full_clean(exclude=["assembly", "member"])
            AgendaItem(assembly=locked, position=1, kind=kind, title=title, text=text).clean()
            request.save()
        return request

    def accept(self, by, now=None) -> AgendaItem:
        """An officer accepts: the item goes at the end of the agenda, not put there by the
        officers (blank proxies vote against such a resolution)."""
        now = now or timezone.now()
        with transaction.atomic():
            # Locked with the assembly, like every agenda change: positions stay unique.
            assembly = Assembly.objects.select_for_update().get(pk=self.assembly_id)
            officer = rules().require(by, "answer_item_request", assembly)
            request = ItemRequest.objects.select_for_update().get(pk=self.pk)
            request._still_pending()
            item = AgendaItem.objects.create(
                assembly=assembly,
                position=assembly.items.count() + 1,
                kind=request.kind,
                title=request.title,
                text=request.text,
                put_by_officers=False,
            )
            request.status = self.Status.ACCEPTED
            request.item = item
            request.decided_by, request.decided_at = officer, now
            request.save(update_fields=["status", "item", "decided_by", "decided_at"])
            from commun.assemblies import tasks

            # The members were convened to another agenda: each is told of the new item.
            transaction.on_commit(lambda: tasks.send_added_item.enqueue(item.pk))
        self.refresh_from_db()
        return item

    def refuse(self, by, reason: str, now=None) -> None:
        """An officer refuses, saying why; the member is told by email (the worker sends it
        once this is committed)."""
        now = now or timezone.now()
        reason = (reason or "").strip()
        with transaction.atomic():
            assembly = Assembly.objects.select_for_update().get(pk=self.assembly_id)
            officer = rules().require(by, "answer_item_request", assembly)
            request = ItemRequest.objects.select_for_update().get(pk=self.pk)
            request._still_pending()
            if not reason:
                raise ValidationError({"reason": _("Dites pourquoi la demande est refusée.")})
            request.status = self.Status.REFUSED
            request.reason = reason
            request.decided_by, request.decided_at = officer, now
            request.full_clean(exclude=["assembly", "member", "decided_by", "item"])
            request.save(update_fields=["status", "reason", "decided_by", "decided_at"])
            request._tell_the_refusal(assembly)
        self.refresh_from_db()

    def _still_pending(self):
        if self.status != self.Status.PENDING:
            raise ValidationError(_("Cette demande a déjà reçu une réponse."))

    def _tell_the_refusal(self, assembly: Assembly):
        from commun.core.mail import notify

        member = Member.objects.select_related("user").get(pk=self.member_id)
        url = settings.SITE_URL + reverse("assemblies:assembly", args=[assembly.pk])
        notify(
            [member.user.email],
            "assemblies/emails/item_request_refused.txt",
            {"assembly": assembly, "request": self, "member": member, "url": url},
            member.language or "fr",
        )


def too_late(assembly: Assembly) -> str:
    """Why a request is refused once the statutes' deadline has passed."""
    return _(
        "Les statuts demandent qu'une demande d'inscription arrive %(days)s jours au moins "
        "avant l'assemblée : le délai a pris fin le %(date)s."
    ) % {
        "days": assembly.rules["requests_deadline_days"],
        "date": date_format(
            timezone.localtime(assembly.requests_deadline), "SHORT_DATETIME_FORMAT"
        ),
    }


def shown_to(who, assembly: Assembly):
    """The requests a person sees on the page: every one for the officers, their own for a
    member convened, none for anyone else."""
    from commun.assemblies.rules import is_convened, is_officer

    found = assembly.requests.select_related("member", "item")
    if is_officer(who):
        return found
    member = rules().active_member(who)
    if is_convened(member, assembly):
        return found.filter(member=member)
    return found.none()
