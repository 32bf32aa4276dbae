"""Giving back: the upstream projects we rely on, splits of the commons fund, and gifts.

The commons fund (1068-COMMUNS) is filled at the year close. An officer opens a split of
(part of) it: a dot vote (score decision) among all members, one option per active
project. When the vote closes, `receivers.py` plans one gift per project with its share;
an officer then records each payment, which `ledger.funds.give()` books and refuses beyond
the fund. A paid gift is cancelled by the reversal of its transaction, never deleted.

The fund is never promised twice: a split (when it opens, and again when its vote adopts
it) and a direct gift (when it is planned) must fit in `commons_fund().available_cents`,
the fund less what splits still voting and planned gifts have promised and not yet paid.

Locks, always in this order: the gift row (or the split row), then the books' row. Every
promise is made under the books' lock, so two promises never both fit in the same euros.
"""

import dataclasses
import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commun.ledger import funds
from commun.ledger.labels import system_label
from commun.ledger.models import MAX_AMOUNT_CENTS, Books, Transaction, check_booking_date
from commun.lib.money import format_cents, is_whole_cents
from commun.lib.text import clean_text
from commun.upstream import rules

SUBJECT_KIND = "commons_split"
POINTS_PER_VOTER = 100
DEFAULT_DAYS = 14
MAX_DAYS = 90
MAX_NAME = 100
MAX_USED_FOR = 300
MAX_REFERENCE = 200


def _user(by):
    return getattr(by, "user", by)


def check_cents(cents, field: str = "amount_cents") -> int:
    if not is_whole_cents(cents) or cents <= 0:
        raise ValidationError(
            {field: _("Un montant est un nombre entier de centimes, supérieur à zéro.")}
        )
    if cents > MAX_AMOUNT_CENTS:
        raise ValidationError({field: _("Ce montant dépasse la limite admise.")})
    return cents


def _promise_refused(cents: int, fund: "CommonsFund", *, gift: bool = False) -> str:
    """Why a split (or a gift) does not fit, naming what the fund still has available."""
    figures = {
        "amount": format_cents(cents),
        "available": format_cents(max(fund.available_cents, 0)),
        "held": format_cents(fund.held_cents),
        "promised": format_cents(fund.promised_cents),
    }
    if not fund.promised_cents and gift:
        text = _(
            "Ce don (%(amount)s) dépasse ce que contient le fonds pour les communs amont "
            "(%(held)s)."
        )
    elif not fund.promised_cents:
        text = _(
            "Cette répartition (%(amount)s) dépasse ce que contient le fonds pour les communs "
            "amont (%(held)s)."
        )
    elif gift:
        text = _(
            "Ce don (%(amount)s) dépasse ce qui reste disponible dans le fonds pour les communs "
            "amont : %(available)s (le fonds contient %(held)s, dont %(promised)s déjà promis "
            "et pas encore versés)."
        )
    else:
        text = _(
            "Cette répartition (%(amount)s) dépasse ce qui reste disponible dans le fonds pour "
            "les communs amont : %(available)s (le fonds contient %(held)s, dont %(promised)s "
            "déjà promis et pas encore versés)."
        )
    return text % figures


# Projects ----------------------------------------------------------------------------------


