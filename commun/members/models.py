"""The cooperative, its categories and colleges, applications, members and the share register."""

import datetime
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from commun.lib.appendonly import AppendOnlyModel, AppendOnlyQuerySet
from commun.lib.iban import validate_iban
from commun.lib.memo import Memo
from commun.lib.months import add_months
from commun.members.signals import member_admitted, share_movement_recorded
from commun.privacy.declarations import (
    APPLICATIONS,
    ERASED_EMAIL,
    ERASED_TEXT,
    MEMBERSHIP,
    REGISTER,
    Audience,
    Erasure,
    not_personal,
    personal,
    redeclared,
)
from commun.privacy.fields import EncryptedCharField, EncryptedTextField, seal_id_field

MAX_SHARES_PER_MOVEMENT = 1_000_000


def rules():
    """`members/rules.py`, imported when first asked: it reads the models it guards."""
    from commun.members import rules

    return rules


class LegalForm(models.TextChoices):
    SCIC = "scic", _("SCIC (société coopérative d'intérêt collectif)")
    SCOP = "scop", _("SCOP (société coopérative et participative)")
    ASSOCIATION = "association", _("Association loi 1901")
    COOPERATIVE = "cooperative", _("Autre coopérative")


class AdmissionRule(models.TextChoices):
    AUTOMATIC = "automatic", _("Automatique dès la candidature")
    OFFICERS = "officers", _("Par les responsables")
    # `Application.route()` opens the decision; `members.receivers` admits on adoption.
    DECISION = "decision", _("Par décision de consentement")


