"""Needs, the missions that meet them, and the money each mission is given and spends.

A mission's life: draft → submitted (a consent decision is open) → adopted (its full cost
is committed from the reserve) → closing (the review decision is open) → closed (what was
not spent goes back to the reserve); or rejected, or withdrawn. Money only moves through
`commun.ledger.funds`, which checks every amount against its fund under the books' lock.

Locks, always in this order so that two changes never wait on each other: the decision,
then the top-up, then the mission, then its payment, then the need, then the books.
"""

import calendar
import datetime
import hashlib
import re
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from commun.budgets import rules
from commun.budgets.signals import mission_adopted
from commun.ledger import funds
from commun.ledger.labels import system_label
from commun.ledger.models import check_booking_date
from commun.lib import markdown, payroll
from commun.lib.dates import date_format
from commun.lib.money import format_cents, is_whole_cents
from commun.lib.text import clean_text
from commun.members.models import College, Member
from commun.privacy.declarations import ACCOUNTING, BUDGETS, Audience, Erasure, personal

MAX_TITLE_LENGTH = 200
# A page waits this long at most for an estimate the worker computes (the request's bound is
# 1 s), looking in the cache every ESTIMATE_POLL_SECONDS.
ESTIMATE_WAIT_SECONDS = 0.8
ESTIMATE_POLL_SECONDS = 0.05
# A draft's own page waits less: it has the rest of the mission to show within that bound.
MISSION_PAGE_WAIT_SECONDS = 0.3
MAX_TEXT_LENGTH = 20_000
MAX_REASON_LENGTH = 2_000
MAX_NOTE_LENGTH = 500
MAX_AMOUNT_CENTS = 1_000_000_000  # ten million euros: past that, surely a typing error
MAX_HOURS = 100_000
MAX_HOURLY_RATE_CENTS = 100_000  # 1,000 € an hour
MAX_VAT_BP = 10_000
MAX_KEY_LENGTH = 64
MISSION = "mission"
TOP_UP = "mission_top_up"
REVIEW = "mission_review"
SUBJECT_KINDS = (MISSION, TOP_UP, REVIEW)


COST_IN_PROSE = gettext_lazy(
    "Le coût complet se calcule depuis la rémunération demandée, et le texte de la décision "
    "l'écrit lui-même : ne le recopiez pas ici, changez plutôt la rémunération."
)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _user(by):
    """The user a ledger row names: `by` may be a member or a user."""
    return getattr(by, "user", by)


def _round(value) -> int:
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _rate_in_percent(rate: Decimal) -> str:
    """0.06 → "6", 0.065 → "6,5" (with the reader's decimal separator)."""
    text = format((Decimal(rate) * 100).normalize(), "f")
    return text.replace(".", formats.get_format("DECIMAL_SEPARATOR"))


def _percent(basis_points: int) -> str:
    value = Decimal(basis_points) / 100
    return f"{value.normalize():f}".replace(".", ",") + "\u00a0%"


# Settings ------------------------------------------------------------------------------------


class BudgetSettings(models.Model):
    """How this cooperative decides its missions and estimates their cost (one row)."""

    class Deciders(models.TextChoices):
        MEMBERS = "members", gettext_lazy("Toutes et tous les associé·es")
        OFFICERS = "officers", gettext_lazy("Les responsables")
        COLLEGE = "college", gettext_lazy("Un collège")

    deciders = models.CharField(
        gettext_lazy("qui décide des missions"),
        max_length=20,
        choices=Deciders,
        default=Deciders.MEMBERS,
    )
    college = models.ForeignKey(
        College,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("collège qui décide"),
    )
    min_deliberation_days = models.PositiveSmallIntegerField(
        gettext_lazy("durée minimale de délibération (jours)"), default=7
    )
    deadline_days = models.PositiveSmallIntegerField(
        gettext_lazy("échéance de la décision (jours)"), default=14
    )
    country = models.CharField(gettext_lazy("pays (code ISO)"), max_length=2, default="FR")
    net_ratio = models.DecimalField(
        gettext_lazy("ratio net / brut"),
        max_digits=4,
        decimal_places=3,
        default=payroll.DEFAULT_NET_RATIO,
    )
    employer_ratio = models.DecimalField(
        gettext_lazy("ratio coût employeur / brut"),
        max_digits=4,
        decimal_places=3,
        default=payroll.DEFAULT_EMPLOYER_RATIO,
    )
    headcount = models.PositiveIntegerField(
        gettext_lazy("effectif salarié"), default=payroll.DEFAULT_HEADCOUNT
    )
    # The employer's own figures, from its notifications and agreements (docs/payroll.md).
    accident_rate_percent = models.DecimalField(
        gettext_lazy("taux AT/MP notifié (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=gettext_lazy(
            "Celui de la notification de la CARSAT ; vide : le taux moyen du moteur de paie."
        ),
    )
    commune = models.CharField(
        gettext_lazy("commune de l'établissement (code INSEE)"),
        max_length=5,
        blank=True,
        help_text=gettext_lazy(
            "Pour le versement mobilité (dès 11 salarié·es) et le régime local "
            "d'Alsace-Moselle ; ex. 75101 pour Paris 1er."
        ),
    )
    mutuelle_cents = models.PositiveIntegerField(
        gettext_lazy("part employeur de la mutuelle (centimes par mois)"), default=0
    )
    prevoyance_rate_percent = models.DecimalField(
        gettext_lazy("taux de prévoyance employeur (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
    )
    end_of_contract_rate_percent = models.DecimalField(
        gettext_lazy("indemnité de fin de CDD (%)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal(10),
        help_text=gettext_lazy("10 % selon la loi ; 6 % si un accord de branche le prévoit."),
    )

    class Meta:
        verbose_name = gettext_lazy("réglages des budgets")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="budget_settings_single"),
            models.CheckConstraint(
                condition=Q(deciders="college", college__isnull=False)
                | (Q(deciders__in=["members", "officers"]) & Q(college__isnull=True)),
                name="budget_settings_college_iff_college",
            ),
            models.CheckConstraint(
                condition=Q(deadline_days__gt=models.F("min_deliberation_days"))
                & Q(deadline_days__lte=365),
                name="budget_settings_deadline_after_deliberation",
            ),
            models.CheckConstraint(
                condition=Q(net_ratio__gt=0) & Q(net_ratio__lte=1) & Q(employer_ratio__gte=1),
                name="budget_settings_ratios",
            ),
            models.CheckConstraint(condition=Q(headcount__gte=1), name="budget_settings_headcount"),
            models.CheckConstraint(
                condition=(
                    Q(accident_rate_percent__isnull=True)
                    | Q(accident_rate_percent__gte=0, accident_rate_percent__lte=50)
                )
                & Q(prevoyance_rate_percent__gte=0, prevoyance_rate_percent__lte=20)
                & Q(end_of_contract_rate_percent__gte=0, end_of_contract_rate_percent__lte=10)
                & Q(mutuelle_cents__lte=100_000),
                name="budget_settings_employer_rates",
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def get(cls) -> "BudgetSettings":
        settings, _created = cls.objects.get_or_create(pk=1)
        return settings

    def clean(self):
        errors = {}
        if self.deciders == self.Deciders.COLLEGE and self.college_id is None:
            errors["college"] = _("Choisissez le collège qui décide des missions.")
        if self.deciders != self.Deciders.COLLEGE:
            self.college = None
        if self.deadline_days is not None and self.min_deliberation_days is not None:
            if self.deadline_days <= self.min_deliberation_days:
                errors["deadline_days"] = _(
                    "L'échéance doit venir après la durée minimale de délibération."
                )
            if self.deadline_days > 365:
                errors["deadline_days"] = _("Une année au plus.")
        if self.net_ratio is not None and not 0 < self.net_ratio <= 1:
            errors["net_ratio"] = _("Le ratio net / brut doit être compris entre 0 et 1.")
        if self.employer_ratio is not None and self.employer_ratio < 1:
            errors["employer_ratio"] = _(
                "Le ratio coût employeur / brut ne peut pas être inférieur à 1."
            )
        errors |= self._employer_errors()
        if not (self.country or "").isalpha() or len(self.country or "") != 2:
            errors["country"] = _("Un code de pays s'écrit en deux lettres, ex. FR.")
        self.country = (self.country or "").upper()
        if errors:
            raise ValidationError(errors)

    def employer(self) -> payroll.Employer:
        """The employer's figures as the payroll engine takes them."""
        hundred = Decimal(100)
        return payroll.Employer(
            headcount=self.headcount,
            accident_rate=(
                None if self.accident_rate_percent is None else self.accident_rate_percent / hundred
            ),
            commune=self.commune,
            mutuelle_cents=self.mutuelle_cents,
            prevoyance_rate=self.prevoyance_rate_percent / hundred,
            end_of_contract_rate=self.end_of_contract_rate_percent / hundred,
        )

    def _employer_errors(self) -> dict:
        """Each employer's figure checked by the payroll engine, on its own field."""
        self.commune = (self.commune or "").strip().upper()
        errors = {}
        checks = {
            "accident_rate_percent": payroll.Employer(
                accident_rate=_percent_rate(self.accident_rate_percent)
            ),
            "commune": payroll.Employer(commune=self.commune),
            "mutuelle_cents": payroll.Employer(mutuelle_cents=self.mutuelle_cents or 0),
            "prevoyance_rate_percent": payroll.Employer(
                prevoyance_rate=_percent_rate(self.prevoyance_rate_percent) or Decimal(0)
            ),
            "end_of_contract_rate_percent": payroll.Employer(
                end_of_contract_rate=_percent_rate(self.end_of_contract_rate_percent) or Decimal(0)
            ),
        }
        for name, employer in checks.items():
            try:
                payroll.check_employer(employer)
            except ValueError as error:
                errors[name] = str(error)
        return errors

    def update(self, by, **values) -> "BudgetSettings":
        """An officer changes the settings: checked whole, saved whole."""
        rules.require(by, "edit_settings")
        with transaction.atomic():
            settings = BudgetSettings.objects.select_for_update().get(pk=self.pk)
            for name, value in values.items():
                setattr(settings, name, value)
            settings.full_clean()
            settings.save()
        self.refresh_from_db()
        return self


def _percent_rate(percent) -> Decimal | None:
    return None if percent is None else Decimal(percent) / 100


# Needs ---------------------------------------------------------------------------------------


class NeedQuerySet(models.QuerySet):
    def with_support(self):
        return self.annotate(support_count=Count("supports", distinct=True))

    def raise_need(self, by, *, title: str, description: str) -> "Need":
        """A member raises a need; anyone may read it."""
        member = rules.require(by, "raise_need")
        errors = {}
        title = clean_text(
            title, "title", _("Donnez un titre au besoin."), MAX_TITLE_LENGTH, errors
        )
        description = clean_text(
            description, "description", _("Décrivez le besoin."), MAX_TEXT_LENGTH, errors
        )
        if errors:
            raise ValidationError(errors)
        return self.create(title=title, description=description, raised_by=member)


class Need(models.Model):
    """Something the cooperative lacks, raised by a member and supported by others."""

    class Status(models.TextChoices):
        OPEN = "open", gettext_lazy("Ouvert")
        IN_PROGRESS = "in_progress", gettext_lazy("En cours")
        MET = "met", gettext_lazy("Satisfait")
        DROPPED = "dropped", gettext_lazy("Abandonné")

    LIVE = (Status.OPEN, Status.IN_PROGRESS)

    title = models.CharField(gettext_lazy("titre"), max_length=MAX_TITLE_LENGTH)
    description = personal(
        models.TextField(gettext_lazy("description (Markdown)")),
        BUDGETS,
        Audience.PUBLIC,
        Erasure.PSEUDONYMISE,
    )
    raised_by = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        related_name="needs",
        verbose_name=gettext_lazy("soulevé par"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    status = models.CharField(
        gettext_lazy("état"), max_length=20, choices=Status, default=Status.OPEN
    )
    status_reason = personal(
        models.TextField(gettext_lazy("raison"), blank=True),
        BUDGETS,
        Audience.PUBLIC,
        Erasure.PSEUDONYMISE,
    )
    status_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = NeedQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("besoin")
        verbose_name_plural = gettext_lazy("besoins")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "in_progress", "met", "dropped"]),
                name="need_status_known",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="need_has_a_title"),
            models.CheckConstraint(
                condition=Q(status__in=["open", "in_progress"]) | ~Q(status_reason=""),
                name="need_closed_with_a_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="need_status_created")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("budgets:need", args=[self.pk])

    @property
    def description_html(self) -> str:
        return markdown.render(self.description)

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    def support(self, by) -> bool:
        """Add `by`'s support (once); True when it was added now."""
        member = rules.require(by, "support_need", self)
        _created = NeedSupport.objects.get_or_create(need=self, member=member)[1]
        return _created

    def unsupport(self, by) -> bool:
        member = rules.require(by, "support_need", self)
        deleted, _rows = NeedSupport.objects.filter(need=self, member=member).delete()
        return bool(deleted)

    def set_status(self, by, status: str, reason: str) -> None:
        """The author or an officer marks the need met or dropped, saying why."""
        rules.require(by, "set_need_status", self)
        errors = {}
        if status not in (self.Status.MET, self.Status.DROPPED):
            errors["status"] = _("Un besoin se clôt comme satisfait ou abandonné.")
        reason = clean_text(
            reason, "reason", _("Dites en quelques mots pourquoi."), MAX_REASON_LENGTH, errors
        )
        if errors:
            raise ValidationError(errors)
        with transaction.atomic():
            need = Need.objects.select_for_update().get(pk=self.pk)  # two closes: one wins
            if not need.is_live:
                raise ValidationError(
                    {
                        "status": _("Ce besoin est déjà %(status)s.")
                        % {"status": need.get_status_display().lower()}
                    }
                )
            need._set(status, reason)
        self.refresh_from_db()

    def _set(self, status, reason="") -> None:
        self.status, self.status_reason = status, reason
        self.status_changed_at = timezone.now()
        self.save(update_fields=["status", "status_reason", "status_changed_at"])

    def start(self) -> None:
        """A mission on it was adopted: the need is in progress (called under the mission lock)."""
        updated = Need.objects.filter(pk=self.pk, status=self.Status.OPEN).update(
            status=self.Status.IN_PROGRESS, status_changed_at=timezone.now()
        )
        if updated:
            self.status = self.Status.IN_PROGRESS


class NeedSupport(models.Model):
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="supports")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="need_supports")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["need", "member"], name="need_supported_once")
        ]

    def __str__(self):
        return f"{self.member_id} → {self.need_id}"