class UpstreamProject(models.Model):
    """A free software project the cooperative relies on, and may give back to."""

    name = models.CharField(gettext_lazy("nom"), max_length=MAX_NAME)
    url = models.URLField(gettext_lazy("adresse"), max_length=300)
    used_for = models.CharField(
        gettext_lazy("ce que nous en faisons"),
        max_length=MAX_USED_FOR,
        help_text=gettext_lazy("En une phrase : ce que la coopérative lui doit."),
    )
    is_active = models.BooleanField(
        gettext_lazy("actif"),
        default=True,
        help_text=gettext_lazy("Seuls les projets actifs entrent dans une nouvelle répartition."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = gettext_lazy("projet amont")
        verbose_name_plural = gettext_lazy("projets amont")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="upstream_project_unique_name",
                violation_error_message=gettext_lazy("Un projet porte déjà ce nom."),
            ),
            models.CheckConstraint(condition=~Q(name=""), name="upstream_project_has_a_name"),
            models.CheckConstraint(condition=~Q(url=""), name="upstream_project_has_an_url"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.name = " ".join((self.name or "").split())
        self.used_for = " ".join((self.used_for or "").split())
        if not self.name:
            raise ValidationError({"name": _("Donnez le nom du projet.")})
        clash = UpstreamProject.objects.filter(name__iexact=self.name).exclude(pk=self.pk)
        if clash.exists():
            raise ValidationError({"name": _("Un projet porte déjà ce nom.")})
        if not (self.url or "").startswith(("https://", "http://")):
            raise ValidationError({"url": _("Indiquez l'adresse du projet (https://…).")})

    def delete(self, *args, **kwargs):
        if self.gifts.exists():
            raise ValidationError(
                _("Ce projet a reçu ou doit recevoir un don : désactivez-le plutôt.")
            )
        return super().delete(*args, **kwargs)


# Splits ------------------------------------------------------------------------------------


class CommonsSplitQuerySet(models.QuerySet):
    def with_payments(self):
        """Each split with what its gifts paid and still plan (for its promised/paid/left)."""
        return self.annotate(
            gifts_paid_cents=Coalesce(
                Sum("gifts__amount_cents", filter=Q(gifts__status="paid")), 0
            ),
            gifts_planned_cents=Coalesce(
                Sum("gifts__amount_cents", filter=Q(gifts__status="planned")), 0
            ),
        )

    def open(
        self,
        by,
        *,
        amount_cents: int | None = None,
        days: int = DEFAULT_DAYS,
        now: datetime.datetime | None = None,
    ) -> "CommonsSplit":
        """Open a dot vote that splits `amount_cents` (default: all that is available) among
        the active projects; refused above what the fund has not yet promised."""
        from commun.decisions.models import Decision
        from commun.deliberation.models import Space

        member = rules.require(by, "open_split")
        now = now or timezone.now()
        if type(days) is not int or not 1 <= days <= MAX_DAYS:
            raise ValidationError(
                {"days": _("Le vote dure de 1 à %(max)s jours.") % {"max": MAX_DAYS}}
            )
        if amount_cents is not None:
            check_cents(amount_cents)
        projects = list(UpstreamProject.objects.filter(is_active=True).order_by("name", "pk"))
        if len(projects) < 2:
            raise ValidationError(_("Une répartition se fait entre au moins deux projets actifs."))
        with transaction.atomic():
            # Read under the lock every gift and every promise takes: two splits opened at
            # once never both count the same euros as available.
            Books.locked()
            fund = commons_fund()
            amount = fund.available_cents if amount_cents is None else amount_cents
            if fund.held_cents <= 0:
                raise ValidationError(
                    {"amount_cents": _("Le fonds pour les communs amont est vide.")}
                )
            if amount <= 0:
                raise ValidationError(
                    {
                        "amount_cents": _(
                            "Tout le fonds pour les communs amont est déjà promis "
                            "(%(promised)s) : rien n'est disponible."
                        )
                        % {"promised": format_cents(fund.promised_cents)}
                    }
                )
            if amount > fund.available_cents:
                raise ValidationError({"amount_cents": _promise_refused(amount, fund)})
            split = self.create(amount_cents=amount, opened_by=member, created_at=now)
            space = Space.objects.cooperative()
            title = _(
                "Répartir %(amount)s du fonds pour les communs amont (répartition n°%(n)s)"
            ) % {
                "amount": format_cents(amount),
                "n": split.pk,
            }
            body = _(
                "Le fonds pour les communs amont reverse une part de nos bénéfices aux équipes "
                "des logiciels libres dont nous dépendons. Chacun·e répartit %(points)s points "
                "entre les projets ci-dessous ; %(amount)s seront partagés en proportion des "
                "points reçus, puis versés par les responsables."
            ) % {"points": POINTS_PER_VOTER, "amount": format_cents(amount)}
            decision = Decision.objects.open_about(
                SUBJECT_KIND,
                split.pk,
                author=member,
                title=title,
                body=body,
                now=now,
                kind=Decision.Kind.SCORE,
                scope=Decision.Scope.COOPERATIVE,
                visibility=Decision.Visibility.PUBLIC
                if space.visibility == Space.Visibility.PUBLIC
                else Decision.Visibility.MEMBERS,
                # Early closing still needs everyone to have voted; one day to talk first.
                min_deliberation=datetime.timedelta(days=1 if days > 1 else 0),
                closes_at=now + datetime.timedelta(days=days),
                options=[(project.name, project.used_for) for project in projects],
                points_per_voter=POINTS_PER_VOTER,
            )
            options = list(decision.options.order_by("position", "pk"))
            SplitCandidate.objects.bulk_create(
                SplitCandidate(split=split, project=project, option=option)
                for project, option in zip(projects, options, strict=True)
            )
            split.decision = decision
            split.save(update_fields=["decision"])
        return split


class CommonsSplit(models.Model):
    """Members split an amount of the commons fund among the projects by a dot vote."""

    class Status(models.TextChoices):
        VOTING = "voting", gettext_lazy("Vote en cours")
        PLANNED = "planned", gettext_lazy("Répartie : dons prévus")
        LAPSED = "lapsed", gettext_lazy("Caduque : rien n'est prévu")
        WITHDRAWN = "withdrawn", gettext_lazy("Retirée : rien n'est prévu")

    amount_cents = models.BigIntegerField(gettext_lazy("montant à répartir (centimes)"))
    status = models.CharField(
        gettext_lazy("état"), max_length=20, choices=Status, default=Status.VOTING
    )
    decision = models.OneToOneField(
        "decisions.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commons_split",
    )
    projects = models.ManyToManyField(
        UpstreamProject, through="SplitCandidate", related_name="splits"
    )
    opened_by = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    settled_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CommonsSplitQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("répartition du fonds pour les communs")
        verbose_name_plural = gettext_lazy("répartitions du fonds pour les communs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0) & Q(amount_cents__lte=MAX_AMOUNT_CENTS),
                name="upstream_split_amount_positive",
            ),
        ]

    def __str__(self):
        return _("Répartition n°%(n)s") % {"n": self.pk}

    def get_absolute_url(self):
        return reverse("upstream:split", args=[self.pk])

    @property
    def paid_cents(self) -> int:
        """What its gifts paid (0 while voting)."""
        if not hasattr(self, "gifts_paid_cents"):
            self.gifts_paid_cents = self.gifts.paid().aggregate(t=Sum("amount_cents"))["t"] or 0
        return self.gifts_paid_cents

    @property
    def remaining_cents(self) -> int:
        """What it still promises and has not paid: all of it while voting, then its
        planned gifts."""
        if self.status == self.Status.VOTING:
            return self.amount_cents
        if self.status != self.Status.PLANNED:
            return 0
        if not hasattr(self, "gifts_planned_cents"):
            planned = self.gifts.filter(status=Gift.Status.PLANNED)
            self.gifts_planned_cents = planned.aggregate(t=Sum("amount_cents"))["t"] or 0
        return self.gifts_planned_cents

    @property
    def promised_cents(self) -> int:
        """What it promised out of the fund: paid and still to pay (cancelled gifts aside)."""
        return self.paid_cents + self.remaining_cents

    def status_label(self) -> str:
        """Its state in words; a split whose gifts are all paid says so, a partly paid one
        says what remains."""
        if self.status != self.Status.PLANNED:
            return self.get_status_display()
        if not self.remaining_cents:
            return _("Répartie : dons versés") if self.paid_cents else _("Répartie : dons annulés")
        if not self.paid_cents:
            return self.get_status_display()
        return _("Répartie : %(paid)s versés, %(remaining)s restent à verser") % {
            "paid": format_cents(self.paid_cents),
            "remaining": format_cents(self.remaining_cents),
        }

    def settle(self, decision) -> list["Gift"]:
        """Plan one gift per project with its share once the vote closed (called at its close).

        Adopted: the amount is split in proportion of the points, to the cent, if the fund
        still covers it after the promises made before it (else ValidationError, and the
        decision's close refuses the adoption); lapsed, rejected or withdrawn: nothing.
        """
        with transaction.atomic():
            # Settled once, whatever calls it twice (a retried close, a second receiver).
            split = CommonsSplit.objects.select_for_update().get(pk=self.pk)
            if split.status != self.Status.VOTING:
                return []
            gifts = []
            shares = None
            if decision.outcome == decision.Outcome.ADOPTED:
                shares = decision.split_amount(split.amount_cents)
            if shares:
                # Checked again under the books' lock: the fund may have shrunk since opening.
                Books.locked()
                fund = commons_fund(before=split)
                if split.amount_cents > fund.available_cents:
                    raise ValidationError(
                        _promise_refused(split.amount_cents, fund),
                        code="over_fund",
                    )
                by_option = dict(split.candidates.values_list("option_id", "project_id"))
                gifts = Gift.objects.bulk_create(
                    Gift(
                        split=split,
                        project_id=by_option[option_id],
                        amount_cents=cents,
                        created_at=decision.closed_at or timezone.now(),
                    )
                    for option_id, cents in sorted(shares.items())
                    if cents > 0
                )
                split.status = self.Status.PLANNED
            elif decision.outcome == decision.Outcome.WITHDRAWN:
                split.status = self.Status.WITHDRAWN
            else:
                split.status = self.Status.LAPSED
            split.settled_at = decision.closed_at or timezone.now()
            split.save(update_fields=["status", "settled_at"])
        self.refresh_from_db()
        return gifts


class SplitCandidate(models.Model):
    """A project in a split, and the option that stands for it in the vote."""

    split = models.ForeignKey(CommonsSplit, on_delete=models.CASCADE, related_name="candidates")
    project = models.ForeignKey(UpstreamProject, on_delete=models.PROTECT, related_name="+")
    option = models.OneToOneField(
        "decisions.Option", on_delete=models.PROTECT, related_name="upstream_candidate"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["split", "project"], name="upstream_candidate_once")
        ]

    def __str__(self):
        return f"{self.split_id} {self.project_id}"