class Cooperative(models.Model):
    """The one cooperative this instance serves (a single row, pk=1)."""

    class ProfitAllocation(models.TextChoices):
        # The charter's rule: every surplus stays in the cooperative, nothing is shared out.
        ALL_TO_RESERVES = (
            "all_to_reserves",
            _("Tous les excédents en réserves (100 %, aucun dividende)"),
        )
        INTEREST_ON_SHARES = (
            "interest_on_shares",
            _("Intérêt aux parts permis, dans la limite légale (art. 14 de la loi n° 47-1775)"),
        )

    name = models.CharField(_("nom"), max_length=200, default="Ma coopérative")
    legal_form = models.CharField(
        _("forme juridique"), max_length=20, choices=LegalForm, default=LegalForm.SCIC
    )
    share_value_cents = models.PositiveIntegerField(
        _("valeur nominale d'une part (centimes)"), default=5000
    )
    charter = models.TextField(_("charte (Markdown)"), blank=True)
    statutes = models.TextField(_("statuts (Markdown)"), blank=True)
    admission_rule = models.CharField(
        _("admission"), max_length=20, choices=AdmissionRule, default=AdmissionRule.OFFICERS
    )
    repayment_delay_months = models.PositiveSmallIntegerField(
        _("délai de remboursement des parts (mois)"), default=12
    )
    contact_email = not_personal(
        models.EmailField(_("e-mail de contact"), blank=True),
        "the cooperative's own public address",
    )
    # Decisions by consent: each decision copies these when it opens. Consent is the
    # absence of reasoned objection (the charter): by default, silence consents once the
    # minimum deliberation has run and enough members have spoken; the statutes may choose
    # the strict rule instead.
    silence_is_consent = models.BooleanField(
        _("le silence vaut consentement"),
        default=True,
        help_text=_(
            "Sinon, une décision par consentement n'est adoptée que si chaque associé·e "
            "appelé·e à se prononcer l'a fait."
        ),
    )
    consent_quorum_percent = models.PositiveSmallIntegerField(
        _("participation minimale quand le silence vaut consentement (%)"), default=50
    )
    admission_college = models.ForeignKey(
        "College",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("collège qui admet par consentement"),
        help_text=_("Laisser vide : ce sont les responsables qui consentent aux admissions."),
    )
    # The year close reads these: what the statutes let the assembly do with a profit.
    profit_allocation = models.CharField(
        _("affectation des excédents selon les statuts"),
        max_length=30,
        choices=ProfitAllocation,
        default=ProfitAllocation.ALL_TO_RESERVES,
    )
    tmo_average_percent = models.DecimalField(
        _("moyenne du TMO des trois années civiles précédentes (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Taux moyen de rendement des obligations des sociétés privées, publié par la "
            "Banque de France. Art. 14 de la loi n° 47-1775 du 10 septembre 1947 : l'intérêt "
            "versé aux parts ne peut dépasser cette moyenne majorée de 2 points."
        ),
    )
    # Running figures kept under the row lock taken by every register movement.
    capital_cents = models.BigIntegerField(default=0, editable=False)
    capital_high_water_cents = models.BigIntegerField(default=0, editable=False)
    last_member_number = models.PositiveIntegerField(default=0, editable=False)
    last_movement_number = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("coopérative")
        verbose_name_plural = _("coopérative")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="cooperative_is_single"),
            models.CheckConstraint(
                condition=Q(share_value_cents__gt=0), name="share_value_positive"
            ),
            models.CheckConstraint(condition=Q(capital_cents__gte=0), name="capital_not_negative"),
            models.CheckConstraint(
                condition=Q(consent_quorum_percent__lte=100), name="consent_quorum_is_a_percentage"
            ),
            models.CheckConstraint(
                condition=Q(tmo_average_percent__isnull=True)
                | Q(tmo_average_percent__gte=0, tmo_average_percent__lte=100),
                name="tmo_average_is_a_percentage",
            ),
        ]

    def __str__(self):
        return self.name

    RUNNING_FIGURES = frozenset(
        {"capital_cents", "capital_high_water_cents", "last_member_number", "last_movement_number"}
    )

    def save(self, *args, **kwargs):
        # A stale instance must never roll back the register's figures: they are written
        # only when named, under the row lock.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in self.RUNNING_FIGURES
            ]
        super().save(*args, **kwargs)

    @classmethod
    def get(cls) -> "Cooperative":
        coop, _created = cls.objects.get_or_create(pk=1)
        return coop

    @classmethod
    def locked(cls) -> "Cooperative":
        """The row, locked until the transaction ends: it serialises numbering and capital."""
        try:
            return cls.objects.select_for_update().get(pk=1)
        except cls.DoesNotExist:
            cls.objects.get_or_create(pk=1)
            return cls.objects.select_for_update().get(pk=1)

    @property
    def is_scic(self) -> bool:
        return self.legal_form == LegalForm.SCIC

    @property
    def capital_floor_cents(self) -> int:
        """Capital may not fall below a quarter of the highest capital ever reached."""
        return math.ceil(self.capital_high_water_cents / 4)

    def structure_errors(self, categories=None, colleges=None) -> list[str]:
        """What the statutes' structure lacks: checked before officers save it."""
        categories = list(self.categories.all() if categories is None else categories)
        colleges = list(self.colleges.all() if colleges is None else colleges)
        errors = []
        if len(categories) < 3:
            errors.append(_("Il faut au moins trois catégories d'associé·es."))
        if self.is_scic:
            if sum(1 for c in categories if c.mandatory) < 2:
                errors.append(
                    _(
                        "Une SCIC a au moins deux catégories obligatoires : les bénéficiaires, "
                        "et les salarié·es ou producteur·ices."
                    )
                )
            weights = [c.weight_percent for c in colleges if c.weight_percent is not None]
            if weights:
                if len(weights) != len(colleges):
                    errors.append(_("Pondérez tous les collèges, ou aucun."))
                elif any(w < 10 or w > 50 for w in weights):
                    errors.append(_("Dans une SCIC, chaque collège pèse entre 10 % et 50 %."))
                elif sum(weights) != 100:
                    errors.append(
                        _("Les poids des collèges totalisent %(total)s %% au lieu de 100 %%.")
                        % {"total": sum(weights)}
                    )
        return errors

    PROFILE_FIELDS = [
        "name",
        "legal_form",
        "share_value_cents",
        "charter",
        "statutes",
        "admission_rule",
        "repayment_delay_months",
        "contact_email",
        "silence_is_consent",
        "consent_quorum_percent",
        "admission_college",
        "profit_allocation",
        "tmo_average_percent",
    ]

    def save_structure(
        self, categories, colleges, removed_categories=(), removed_colleges=(), *, by=None
    ):
        """Save the profile with its categories and colleges: all of it, or nothing.

        Takes the officers' unsaved instances; raises ValidationError before writing anything.
        `by` is the officer saving it (None: the installation or the demo, not a person).
        """
        categories, colleges = list(categories), list(colleges)
        removed_categories, removed_colleges = list(removed_categories), list(removed_colleges)
        with transaction.atomic():
            # Locked so no admission or movement slips in between these checks and the save.
            current = Cooperative.locked()
            if by is not None:
                rules().require(by, "edit_structure")
            # Rows added meanwhile by someone else still belong to the structure being checked.
            listed = [c.pk for c in categories + removed_categories if c.pk]
            others = list(Category.objects.exclude(pk__in=listed))
            listed = [c.pk for c in colleges + removed_colleges if c.pk]
            other_colleges = list(College.objects.exclude(pk__in=listed))
            errors = self.structure_errors(categories + others, colleges + other_colleges)
            if self.share_value_cents != current.share_value_cents and current.last_movement_number:
                errors.append(
                    _(
                        "La valeur nominale d'une part ne peut plus changer ici une fois le "
                        "registre ouvert : elle change par décision d'assemblée."
                    )
                )
            for category in removed_categories:
                if category.members.exists() or category.applications.exists():
                    errors.append(
                        _(
                            "La catégorie « %(name)s » a des associé·es ou des candidatures : "
                            "elle ne peut pas être supprimée. Fermez-la plutôt aux candidatures."
                        )
                        % {"name": category.name}
                    )
            still_used = {c.college_id for c in categories + others}
            for college in removed_colleges:
                if college.pk in still_used:
                    errors.append(
                        _(
                            "Le collège « %(name)s » regroupe encore des catégories : "
                            "rattachez-les d'abord à un autre collège."
                        )
                        % {"name": college.name}
                    )
            if errors:
                raise ValidationError(errors)
            # Only the profile's own fields: the running figures belong to the register.
            self.save(update_fields=self.PROFILE_FIELDS)
            for college in colleges:
                college.cooperative_id = self.pk
                college.save()
            for category in categories:
                category.cooperative_id = self.pk
                category.save()
            for category in removed_categories:
                category.delete()
            for college in removed_colleges:
                try:
                    with transaction.atomic():
                        college.delete()
                except models.ProtectedError as error:
                    # Other apps hold on to a college (its discussion space has threads…).
                    raise ValidationError(
                        _(
                            "Le collège « %(name)s » a un historique (discussions, décisions) : "
                            "il ne peut pas être supprimé."
                        )
                        % {"name": college.name}
                    ) from error


class College(models.Model):
    """A voting college: colleges may be weighted in assemblies, never by capital."""

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.CASCADE, related_name="colleges", default=1
    )
    name = models.CharField(_("nom"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    weight_percent = models.PositiveSmallIntegerField(
        _("poids (%)"), null=True, blank=True, help_text=_("Laisser vide si non pondéré.")
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("collège")
        verbose_name_plural = _("collèges")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_percent__isnull=True) | Q(weight_percent__lte=100),
                name="college_weight_at_most_100",
            )
        ]

    def __str__(self):
        return self.name