# Missions ------------------------------------------------------------------------------------


class PayForm(models.TextChoices):
    SALARIED = "salaried", gettext_lazy("Salariat")
    INVOICE = "invoice", gettext_lazy("Facture")
    CO_REMUNERATION = "co_remuneration", gettext_lazy("Co-rémunération après coup")
    EXPENSES = "expenses", gettext_lazy("Remboursement de frais")
    VOLUNTEER = "volunteer", gettext_lazy("Bénévolat")


class Contract(models.TextChoices):
    CDD = "cdd", gettext_lazy("CDD")
    CDI = "cdi", gettext_lazy("CDI")


class AmountBasis(models.TextChoices):
    NET = "net", gettext_lazy("net")
    GROSS = "gross", gettext_lazy("brut")


# The fields each form of pay uses: the others are emptied before validation.
PAY_FIELDS = {
    PayForm.SALARIED: ("contract", "working_time_percent", "monthly_amount_cents", "amount_basis"),
    PayForm.INVOICE: ("amount_cents", "vat_rate_bp"),
    PayForm.CO_REMUNERATION: ("estimated_hours", "hourly_rate_cents"),
    PayForm.EXPENSES: ("amount_cents",),
    PayForm.VOLUNTEER: (),
}
ALL_PAY_FIELDS = (
    "contract",
    "working_time_percent",
    "monthly_amount_cents",
    "amount_basis",
    "amount_cents",
    "vat_rate_bp",
    "estimated_hours",
    "hourly_rate_cents",
)
# Salaried work says which payroll engine costed it; the other forms say what was counted.
ENGINE_LABELS = {
    **payroll.ENGINE_LABELS,
    "invoice": gettext_lazy("montant de la facture, TVA comprise"),
    "hours": gettext_lazy("estimation : heures prévues × taux horaire"),
    "expenses": gettext_lazy("estimation des frais"),
    "volunteer": gettext_lazy("bénévolat : aucun coût"),
    "contributors": gettext_lazy("somme des coûts de chaque contributeur ou contributrice"),
}


@dataclass
class Cost:
    """A mission's full cost to the cooperative, as computed now (always an estimate)."""

    total_cents: int
    engine: str
    engine_version: str = ""
    breakdown: dict = field(default_factory=dict)

    @property
    def engine_label(self) -> str:
        label = str(ENGINE_LABELS.get(self.engine, self.engine))
        return f"{label} {self.engine_version}" if self.engine_version else label

    @property
    def months(self) -> list[dict]:
        return self.breakdown.get("months", [])

    @property
    def month_rows(self) -> list[dict]:
        """The months with real dates, for a table; an estimate stored before the cash
        timeline existed is paid as its accrual."""
        return [
            row
            | {
                "month": datetime.date.fromisoformat(row["month"]),
                "cash_cents": row.get("cash_cents", row["employer_cost_cents"]),
            }
            for row in self.months
        ]

    @property
    def totals(self) -> dict:
        return self.breakdown.get("total", {})

    @property
    def is_sum(self) -> bool:
        """Whether this is several contributors' costs added up (`_cost_of_parts`)."""
        return self.engine == "contributors"


# How a salaried contract runs, beside its pay; they keep their defaults for other forms.
SALARY_OPTIONS = ("cadre", "paid_leave_taken", "end_of_contract_due")

# One person's pay: the fields a co-contributor has of a mission's terms.
PAY_TERMS = ("pay_form", *ALL_PAY_FIELDS, *SALARY_OPTIONS)

# The terms of a mission: what it does and what it costs. They are the mission's while it is
# a draft; from submission on, each version of its decision's text states one version of
# them (MissionVersion), and the mission holds the latest, or the one adopted.
TERMS = (
    "title",
    "scope",
    "deliverables",
    "start_on",
    "duration_months",
    "pay_form",
    *ALL_PAY_FIELDS,
    *SALARY_OPTIONS,
)
COST_FIELDS = ("full_cost_cents", "cost_engine", "cost_breakdown")
# Prose that states a full cost would contradict the one the text generates from the terms.
STATES_A_COST = re.compile(r"(co[uû]ts?\s+complets?|full\s+cost)[^\n]*\d", re.IGNORECASE)


# What the database asks of each form of pay, on a mission and on a co-contributor alike.
PAY_FITS_ITS_FORM = (
    Q(
        pay_form="volunteer",
        monthly_amount_cents__isnull=True,
        amount_cents__isnull=True,
        hourly_rate_cents__isnull=True,
        estimated_hours__isnull=True,
    )
    | Q(
        pay_form="salaried",
        contract__in=["cdd", "cdi"],
        working_time_percent__gte=1,
        working_time_percent__lte=100,
        monthly_amount_cents__gt=0,
        amount_basis__in=["net", "gross"],
    )
    | Q(
        pay_form="invoice",
        amount_cents__gt=0,
        vat_rate_bp__gte=0,
        vat_rate_bp__lte=MAX_VAT_BP,
    )
    | Q(pay_form="co_remuneration", estimated_hours__gt=0, hourly_rate_cents__gt=0)
    | Q(pay_form="expenses", amount_cents__gt=0)
)