# Gifts -------------------------------------------------------------------------------------


class GiftQuerySet(models.QuerySet):
    def paid(self):
        return self.filter(status=Gift.Status.PAID)

    def plan(self, by, *, project: UpstreamProject, amount_cents: int, reference: str) -> "Gift":
        """A gift decided otherwise than by a split (an assembly, a consent decision…)."""
        member = rules.require(by, "plan_gift")
        check_cents(amount_cents)
        reference = clean_text(
            " ".join((reference or "").split()),
            "reference",
            _("Dites ce qui a décidé ce don (une décision, une assemblée…)."),
            MAX_REFERENCE,
        )
        if project is None or project.pk is None:
            raise ValidationError({"project": _("Ce projet n'existe pas.")})
        with transaction.atomic():
            Books.locked()  # the same lock as every other promise: the fund is promised once
            fund = commons_fund()
            if amount_cents > fund.available_cents:
                raise ValidationError(
                    {"amount_cents": _promise_refused(amount_cents, fund, gift=True)}
                )
            return self.create(
                project=project, amount_cents=amount_cents, reference=reference, created_by=member
            )


class Gift(models.Model):
    """Money given to an upstream project: planned, then paid out of the fund (or cancelled)."""

    class Status(models.TextChoices):
        PLANNED = "planned", gettext_lazy("Prévu")
        PAID = "paid", gettext_lazy("Versé")
        CANCELLED = "cancelled", gettext_lazy("Annulé")

    project = models.ForeignKey(
        UpstreamProject,
        on_delete=models.PROTECT,
        related_name="gifts",
        verbose_name=gettext_lazy("projet"),
    )
    split = models.ForeignKey(
        CommonsSplit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gifts",
        verbose_name=gettext_lazy("répartition"),
    )
    reference = models.CharField(
        gettext_lazy("décidé par"),
        max_length=MAX_REFERENCE,
        blank=True,
        help_text=gettext_lazy("Pour un don direct : la décision ou l'assemblée qui l'a décidé."),
    )
    amount_cents = models.BigIntegerField(gettext_lazy("montant (centimes)"))
    status = models.CharField(
        gettext_lazy("état"), max_length=20, choices=Status, default=Status.PLANNED
    )
    paid_on = models.DateField(gettext_lazy("versé le"), null=True, blank=True)
    transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="upstream_gift"
    )
    cancellation = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = GiftQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("don à un projet amont")
        verbose_name_plural = gettext_lazy("dons aux projets amont")
        ordering = ["-paid_on", "-pk"]
        indexes = [models.Index(fields=["status", "paid_on"], name="upstream_gift_paid")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0) & Q(amount_cents__lte=MAX_AMOUNT_CENTS),
                name="upstream_gift_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(split__isnull=False) | ~Q(reference=""),
                name="upstream_gift_decided_somewhere",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="planned", transaction__isnull=True, paid_on__isnull=True)
                    | Q(status="paid", transaction__isnull=False, paid_on__isnull=False)
                    | Q(status="cancelled")
                ),
                name="upstream_gift_paid_iff_booked",
            ),
            models.CheckConstraint(
                condition=Q(cancellation__isnull=True)
                | Q(status="cancelled", transaction__isnull=False),
                name="upstream_gift_reversal_of_a_payment",
            ),
            models.UniqueConstraint(
                fields=["split", "project"],
                condition=Q(split__isnull=False),
                name="upstream_gift_one_per_project_and_split",
            ),
        ]

    def __str__(self):
        return f"{self.project} {format_cents(self.amount_cents)}"

    def label(self) -> str:
        """The ledger's label (in French: the books are kept in the cooperative's language)."""
        if self.split_id:
            return system_label("gift_from_split", project=self.project.name, split=self.split_id)
        return system_label("direct_gift", project=self.project.name, reference=self.reference)

    def pay(self, by, on: datetime.date, idempotency_key: str) -> "Gift":
        """Record the payment: the fund pays it, never beyond what it holds.

        A retry with the same key answers the same payment; nothing is written on refusal.
        """
        member = rules.require(by, "pay_gift")
        if not isinstance(on, datetime.date) or isinstance(on, datetime.datetime):
            raise ValidationError({"on": _("La date du versement est invalide.")})
        check_booking_date(on, field="on")  # an open year, not after today: the ledger's rule
        key = (idempotency_key or "").strip()
        if not 1 <= len(key) <= 100:
            raise ValidationError(
                {
                    "idempotency_key": _(
                        "La clé d'idempotence est obligatoire (100 caractères au plus)."
                    )
                }
            )
        with transaction.atomic():
            # Two officers paying the same gift at once: the second waits, then sees it paid.
            gift = (
                Gift.objects.select_for_update(of=("self",))
                .select_related("project")
                .get(pk=self.pk)
            )
            if gift.status == self.Status.PAID and gift.transaction.idempotency_key == key:
                self.refresh_from_db()
                return self  # a retried request, answered with what it booked
            if gift.status != self.Status.PLANNED:
                raise ValidationError(
                    _("Ce don est déjà %(status)s : il ne se verse plus.")
                    % {"status": gift.get_status_display().lower()},
                    code="not_planned",
                )
            if Transaction.objects.filter(idempotency_key=key).exists():
                raise ValidationError(
                    {
                        "idempotency_key": _(
                            "Cette clé d'idempotence a déjà servi pour une autre écriture : "
                            "rien n'a été enregistré."
                        )
                    }
                )
            gift.transaction = funds.give(
                gift.amount_cents,
                label=gift.label(),
                idempotency_key=key,
                on=on,
                by=_user(member),
            )
            gift.status = self.Status.PAID
            gift.paid_on = on
            gift.save(update_fields=["transaction", "status", "paid_on"])
        self.refresh_from_db()
        return self

    def cancel(self, by, on: datetime.date | None = None) -> "Gift":
        """Cancel a planned gift, or a paid one by booking the reversal of its payment."""
        member = rules.require(by, "cancel_gift")
        on = on or timezone.localdate()
        with transaction.atomic():
            # Cancelled once: a payment and its cancellation never cross.
            gift = (
                Gift.objects.select_for_update(of=("self",))
                .select_related("project", "transaction")
                .get(pk=self.pk)
            )
            if gift.status == self.Status.CANCELLED:
                raise ValidationError(_("Ce don est déjà annulé."), code="cancelled")
            if gift.status == self.Status.PAID:
                gift.cancellation = gift.transaction.reverse(
                    system_label(
                        "gift_cancellation",
                        project=gift.project.name,
                        number=gift.transaction.number,
                    ),
                    idempotency_key=f"upstream-gift-{gift.pk}-cancel",
                    on=max(on, gift.transaction.date),
                    by=_user(member),
                )
            gift.status = self.Status.CANCELLED
            gift.save(update_fields=["status", "cancellation"])
        self.refresh_from_db()
        return self


# The fund ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CommonsFund:
    """The commons fund now: what it holds, what is promised out of it and not yet paid."""

    held_cents: int
    promised_cents: int

    @property
    def available_cents(self) -> int:
        """What a new split or gift may still promise (below zero if over-promised)."""
        return self.held_cents - self.promised_cents


def commons_fund(*, before: CommonsSplit | None = None) -> CommonsFund:
    """The fund and its promises: splits still voting and planned gifts. The one place
    "available" is computed, for the pages, the API and the guards.

    `before`: only the splits opened before that one count (its adoption is checked
    against the promises made first, so the earlier split is served first).
    """
    voting = CommonsSplit.objects.filter(status=CommonsSplit.Status.VOTING)
    if before is not None:
        voting = voting.filter(pk__lt=before.pk)
    promised = (voting.aggregate(t=Sum("amount_cents"))["t"] or 0) + (
        Gift.objects.filter(status=Gift.Status.PLANNED).aggregate(t=Sum("amount_cents"))["t"] or 0
    )
    return CommonsFund(held_cents=funds.commons_fund_cents(), promised_cents=promised)