class Category(models.Model):
    """A category of associates, as the statutes define them."""

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.CASCADE, related_name="categories", default=1
    )
    name = models.CharField(_("nom"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    college = models.ForeignKey(
        College,
        on_delete=models.PROTECT,
        related_name="categories",
        null=True,
        blank=True,
        verbose_name=_("collège"),
    )
    min_shares = models.PositiveIntegerField(_("nombre minimal de parts"), default=1)
    mandatory = models.BooleanField(
        _("catégorie obligatoire"),
        default=False,
        help_text=_("Catégorie requise par la loi (SCIC) : elle ne peut jamais rester vide."),
    )
    open_to_applications = models.BooleanField(_("ouverte aux candidatures"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("catégorie")
        verbose_name_plural = _("catégories")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(min_shares__gte=1), name="category_min_one_share")
        ]

    def __str__(self):
        return self.name

    def active_count(self) -> int:
        return self.members.filter(status=Member.Status.ACTIVE).count()


class Visibility(models.TextChoices):
    NAME = "name", _("Mon nom")
    PSEUDONYM = "pseudonym", _("Mon pseudonyme")
    HIDDEN = "hidden", _("Rien (invisible du public)")


class MembersSee(models.TextChoices):
    """What the other associates see of a member (officers see the register's names)."""

    NAME = "name", _("Mon nom")
    PSEUDONYM = "pseudonym", _("Mon pseudonyme, ou à défaut mon numéro")


class MemberKind(models.TextChoices):
    PERSON = "person", _("Personne physique")
    ORGANISATION = "organisation", _("Personne morale")


class Identity(models.Model):
    """Who someone is: shared by an application and the membership it becomes."""

    kind = models.CharField(_("type"), max_length=20, choices=MemberKind, default=MemberKind.PERSON)
    # An application's identity becomes the member's: the register keeps it 10 years after
    # they leave; what the public sees of a member is their own choice (`public_visibility`).
    first_name = personal(
        models.CharField(_("prénom"), max_length=100),
        REGISTER,
        Audience.PUBLIC_BY_CHOICE,
        Erasure.RESTRICT,
    )
    last_name = personal(
        models.CharField(_("nom"), max_length=100),
        REGISTER,
        Audience.PUBLIC_BY_CHOICE,
        Erasure.RESTRICT,
    )
    organisation_name = personal(
        models.CharField(
            _("nom de la structure"),
            max_length=200,
            blank=True,
            help_text=_(
                "Pour une personne morale ; prénom et nom sont alors ceux de sa ou son "
                "représentant·e."
            ),
        ),
        REGISTER,
        Audience.PUBLIC_BY_CHOICE,
        Erasure.RESTRICT,
    )
    phone = personal(
        models.CharField(_("téléphone"), max_length=30, blank=True),
        MEMBERSHIP,
        Audience.OFFICERS,
        Erasure.ERASE,
    )
    postal_address = personal(
        EncryptedTextField(_("adresse postale"), blank=True),
        REGISTER,
        Audience.OFFICERS,
        Erasure.RESTRICT,
    )
    seal_id = seal_id_field()

    class Meta:
        abstract = True

    @property
    def full_name(self) -> str:
        person = f"{self.first_name} {self.last_name}".strip()
        if self.kind == MemberKind.ORGANISATION and self.organisation_name:
            return f"{self.organisation_name} ({person})"
        return person


def number_searched(text: str) -> int | None:
    """The member number a search means: ASCII digits within the column's range, else None
    ("²" and "٣" are digits to Python, not to int(); a huge number is nobody's)."""
    if text.isascii() and text.isdigit() and int(text) <= 2**31 - 1:
        return int(text)
    return None


# The fields `Member.name_for` and `Member.public_name` read.
NAMING_FIELDS = (
    "number",
    "status",
    "is_officer",
    "kind",
    "first_name",
    "last_name",
    "organisation_name",
    "pseudonym",
    "public_visibility",
    "members_visibility",
)


class MemberQuerySet(models.QuerySet):
    def for_names(self):
        """Only what `Member.name_for` reads: a list of names (a board's cards, a thread's
        authors) then doesn't load, nor decrypt, anyone's address or IBAN."""
        return self.only(*NAMING_FIELDS)

    def active(self):
        return self.filter(status=Member.Status.ACTIVE)

    def current(self):
        """Memberships not ended: admitted, active or leaving (one per account at most)."""
        return self.exclude(status=Member.Status.LEFT)

    def publicly_listed(self):
        return self.active().exclude(public_visibility=Visibility.HIDDEN)

    def numbered(self, number: int | None, field: str) -> "Member | None":
        """The member with this number (None for None), or the error on `field` that a form
        or the API shows when a member named by number does not exist."""
        if number is None:
            return None
        member = self.filter(number=number).first()
        if member is None:
            raise ValidationError(
                {
                    field: gettext("Aucun·e associé·e ne porte le numéro %(number)s.")
                    % {"number": number}
                }
            )
        return member

    def count_by_category(self) -> dict[int, int]:
        """{category id: number of members}, grouped by the database in one query."""
        grouped = self.order_by().values("category_id").annotate(n=models.Count("pk"))
        return dict(grouped.values_list("category_id", "n"))


class Member(Identity):
    """An associate: one person, one voice, whatever the number of shares held."""

    class Status(models.TextChoices):
        ADMITTED = "admitted", _("Admis·e, parts à libérer")
        ACTIVE = "active", _("Associé·e")
        LEAVING = "leaving", _("Démission en cours")
        LEFT = "left", _("Sorti·e")

    # One account may be a member again after leaving: a new row, a new number, the former
    # membership kept as the register knows it. One current membership at most (Meta).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    number = models.PositiveIntegerField(_("numéro d'associé·e"), unique=True, editable=False)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="members", verbose_name=_("catégorie")
    )
    status = models.CharField(_("statut"), max_length=20, choices=Status, default=Status.ADMITTED)
    is_officer = models.BooleanField(_("responsable juridique"), default=False)
    pseudonym = personal(
        models.CharField(_("pseudonyme"), max_length=60, blank=True),
        MEMBERSHIP,
        Audience.PUBLIC_BY_CHOICE,
        Erasure.ERASE,
    )
    public_visibility = models.CharField(
        _("ce que le public voit de moi"),
        max_length=20,
        choices=Visibility,
        default=Visibility.HIDDEN,
    )
    # Whoever shows their name to the public shows it to the associates too (`shows_name_to`).
    members_visibility = models.CharField(
        _("ce que les associé·es voient de moi"),
        max_length=20,
        choices=MembersSee,
        default=MembersSee.PSEUDONYM,
    )
    iban = personal(
        EncryptedCharField(
            _("IBAN"),
            max_length=34,
            blank=True,
            validators=[validate_iban],
            help_text=_("Pour le remboursement de vos parts. Chiffré sur le serveur."),
        ),
        REGISTER,
        Audience.OFFICERS,
        Erasure.RESTRICT,
    )
    bio = personal(
        models.TextField(_("présentation"), blank=True, max_length=2000),
        MEMBERSHIP,
        Audience.MEMBERS,
        Erasure.ERASE,
    )
    language = models.CharField(max_length=8, default="fr")
    admitted_at = models.DateTimeField(_("admis·e le"), default=timezone.now, editable=False)
    effective_on = models.DateField(_("associé·e depuis"), null=True, blank=True, editable=False)
    resigned_on = models.DateField(_("démission le"), null=True, blank=True, editable=False)
    left_on = models.DateField(_("sorti·e le"), null=True, blank=True, editable=False)
    # Kept equal to the register's sums under the member's row lock (tested).
    shares_subscribed = models.PositiveIntegerField(default=0, editable=False)
    shares_paid = models.PositiveIntegerField(default=0, editable=False)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("un enregistrement", "associé·e")
        verbose_name_plural = _("associé·es")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1), name="member_number_positive"),
            models.CheckConstraint(
                condition=Q(shares_paid__lte=F("shares_subscribed")),
                name="member_paid_within_subscribed",
            ),
            models.CheckConstraint(
                condition=~Q(public_visibility="pseudonym") | ~Q(pseudonym=""),
                name="member_pseudonym_when_shown",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=~Q(status="left"),
                name="one_current_membership_per_user",
            ),
        ]
        # The directory's pages and counts read these indexes alone: the id is a key column
        # for PostgreSQL's index-only scans (SQLite adds it anyway). The search's trigram
        # indexes, PostgreSQL only, are made by migration 0004.
        indexes = [
            models.Index(fields=["status", "number", "id"], name="member_status_number"),
            models.Index(
                fields=["status", "category", "number", "id"], name="member_status_category"
            ),
        ]

    def __str__(self):
        return f"n°{self.number} {self.full_name}"

    @property
    def is_active_member(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def has_left(self) -> bool:
        return self.status == self.Status.LEFT

    @property
    def voice(self) -> int:
        """One person, one voice: shares never weigh."""
        return 1 if self.is_active_member else 0

    @property
    def full_name(self) -> str:
        if not (self.first_name or self.last_name or self.organisation_name):
            return _("Associé·e n°%(number)s") % {"number": self.number}  # an erased account
        return super().full_name

    @property
    def public_name(self) -> str | None:
        """What a visitor may see of this member, by their own choice."""
        if self.public_visibility == Visibility.NAME:
            return self.full_name
        if self.public_visibility == Visibility.PSEUDONYM:
            return self.pseudonym
        return None

    @property
    def sees_every_name(self) -> bool:
        # Officers keep the legal register, which names every associate.
        return self.is_officer and self.is_active_member

    def name_for(self, viewer: "Member | None", *, own_record: bool = False) -> str:
        """The name `viewer` is shown for this member: the one privacy rule for names.

        Active associates see each other as each chose for members (officers, who keep
        the legal register, see every name); anyone else sees the public choice. A member
        reading their own record (`own_record`) sees it as associates do, even once left.
        """
        number = _("Associé·e n°%(number)s") % {"number": self.number}
        if not own_record and (viewer is None or not viewer.is_active_member):
            return self.public_name or number
        named = self.public_visibility == Visibility.NAME or (
            self.members_visibility == MembersSee.NAME
        )
        sees_every_name = viewer is not None and viewer.sees_every_name
        if not named and not sees_every_name and (viewer is None or viewer.number != self.number):
            return self.pseudonym or number
        # An erased account keeps its number only.
        person = f"{self.first_name} {self.last_name}".strip() or number
        if self.kind == MemberKind.ORGANISATION and self.organisation_name:
            return f"{self.organisation_name} ({person})"
        return person

    def clean(self):
        if self.public_visibility == Visibility.PSEUDONYM and not self.pseudonym.strip():
            raise ValidationError(
                {"pseudonym": _("Choisissez un pseudonyme pour être montré·e sous ce nom.")}
            )

    def activate_if_paid(self, on: datetime.date):
        """Membership becomes effective once the category's minimum of shares is paid."""
        if self.status == self.Status.ADMITTED and self.shares_paid >= self.category.min_shares:
            self.status = self.Status.ACTIVE
            self.effective_on = on

    def set_officer(self, officer: bool, by=None) -> None:
        """Give or take the officer role; the cooperative always keeps at least one officer.

        `by` is the officer deciding it (None: the installation's first officer, the demo).
        """
        with transaction.atomic():
            # Lock every officer so two officers cannot each remove the other at once.
            officers = set(
                Member.objects.select_for_update()
                .active()
                .filter(is_officer=True)
                .values_list("pk", flat=True)
            )
            member = Member.objects.select_for_update().get(pk=self.pk)
            if by is not None:
                rules().require(by, "appoint_officer")
            if officer and not member.is_active_member:
                raise ValidationError(
                    _("Seul·e un·e associé·e dont les parts sont libérées peut être responsable.")
                )
            if not officer and officers <= {member.pk}:
                raise ValidationError(
                    _(
                        "%(name)s est la ou le dernier responsable : nommez d'abord "
                        "quelqu'un d'autre."
                    )
                    % {"name": member.full_name}
                )
            member.is_officer = officer
            member.save(update_fields=["is_officer"])
        self.is_officer = officer

    def resign(self, on: datetime.date | None = None, by=None) -> "Repayment":
        """Schedule the repayment of this member's shares after the statutes' delay."""
        on = on or timezone.localdate()
        with transaction.atomic():
            coop = Cooperative.locked()
            # Locked so two resignations cannot both leave a mandatory category empty.
            member = Member.objects.select_for_update().get(pk=self.pk)
            if member.status not in (self.Status.ACTIVE, self.Status.ADMITTED):
                raise ValidationError(_("Cette démission est déjà enregistrée."))
            if (
                member.is_officer
                and not Member.objects.active()
                .filter(is_officer=True)
                .exclude(pk=member.pk)
                .exists()
            ):
                raise ValidationError(
                    _(
                        "Vous êtes la ou le dernier responsable : nommez d'abord quelqu'un "
                        "d'autre, puis démissionnez."
                    )
                )
            category = member.category
            if (
                category.mandatory
                and member.status == self.Status.ACTIVE
                and category.members.active().exclude(pk=member.pk).count() == 0
            ):
                raise ValidationError(
                    _(
                        "La catégorie « %(category)s » est obligatoire et resterait vide : "
                        "la démission ne peut être enregistrée qu'après l'arrivée d'un·e autre "
                        "associé·e de cette catégorie."
                    )
                    % {"category": category.name}
                )
            member.status = self.Status.LEAVING
            member.resigned_on = on
            member.save(update_fields=["status", "resigned_on"])
            repayment = Repayment.objects.create(
                member=member,
                requested_on=on,
                due_on=add_months(on, coop.repayment_delay_months),
                shares=member.shares_paid,
                amount_cents=member.shares_paid * coop.share_value_cents,
                requested_by=by,
            )
            self.refresh_from_db()
        from commun.members import notifications

        transaction.on_commit(lambda: notifications.resignation_recorded(repayment))
        return repayment


class ApplicationQuerySet(models.QuerySet):
    def blank(self) -> int:
        """Blank what these applications say of their applicants (erasure, or the end of
        their retention); the rows stay, so the admissions' counts do. One UPDATE."""
        before, after = ERASED_EMAIL.split("{pk}")
        return self.update(
            first_name="",
            last_name="",
            organisation_name="",
            phone="",
            postal_address="",
            email=Concat(Value(before), Cast("user_id", models.CharField()), Value(after)),
            motivation="",
            # The database needs a refused application's reason: a mark, never the words.
            refusal_reason=Case(
                When(refusal_reason="", then=Value("")), default=Value(ERASED_TEXT)
            ),
        )


class Application(Identity):
    """A request to join, from the public form or the API."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        ADMITTED = "admitted", _("Admise")
        REFUSED = "refused", _("Refusée")
        WITHDRAWN = "withdrawn", _("Retirée")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    # The identity a member's register keeps is, on an application, only the application's:
    # officers (and the associates asked to consent) read it, and it goes with a refusal.
    first_name = redeclared(
        Identity._meta.get_field("first_name"), APPLICATIONS, Audience.ADMISSION, Erasure.ERASE
    )
    last_name = redeclared(
        Identity._meta.get_field("last_name"), APPLICATIONS, Audience.ADMISSION, Erasure.ERASE
    )
    organisation_name = redeclared(
        Identity._meta.get_field("organisation_name"),
        APPLICATIONS,
        Audience.ADMISSION,
        Erasure.ERASE,
    )
    phone = redeclared(
        Identity._meta.get_field("phone"), APPLICATIONS, Audience.OFFICERS, Erasure.ERASE
    )
    postal_address = redeclared(
        Identity._meta.get_field("postal_address"), APPLICATIONS, Audience.OFFICERS, Erasure.ERASE
    )
    email = personal(
        models.EmailField(_("adresse e-mail")),
        APPLICATIONS,
        Audience.OFFICERS,
        Erasure.ERASE,
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="applications", verbose_name=_("catégorie")
    )
    shares = models.PositiveIntegerField(_("nombre de parts"))
    motivation = personal(
        models.TextField(_("ce qui vous amène"), blank=True, max_length=4000),
        APPLICATIONS,
        Audience.ADMISSION,
        Erasure.ERASE,
    )
    consents_to_charter = models.BooleanField(_("j'adhère à la charte"), default=False)
    consents_to_privacy = models.BooleanField(
        _("j'accepte la politique de confidentialité"), default=False
    )
    language = models.CharField(max_length=8, default="fr")
    status = models.CharField(_("statut"), max_length=20, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(_("reçue le"), default=timezone.now, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    refusal_reason = personal(
        models.TextField(_("motif du refus"), blank=True),
        APPLICATIONS,
        Audience.OFFICERS,
        Erasure.ERASE,
    )
    member = models.OneToOneField(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="application"
    )

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidature")
        verbose_name_plural = _("candidatures")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(consents_to_charter=True) & Q(consents_to_privacy=True),
                name="application_requires_consents",
            ),
            models.CheckConstraint(
                condition=Q(shares__gte=1) & Q(shares__lte=MAX_SHARES_PER_MOVEMENT),
                name="application_shares_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""),
                name="application_refusal_has_reason",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="pending"),
                name="one_pending_application_per_user",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.full_name} — {self.get_status_display()}"

    def clean(self):
        errors = {}
        if self.category_id and self.shares and self.shares < self.category.min_shares:
            errors["shares"] = ngettext(
                "La catégorie « %(category)s » demande au moins %(min)s part.",
                "La catégorie « %(category)s » demande au moins %(min)s parts.",
                self.category.min_shares,
            ) % {"category": self.category.name, "min": self.category.min_shares}
        if self.category_id and not self.category.open_to_applications:
            errors["category"] = _("Cette catégorie n'accueille pas de candidatures en ligne.")
        if not self.consents_to_charter:
            errors["consents_to_charter"] = _("Adhérer à la charte est nécessaire pour rejoindre.")
        if not self.consents_to_privacy:
            errors["consents_to_privacy"] = _(
                "Accepter la politique de confidentialité est nécessaire pour rejoindre."
            )
        if errors:
            raise ValidationError(errors)

    def submit(self) -> "Application":
        """Validate, save, acknowledge, and admit at once when the statutes say so."""
        self.full_clean(exclude=["user"])
        with transaction.atomic():
            self.refuse_a_current_member(self.user)
            if Application.objects.filter(user=self.user, status=self.Status.PENDING).exists():
                raise ValidationError(_("Vous avez déjà une candidature en attente."))
            self.save()
        from commun.members import notifications

        transaction.on_commit(lambda: notifications.application_received(self))
        self.route()
        return self

    @staticmethod
    def refuse_a_current_member(user) -> None:
        """A former member may apply again; someone still a member, or still leaving, not."""
        current = Member.objects.current().filter(user=user).first()
        if current is not None and current.status == Member.Status.LEAVING:
            raise ValidationError(
                _(
                    "Votre départ est en cours : vous pourrez candidater à nouveau une fois "
                    "vos parts remboursées."
                )
            )
        if current is not None:
            raise ValidationError(_("Vous êtes déjà associé·e de la coopérative."))

    def route(self):
        """Where a new application goes: admitted at once, to the officers, or to a decision."""
        rule = Cooperative.get().admission_rule
        if rule == AdmissionRule.AUTOMATIC:
            self.admit(by=None)
        elif rule == AdmissionRule.DECISION:
            # Imported here: decisions build on members, never the other way round at import.
            from commun.decisions.models import Decision

            Decision.objects.open_for_admission(self)

    def admit(self, by=None, authorised_by: str = "") -> Member:
        """Admit the applicant: a member number and the subscription enter the register.

        `by` is the officer admitting; None is the statutes' own path (automatic admission,
        a decision adopted, named in `authorised_by`), never a person.
        """
        with transaction.atomic():
            # Lock the application first so two officers cannot admit it twice; its account
            # and category come along, their rows not locked.
            application = (
                Application.objects.select_related("user", "category")
                .select_for_update(of=("self",))
                .get(pk=self.pk)
            )
            if by is not None:
                rules().require(by, "decide_application")
            if application.status != self.Status.PENDING:
                raise ValidationError(_("Cette candidature a déjà été traitée."))
            coop = Cooperative.locked()
            # Every admission holds the cooperative's lock: none admitted the account meanwhile.
            self.refuse_a_current_member(application.user)
            coop.last_member_number += 1  # saved with the subscription's figures
            member = Member.objects.create(
                user=application.user,
                number=coop.last_member_number,
                category=application.category,
                kind=application.kind,
                first_name=application.first_name,
                last_name=application.last_name,
                organisation_name=application.organisation_name,
                phone=application.phone,
                postal_address=application.postal_address,
                language=application.language,
            )
            ShareMovement.objects.subscribe_at_admission(
                coop,
                member,
                application.shares,
                by=by,
                authorised_by=authorised_by
                or (
                    gettext_noop("Admission automatique")
                    if by is None
                    else gettext_noop("Admission par les responsables")
                ),
            )
            application.status = self.Status.ADMITTED
            application.decided_at = timezone.now()
            application.decided_by = by
            application.member = member
            decided = ["status", "decided_at", "decided_by", "member"]
            application.save(update_fields=decided)
            member_admitted.send(sender=Member, member=member)
        for field in decided:  # what the caller's instance would read again
            setattr(self, field, getattr(application, field))
        from commun.members import notifications

        transaction.on_commit(lambda: notifications.application_admitted(application))
        return member

    def refuse(self, reason: str, by=None):
        """Refuse with a written reason, which the applicant receives."""
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"refusal_reason": _("Un refus doit être motivé.")})
        with transaction.atomic():
            application = Application.objects.select_for_update().get(pk=self.pk)
            if by is not None:  # None: a decision not adopted refuses it
                rules().require(by, "decide_application")
            if application.status != self.Status.PENDING:
                raise ValidationError(_("Cette candidature a déjà été traitée."))
            application.status = self.Status.REFUSED
            application.refusal_reason = reason
            application.decided_at = timezone.now()
            application.decided_by = by
            application.save(update_fields=["status", "refusal_reason", "decided_at", "decided_by"])
        self.refresh_from_db()
        from commun.members import notifications

        transaction.on_commit(lambda: notifications.application_refused(application))


class ShareMovementQuerySet(AppendOnlyQuerySet):
    def record(
        self,
        kind,
        member,
        quantity: int,
        *,
        on: datetime.date | None = None,
        counterpart=None,
        corrects=None,
        reason: str = "",
        authorised_by: str = "",
        by=None,
    ) -> "ShareMovement":
        """Append one numbered movement and apply it to the holdings, all or nothing.

        `by` is the officer recording it; None is the statutes' own path (an automatic
        admission, a repayment falling due), named in `authorised_by`.
        """
        date = on or timezone.localdate()
        with transaction.atomic():
            # The cooperative row serialises numbering and capital; member rows hold shares.
            coop = Cooperative.locked()
            if by is not None:
                rules().require(by, "record_movement")
            ids = {member.pk} | ({counterpart.pk} if counterpart else set())
            if corrects is not None and corrects.counterpart_id:
                # Correcting a transfer gives the shares back to its counterpart too.
                ids.add(corrects.counterpart_id)
            ids = sorted(ids)
            # With the category (does a payment make them active?) and the user (the e-mail
            # telling them), whose rows are not locked.
            rows = Member.objects.select_related("category", "user").select_for_update(of=("self",))
            locked = {m.pk: m for m in rows.filter(pk__in=ids)}
            movement = ShareMovement(
                kind=kind,
                member=locked[member.pk],
                quantity=quantity,
                counterpart=locked.get(counterpart.pk) if counterpart else None,
                corrects=corrects,
                date=date,
                reason=str(reason),
                authorised_by=str(authorised_by),
                recorded_by=by,
            )
            self._append(coop, locked, movement)
        if kind == ShareMovement.Kind.PAYMENT:
            from commun.members import notifications

            transaction.on_commit(lambda: notifications.payment_recorded(movement))
        return movement

    def subscribe_at_admission(self, coop, member, quantity: int, *, by, authorised_by: str):
        """The new member's subscription, in `Application.admit()`'s transaction.

        The caller holds the cooperative's lock and has just inserted the member's row, so
        neither is read again; a refusal rolls the whole admission back.
        """
        movement = ShareMovement(
            kind=ShareMovement.Kind.SUBSCRIPTION,
            member=member,
            quantity=quantity,
            date=timezone.localdate(),
            reason=gettext_noop("Souscription à l'admission"),
            authorised_by=authorised_by,
            recorded_by=by,
        )
        return self._append(coop, {member.pk: member}, movement)

    def _append(self, coop, locked: dict, movement: "ShareMovement") -> "ShareMovement":
        """Number the movement and apply it to the locked rows: the cooperative and `locked`."""
        movement.share_value_cents = coop.share_value_cents
        # The related rows are the ones just locked or given; clean() checks the check
        # constraints in Python, which the database then checks again: no query each.
        movement.full_clean(
            exclude=["number", "member", "counterpart", "corrects", "recorded_by"],
            validate_constraints=False,
        )
        for target, (subscribed, paid) in movement.effects().items():
            held = locked[target]
            held.shares_subscribed += subscribed
            held.shares_paid += paid
            if held.shares_paid < 0 or held.shares_subscribed < held.shares_paid:
                raise ValidationError(
                    {
                        "quantity": _("Ce mouvement rendrait négatif le nombre de parts de %(m)s.")
                        % {"m": held}
                    }
                )
            coop.capital_cents += paid * movement.share_value_cents
        coop.last_movement_number += 1
        movement.number = coop.last_movement_number
        coop.capital_high_water_cents = max(coop.capital_high_water_cents, coop.capital_cents)
        # Every running figure, all read under the lock (an admission's member number too).
        coop.save(update_fields=sorted(Cooperative.RUNNING_FIGURES))
        movement.save()
        for held in locked.values():
            held.activate_if_paid(movement.date)
            held.save(update_fields=["shares_subscribed", "shares_paid", "status", "effective_on"])
        # The journal and the books move with the register, in the same transaction:
        # the ledger listens (commun/ledger/receivers.py), the register does not know it.
        # It refuses a date the books would not take (a closed year, after today), for
        # every movement, money or not: all of this is then rolled back.
        share_movement_recorded.send(
            sender=ShareMovement, movement=movement, by=movement.recorded_by
        )
        return movement


# The register keeps these in French, whoever's language was active; they are read translated.
SYSTEM_REASONS = {
    gettext_noop("Souscription à l'admission"),
    gettext_noop("Admission automatique"),
    gettext_noop("Admission par les responsables"),
    gettext_noop("Remboursement après démission"),
    gettext_noop("Statuts : délai de remboursement échu"),
    gettext_noop("Parts souscrites non libérées, annulées à la sortie"),
    gettext_noop("Statuts : sortie de l'associé·e"),
}


def _readable(text: str) -> str:
    return gettext(text) if text in SYSTEM_REASONS else text


class ShareMovement(AppendOnlyModel):
    """One line of the register of associates: numbered, dated, never changed."""

    append_only_refusal = "The register is append-only: record a correction instead."

    class Kind(models.TextChoices):
        SUBSCRIPTION = "subscription", _("Souscription")
        PAYMENT = "payment", _("Libération")
        TRANSFER = "transfer", _("Cession")
        REPAYMENT = "repayment", _("Remboursement")
        CANCELLATION = "cancellation", _("Annulation de parts non libérées")
        CORRECTION = "correction", _("Correction")

    number = models.PositiveIntegerField(_("n°"), unique=True, editable=False)
    kind = models.CharField(_("nature"), max_length=20, choices=Kind)
    date = models.DateField(_("date"))
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        related_name="movements",
        verbose_name=pgettext_lazy("un enregistrement", "associé·e"),
    )
    quantity = models.PositiveIntegerField(_("nombre de parts"))
    share_value_cents = models.PositiveIntegerField(_("valeur nominale (centimes)"))
    counterpart = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        related_name="counterpart_movements",
        null=True,
        blank=True,
        verbose_name=_("contrepartie"),
    )
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
        verbose_name=_("corrige le mouvement"),
    )
    reason = models.CharField(_("motif"), max_length=300, blank=True)
    authorised_by = models.CharField(_("autorisé par"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ShareMovementQuerySet.as_manager()

    class Meta:
        verbose_name = _("mouvement de parts")
        verbose_name_plural = _("registre des mouvements de parts")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=MAX_SHARES_PER_MOVEMENT),
                name="movement_quantity_in_range",
            ),
            models.CheckConstraint(
                condition=Q(kind="transfer", counterpart__isnull=False)
                | (~Q(kind="transfer") & Q(counterpart__isnull=True)),
                name="movement_counterpart_only_for_transfer",
            ),
            models.CheckConstraint(
                condition=Q(kind="correction", corrects__isnull=False)
                | (~Q(kind="correction") & Q(corrects__isnull=True)),
                name="movement_correction_names_its_target",
            ),
            models.CheckConstraint(
                condition=~Q(counterpart=F("member")), name="movement_counterpart_is_another"
            ),
        ]
        indexes = [
            models.Index(fields=["member", "number"]),
            # The register filtered by kind: its count and its deep pages from the index.
            models.Index(fields=["kind", "number", "id"], name="movement_kind_number"),
        ]

    def __str__(self):
        return f"n°{self.number} {self.get_kind_display()} {self.quantity}"

    @property
    def readable_reason(self) -> str:
        return _readable(self.reason)

    @property
    def readable_authorised_by(self) -> str:
        return _readable(self.authorised_by)

    def clean(self):
        self._refuse_what_the_database_refuses()
        if self.kind == self.Kind.CORRECTION:
            target = self.corrects
            if target is None:
                raise ValidationError({"corrects": _("Indiquez le mouvement corrigé.")})
            if target.kind == self.Kind.CORRECTION:
                raise ValidationError(
                    {
                        "corrects": _(
                            "Une correction ne se corrige pas : enregistrez le bon mouvement."
                        )
                    }
                )
            if ShareMovement.objects.filter(corrects=target).exists():
                raise ValidationError({"corrects": _("Ce mouvement a déjà été corrigé.")})
            if target.member_id != self.member_id or target.quantity != self.quantity:
                raise ValidationError(
                    {
                        "corrects": _(
                            "Une correction reprend l'associé·e et la quantité "
                            "du mouvement corrigé."
                        )
                    }
                )
            if not self.reason.strip():
                raise ValidationError({"reason": _("Une correction doit être motivée.")})
        if self.kind == self.Kind.TRANSFER and self.counterpart_id is None:
            raise ValidationError({"counterpart": _("Une cession a un·e bénéficiaire.")})

    def _refuse_what_the_database_refuses(self):
        """Meta.constraints, checked here without a query each; the database checks them again."""
        quantity = self.quantity
        if isinstance(quantity, int) and not 1 <= quantity <= MAX_SHARES_PER_MOVEMENT:
            raise ValidationError(
                {
                    "quantity": _("Un mouvement porte sur 1 à %(max)s parts.")
                    % {"max": MAX_SHARES_PER_MOVEMENT}
                }
            )
        if self.kind != self.Kind.TRANSFER and self.counterpart_id is not None:
            raise ValidationError({"counterpart": _("Seule une cession a un·e bénéficiaire.")})
        if self.kind != self.Kind.CORRECTION and self.corrects_id is not None:
            raise ValidationError({"corrects": _("Seule une correction corrige un mouvement.")})
        if self.counterpart_id is not None and self.counterpart_id == self.member_id:
            raise ValidationError({"counterpart": _("On ne cède pas de parts à soi-même.")})

    @property
    def amount_cents(self) -> int:
        return self.quantity * self.share_value_cents

    def effects(self) -> dict[int, tuple[int, int]]:
        """The change this movement makes to (subscribed, paid) shares, by member id."""
        q = self.quantity
        match self.kind:
            case self.Kind.SUBSCRIPTION:
                return {self.member_id: (q, 0)}
            case self.Kind.PAYMENT:
                return {self.member_id: (0, q)}
            case self.Kind.TRANSFER:
                return {self.member_id: (-q, -q), self.counterpart_id: (q, q)}
            case self.Kind.REPAYMENT:
                return {self.member_id: (-q, -q)}
            case self.Kind.CANCELLATION:
                return {self.member_id: (-q, 0)}
            case self.Kind.CORRECTION:
                return {
                    member: (-subscribed, -paid)
                    for member, (subscribed, paid) in self.corrects.effects().items()
                }
        raise ValueError(self.kind)


class RepaymentQuerySet(models.QuerySet):
    def due(self, today: datetime.date):
        return self.exclude(status=Repayment.Status.PAID).filter(due_on__lte=today)

    def process_due(self, today: datetime.date | None = None, by=None):
        """Process every due repayment, oldest first: [(repayment, repaid?)]."""
        today = today or timezone.localdate()
        due = self.due(today).select_related("member").order_by("due_on", "pk")
        return [(repayment, repayment.process(today, by)) for repayment in due]


class Repayment(models.Model):
    """A resigning member's shares to repay at nominal value, once the delay has passed."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Programmé")
        DEFERRED = "deferred", _("Différé (plancher du capital)")
        PAID = "paid", _("Remboursé")

    member = models.OneToOneField(Member, on_delete=models.PROTECT, related_name="repayment")
    requested_on = models.DateField(_("démission le"))
    due_on = models.DateField(_("remboursable le"))
    shares = models.PositiveIntegerField(_("parts"))
    amount_cents = models.BigIntegerField(_("montant (centimes)"))
    status = models.CharField(max_length=20, choices=Status, default=Status.SCHEDULED)
    deferred_note = models.CharField(max_length=300, blank=True)
    movement = models.OneToOneField(
        ShareMovement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = RepaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("remboursement de parts")
        verbose_name_plural = _("remboursements de parts")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gte=0), name="repayment_not_negative")
        ]

    def __str__(self):
        return f"{self.member} — {self.get_status_display()}"

    def process(self, today: datetime.date | None = None, by=None) -> bool:
        """Repay if due and the capital floor allows it; otherwise defer. True when repaid."""
        today = today or timezone.localdate()
        with transaction.atomic():
            # Locks serialise repayments so two cannot together dig under the floor.
            coop = Cooperative.locked()
            repayment = Repayment.objects.select_for_update().get(pk=self.pk)
            if repayment.status == self.Status.PAID or repayment.due_on > today:
                return False
            member = Member.objects.select_for_update().get(pk=repayment.member_id)
            amount = member.shares_paid * coop.share_value_cents
            if coop.capital_cents - amount < coop.capital_floor_cents:
                repayment.status = self.Status.DEFERRED
                repayment.deferred_note = str(
                    _(
                        "Le capital passerait sous %(floor)s €, "
                        "le quart du plus haut capital atteint."
                    )
                    % {"floor": coop.capital_floor_cents // 100}
                )
                repayment.save(update_fields=["status", "deferred_note"])
                self.refresh_from_db()
                return False
            movement = None
            if member.shares_paid:
                movement = ShareMovement.objects.record(
                    ShareMovement.Kind.REPAYMENT,
                    member,
                    member.shares_paid,
                    on=today,
                    by=by,
                    reason=gettext_noop("Remboursement après démission"),
                    authorised_by=gettext_noop("Statuts : délai de remboursement échu"),
                )
                member.refresh_from_db()
            unpaid = member.shares_subscribed - member.shares_paid
            if unpaid:
                ShareMovement.objects.record(
                    ShareMovement.Kind.CANCELLATION,
                    member,
                    unpaid,
                    on=today,
                    by=by,
                    reason=gettext_noop("Parts souscrites non libérées, annulées à la sortie"),
                    authorised_by=gettext_noop("Statuts : sortie de l'associé·e"),
                )
            Member.objects.filter(pk=member.pk).update(status=Member.Status.LEFT, left_on=today)
            repayment.status = self.Status.PAID
            repayment.amount_cents = amount
            repayment.movement = movement
            repayment.save(update_fields=["status", "amount_cents", "movement"])
        self.refresh_from_db()
        return True


# Active members by category, counted at most once a minute per process.
_ACTIVE_COUNTS = Memo("COMMUN_COUNTS_SECONDS", 60)


def active_counts() -> dict[int, int]:
    """Active members by category id, counted at most once a minute per process.

    A scan of every member otherwise, on each home or directory page: a minute-old count
    is right enough there (docs/product.md, Scale; docs/benchmarks.md).
    """
    return _ACTIVE_COUNTS.get(lambda: Member.objects.active().count_by_category())