class PayTerms:
    """One person's pay on a mission and its cost: the proposer's (on the mission's own
    terms) or a co-contributor's (`MissionContributor`), checked and costed alike."""

    @property
    def vat_cents(self) -> int:
        return _round(Decimal(self.amount_cents or 0) * (self.vat_rate_bp or 0) / MAX_VAT_BP)

    @property
    def pay_asked(self) -> str:
        """The pay asked, in one sentence naming every term that sets its cost: members
        consent to it, so two pays that cost differently never read the same."""
        match self.pay_form:
            case PayForm.SALARIED:
                return ", ".join(
                    [
                        ngettext(
                            "%(contract)s à %(percent)s %%, %(amount)s %(basis)s par mois pendant "
                            "%(months)s mois à partir du %(start)s",
                            "%(contract)s à %(percent)s %%, %(amount)s %(basis)s par mois pendant "
                            "%(months)s mois à partir du %(start)s",
                            self.duration_months,
                        )
                        % {
                            "contract": self.get_contract_display(),
                            "percent": self.working_time_percent,
                            "amount": format_cents(self.monthly_amount_cents),
                            "basis": self.get_amount_basis_display(),
                            "months": self.duration_months,
                            "start": date_format(self.start_on, "DATE_FORMAT"),
                        },
                        *self._contract_options(),
                    ]
                )
            case PayForm.INVOICE:
                return _("Facture de %(amount)s HT, TVA %(rate)s (%(total)s TTC)") % {
                    "amount": format_cents(self.amount_cents),
                    "rate": _percent(self.vat_rate_bp or 0),
                    "total": format_cents((self.amount_cents or 0) + self.vat_cents),
                }
            case PayForm.CO_REMUNERATION:
                return _(
                    "Co-rémunération après coup : %(hours)s h prévues × %(rate)s de l'heure "
                    "(heures réelles déclarées au paiement)"
                ) % {"hours": self.estimated_hours, "rate": format_cents(self.hourly_rate_cents)}
            case PayForm.EXPENSES:
                return _("Remboursement de frais estimés à %(amount)s") % {
                    "amount": format_cents(self.amount_cents)
                }
            case PayForm.VOLUNTEER:
                return _("Bénévolat : aucune rémunération")
        return ""

    def _contract_options(self) -> list[str]:
        """How the contract runs, in words: cadre or not and, for a CDD (a CDI owes neither
        indemnity), how its leave is paid and whether its end-of-contract indemnity is due."""
        options = [_("cadre") if self.cadre else _("non cadre")]
        if self.contract != Contract.CDD:
            return options
        options.append(
            _("congés pris pendant le contrat")
            if self.paid_leave_taken
            else _("congés payés en indemnité")
        )
        if self.end_of_contract_due:
            options.append(
                _("indemnité de fin de contrat de %(rate)s %%")
                % {"rate": _rate_in_percent(self.end_of_contract_rate())}
            )
        else:
            options.append(_("sans indemnité de fin de contrat"))
        return options

    def end_of_contract_rate(self) -> Decimal:
        """The end-of-contract indemnity rate this pay is priced at: the one its stored cost
        was computed with, else today's settings'."""
        stored = self.priced_with()
        if stored is None:
            return BudgetSettings.get().employer().end_of_contract_rate
        return Decimal(stored.get("end_of_contract_rate") or payroll.END_OF_CONTRACT_RATE)

    def priced_with(self) -> dict | None:
        """The employer's settings this pay's stored cost was computed with; None before it
        is costed."""
        return None

    def pay_cost(
        self,
        start_on: datetime.date,
        duration_months: int,
        settings: BudgetSettings | None = None,
        compute: bool = True,
    ) -> Cost:
        """This pay's full cost to the cooperative over those months, computed now (with
        `compute=False`, a salaried estimate not in the cache raises `EstimatePending`)."""
        match self.pay_form:
            case PayForm.SALARIED:
                settings = settings or BudgetSettings.get()
                basis = (
                    {"monthly_net_cents": self.monthly_amount_cents}
                    if self.amount_basis == AmountBasis.NET
                    else {"monthly_gross_cents": self.monthly_amount_cents}
                )
                estimate = payroll.salaried_cost(
                    contract=self.contract,
                    months=duration_months,
                    start=start_on,
                    working_time_percent=self.working_time_percent,
                    country=settings.country,
                    employer=settings.employer(),
                    cadre=self.cadre,
                    paid_leave_taken=self.paid_leave_taken,
                    end_of_contract_due=self.end_of_contract_due,
                    net_ratio=settings.net_ratio,
                    employer_ratio=settings.employer_ratio,
                    compute=compute,
                    **basis,
                )
                return Cost(
                    estimate.employer_cost_cents,
                    estimate.engine,
                    estimate.engine_version,
                    estimate.as_dict(),
                )
            case PayForm.INVOICE:
                total = self.amount_cents + self.vat_cents
                return Cost(
                    total,
                    "invoice",
                    breakdown={
                        "amount_excl_vat_cents": self.amount_cents,
                        "vat_rate_bp": self.vat_rate_bp,
                        "vat_cents": self.vat_cents,
                        "total_cents": total,
                    },
                )
            case PayForm.CO_REMUNERATION:
                total = self.estimated_hours * self.hourly_rate_cents
                return Cost(
                    total,
                    "hours",
                    breakdown={
                        "estimated_hours": self.estimated_hours,
                        "hourly_rate_cents": self.hourly_rate_cents,
                        "total_cents": total,
                    },
                )
            case PayForm.EXPENSES:
                return Cost(
                    self.amount_cents, "expenses", breakdown={"total_cents": self.amount_cents}
                )
        return Cost(0, "volunteer", breakdown={"total_cents": 0})

    def normalise(self) -> None:
        """Empty the pay fields this form of pay does not use."""
        used = PAY_FIELDS.get(self.pay_form, ALL_PAY_FIELDS)
        for name in ALL_PAY_FIELDS:
            if name not in used:
                setattr(self, name, "" if name in ("contract", "amount_basis") else None)

    def _clean_pay(self, errors: dict) -> None:
        """The fields its form of pay uses: each field's fault into `errors`."""

        def amount(name, message, maximum, positive=True):
            _check_amount(self, errors, name, message, maximum, positive)

        match self.pay_form:
            case PayForm.SALARIED:
                if self.contract not in Contract.values:
                    errors["contract"] = _("Choisissez un CDD ou un CDI.")
                wt = self.working_time_percent
                if not _is_int(wt) or not 1 <= wt <= 100:
                    errors["working_time_percent"] = _(
                        "Le temps de travail doit être compris entre 1 et 100 %."
                    )
                amount(
                    "monthly_amount_cents",
                    _("Indiquez le salaire mensuel."),
                    payroll.MAX_MONTHLY_CENTS,
                )
                if self.amount_basis not in AmountBasis.values:
                    errors["amount_basis"] = _("Dites si le salaire est net ou brut.")
            case PayForm.INVOICE:
                amount("amount_cents", _("Indiquez le montant hors taxes."), MAX_AMOUNT_CENTS)
                vat = self.vat_rate_bp
                if vat is None or not _is_int(vat) or not 0 <= vat <= MAX_VAT_BP:
                    errors["vat_rate_bp"] = _(
                        "Le taux de TVA est en points de base, de 0 à 10 000 (2000 = 20 %)."
                    )
            case PayForm.CO_REMUNERATION:
                amount("estimated_hours", _("Indiquez les heures prévues."), MAX_HOURS)
                amount("hourly_rate_cents", _("Indiquez le taux horaire."), MAX_HOURLY_RATE_CENTS)
            case PayForm.EXPENSES:
                amount("amount_cents", _("Indiquez le montant estimé des frais."), MAX_AMOUNT_CENTS)
            case PayForm.VOLUNTEER:
                pass
            case _:
                errors["pay_form"] = _(
                    "Forme de rémunération inconnue : salariat, facture, co-rémunération, "
                    "frais ou bénévolat."
                )


class MissionTerms(PayTerms, models.Model):
    """A mission's terms and their full cost, shared by the mission and its versions."""

    title = models.CharField(gettext_lazy("titre"), max_length=MAX_TITLE_LENGTH)
    scope = personal(
        models.TextField(gettext_lazy("périmètre (Markdown)")),
        BUDGETS,
        Audience.PUBLIC,
        Erasure.PSEUDONYMISE,
    )
    deliverables = personal(
        models.TextField(gettext_lazy("livrables")), BUDGETS, Audience.PUBLIC, Erasure.PSEUDONYMISE
    )
    start_on = models.DateField(gettext_lazy("début"))
    duration_months = models.PositiveSmallIntegerField(gettext_lazy("durée (mois)"))
    pay_form = models.CharField(
        gettext_lazy("forme de rémunération"), max_length=20, choices=PayForm
    )
    contract = models.CharField(gettext_lazy("contrat"), max_length=3, choices=Contract, blank=True)
    working_time_percent = models.PositiveSmallIntegerField(
        gettext_lazy("temps de travail (%)"), null=True, blank=True
    )
    monthly_amount_cents = models.BigIntegerField(
        gettext_lazy("salaire mensuel (centimes)"), null=True, blank=True
    )
    amount_basis = models.CharField(
        gettext_lazy("net ou brut"), max_length=5, choices=AmountBasis, blank=True
    )
    amount_cents = models.BigIntegerField(
        gettext_lazy("montant (centimes, hors taxes pour une facture)"), null=True, blank=True
    )
    vat_rate_bp = models.PositiveIntegerField(
        gettext_lazy("taux de TVA (points de base)"), null=True, blank=True
    )
    estimated_hours = models.PositiveIntegerField(
        gettext_lazy("heures prévues"), null=True, blank=True
    )
    hourly_rate_cents = models.BigIntegerField(
        gettext_lazy("taux horaire (centimes)"), null=True, blank=True
    )
    cadre = models.BooleanField(gettext_lazy("cadre"), default=False)
    paid_leave_taken = models.BooleanField(
        gettext_lazy("congés pris pendant le contrat (sinon payés en indemnité)"), default=False
    )
    end_of_contract_due = models.BooleanField(
        gettext_lazy("indemnité de fin de contrat due"),
        default=True,
        help_text=gettext_lazy("Non si le CDD se poursuit en CDI."),
    )
    full_cost_cents = models.BigIntegerField(
        gettext_lazy("coût complet (centimes)"), null=True, blank=True
    )
    cost_engine = models.CharField(max_length=40, blank=True)
    cost_breakdown = personal(
        models.JSONField(gettext_lazy("détail du coût"), default=dict, blank=True),
        BUDGETS,
        Audience.PUBLIC,
        Erasure.PSEUDONYMISE,
    )

    class Meta:
        abstract = True

    @property
    def scope_html(self) -> str:
        return markdown.render(self.scope)

    @property
    def engine_label(self) -> str:
        return Cost(
            self.full_cost_cents or 0,
            self.cost_engine,
            self.cost_breakdown.get("engine_version", ""),
            self.cost_breakdown,
        ).engine_label

    def priced_with(self) -> dict | None:
        """The proposer's part of the stored cost: its settings (None before it is costed)."""
        if self.full_cost_cents is None:
            return None
        breakdown = self.cost_breakdown
        if self.cost_engine == "contributors":  # the proposer's part comes first
            breakdown = breakdown["contributors"][0]["breakdown"]
        return breakdown.get("settings", {})

    def cost_would_wait(self, wait: float = payroll.REQUEST_WAIT_SECONDS) -> bool:
        """Whether pricing this mission now would wait for the payroll engine, still loading
        in this process; the load goes on meanwhile, and this waits at most `wait` seconds."""
        if payroll.engine_ready():
            return False  # a warm engine costs no query here
        if all(terms.pay_form != PayForm.SALARIED for terms in (self, *self.shares())):
            return False
        if BudgetSettings.get().country.upper() != "FR":
            return False  # priced by ratios, without the engine
        return not payroll.engine_ready(wait)

    def cost(self, settings: BudgetSettings | None = None, compute: bool = True) -> Cost:
        """The full cost to the cooperative, computed now: the proposer's pay, plus each
        co-contributor's when there are any (each costed as if alone, then added up)."""
        own = self.pay_cost(self.start_on, self.duration_months, settings, compute)
        shares = self.shares()
        if not shares:
            return own
        settings = settings or BudgetSettings.get()
        parts = [(self.proposer_id, self, own)] + [
            (
                share.member_id,
                share,
                share.pay_cost(self.start_on, self.duration_months, settings, compute),
            )
            for share in shares
        ]
        return _cost_of_parts(parts, self.start_on, self.duration_months)

    def cost_within(self, seconds: float | None = None, asker_id: int | None = None) -> Cost | None:
        """The cost, if it is known within `seconds`; None while the worker computes it.

        A person waits for a page: an OpenFisca estimate not yet in the cache is queued
        for the worker (`tasks.ask_worker`, which may refuse `asker_id` or say no worker
        takes it) rather than computed in the request, and the page shows its progress
        until the cache has it."""
        from commun.budgets.tasks import ask_worker

        settings = BudgetSettings.get()
        wait = ESTIMATE_WAIT_SECONDS if seconds is None else seconds
        deadline = time.monotonic() + wait
        asked = set()
        while True:
            try:
                return self.cost(settings, compute=False)
            except payroll.EstimatePending as pending:
                if pending.key not in asked:
                    # Asked once each, then the cache is read at least once more: a worker
                    # that finished while it was queued answers this very request.
                    ask_worker(pending, asker_id)
                    asked.add(pending.key)
                    continue
            if time.monotonic() >= deadline:
                return None
            time.sleep(ESTIMATE_POLL_SECONDS)

    def shares(self) -> list["MissionContributor"]:
        """The contributors paid beside the proposer (only a mission has them)."""
        return []

    def recomputed_cost(self, by) -> tuple[Cost, Cost]:
        """The stored cost and the cost with today's settings and engine, side by side, for
        the proposer or an officer while the mission is not adopted; nothing is changed (a
        new figure is taken by amending the mission, which its deciders then see)."""
        rules.require(by, "recompute_cost", self)
        if self.status != Mission.Status.SUBMITTED:
            raise ValidationError(
                _(
                    "Seule une mission soumise se recalcule : un brouillon est chiffré à chaque "
                    "affichage, et le coût d'une mission adoptée est engagé."
                )
            )
        return self.stored_cost(), self.cost()

    def stored_cost(self) -> Cost:
        return Cost(
            self.full_cost_cents or 0,
            self.cost_engine,
            self.cost_breakdown.get("engine_version", ""),
            self.cost_breakdown,
        )

    def terms(self) -> dict:
        """The terms alone, as a dict of field values (two versions compare by it)."""
        return {name: getattr(self, name) for name in TERMS}

    def _take_cost(self, cost: Cost) -> None:
        self.full_cost_cents = cost.total_cents
        self.cost_engine = cost.engine
        self.cost_breakdown = cost.breakdown | {"engine_version": cost.engine_version}


def _cost_of_parts(parts, start_on: datetime.date, duration_months: int) -> Cost:
    """The mission's cost as the sum of its contributors' (`parts`: member id, their pay
    terms, their cost), each kept whole in the breakdown so the version a decision adopts
    states who is paid what; the months add up each one's accrual and cash."""
    from commun.budgets import cash  # it reads the models: imported once they exist

    accrual, paid, contributors = {}, {}, []
    for member_id, terms, cost in parts:
        payments = cash.payments_by_month(
            terms.pay_form, start_on, duration_months, cost.total_cents, cost.months
        )
        spread = [
            (datetime.date.fromisoformat(row["month"]), row["employer_cost_cents"])
            for row in cost.months
        ] or payments
        for month, cents in spread:
            accrual[month] = accrual.get(month, 0) + cents
        for month, cents in payments:
            paid[month] = paid.get(month, 0) + cents
        contributors.append(
            {
                "member": member_id,
                "pay_form": terms.pay_form,
                "terms": {name: getattr(terms, name) for name in PAY_TERMS},
                "total_cents": cost.total_cents,
                "engine": cost.engine,
                "engine_version": cost.engine_version,
                "breakdown": cost.breakdown,
            }
        )
    total = sum(part["total_cents"] for part in contributors)
    months = [
        {
            "month": month.isoformat(),
            "employer_cost_cents": accrual.get(month, 0),
            "cash_cents": paid.get(month, 0),
        }
        for month in sorted(accrual.keys() | paid.keys())
    ]
    return Cost(
        total,
        "contributors",
        breakdown={
            "months": months,
            "total": {"employer_cost_cents": total},
            "total_cents": total,
            "contributors": contributors,
        },
    )


def _check_amount(mission, errors: dict, name: str, message, maximum: int, positive: bool):
    """A whole, non-negative amount within its limit (and not zero unless it may be)."""
    value = getattr(mission, name)
    if value is None or value == "":
        errors.setdefault(name, message)
    elif not is_whole_cents(value):
        errors.setdefault(name, _("Saisissez un nombre entier."))
    elif value < 0:
        errors.setdefault(name, _("Un montant ne peut pas être négatif."))
    elif positive and value == 0:
        errors.setdefault(
            name,
            _("Seule une mission bénévole est sans rémunération : indiquez un montant."),
        )
    elif value > maximum:
        errors.setdefault(name, _("Ce montant dépasse la limite admise : vérifiez-le."))


class MissionQuerySet(models.QuerySet):
    def public(self):
        """The missions anyone may read: every one but the drafts, which are their proposer's."""
        return self.exclude(status=Mission.Status.DRAFT)

    def propose(self, by, need: "Need", **values) -> "Mission":
        """A draft mission on a live need, by a member; checked whole before it is saved."""
        member = rules.require(by, "propose_mission")
        mission = Mission(proposer=member, need=need)
        unknown = set(values) - set(Mission.EDITABLE)
        if unknown:
            raise ValidationError({name: _("Ce champ n'existe pas.") for name in sorted(unknown)})
        for name, value in values.items():
            setattr(mission, name, value)
        with transaction.atomic():
            # The need may be closed at this very moment: read it under its lock.
            need = Need.objects.select_for_update().get(pk=need.pk)
            mission.need = need
            mission.full_clean()
            mission.save()
            mission.ref = f"M{mission.pk}"
            mission.save(update_fields=["ref"])
        return mission

    def awaiting(self, member: Member):
        """`member`'s missions still under way, with `has_payments` set, for their next step."""
        paid = MissionPayment.objects.filter(
            mission_id=models.OuterRef("pk"), cancelled_at__isnull=True
        )
        return (
            self.filter(proposer=member, status__in=Mission.UNDER_WAY)
            .annotate(has_payments=models.Exists(paid))
            .select_related("decision", "review_decision")
            .order_by("created_at", "pk")
        )

    def comparable_to(self, mission: "Mission", limit: int = 5):
        """The latest adopted or closed missions paid the same way (same contract if salaried)."""
        same = self.filter(
            pay_form=mission.pay_form,
            status__in=[Mission.Status.ADOPTED, Mission.Status.CLOSING, Mission.Status.CLOSED],
        )
        if mission.pay_form == PayForm.SALARIED:
            same = same.filter(contract=mission.contract)
        if mission.pk:
            same = same.exclude(pk=mission.pk)
        return same.order_by("-adopted_at", "-pk")[:limit]


class Mission(MissionTerms):
    """Work proposed by a member to meet a need, with the pay they find fair."""

    class Status(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Brouillon")
        SUBMITTED = "submitted", gettext_lazy("Soumise à décision")
        ADOPTED = "adopted", gettext_lazy("Adoptée, budget engagé")
        CLOSING = "closing", gettext_lazy("En revue")
        CLOSED = "closed", gettext_lazy("Close après revue")
        REJECTED = "rejected", gettext_lazy("Non adoptée")
        WITHDRAWN = "withdrawn", gettext_lazy("Retirée")

    EDITABLE = TERMS
    FUNDED = (Status.ADOPTED, Status.CLOSING, Status.CLOSED)
    PAYABLE = (Status.ADOPTED, Status.CLOSING)
    UNDER_WAY = (Status.DRAFT, Status.SUBMITTED, Status.ADOPTED, Status.CLOSING)

    need = models.ForeignKey(
        Need, on_delete=models.PROTECT, related_name="missions", verbose_name=gettext_lazy("besoin")
    )
    proposer = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        related_name="missions",
        verbose_name=gettext_lazy("proposée par"),
    )
    ref = models.CharField(
        gettext_lazy("référence"), max_length=20, unique=True, null=True, editable=False
    )
    status = models.CharField(
        gettext_lazy("état"), max_length=20, choices=Status, default=Status.DRAFT
    )
    status_reason = personal(
        models.TextField(gettext_lazy("raison"), blank=True),
        BUDGETS,
        Audience.PUBLIC,
        Erasure.PSEUDONYMISE,
    )
    # Everything the reserve ever committed to it: the first commitment and the top-ups.
    committed_cents = models.BigIntegerField(default=0, editable=False)
    released_cents = models.BigIntegerField(default=0, editable=False)
    decision = models.ForeignKey(
        "decisions.Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The version its decision adopted: what the reserve committed (top-ups come on top).
    adopted_version = models.ForeignKey(
        "MissionVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("version adoptée"),
    )
    review_decision = models.ForeignKey(
        "decisions.Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_report = personal(
        models.TextField(gettext_lazy("compte rendu"), blank=True),
        BUDGETS,
        Audience.PUBLIC,
        Erasure.PSEUDONYMISE,
    )
    mark_need_met = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    adopted_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = MissionQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("mission")
        verbose_name_plural = gettext_lazy("missions")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="mission_status_created"),
            models.Index(fields=["pay_form", "status", "adopted_at"], name="mission_comparable"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_months__gte=1) & Q(duration_months__lte=120),
                name="mission_months_1_to_120",
            ),
            models.CheckConstraint(
                condition=(Q(monthly_amount_cents__isnull=True) | Q(monthly_amount_cents__gte=0))
                & (Q(amount_cents__isnull=True) | Q(amount_cents__gte=0))
                & (Q(hourly_rate_cents__isnull=True) | Q(hourly_rate_cents__gte=0))
                & (Q(full_cost_cents__isnull=True) | Q(full_cost_cents__gte=0))
                & Q(committed_cents__gte=0)
                & Q(released_cents__gte=0)
                & Q(released_cents__lte=models.F("committed_cents")),
                name="mission_no_negative_money",
            ),
            models.CheckConstraint(condition=PAY_FITS_ITS_FORM, name="mission_pay_fits_its_form"),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "draft",
                        "submitted",
                        "adopted",
                        "closing",
                        "closed",
                        "rejected",
                        "withdrawn",
                    ]
                ),
                name="mission_status_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "withdrawn"]) | Q(full_cost_cents__isnull=False),
                name="mission_costed_once_submitted",
            ),
        ]

    def __str__(self):
        return f"{self.ref or ''} {self.title}".strip()

    def get_absolute_url(self):
        return reverse("budgets:mission", args=[self.pk])

    # Reading -------------------------------------------------------------------------------

    @property
    def is_funded(self) -> bool:
        return self.status in self.FUNDED

    def reserve_now_and_after(self, cost_cents: int) -> tuple[int, int]:
        """The available reserve now, and once this mission holds `cost_cents`. A funded
        mission's cost left the available reserve at adoption: it is not taken out twice."""
        return funds.available_now_and_after(0 if self.is_funded else cost_cents)

    def remaining_cents(self) -> int:
        """What the commitment still holds (the ledger's own balance)."""
        if not self.ref or self.status not in self.FUNDED:
            return 0
        return funds.committed_cents(self.ref)

    @property
    def next_step(self) -> str:
        """What the proposer has to do next, or waits for (read with `awaiting()`)."""
        match self.status:
            case self.Status.DRAFT:
                return _("Brouillon : complétez-le, puis soumettez-le à décision.")
            case self.Status.SUBMITTED:
                return _("En décision : suivez-la et répondez aux objections.")
            case self.Status.ADOPTED if not getattr(self, "has_payments", True):
                return _("Adoptée : en attente des premiers paiements.")
            case self.Status.ADOPTED:
                return _("En cours : une fois le travail livré, demandez sa revue.")
            case self.Status.CLOSING:
                return _("En revue : la décision de revue est ouverte.")
        return ""

    def spent_cents(self) -> int:
        return (
            self.payments.filter(cancelled_at__isnull=True).aggregate(total=Sum("amount_cents"))[
                "total"
            ]
            or 0
        )

    def paid_terms(self) -> dict[int, dict]:
        """Each person paid on the mission (member id) and their pay terms: the stored
        cost's, which is the version adopted once funded, else the proposer's alone."""
        parts = self.cost_breakdown.get("contributors") or []
        if not parts:
            return {self.proposer_id: self.terms()}
        return {part["member"]: part["terms"] for part in parts}

    def paid_by_contributor(self) -> list[dict]:
        """Each person paid on the mission: what the adopted version planned for them and
        what they were paid (cancelled payments aside), the proposer first."""
        parts = self.cost_breakdown.get("contributors") or [
            {"member": self.proposer_id, "total_cents": self.full_cost_cents or 0}
        ]
        paid = dict(
            self.payments.filter(cancelled_at__isnull=True)
            .values("contributor")
            .annotate(total=Sum("amount_cents"))
            .values_list("contributor", "total")
            .order_by()
        )
        paid[self.proposer_id] = paid.get(self.proposer_id, 0) + paid.pop(None, 0)
        members = Member.objects.in_bulk([part["member"] for part in parts])
        return [
            {
                "member": members.get(part["member"]),
                "member_id": part["member"],
                "planned_cents": part["total_cents"],
                "paid_cents": paid.get(part["member"], 0),
            }
            for part in parts
        ]

    def people_paid(self, cost: Cost | None = None) -> list[dict]:
        """Each person paid on the mission, the proposer first: their member id, their pay
        terms (a `PayTerms`) and their part of `cost`. Without a cost of several people,
        the draft's own shares, unpriced (beside the proposer's whole `cost`, if any)."""
        parts = (cost.breakdown.get("contributors") if cost is not None else None) or []
        if not parts:
            return [
                {
                    "member_id": self.proposer_id,
                    "terms": self,
                    "total_cents": None if cost is None or self.shares() else cost.total_cents,
                }
            ] + [
                {"member_id": share.member_id, "terms": share, "total_cents": None}
                for share in self.shares()
            ]
        return [
            {
                "member_id": part["member"],
                "terms": self
                if part["member"] == self.proposer_id
                else MissionContributor(mission=self, member_id=part["member"], **part["terms"]),
                "total_cents": part["total_cents"],
            }
            for part in parts
        ]

    def shares(self) -> list["MissionContributor"]:
        if self.pk is None:
            return []
        return list(self.contributors.all())  # prefetched by a page that reads them twice

    # Validation and cost -------------------------------------------------------------------

    def clean(self):
        self.normalise()
        errors = {}
        self._clean_terms(errors)
        self._clean_pay(errors)
        if errors:
            raise ValidationError(errors)

    def _clean_terms(self, errors: dict) -> None:
        """The mission's words, dates and need: each field's fault into `errors`."""
        self.title = clean_text(
            self.title, "title", _("Donnez un titre à la mission."), MAX_TITLE_LENGTH, errors
        )
        self.scope = clean_text(
            self.scope, "scope", _("Décrivez le périmètre de la mission."), MAX_TEXT_LENGTH, errors
        )
        self.deliverables = clean_text(
            self.deliverables,
            "deliverables",
            _("Dites ce qui sera livré."),
            MAX_TEXT_LENGTH,
            errors,
        )
        for name in ("scope", "deliverables"):
            if STATES_A_COST.search(getattr(self, name)):
                errors.setdefault(name, COST_IN_PROSE)
        if not isinstance(self.start_on, datetime.date):
            errors["start_on"] = _("Indiquez la date de début.")
        elif self._pays_a_salary():
            try:
                payroll.check_start(self.start_on, BudgetSettings.get().country)
            except ValueError as error:
                errors["start_on"] = str(error)
        if not _is_int(self.duration_months) or not 1 <= self.duration_months <= payroll.MAX_MONTHS:
            errors["duration_months"] = _(
                "La durée doit être comprise entre 1 et %(max)d mois."
            ) % {"max": payroll.MAX_MONTHS}
        if self.need_id is not None and self.status == self.Status.DRAFT:
            need = self.need
            if not need.is_live:
                errors["need"] = _(
                    "Ce besoin est %(status)s : on ne propose plus de mission pour lui."
                ) % {"status": need.get_status_display().lower()}

    def _pays_a_salary(self) -> bool:
        """Whether the proposer or another person paid on it is salaried: the payroll engine
        then has to price the start."""
        if self.pay_form == PayForm.SALARIED:
            return True
        return self.pk is not None and any(
            share.pay_form == PayForm.SALARIED for share in self.contributors.all()
        )

    def clean_fields(self, exclude=None):
        # clean() gives the specific messages; Django's generic ones would only repeat them.
        exclude = set(exclude or ()) | {
            *ALL_PAY_FIELDS,
            "pay_form",
            "duration_months",
            "title",
            "scope",
            "deliverables",
            "start_on",
        }
        super().clean_fields(exclude=exclude)

    # Life ----------------------------------------------------------------------------------

    def _locked(self) -> "Mission":
        return Mission.objects.select_for_update().get(pk=self.pk)

    def edit(self, by, **values) -> "Mission":
        """The proposer changes their draft: checked whole, saved whole. Submitted, the mission
        changes only by amending its decision (`amend()`)."""
        rules.require(by, "edit_mission", self)
        unknown = set(values) - set(TERMS)
        if unknown:
            raise ValidationError({name: _("Ce champ n'existe pas.") for name in sorted(unknown)})
        with transaction.atomic():
            mission = self._locked()  # a submit at the same instant: it sees the edit, or none
            if mission.status != self.Status.DRAFT:
                raise ValidationError(
                    _(
                        "Cette mission est %(status)s : elle ne se modifie plus qu'en amendant "
                        "sa décision."
                    )
                    % {"status": mission.get_status_display().lower()}
                )
            # The need may be closed at this very moment: read it under its lock.
            mission.need = Need.objects.select_for_update().get(pk=mission.need_id)
            for name, value in values.items():
                setattr(mission, name, value)
            mission.full_clean()
            mission.save(update_fields=list(TERMS))
        self.refresh_from_db()
        return self

    def add_contributor(self, by, member, **values) -> "MissionContributor":
        """Pay another member on this draft too, with their own form of pay."""
        rules.require(by, "manage_contributors", self)
        unknown = set(values) - set(PAY_TERMS)
        if unknown:
            raise ValidationError({name: _("Ce champ n'existe pas.") for name in sorted(unknown)})
        with transaction.atomic():
            mission = self._draft_locked()
            share = MissionContributor(mission=mission, member=member, **values)
            share.full_clean()
            share.save()
        return share

    def _draft_locked(self) -> "Mission":
        """The mission under its lock, refused unless still a draft (a submit at the same
        instant sees the change, or none)."""
        mission = self._locked()
        if mission.status != self.Status.DRAFT:
            raise ValidationError(
                _(
                    "Cette mission est %(status)s : ses contributeurs et contributrices ne "
                    "changent plus."
                )
                % {"status": mission.get_status_display().lower()}
            )
        return mission

    def submit(self, by) -> "Mission":
        """The proposer submits: its terms become version 1, costed, and a consent decision
        opens at once on the text generated from them."""
        from commun.budgets import deciding

        rules.require(by, "submit_mission", self)
        with transaction.atomic():
            mission = self._locked()  # two submits at once would open two decisions
            if mission.status != self.Status.DRAFT:
                raise ValidationError(
                    _("Cette mission est déjà %(status)s.")
                    % {"status": mission.get_status_display().lower()}
                )
            need = Need.objects.select_for_update().get(pk=mission.need_id)
            mission.need = need
            mission.full_clean()
            mission._take_cost(mission.cost())
            mission.status = self.Status.SUBMITTED
            mission.submitted_at = timezone.now()
            mission.save()
            mission.decision = deciding.open_decision(
                mission,
                by,
                MISSION,
                mission.pk,
                deciding.mission_title(mission),
                deciding.mission_body(mission, 1),
            )
            mission.save(update_fields=["decision"])
            mission._add_version(mission.decision.current_version)
        self.refresh_from_db()
        return self

    def amend(self, by, *, note: str = "", integrates=(), **values) -> "MissionVersion":
        """The proposer answers objections with new terms: the mission's next version, costed
        anew, and its decision's next text, generated from it (while integrating objections).

        `values` are the terms that change; `integrates` the open objections it answers.
        """
        from commun.budgets import deciding
        from commun.decisions import rules as decision_rules
        from commun.decisions.models import Decision

        rules.require(by, "amend_mission", self)
        unknown = set(values) - set(TERMS)
        if unknown:
            raise ValidationError({name: _("Ce champ n'existe pas.") for name in sorted(unknown)})
        note = (note or "").strip()
        if len(note) > MAX_NOTE_LENGTH:
            raise ValidationError({"note": _("Résumez le changement en 500 caractères au plus.")})
        if STATES_A_COST.search(note):
            raise ValidationError({"note": COST_IN_PROSE})
        current = Mission.objects.select_related("need").get(pk=self.pk)
        if current.status != self.Status.SUBMITTED or current.decision_id is None:
            raise ValidationError(
                _("Seule une mission soumise à décision s'amende (celle-ci est %(status)s).")
                % {"status": current.get_status_display().lower()}
            )
        decision_rules.require(by, "amend", Decision.objects.get(pk=current.decision_id))
        # Checked and costed before any lock is taken: the payroll engine takes a moment.
        for name, value in values.items():
            setattr(current, name, value)
        current.full_clean()
        try:
            cost = current.cost()
        except ValueError as error:  # the payroll's own check, in words
            raise ValidationError(str(error)) from None
        with transaction.atomic():
            # The decision first, as every change to it: a close or a new round waits.
            decision = Decision.objects.select_for_update().get(pk=current.decision_id)
            mission = self._locked()
            if mission.status != self.Status.SUBMITTED:
                raise ValidationError(
                    _("Seule une mission soumise à décision s'amende (celle-ci est %(status)s).")
                    % {"status": mission.get_status_display().lower()}
                )
            latest = mission.versions.order_by("-number").first()
            if latest is not None and latest.terms() == current.terms():
                raise ValidationError(
                    _(
                        "Cette version est identique à la précédente : changez la rémunération, "
                        "les dates, le périmètre ou les livrables."
                    )
                )
            for name, value in current.terms().items():
                setattr(mission, name, value)
            mission._take_cost(cost)
            mission.save(update_fields=[*TERMS, *COST_FIELDS])
            text = decision.amend_generated(
                by,
                title=deciding.mission_title(mission),
                body=deciding.mission_body(mission, decision.current_version.number + 1),
                note=note,
                integrates=integrates,
            )
            version = mission._add_version(text, note)
        self.refresh_from_db()
        return version

    def _add_version(self, text, note: str = "") -> "MissionVersion":
        """Freeze the mission's terms and cost as the version its decision's `text` states."""
        return MissionVersion.objects.create(
            mission=self,
            number=text.number,
            decision_version=text,
            note=note,
            created_at=timezone.now(),
            **self.terms(),
            **{name: getattr(self, name) for name in COST_FIELDS},
        )

    def tasks_done(self) -> list:
        """The board's tasks done (or validated) under this mission, for its review.

        Read through the relation the board declares (`Task.mission`, related name
        `tasks`): budgets sits below the board and never imports it."""
        return list(self.tasks.filter(state__in=["done", "validated"]).order_by("pk")[:500])

    def consented_version(self, decision=None) -> "MissionVersion | None":
        """The version the decision's last objection round was about (else the latest)."""
        versions = MissionVersion.objects.filter(mission=self)
        if decision is not None:
            round = decision.rounds.order_by("-number").first()
            if round is not None:
                found = versions.filter(decision_version_id=round.version_id).first()
                if found is not None:
                    return found
        return versions.order_by("-number").first()

    def withdraw(self, by, reason: str = "") -> None:
        """The proposer withdraws a draft, or a submitted mission with its decision."""
        rules.require(by, "withdraw_mission", self)
        reason = clean_text(reason, "reason", None, MAX_REASON_LENGTH)
        with transaction.atomic():
            if self.status == self.Status.SUBMITTED and self.decision_id:
                from commun.decisions.models import Decision

                decision = Decision.objects.get(pk=self.decision_id)
                if not decision.is_closed:
                    # The decision first, as closing takes it: the receiver then withdraws us.
                    decision.withdraw(by, statement=reason)
            mission = self._locked()
            if mission.status == self.Status.WITHDRAWN and self.status == self.Status.SUBMITTED:
                self.refresh_from_db()
                return
            if mission.status not in (self.Status.DRAFT, self.Status.SUBMITTED):
                raise ValidationError(
                    _("Cette mission est %(status)s : elle ne se retire plus.")
                    % {"status": mission.get_status_display().lower()}
                )
            mission._set_status(self.Status.WITHDRAWN, reason)
        self.refresh_from_db()

    def _set_status(self, status, reason="") -> None:
        self.status = status
        self.status_reason = reason or ""
        fields = ["status", "status_reason"]
        if status in (self.Status.CLOSED,):
            self.closed_at = timezone.now()
            fields.append("closed_at")
        self.save(update_fields=fields)

    def commit_budget(self, decision=None) -> "Mission":
        """Adoption: commit the full cost of the version consented, or refuse saying what is
        missing. The mission's terms become exactly that version's.

        Raises ValidationError (code "reserve_insufficient") when the available reserve no
        longer covers it, or "forecast_overdrawn" when the bank would run dry in one of the
        next twelve months; nothing is then written.
        """
        from commun.budgets import forecast  # it reads the missions: imported once they exist

        with transaction.atomic():
            mission = self._locked()  # a retried adoption must not commit twice
            if mission.status != self.Status.SUBMITTED:
                return mission
            version = mission.consented_version(decision)
            label = _("Engagement de la réserve — mission %(ref)s") % {"ref": mission.ref}
            if version is not None:
                for name, value in version.terms().items():
                    setattr(mission, name, value)
                for name in COST_FIELDS:
                    setattr(mission, name, getattr(version, name))
                label = system_label("mission_commitment", ref=mission.ref, number=version.number)
            if mission.full_cost_cents:
                funds.commit(
                    mission.ref,
                    mission.title[:150],
                    mission.full_cost_cents,
                    idempotency_key=f"mission-{mission.pk}-commit",
                    label=label,
                )
                # Under the books' lock the commitment took: two adoptions never both fit
                # in a month only one of them fits in. The reserve's refusal comes first.
                forecast.check_adoption(mission)
            mission.committed_cents = mission.full_cost_cents or 0
            mission.adopted_version = version
            mission.status = self.Status.ADOPTED
            mission.adopted_at = timezone.now()
            mission.save(
                update_fields=[
                    *TERMS,
                    *COST_FIELDS,
                    "committed_cents",
                    "adopted_version",
                    "status",
                    "adopted_at",
                ]
            )
            MissionCashMonth.objects.write_for([mission])
            mission.need.start()
            mission_adopted.send(sender=Mission, mission=mission)
        self.refresh_from_db()
        return self

    def end_decision(self, decision) -> None:
        """The submission decision ended other than adopted: rejected or withdrawn."""
        with transaction.atomic():
            mission = self._locked()
            if mission.status != self.Status.SUBMITTED:
                return
            status = (
                self.Status.WITHDRAWN
                if decision.outcome == decision.Outcome.WITHDRAWN
                else self.Status.REJECTED
            )
            reason = decision.outcome_statement.strip() or _("Décision %(outcome)s.") % {
                "outcome": decision.get_outcome_display().lower()
            }
            mission._set_status(status, reason)

    def ask_review(self, by, report: str, *, mark_need_met: bool = False) -> "Mission":
        """The proposer or an officer asks the collective to review what was delivered."""
        from commun.budgets import deciding

        rules.require(by, "ask_review", self)
        errors = {}
        report = clean_text(
            report, "report", _("Dites ce qui a été livré."), MAX_TEXT_LENGTH, errors
        )
        if errors:
            raise ValidationError(errors)
        with transaction.atomic():
            mission = self._locked()  # one review at a time
            if mission.status != self.Status.ADOPTED:
                raise ValidationError(
                    _("Seule une mission adoptée se soumet à la revue (elle est %(status)s).")
                    % {"status": mission.get_status_display().lower()}
                )
            if mission.top_ups.filter(status=MissionTopUp.Status.SUBMITTED).exists():
                raise ValidationError(
                    _("Une demande de complément est en cours de décision : attendez son issue.")
                )
            mission.status = self.Status.CLOSING
            mission.review_report = report
            mission.mark_need_met = bool(mark_need_met)
            mission.save(update_fields=["status", "review_report", "mark_need_met"])
            mission.review_decision = deciding.open_decision(
                mission,
                by,
                REVIEW,
                mission.pk,
                _("Revue de la mission %(ref)s : %(title)s")
                % {"ref": mission.ref, "title": mission.title},
                deciding.review_body(mission, report),
            )
            mission.save(update_fields=["review_decision"])
        self.refresh_from_db()
        return self

    def close_after_review(self, decision=None) -> None:
        """The review is adopted: the mission closes and its remainder returns to the reserve."""
        with transaction.atomic():
            mission = self._locked()
            if mission.status != self.Status.CLOSING:
                return
            # Payments take the mission's lock, held here: the remainder cannot move.
            left = funds.committed_cents(mission.ref)
            released = funds.release(
                mission.ref,
                idempotency_key=f"mission-{mission.pk}-release",
                label=system_label("mission_release", ref=mission.ref),
            )
            mission.released_cents = left if released is not None else 0
            mission.status = self.Status.CLOSED
            mission.closed_at = timezone.now()
            mission.save(update_fields=["released_cents", "status", "closed_at"])
            if mission.mark_need_met:
                need = Need.objects.select_for_update().get(pk=mission.need_id)
                if need.is_live:
                    need._set(
                        Need.Status.MET,
                        _("Mission %(ref)s close après revue.") % {"ref": mission.ref},
                    )

    def reopen_after_review(self, decision) -> None:
        """The review was not adopted: the mission goes on, adopted."""
        with transaction.atomic():
            mission = self._locked()
            if mission.status == self.Status.CLOSING:
                mission._set_status(self.Status.ADOPTED)

    # Money ---------------------------------------------------------------------------------

    def record_payment(
        self,
        by,
        *,
        kind: str,
        on: datetime.date,
        label: str,
        amount_cents: int,
        idempotency_key: str,
        employer_contributions_cents: int = 0,
        account: str = "",
        hours: int | None = None,
        contributor: Member | None = None,
    ) -> "MissionPayment":
        """An officer pays against the commitment, never beyond it; a retry returns the same.
        `contributor`: who is paid, the proposer unless said otherwise.

        Dated as the ledger dates any booking: in an open fiscal year, not after today.
        """
        rules.require(by, "record_payment", self)
        check_booking_date(on)
        contributor_id = contributor.pk if contributor is not None else self.proposer_id
        if contributor_id not in self.paid_terms():
            raise ValidationError(
                {"contributor": _("Cette personne n'est pas payée sur cette mission.")}
            )
        payment = MissionPayment(
            mission=self,
            contributor_id=contributor_id,
            kind=kind,
            date=on,
            label=(label or "").strip(),
            amount_cents=0,
            hours=hours,
            recorded_by=rules.active_member(by),
        )
        lines = payment.build_lines(
            amount_cents=amount_cents,
            employer_contributions_cents=employer_contributions_cents,
            account=account,
            hours=hours,
        )
        key = (idempotency_key or "").strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise ValidationError(
                {
                    "idempotency_key": _(
                        "La clé d'idempotence est obligatoire (64 caractères au plus)."
                    )
                }
            )
        payment.idempotency_key = f"mission-{self.pk}-payment-{key}"
        with transaction.atomic():
            mission = self._locked()  # payments to one mission are checked one after another
            existing = MissionPayment.objects.filter(
                idempotency_key=payment.idempotency_key
            ).first()
            if existing is None and mission.status not in self.PAYABLE:
                raise ValidationError(
                    _("On ne paie que sur une mission adoptée (celle-ci est %(status)s).")
                    % {"status": mission.get_status_display().lower()}
                )
            booked = funds.spend(
                mission.ref,
                lines,
                # The books are kept forever and never rewritten: their label names the
                # mission, never a person; the officer's own words stay on the payment.
                label=system_label(
                    "mission_payment", kind=payment.get_kind_display(), ref=mission.ref
                ),
                idempotency_key=payment.idempotency_key,
                on=payment.date,
                by=_user(by),
            )
            if existing is not None:
                return existing
            payment.mission = mission
            payment.lines = [[code, cents] for code, cents in lines]
            payment.amount_cents = sum(cents for _code, cents in lines)
            payment.transaction = booked
            payment.save()
        return payment

    def ask_top_up(self, by, amount_cents: int, reason: str) -> "MissionTopUp":
        """Going over the commitment needs a new consent decision for the difference."""
        from commun.budgets import deciding

        rules.require(by, "ask_top_up", self)
        errors = {}
        reason = clean_text(
            reason,
            "reason",
            _("Expliquez pourquoi ce complément est nécessaire."),
            MAX_TEXT_LENGTH,
            errors,
        )
        if not is_whole_cents(amount_cents) or amount_cents <= 0:
            errors["amount_cents"] = _("Le complément est un montant positif, en centimes.")
        elif amount_cents > MAX_AMOUNT_CENTS:
            errors["amount_cents"] = _("Ce montant dépasse la limite admise : vérifiez-le.")
        if errors:
            raise ValidationError(errors)
        with transaction.atomic():
            mission = self._locked()  # one top-up decision at a time
            if mission.status != self.Status.ADOPTED:
                raise ValidationError(
                    _(
                        "Un complément ne se demande que pour une mission adoptée "
                        "(celle-ci est %(status)s)."
                    )
                    % {"status": mission.get_status_display().lower()}
                )
            if mission.top_ups.filter(status=MissionTopUp.Status.SUBMITTED).exists():
                raise ValidationError(_("Une demande de complément est déjà en cours de décision."))
            top_up = MissionTopUp.objects.create(
                mission=mission,
                amount_cents=amount_cents,
                reason=reason,
                asked_by=rules.active_member(by),
            )
            top_up.decision = deciding.open_decision(
                mission,
                by,
                TOP_UP,
                top_up.pk,
                _("Complément pour la mission %(ref)s : %(amount)s")
                % {"ref": mission.ref, "amount": format_cents(amount_cents)},
                deciding.top_up_body(mission, top_up),
            )
            top_up.save(update_fields=["decision"])
        return top_up


class MissionContributor(PayTerms, models.Model):
    """A member paid on a mission beside its proposer, with their own form of pay: the
    mission's cost is the proposer's plus each of theirs. Chosen while the mission is a
    draft; each version's stored cost then states every contributor's terms and cost."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="contributors")
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        related_name="mission_contributions",
        verbose_name=gettext_lazy("contributeur ou contributrice"),
    )
    pay_form = MissionTerms._meta.get_field("pay_form").clone()
    contract = MissionTerms._meta.get_field("contract").clone()
    working_time_percent = MissionTerms._meta.get_field("working_time_percent").clone()
    monthly_amount_cents = MissionTerms._meta.get_field("monthly_amount_cents").clone()
    amount_basis = MissionTerms._meta.get_field("amount_basis").clone()
    amount_cents = MissionTerms._meta.get_field("amount_cents").clone()
    vat_rate_bp = MissionTerms._meta.get_field("vat_rate_bp").clone()
    estimated_hours = MissionTerms._meta.get_field("estimated_hours").clone()
    hourly_rate_cents = MissionTerms._meta.get_field("hourly_rate_cents").clone()
    cadre = MissionTerms._meta.get_field("cadre").clone()
    paid_leave_taken = MissionTerms._meta.get_field("paid_leave_taken").clone()
    end_of_contract_due = MissionTerms._meta.get_field("end_of_contract_due").clone()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = gettext_lazy("contributeur ou contributrice d'une mission")
        verbose_name_plural = gettext_lazy("contributeurs et contributrices de missions")
        ordering = ["mission", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["mission", "member"], name="one_share_per_member"),
            models.CheckConstraint(condition=PAY_FITS_ITS_FORM, name="contributor_pay_fits_form"),
            models.CheckConstraint(
                condition=(Q(monthly_amount_cents__isnull=True) | Q(monthly_amount_cents__gte=0))
                & (Q(amount_cents__isnull=True) | Q(amount_cents__gte=0))
                & (Q(hourly_rate_cents__isnull=True) | Q(hourly_rate_cents__gte=0)),
                name="contributor_no_negative_money",
            ),
        ]

    def __str__(self):
        return f"{self.mission_id} + {self.member_id}"

    @property
    def start_on(self) -> datetime.date:
        return self.mission.start_on

    @property
    def duration_months(self) -> int:
        return self.mission.duration_months

    def priced_with(self) -> dict | None:
        """This person's part of the mission's stored cost: its settings (None on a draft)."""
        for part in self.mission.cost_breakdown.get("contributors") or []:
            if part["member"] == self.member_id:
                return part["breakdown"].get("settings", {})
        return None

    def clean(self):
        self.normalise()
        errors = {}
        self._clean_pay(errors)
        mission = self.mission
        if self.member_id is not None:
            if self.member_id == mission.proposer_id:
                errors["member"] = _(
                    "La personne qui propose la mission y est déjà payée : ses conditions sont "
                    "celles de la mission."
                )
            elif (
                MissionContributor.objects.filter(mission=mission, member_id=self.member_id)
                .exclude(pk=self.pk)
                .exists()
            ):
                errors["member"] = _("Cette personne contribue déjà à la mission.")
            elif not self.member.is_active_member:
                errors["member"] = _("Seul·e un·e membre actif·ve peut contribuer à une mission.")
        else:
            errors["member"] = _("Choisissez le ou la membre qui contribue.")
        if self.pay_form == PayForm.SALARIED and isinstance(mission.start_on, datetime.date):
            try:
                payroll.check_start(mission.start_on, BudgetSettings.get().country)
            except ValueError as error:
                errors.setdefault("pay_form", str(error))
        if errors:
            raise ValidationError(errors)

    def clean_fields(self, exclude=None):
        # clean() gives the specific messages; Django's generic ones would only repeat them.
        super().clean_fields(exclude={*(exclude or ()), *ALL_PAY_FIELDS, "pay_form", "member"})

    def terms(self) -> dict:
        return {name: getattr(self, name) for name in PAY_TERMS}

    def edit(self, by, **values) -> "MissionContributor":
        """Change this contributor's pay while the mission is a draft: checked whole."""
        rules.require(by, "manage_contributors", self.mission)
        unknown = set(values) - set(PAY_TERMS)
        if unknown:
            raise ValidationError({name: _("Ce champ n'existe pas.") for name in sorted(unknown)})
        with transaction.atomic():
            mission = self.mission._draft_locked()
            share = MissionContributor.objects.get(pk=self.pk)
            share.mission = mission
            for name, value in values.items():
                setattr(share, name, value)
            share.full_clean()
            share.save()
        self.refresh_from_db()
        return self

    def remove(self, by) -> None:
        """Take this contributor off the draft mission."""
        rules.require(by, "manage_contributors", self.mission)
        with transaction.atomic():
            self.mission._draft_locked()
            MissionContributor.objects.filter(pk=self.pk).delete()


class MissionVersion(MissionTerms):
    """One version of a mission's terms and cost, as one version of its decision's text states
    them. Made at submission (version 1) and at each amendment; never changed afterwards."""

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(gettext_lazy("version"))
    # The decision's text generated from these terms (same number).
    decision_version = models.OneToOneField(
        "decisions.Version",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mission_version",
    )
    note = personal(
        models.CharField(gettext_lazy("ce qui change"), max_length=MAX_NOTE_LENGTH, blank=True),
        BUDGETS,
        Audience.PUBLIC,
        Erasure.PSEUDONYMISE,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = gettext_lazy("version d'une mission")
        verbose_name_plural = gettext_lazy("versions de missions")
        ordering = ["mission", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "number"], name="one_mission_version_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="mission_version_number_positive"
            ),
            models.CheckConstraint(
                condition=Q(full_cost_cents__isnull=False, full_cost_cents__gte=0),
                name="mission_version_is_costed",
            ),
        ]

    def __str__(self):
        return f"{self.mission_id} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("A mission's version is never changed: amend the mission.")
        super().save(*args, **kwargs)

    def changes_from(self, previous: "MissionVersion") -> list[dict]:
        """The terms that differ from `previous`, in words: [{"label", "before", "after"}]."""
        rows = []

        def row(label, before, after):
            if before != after:
                rows.append({"label": label, "before": before, "after": after})

        row(_("Titre"), previous.title, self.title)
        row(
            _("Début"),
            date_format(previous.start_on, "DATE_FORMAT"),
            date_format(self.start_on, "DATE_FORMAT"),
        )
        row(
            _("Durée"),
            ngettext("%(months)s mois", "%(months)s mois", previous.duration_months)
            % {"months": previous.duration_months},
            ngettext("%(months)s mois", "%(months)s mois", self.duration_months)
            % {"months": self.duration_months},
        )
        row(_("Rémunération demandée"), previous.pay_asked, self.pay_asked)
        if previous.full_cost_cents != self.full_cost_cents:
            difference = (self.full_cost_cents or 0) - (previous.full_cost_cents or 0)
            rows.append(
                {
                    "label": _("Coût complet"),
                    "before": format_cents(previous.full_cost_cents or 0),
                    "after": _("%(cost)s (%(sign)s%(difference)s)")
                    % {
                        "cost": format_cents(self.full_cost_cents or 0),
                        "sign": "+" if difference > 0 else "−",
                        "difference": format_cents(abs(difference)),
                    },
                }
            )
        if (previous.scope, previous.deliverables) != (self.scope, self.deliverables):
            rows.append(
                {
                    "label": _("Périmètre et livrables"),
                    "before": "",
                    "after": _("modifiés : voyez le texte"),
                }
            )
        return rows


class MissionTopUp(models.Model):
    """A request to commit more to an adopted mission, decided by consent like the mission."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", gettext_lazy("Soumis à décision")
        ADOPTED = "adopted", gettext_lazy("Adopté, engagé")
        REJECTED = "rejected", gettext_lazy("Non adopté")

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="top_ups")
    amount_cents = models.BigIntegerField(gettext_lazy("montant (centimes)"))
    reason = personal(
        models.TextField(gettext_lazy("raison")), BUDGETS, Audience.PUBLIC, Erasure.PSEUDONYMISE
    )
    asked_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status, default=Status.SUBMITTED)
    decision = models.ForeignKey(
        "decisions.Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = gettext_lazy("complément de budget d'une mission")
        verbose_name_plural = gettext_lazy("compléments de budget de missions")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="top_up_positive"),
            models.UniqueConstraint(
                fields=["mission"],
                condition=Q(status="submitted"),
                name="one_top_up_decided_at_a_time",
            ),
        ]

    def __str__(self):
        return f"{self.mission_id} +{self.amount_cents}"

    def commit(self, decision=None) -> None:
        """Adopted: commit the difference from the reserve (or refuse, saying what is missing)."""
        with transaction.atomic():
            top_up = MissionTopUp.objects.select_for_update().get(pk=self.pk)
            if top_up.status != self.Status.SUBMITTED:
                return
            mission = Mission.objects.select_for_update().get(pk=top_up.mission_id)
            funds.commit(
                mission.ref,
                mission.title[:150],
                top_up.amount_cents,
                idempotency_key=f"mission-{mission.pk}-top-up-{top_up.pk}",
                label=system_label("mission_top_up", ref=mission.ref),
            )
            mission.committed_cents += top_up.amount_cents
            mission.save(update_fields=["committed_cents"])
            top_up.status = self.Status.ADOPTED
            top_up.save(update_fields=["status"])

    def refuse(self, decision=None) -> None:
        MissionTopUp.objects.filter(pk=self.pk, status=self.Status.SUBMITTED).update(
            status=self.Status.REJECTED
        )


class MissionPayment(models.Model):
    """A payment against a mission's commitment, booked in the ledger."""

    class Kind(models.TextChoices):
        PAYROLL = "payroll", gettext_lazy("Paie")
        INVOICE = "invoice", gettext_lazy("Facture")
        REIMBURSEMENT = "reimbursement", gettext_lazy("Remboursement de frais")
        CO_REMUNERATION = "co_remuneration", gettext_lazy("Co-rémunération")

    # The expense accounts each kind may use (the first is the default).
    ACCOUNTS = {
        Kind.PAYROLL: ("641",),
        Kind.INVOICE: ("604", "622"),
        Kind.REIMBURSEMENT: ("625",),
        Kind.CO_REMUNERATION: ("641", "622"),
    }

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(gettext_lazy("nature"), max_length=20, choices=Kind)
    date = models.DateField(gettext_lazy("date"))
    label = personal(
        models.CharField(gettext_lazy("libellé"), max_length=300),
        ACCOUNTING,
        Audience.PUBLIC,
        Erasure.PSEUDONYMISE,
    )
    amount_cents = models.BigIntegerField(gettext_lazy("montant (centimes)"))
    # [[expense account, cents], …]
    lines = personal(
        models.JSONField(gettext_lazy("lignes du paiement"), default=list),
        ACCOUNTING,
        Audience.PUBLIC,
        Erasure.PSEUDONYMISE,
    )
    hours = models.PositiveIntegerField(gettext_lazy("heures déclarées"), null=True, blank=True)
    # Who was paid: the proposer or one of the contributors the adopted version names.
    contributor = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("personne payée"),
    )
    idempotency_key = models.CharField(max_length=100, unique=True)
    transaction = models.ForeignKey(
        "ledger.Transaction", on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancellation_reason = personal(
        models.TextField(gettext_lazy("motif de l'annulation"), blank=True),
        ACCOUNTING,
        Audience.PUBLIC,
        Erasure.PSEUDONYMISE,
    )
    cancellation = models.ForeignKey(
        "ledger.Transaction", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = gettext_lazy("paiement d'une mission")
        verbose_name_plural = gettext_lazy("paiements de missions")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="payment_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=["payroll", "invoice", "reimbursement", "co_remuneration"]),
                name="payment_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True, cancellation__isnull=True)
                | Q(cancelled_at__isnull=False, cancellation__isnull=False),
                name="payment_cancelled_with_its_reversal",
            ),
        ]
        indexes = [models.Index(fields=["mission", "date"], name="payment_mission_date")]

    def __str__(self):
        return f"{self.mission_id} {self.label}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def build_lines(
        self, *, amount_cents, employer_contributions_cents=0, account="", hours=None
    ) -> list[tuple[str, int]]:
        """The expense lines of this payment, checked; raises ValidationError by field."""
        errors = {}
        kind = self.kind
        if kind not in self.Kind.values:
            raise ValidationError(
                {
                    "kind": _(
                        "Nature de paiement inconnue : paie, facture, remboursement "
                        "ou co-rémunération."
                    )
                }
            )
        if not isinstance(self.date, datetime.date):
            errors["date"] = _("Indiquez la date du paiement.")
        if not self.label or len(self.label) > 300:
            errors["label"] = _("Le libellé est obligatoire (300 caractères au plus).")
        accounts = self.ACCOUNTS[kind]
        account = account or accounts[0]
        if account not in accounts:
            errors["account"] = _("Pour ce paiement, choisissez le compte %(accounts)s.") % {
                "accounts": " / ".join(accounts)
            }
        contributions = employer_contributions_cents or 0
        if not is_whole_cents(contributions) or contributions < 0:
            errors["employer_contributions_cents"] = _(
                "Les charges sont un montant positif ou nul."
            )
        elif contributions and account != "641":
            errors["employer_contributions_cents"] = _(
                "Les charges patronales ne concernent qu'un salaire."
            )
        if kind == self.Kind.CO_REMUNERATION:
            terms = self.mission.paid_terms().get(self.contributor_id or self.mission.proposer_id)
            rate = (terms or {}).get("hourly_rate_cents") or 0
            if not _is_int(hours) or hours <= 0 or hours > MAX_HOURS:
                errors["hours"] = _("Déclarez les heures réellement faites.")
            elif not rate:
                errors["hours"] = _("Cette mission n'a pas de taux horaire.")
            else:
                amount_cents = hours * rate
        elif hours is not None:
            errors["hours"] = _("Seule une co-rémunération déclare des heures.")
        if not is_whole_cents(amount_cents) or amount_cents <= 0:
            errors.setdefault(
                "amount_cents", _("Le montant est un nombre entier de centimes, positif.")
            )
        elif amount_cents > MAX_AMOUNT_CENTS:
            errors.setdefault(
                "amount_cents", _("Ce montant dépasse la limite admise : vérifiez-le.")
            )
        if errors:
            raise ValidationError(errors)
        lines = [(account, amount_cents)]
        if contributions:
            lines.append(("645", contributions))
        return lines

    def cancel(self, by, reason: str) -> None:
        """An officer cancels the payment: its reversal gives the commitment its money back."""
        rules.require(by, "cancel_payment", self.mission)
        errors = {}
        reason = clean_text(
            reason, "reason", _("Dites pourquoi le paiement est annulé."), MAX_REASON_LENGTH, errors
        )
        if errors:
            raise ValidationError(errors)
        with transaction.atomic():
            mission = Mission.objects.select_for_update().get(pk=self.mission_id)
            payment = (
                MissionPayment.objects.select_for_update()
                .select_related("transaction")
                .get(pk=self.pk)
            )
            if payment.is_cancelled:
                raise ValidationError(_("Ce paiement est déjà annulé."))
            if mission.status not in Mission.PAYABLE:
                raise ValidationError(
                    _("La mission est %(status)s : ses paiements ne s'annulent plus.")
                    % {"status": mission.get_status_display().lower()}
                )
            reversal = payment.transaction.reverse(
                _("Annulation du paiement — mission %(ref)s") % {"ref": mission.ref},
                idempotency_key=f"{payment.idempotency_key}-cancel",
                by=_user(by),
            )
            payment.cancelled_at = timezone.now()
            payment.cancelled_by = rules.active_member(by)
            payment.cancellation_reason = reason
            payment.cancellation = reversal
            payment.save(
                update_fields=[
                    "cancelled_at",
                    "cancelled_by",
                    "cancellation_reason",
                    "cancellation",
                ]
            )
        self.refresh_from_db()


class MissionCashMonthQuerySet(models.QuerySet):
    def write_for(self, missions) -> list["MissionCashMonth"]:
        """Store the adopted missions' cash timelines, as `cash.payments_by_month` reads
        them from their stored costs (which never change once adopted)."""
        from commun.budgets import cash  # it reads the models: imported once they exist

        return self.bulk_create(
            MissionCashMonth(mission=mission, month_number=cash.month_number(month), cents=cents)
            for mission in missions
            for month, cents in cash.cash_months(mission)
        )


class MissionCashMonth(models.Model):
    """One month of an adopted mission's cash timeline, kept from its adoption on so the
    treasury forecast adds up integers instead of reading every mission's stored cost."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="cash_schedule")
    # The month as a number (`cash.month_number`: year × 12 + month − 1): a date column
    # costs a conversion per row read, and the forecast reads thousands of them.
    month_number = models.PositiveIntegerField()
    cents = models.BigIntegerField()

    objects = MissionCashMonthQuerySet.as_manager()

    class Meta:
        ordering = ["mission", "month_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "month_number"], name="mission_cash_month_once"
            ),
        ]

    def __str__(self):
        return f"{self.mission_id} {self.month:%Y-%m}"

    @property
    def month(self) -> datetime.date:
        from commun.budgets import cash

        return cash.month_of_number(self.month_number)


class RecurringIncome(models.Model):
    """Money the officers expect to come in again and again (a grant, a membership fee, a
    client's retainer): the treasury forecast counts it, the books never do until it is paid."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", gettext_lazy("chaque mois")
        QUARTERLY = "quarterly", gettext_lazy("chaque trimestre")
        YEARLY = "yearly", gettext_lazy("chaque année")

    EVERY_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
    FIELDS = ("label", "amount_cents", "frequency", "starts_on", "ends_on")

    label = personal(
        models.CharField(gettext_lazy("libellé"), max_length=MAX_TITLE_LENGTH),
        ACCOUNTING,
        Audience.OFFICERS,
        Erasure.PSEUDONYMISE,
    )
    amount_cents = models.BigIntegerField(gettext_lazy("montant"))
    frequency = models.CharField(
        gettext_lazy("fréquence"), max_length=20, choices=Frequency, default=Frequency.MONTHLY
    )
    starts_on = models.DateField(gettext_lazy("première échéance"))
    ends_on = models.DateField(
        gettext_lazy("dernière échéance au plus tard"), null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,  # entered before authors were kept
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=gettext_lazy("saisie par"),
    )

    class Meta:
        verbose_name = gettext_lazy("recette récurrente")
        verbose_name_plural = gettext_lazy("recettes récurrentes")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0) & Q(amount_cents__lte=MAX_AMOUNT_CENTS),
                name="recurring_income_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=["monthly", "quarterly", "yearly"]),
                name="recurring_income_frequency_known",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="recurring_income_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.label

    @classmethod
    def add(cls, by, **values) -> "RecurringIncome":
        """An officer enters an expected income: kept with its author, and journaled."""
        rules.require(by, "manage_income")
        income = cls(**values, created_by=rules.active_member(by))
        income.full_clean()
        with transaction.atomic():
            income.save()
            income._journal("added", by)
        return income

    def edit(self, by, **values) -> "RecurringIncome":
        """An officer corrects it (ending it is `end()`); the new terms are journaled."""
        rules.require(by, "manage_income")
        with transaction.atomic():
            income = RecurringIncome.objects.select_for_update().get(pk=self.pk)
            for name in self.FIELDS:
                if name in values:
                    setattr(income, name, values[name])
            income.full_clean()
            income.save()
            income._journal("edited", by)
        self.refresh_from_db()
        return self

    def journal_payload(self) -> dict:
        """The income's terms as the chained journal keeps them: the label, which only the
        officers read (it may name a client), as its digest, as a decision's text is."""
        return {
            "income": self.pk,
            "label_sha256": hashlib.sha256(self.label.encode()).hexdigest(),
            "amount_cents": self.amount_cents,
            "frequency": self.frequency,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat() if self.ends_on else None,
        }

    def _journal(self, action: str, by) -> None:
        """Chain the change after the books' other entries, as a treasury change: the
        forecast and every adoption it lets through read these terms."""
        from commun.ledger.models import Books, JournalEntry

        member = rules.active_member(by)
        books = Books.locked()  # serialises the journal's sequence with the ledger's writes
        JournalEntry.objects.append(
            books,
            JournalEntry.Kind.RECURRING_INCOME,
            f"income-{self.pk}",
            self.journal_payload()
            | {"action": action, "by": member.number if member is not None else None},
        )
        books.save(update_fields=["journal_length", "journal_head_hash"])

    def end(self, by, on: datetime.date | None = None) -> "RecurringIncome":
        """No more of it after `on` (today by default): what came before stays as it was."""
        on = on or timezone.localdate()
        if self.ends_on is not None and self.ends_on <= on:
            return self
        return self.edit(by, ends_on=max(on, self.starts_on))

    def clean(self):
        errors = {}
        self.label = clean_text(
            self.label, "label", _("Nommez cette recette."), MAX_TITLE_LENGTH, errors
        )
        if not is_whole_cents(self.amount_cents):
            errors["amount_cents"] = _("Le montant est un nombre entier de centimes, positif.")
        elif not 0 < self.amount_cents <= MAX_AMOUNT_CENTS:
            errors["amount_cents"] = _(
                "Le montant est positif et ne dépasse pas dix millions d'euros."
            )
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("La dernière échéance ne vient pas avant la première.")
        if errors:
            raise ValidationError(errors)

    def falls_in(self, month: datetime.date, after: datetime.date) -> bool:
        """Whether one of its dates falls in `month` (its first day) and later than `after`
        (what came in today or before is in the bank already)."""
        first = self.starts_on.replace(day=1)
        gap = (month.year - first.year) * 12 + month.month - first.month
        if gap < 0 or gap % self.EVERY_MONTHS[self.frequency]:
            return False
        last_day = calendar.monthrange(month.year, month.month)[1]
        due = month.replace(day=min(self.starts_on.day, last_day))
        return due > after and (self.ends_on is None or due <= self.ends_on)
