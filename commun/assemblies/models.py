"""General assemblies: the statutes' rules for each kind, the assemblies, their agenda, and
who is convened with how they answered.

An assembly starts as a draft the officers prepare; convening it fixes who is eligible (one
`Participant` row each, like a decision's eligibility) and the rules it is held by, and
emails the convocation. Until it opens, each participant answers how they take part.
"""

import datetime
from collections import Counter, defaultdict
from fractions import Fraction
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, models, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from commun.assemblies import counting
from commun.members.models import College, Member
from commun.privacy.declarations import (
    DELIBERATION,
    Audience,
    Erasure,
    not_personal,
    personal,
)

MAX_PROXIES_PER_MEMBER = 20
OPENS_EARLY = datetime.timedelta(hours=1)
MAX_NOTICE_DAYS = 180
# Requests for an agenda item reach the company 25 days before the meeting at the latest
# (art. R. 225-73 of the commercial code, for a SA; a SAS's statutes may say otherwise).
REQUESTS_DEADLINE_DAYS = 25
NO_FIGURES = {
    "yes": 0,
    "no": 0,
    "abstain": 0,
    "blank_proxies": 0,
    "advance_votes": 0,
    "weighted_share": None,
    "colleges": [],
}
SECRET_CAST = "secret"  # a voice cast in a secret vote: the choice is in the box, not here
UNWEIGHTED_COLLEGES = _("Pondérez d'abord tous les collèges : leurs poids doivent totaliser 100.")


def rules():
    """`assemblies/rules.py`, imported when first asked: it reads the models it guards."""
    from commun.assemblies import rules

    return rules


def effects():
    """`assemblies/effects.py`, imported when first asked: it reads the models it applies."""
    from commun.assemblies import effects

    return effects


class Voice(NamedTuple):
    """A participant as the day's counting reads it (`Assembly.voices`)."""

    pk: int
    member_id: int
    college_id: int | None
    mode: str
    holder_id: int | None
    signed_in: bool  # on the attendance sheet


class Kind(models.TextChoices):
    ORDINARY = "ordinary", _("Assemblée générale ordinaire")
    EXTRAORDINARY = "extraordinary", _("Assemblée générale extraordinaire")
    # Both at once: the ordinary business, and resolutions that need the extraordinary rules.
    ORDINARY_EXTRAORDINARY = (
        "ordinary_extraordinary",
        _("Assemblée générale ordinaire réunie extraordinairement"),
    )


class Quorum(models.TextChoices):
    NONE = "0", _("Aucun")
    TENTH = "1/10", _("Un dixième des associé·es")
    FIFTH = "1/5", _("Un cinquième des associé·es")
    QUARTER = "1/4", _("Un quart des associé·es")
    THIRD = "1/3", _("Un tiers des associé·es")
    HALF = "1/2", _("La moitié des associé·es")


class Majority(models.TextChoices):
    SIMPLE = "1/2", _("Majorité simple des suffrages exprimés (plus de la moitié)")
    TWO_THIRDS = "2/3", _("Deux tiers des suffrages exprimés")
    THREE_QUARTERS = "3/4", _("Trois quarts des suffrages exprimés")


# The defaults of a SCIC in the form of an SA or SAS (art. L. 225-96 and L. 225-98 of the
# commercial code, as the model statutes apply them).
DEFAULTS = {
    Kind.ORDINARY: {"quorum_first": Quorum.FIFTH, "quorum_second": Quorum.NONE},
    Kind.EXTRAORDINARY: {
        "quorum_first": Quorum.QUARTER,
        "quorum_second": Quorum.FIFTH,
        "majority": Majority.TWO_THIRDS,
    },
    Kind.ORDINARY_EXTRAORDINARY: {"quorum_first": Quorum.FIFTH, "quorum_second": Quorum.NONE},
}


def colleges_weighted() -> dict[int, int] | None:
    """The colleges' weights when every college is weighted and they total 100, else None."""
    weights = dict(College.objects.values_list("pk", "weight_percent"))
    if not weights or None in weights.values() or sum(weights.values()) != 100:
        return None
    return weights


class AssemblyRules(models.Model):
    """What the statutes say of one kind of assembly (one row per kind)."""

    kind = models.CharField(_("type d'assemblée"), max_length=30, choices=Kind, unique=True)
    notice_days = models.PositiveSmallIntegerField(
        _("délai de convocation (jours)"),
        default=15,
        help_text=_("Le nombre de jours au moins entre l'envoi de la convocation et l'assemblée."),
    )
    quorum_first = models.CharField(
        _("quorum sur première convocation"), max_length=5, choices=Quorum, default=Quorum.FIFTH
    )
    quorum_second = models.CharField(
        _("quorum sur deuxième convocation"), max_length=5, choices=Quorum, default=Quorum.NONE
    )
    majority = models.CharField(
        _("majorité"), max_length=5, choices=Majority, default=Majority.SIMPLE
    )
    requests_deadline_days = models.PositiveSmallIntegerField(
        _("demandes d'inscription à l'ordre du jour reçues jusqu'à (jours avant)"),
        default=REQUESTS_DEADLINE_DAYS,
        help_text=_(
            "Le nombre de jours au moins avant l'assemblée où une demande d'inscription d'un "
            "point doit arriver (25 pour une SA) ; 0 : jusqu'à l'ouverture de la séance."
        ),
    )
    proxies_allowed = models.BooleanField(_("pouvoirs admis"), default=True)
    max_proxies = models.PositiveSmallIntegerField(
        _("pouvoirs détenus au plus par un·e associé·e"),
        default=1,
        help_text=_(
            "Les pouvoirs en blanc, remis à la présidence, ne comptent pas dans cette limite."
        ),
    )
    advance_votes_count = models.BooleanField(
        _("les votes par correspondance ou en ligne avant la séance comptent"), default=False
    )
    weighted_by_college = models.BooleanField(
        _("vote par collèges pondérés"),
        default=False,
        help_text=_("Chaque collège pèse le pourcentage que lui donnent les statuts."),
    )
    minutes_public = models.BooleanField(
        _("procès-verbaux publics"),
        default=False,
        help_text=_(
            "Une fois arrêtés, les procès-verbaux de ces assemblées se lisent sans compte ; "
            "sinon, les associé·es seul·es les lisent."
        ),
    )

    class Meta:
        verbose_name = _("règles d'assemblée")
        verbose_name_plural = _("règles d'assemblée")
        constraints = [
            models.CheckConstraint(
                condition=Q(notice_days__gte=1, notice_days__lte=MAX_NOTICE_DAYS),
                name="assembly_rules_notice_days",
            ),
            models.CheckConstraint(
                condition=Q(max_proxies__lte=MAX_PROXIES_PER_MEMBER),
                name="assembly_rules_max_proxies",
            ),
            models.CheckConstraint(
                condition=Q(requests_deadline_days__lte=MAX_NOTICE_DAYS),
                name="assembly_rules_requests_deadline_days",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()

    @classmethod
    def of(cls, kind: str) -> "AssemblyRules":
        """The rules of this kind; the SCIC defaults, unsaved, until the officers change them
        (reading writes nothing: a fresh database stays empty for `commun restore`)."""
        return cls.objects.filter(kind=kind).first() or cls(kind=kind, **DEFAULTS[kind])

    @classmethod
    def every_kind(cls) -> list["AssemblyRules"]:
        return [cls.of(kind) for kind in Kind.values]

    def clean(self):
        errors = {}
        if self.notice_days is not None and not 1 <= self.notice_days <= MAX_NOTICE_DAYS:
            errors["notice_days"] = _("Entre 1 et %(max)s jours.") % {"max": MAX_NOTICE_DAYS}
        if (self.requests_deadline_days or 0) > MAX_NOTICE_DAYS:
            errors["requests_deadline_days"] = _("Entre 0 et %(max)s jours.") % {
                "max": MAX_NOTICE_DAYS
            }
        quorums = (self.quorum_first, self.quorum_second)
        if all(q in Quorum.values for q in quorums) and Fraction(quorums[1]) > Fraction(quorums[0]):
            errors["quorum_second"] = _(
                "Le quorum sur deuxième convocation ne peut pas dépasser celui de la première."
            )
        if self.max_proxies is not None:
            if self.proxies_allowed and self.max_proxies < 1:
                errors["max_proxies"] = _("Un pouvoir au moins, puisque les pouvoirs sont admis.")
            elif self.max_proxies > MAX_PROXIES_PER_MEMBER:
                errors["max_proxies"] = _("%(max)s pouvoirs au plus.") % {
                    "max": MAX_PROXIES_PER_MEMBER
                }
        if self.weighted_by_college and colleges_weighted() is None:
            errors["weighted_by_college"] = UNWEIGHTED_COLLEGES
        if errors:
            raise ValidationError(errors)

    def update(self, by, **values) -> "AssemblyRules":
        """An officer changes these rules: checked whole, saved whole."""
        rules().require(by, "edit_rules")
        return self.change(**values)

    def change(self, **values) -> "AssemblyRules":
        """Change these rules, checked whole: the officers' edit, or an adopted resolution."""
        with transaction.atomic():
            current, _created = AssemblyRules.objects.select_for_update().get_or_create(
                kind=self.kind, defaults=DEFAULTS[self.kind]
            )
            for name, value in values.items():
                setattr(current, name, value)
            current.full_clean()
            current.save()
        self.pk = current.pk
        self.refresh_from_db()
        return self

    def snapshot(self) -> dict:
        """The rules as an assembly keeps them once convened: later edits don't change it."""
        return {
            "notice_days": self.notice_days,
            "requests_deadline_days": self.requests_deadline_days,
            "quorum_first": self.quorum_first,
            "quorum_second": self.quorum_second,
            "majority": self.majority,
            "proxies_allowed": self.proxies_allowed,
            "max_proxies": self.max_proxies,
            "advance_votes_count": self.advance_votes_count,
            "weighted_by_college": self.weighted_by_college,
            "minutes_public": self.minutes_public,
            "college_weights": (
                {str(k): w for k, w in (colleges_weighted() or {}).items()}
                if self.weighted_by_college
                else {}
            ),
        }


class Assembly(models.Model):
    """One general assembly, from the officers' draft to its closing."""

    class Phase(models.TextChoices):
        DRAFT = "draft", _("En préparation")
        CONVENED = "convened", _("Convoquée")
        OPEN = "open", _("En séance")
        CLOSED = "closed", _("Terminée")
        MINUTES_FROZEN = "minutes_frozen", _("Procès-verbal arrêté")

    kind = models.CharField(_("type d'assemblée"), max_length=30, choices=Kind)
    convocation = models.PositiveSmallIntegerField(
        _("convocation"), default=1, choices=[(1, _("Première")), (2, _("Deuxième"))]
    )
    title = models.CharField(_("titre"), max_length=200)
    starts_at = models.DateTimeField(_("date et heure"))
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    video_link = models.URLField(_("lien de visioconférence"), blank=True, max_length=500)
    phase = models.CharField(_("étape"), max_length=20, choices=Phase, default=Phase.DRAFT)
    created_by = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    convened_at = models.DateTimeField(null=True, blank=True, editable=False)
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    failed = models.BooleanField(_("faute de quorum"), default=False, editable=False)
    chair = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("présidence de séance"),
    )
    secretary = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("secrétaire de séance"),
    )
    # The statutes' rules as they stood at the convocation (`AssemblyRules.snapshot`).
    rules = not_personal(
        models.JSONField(default=dict, blank=True, editable=False),
        "the statutes' quorums, majorities and the colleges' weights, no person",
    )

    class Meta:
        verbose_name = _("assemblée générale")
        verbose_name_plural = _("assemblées générales")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(place="", video_link=""), name="assembly_has_a_place_or_a_link"
            ),
            models.CheckConstraint(
                condition=Q(phase="draft") | Q(convened_at__isnull=False),
                name="assembly_convened_at_once_convened",
            ),
            models.CheckConstraint(
                condition=Q(phase__in=["draft", "convened"])
                | Q(opened_at__isnull=False, chair__isnull=False, secretary__isnull=False),
                name="assembly_opened_with_its_officers",
            ),
        ]

    def __str__(self):
        return self.title

    def statutes(self) -> AssemblyRules | None:
        return AssemblyRules.of(self.kind) if self.kind in Kind.values else None

    def notice_errors(self, now: datetime.datetime) -> dict:
        """What is wrong with the date given the statutes' notice period (nothing: {})."""
        if self.starts_at is None:
            return {}
        if self.starts_at <= now:
            return {"starts_at": _("La date de l'assemblée est déjà passée.")}
        statutes = self.statutes()
        if statutes is not None and self.starts_at < now + datetime.timedelta(
            days=statutes.notice_days
        ):
            return {
                "starts_at": _(
                    "Les statuts demandent une convocation %(days)s jours au moins avant "
                    "l'assemblée : choisissez une date après le %(date)s."
                )
                % {
                    "days": statutes.notice_days,
                    "date": timezone.localtime(
                        now + datetime.timedelta(days=statutes.notice_days)
                    ).strftime("%d/%m/%Y %H:%M"),
                }
            }
        return {}

    def clean(self):
        errors = {}
        if not self.place.strip() and not self.video_link.strip():
            errors["place"] = _("Indiquez un lieu, un lien de visioconférence, ou les deux.")
        if self.phase == self.Phase.DRAFT:
            errors.update(self.notice_errors(timezone.now()))
        if errors:
            raise ValidationError(errors)

    @classmethod
    def prepare(cls, by, **values) -> "Assembly":
        """An officer prepares an assembly (a draft until convened): checked, then saved."""
        officer = rules().require(by, "prepare")
        assembly = cls(created_by=officer, **values)
        assembly.full_clean()
        assembly.save()
        return assembly

    def add_item(
        self,
        by,
        kind: str,
        title: str,
        text: str = "",
        effect: dict | None = None,
        *,
        secret: bool = False,
        decision=None,
    ) -> "AgendaItem":
        """Add a resolution or an information item at the end of the agenda (`secret`: the
        statutes want this resolution voted by secret ballot); a resolution may carry an
        effect (`effects.py`), checked now and again when it is adopted, and may ratify a
        decision adopted online (its title and text then default to the decision's)."""
        with transaction.atomic():
            assembly = Assembly.objects.select_for_update().get(pk=self.pk)
            rules().require(by, "edit_agenda", assembly)
            if decision is not None:
                title, text = ratification(decision, kind, title, text)
            position = assembly.items.count() + 1
            item = AgendaItem(
                assembly=assembly,
                position=position,
                kind=kind,
                title=title,
                text=text,
                secret=secret and kind == AgendaItem.Kind.RESOLUTION,
                decision=decision,
            )
            item.full_clean()
            if effect and kind != AgendaItem.Kind.RESOLUTION:
                raise ValidationError({"effect": _("Seule une résolution a un effet.")})
            item.effect = effects().check(effect)
            item.save()
        return item

    def eligible_members(self):
        """Who the convocation goes to: the members active on the convocation date."""
        return Member.objects.active()

    def convene(self, by, now: datetime.datetime | None = None) -> int:
        """Fix who is convened and the rules, then email the convocation; returns how many.

        The notice period is checked again now: a draft left waiting may have run out of it.
        """
        now = now or timezone.now()
        with transaction.atomic():
            # Locked so that two officers convening at once write one set of participants.
            assembly = Assembly.objects.select_for_update().get(pk=self.pk)
            rules().require(by, "convene", assembly)
            errors = assembly.notice_errors(now)
            if not assembly.items.filter(kind=AgendaItem.Kind.RESOLUTION).exists():
                errors["__all__"] = _("L'ordre du jour n'a aucune résolution.")
            if errors:
                raise ValidationError(errors)
            assembly.rules = assembly.statutes().snapshot()
            assembly.phase = self.Phase.CONVENED
            assembly.convened_at = now
            assembly.save(update_fields=["rules", "phase", "convened_at"])
            members = assembly.eligible_members().values_list("pk", "category__college_id")
            Participant.objects.bulk_create(
                Participant(assembly=assembly, member_id=member, college_id=college)
                for member, college in members
            )
            count = assembly.participants.count()
            from commun.assemblies import tasks

            transaction.on_commit(lambda: tasks.send_convocations.enqueue(assembly.pk))
        self.refresh_from_db()
        return count

    # What the convocation fixed -----------------------------------------------------------

    @property
    def quorum(self) -> Fraction:
        key = "quorum_first" if self.convocation == 1 else "quorum_second"
        return Fraction(self.rules[key])

    @property
    def majority(self) -> Fraction:
        return Fraction(self.rules["majority"])

    @property
    def requests_deadline(self) -> datetime.datetime | None:
        """Until when members may ask for an item: None until the opening (0 days, or an
        assembly convened before the statutes had this rule)."""
        days = (self.rules or {}).get("requests_deadline_days")
        if not days:
            return None
        return self.starts_at - datetime.timedelta(days=days)

    def takes_requests(self, now: datetime.datetime | None = None) -> bool:
        """Whether a request for an item asked now arrives in time for the statutes."""
        deadline = self.requests_deadline
        return deadline is None or (now or timezone.now()) <= deadline

    def participant(self, member: Member | None) -> "Participant | None":
        """The member's row when convened, or None (cached on the assembly)."""
        if member is None:
            return None
        cache = self.__dict__.setdefault("_participants", {})
        if member.pk not in cache:
            cache[member.pk] = self.participants.filter(member=member).first()
        return cache[member.pk]

    def turnout(self) -> dict[int | None, counting.Turnout]:
        """Each college's turnout: expected from the answers before the day, then from the
        attendance sheet. Counted by the database in three aggregate queries (a fourth when
        a holder carries more proxies than the statutes allow), with the rules of
        `counting.counted_modes`: reading 10,000 rows to count them cost ten times more."""
        on_the_day = self.phase != self.Phase.CONVENED
        counts: dict[int | None, Counter] = {}
        answers = self.participants.order_by().values_list("college_id", "mode")
        signed_in = Q(checked_in_at__isnull=False)
        for college, mode, everyone, signed in answers.annotate(
            everyone=models.Count("pk"), signed=models.Count("pk", filter=signed_in)
        ):
            tally = counts.setdefault(college, Counter())
            tally["eligible"] += everyone
            tally[counting.REMOTE if mode == counting.REMOTE else counting.PRESENT] += signed
            if mode == counting.ADVANCE or (
                not on_the_day and mode in (counting.PRESENT, counting.REMOTE)
            ):
                tally[mode] += everyone - signed
            elif mode == counting.CHAIR:
                tally[counting.PROXY] += everyone - signed
        for college, carried in self._counted_proxies(on_the_day).items():
            counts.setdefault(college, Counter())[counting.PROXY] += carried
        return {
            college: counting.Turnout(
                eligible=c["eligible"],
                present=c[counting.PRESENT],
                remote=c[counting.REMOTE],
                represented=c[counting.PROXY],
                advance=c[counting.ADVANCE],
            )
            for college, c in counts.items()
        }

    def _counted_proxies(self, on_the_day: bool) -> Counter:
        """How many proxies to a member count, by the principal's college: the principal
        not signed in, the holder taking part, and no more per holder than the statutes
        allow (the first by member number)."""
        proxies = self._proxies_to_someone_taking_part(on_the_day)
        counted = Counter(dict(proxies.values_list("college_id").annotate(models.Count("pk"))))
        for _principal, college in self._proxies_beyond_the_limit(proxies):
            counted[college] -= 1
        return counted

    def _proxies_to_someone_taking_part(self, on_the_day: bool):
        """The principals not signed in whose holder takes part (signed in; before the day,
        or answered present or remote), the limit aside."""
        holder_takes_part = Q(holder__checked_in_at__isnull=False)
        if not on_the_day:
            holder_takes_part |= Q(holder__mode__in=[counting.PRESENT, counting.REMOTE])
        return self.participants.order_by().filter(
            holder_takes_part, mode=counting.PROXY, checked_in_at__isnull=True
        )

    def _proxies_beyond_the_limit(self, proxies) -> list[tuple[int, int | None]]:
        """Among `proxies`, the principals (id, college) past their holder's limit, by
        member number: none unless a holder carries more than the statutes allow."""
        limit = self.rules.get("max_proxies", 0)
        overloaded = (
            proxies.values("holder_id")
            .annotate(carried=models.Count("pk"))
            .filter(carried__gt=limit)
            .values_list("holder_id", flat=True)
        )
        if not (overloaded := list(overloaded)):
            return []
        beyond, seen = [], Counter()
        in_order = proxies.filter(holder_id__in=overloaded).order_by("holder_id", "member__number")
        for principal, holder, college in in_order.values_list("pk", "holder_id", "college_id"):
            seen[holder] += 1
            if seen[holder] > limit:
                beyond.append((principal, college))
        return beyond

    def blank_proxies(self) -> Counter:
        """The blank proxies counted on the day, by college: the principal not signed in
        (the chair sits once the session is open)."""
        blank = self.participants.order_by().filter(mode=counting.CHAIR, checked_in_at__isnull=True)
        return Counter(dict(blank.values_list("college_id").annotate(models.Count("pk"))))

    def advance_voices(self) -> dict[int, tuple[Voice, str]]:
        """The part of `voices()` that votes in advance on the day: those who answered so
        and did not sign in."""
        rows = self.participants.filter(mode=counting.ADVANCE, checked_in_at__isnull=True)
        fields = ("pk", "member_id", "college_id", "mode", "holder_id")
        return {row[0]: (Voice(*row, False), counting.ADVANCE) for row in rows.values_list(*fields)}

    def voice_rows(self) -> list[Voice]:
        """Every participant as a plain row, in member number order (the order in which a
        holder's proxies count up to the limit): one query that joins only the members,
        read straight from the cursor, the check-in as a yes or no: converting 10,000 values
        (the dates above all) cost more than the counting."""
        signed_in = ExpressionWrapper(Q(checked_in_at__isnull=False), output_field=BooleanField())
        rows = (
            self.participants.order_by("member__number")
            .annotate(signed_in=signed_in)
            .values_list(*Voice._fields)
        )
        sql, params = rows.query.sql_with_params()
        with connections[rows.db].cursor() as cursor:
            cursor.execute(sql, params)
            return [Voice(*row[:5], bool(row[5])) for row in cursor.fetchall()]

    def quorum_status(self) -> dict:
        """The live figures the chair reads: voices, the quorum needed, and whether it is met."""
        whole = counting.total(self.turnout().values())
        advance = self.rules.get("advance_votes_count", False)
        return {
            "turnout": whole,
            "voices": whole.voices(advance),
            "needed": max(counting.quorum_needed(whole.eligible, self.quorum), 1),
            "reached": counting.quorum_reached(whole, self.quorum, advance),
        }

    # On the day ----------------------------------------------------------------------------

    def open(self, by, chair: Member, secretary: Member, now=None) -> None:
        """The session opens: answers are closed, the chair and the secretary named."""
        now = now or timezone.now()
        with transaction.atomic():
            # Locked: an answer or a second opening waits for this one (they lock it too).
            assembly = Assembly.objects.select_for_update().get(pk=self.pk)
            rules().require(by, "open", assembly)
            if now < assembly.starts_at - OPENS_EARLY:
                raise ValidationError(
                    _("La séance ne s'ouvre pas plus d'une heure avant l'heure convoquée.")
                )
            errors = {}
            for field, person in (("chair", chair), ("secretary", secretary)):
                if person is None or assembly.participant(person) is None:
                    errors[field] = _("Choisissez un·e associé·e convoqué·e à cette assemblée.")
            if chair is not None and chair == secretary:
                # Each confirms the minutes: one person confirming twice would confirm alone.
                errors["secretary"] = _(
                    "Le ou la secrétaire n'est pas la présidence : choisissez une autre personne."
                )
            if errors:
                raise ValidationError(errors)
            assembly.phase = self.Phase.OPEN
            assembly.opened_at = now
            assembly.chair, assembly.secretary = chair, secretary
            assembly.save(update_fields=["phase", "opened_at", "chair", "secretary"])
        self.refresh_from_db()

    def open_resolution(self, by, item: "AgendaItem", now=None) -> "AgendaItem":
        """The chair (or an officer) opens the vote on a resolution: one at a time, once the
        quorum is reached, and never again once its vote has closed."""
        now = now or timezone.now()
        with transaction.atomic():
            # Locked: two resolutions opened at once would both find none open.
            assembly = Assembly.objects.select_for_update().get(pk=self.pk)
            rules().require(by, "open_resolution", assembly)
            item = AgendaItem.objects.get(pk=item.pk, assembly=assembly)
            if item.kind not in (AgendaItem.Kind.RESOLUTION, AgendaItem.Kind.ELECTION):
                raise ValidationError(_("Seule une résolution se vote."))
            if item.status != AgendaItem.Status.PENDING:
                raise ValidationError(_("Le vote sur cette résolution a déjà été ouvert."))
            if assembly.items.filter(status=AgendaItem.Status.OPEN).exists():
                raise ValidationError(_("Une autre résolution est au vote : closez-la d'abord."))
            if not assembly.quorum_status()["reached"]:
                raise ValidationError(_("Le quorum n'est pas atteint : on ne vote pas."))
            from commun.assemblies.amendments import opening_refusal

            if refusal := opening_refusal(item):
                raise ValidationError(refusal)
            item.status = AgendaItem.Status.OPEN
            item.vote_opened_at = now
            item.save(update_fields=["status", "vote_opened_at"])
            if item.secret and item.kind == AgendaItem.Kind.ELECTION:
                from commun.assemblies import elections

                elections.box_advance_votes(item, assembly.voices())
            elif item.secret:
                from commun.assemblies.ballots import box_advance_votes

                box_advance_votes(item, assembly.voices())
        return item

    def voices(self) -> dict[int, tuple["Voice", str]]:
        """Whose voice counts on the day and how (PRESENT, REMOTE, PROXY, ADVANCE), by
        participant id: each member once, as the quorum counts them (`counted_modes`).

        Plain rows (`Voice`), not model instances: at 10,000 members this runs for every
        vote cast and every voter's page, and building 10,000 models cost ten times the
        counting itself."""
        participants = {voice.member_id: voice for voice in self.voice_rows()}
        member_of = {voice.pk: member for member, voice in participants.items()}
        modes = counting.counted_modes(
            [
                counting.Answer(v.member_id, v.college_id, v.mode, member_of.get(v.holder_id))
                for v in participants.values()
            ],
            {m for m, v in participants.items() if v.signed_in},
            max_proxies=self.rules.get("max_proxies", 0),
            on_the_day=True,
        )
        return {participants[m].pk: (participants[m], mode) for m, mode in modes.items()}

    def voice_of(self, participant: "Participant") -> str | None:
        """How one participant counts on the day, as `voices()` has them, or None: read from
        their own row and, for a proxy, their holder's (a voter's page and a vote need only
        theirs; `voices()` reads all 10,000)."""
        if participant.checked_in_at is not None:
            return counting.REMOTE if participant.mode == counting.REMOTE else counting.PRESENT
        if participant.mode == counting.ADVANCE:
            return counting.ADVANCE
        if participant.mode == counting.CHAIR:
            return counting.PROXY
        if participant.mode == counting.PROXY:
            holder = Participant.objects.only("pk", "checked_in_at").get(pk=participant.holder_id)
            if participant in self.carried_by(holder):
                return counting.PROXY
        return None

    def carried_by(self, holder: "Participant") -> list["Participant"]:
        """The principals whose voices `holder` casts on the day: none unless the holder
        signed in; those not signed in themselves, up to the statutes' limit by member
        number, as `counting.counted_modes` takes them."""
        if holder.checked_in_at is None:
            return []
        limit = self.rules.get("max_proxies", 0)
        principals = holder.proxies.filter(checked_in_at__isnull=True).select_related("member")
        return list(principals.order_by("member__number")[:limit])

    def open_resolution_item(self) -> "AgendaItem | None":
        return self.items.filter(status=AgendaItem.Status.OPEN).first()

    def record_failure(self, by, now=None) -> None:
        """Without the quorum, the assembly is recorded as failed and closed."""
        now = now or timezone.now()
        with transaction.atomic():
            assembly = Assembly.objects.select_for_update().get(pk=self.pk)
            rules().require(by, "record_failure", assembly)
            if assembly.quorum_status()["reached"]:
                raise ValidationError(_("Le quorum est atteint : l'assemblée peut délibérer."))
            assembly.phase = self.Phase.CLOSED
            assembly.failed = True
            assembly.closed_at = now
            assembly.save(update_fields=["phase", "failed", "closed_at"])
        self.refresh_from_db()

    # Closing the session, incidents, minutes (docs/assemblies.md) --------------------------

    def close_session(self, by, now=None) -> None:
        """The chair (or an officer) closes the session held, once no vote is open."""
        now = now or timezone.now()
        with transaction.atomic():
            # Locked like the opening of a vote: none opens while the session closes.
            assembly = Assembly.objects.select_for_update().get(pk=self.pk)
            rules().require(by, "close_session", assembly)
            if assembly.items.filter(status=AgendaItem.Status.OPEN).exists():
                raise ValidationError(_("Une résolution est au vote : closez-la d'abord."))
            assembly.phase = self.Phase.CLOSED
            assembly.closed_at = now
            assembly.save(update_fields=["phase", "closed_at"])
        self.refresh_from_db()

    def record_incident(self, by, text: str, now=None) -> "Incident":
        """The chair or the secretary notes what happened during the session (someone left,
        the video failed): dated, and listed in the minutes."""
        now = now or timezone.now()
        with transaction.atomic():
            assembly = Assembly.objects.select_for_update().get(pk=self.pk)
            member = rules().require(by, "record_incident", assembly)
            incident = Incident(assembly=assembly, at=now, text=(text or "").strip(), by=member)
            incident.full_clean()
            incident.save()
        return incident

    def confirm_minutes(self, by, now=None) -> "Minutes":
        """The chair or the secretary confirms the draft as it reads now; once both have
        confirmed the same draft, the minutes are frozen: the text and its hash kept, the
        hash chained in the journal, nothing changes after."""
        from commun.assemblies import minutes
        from commun.ledger.models import JournalEntry

        now = now or timezone.now()
        with transaction.atomic():
            # Locked: the two confirmations racing each other freeze the minutes once.
            assembly = Assembly.objects.select_for_update().get(pk=self.pk)
            member = rules().require(by, "confirm_minutes", assembly)
            record, _created = Minutes.objects.get_or_create(assembly=assembly)
            text = minutes.text(assembly)
            drafted = minutes.digest(text)
            mine, theirs = (
                ("chair_confirmed_at", "secretary_confirmed_at")
                if member.pk == assembly.chair_id
                else ("secretary_confirmed_at", "chair_confirmed_at")
            )
            if getattr(record, mine) and record.draft_sha256 == drafted:
                raise ValidationError(_("Vous avez déjà confirmé ce procès-verbal."))
            if getattr(record, theirs) and record.draft_sha256 != drafted:
                raise minutes.DraftChanged()
            setattr(record, mine, now)
            record.draft_sha256 = drafted
            if record.chair_confirmed_at and record.secretary_confirmed_at:
                record.text = text
                record.sha256 = drafted
                record.frozen_at = now
                assembly.phase = self.Phase.MINUTES_FROZEN
                assembly.save(update_fields=["phase"])
            record.save()
            if record.frozen_at:
                effects().journal(
                    JournalEntry.Kind.ASSEMBLY_MINUTES,
                    f"assembly-{assembly.pk}-minutes",
                    effects().minutes_payload(record),
                )
        self.refresh_from_db()
        return record

    def minutes_text(self) -> str:
        """The minutes: as frozen, or as they would be written now."""
        from commun.assemblies import minutes

        record = Minutes.objects.filter(assembly=self, frozen_at__isnull=False).first()
        return record.text if record else minutes.text(self)

    def convene_again(self, by, starts_at: datetime.datetime) -> "Assembly":
        """After a failed first convocation: a second one, same kind and agenda, as a draft."""
        with transaction.atomic():
            assembly = Assembly.objects.select_for_update().get(pk=self.pk)
            rules().require(by, "convene_again", assembly)
            if not assembly.failed or assembly.convocation != 1:
                raise ValidationError(
                    _("Seule une première convocation restée sans quorum se convoque à nouveau.")
                )
            second = Assembly.prepare(
                by,
                kind=assembly.kind,
                convocation=2,
                title=assembly.title,
                starts_at=starts_at,
                place=assembly.place,
                video_link=assembly.video_link,
            )
            AgendaItem.objects.bulk_create(
                AgendaItem(
                    assembly=second,
                    position=i.position,
                    kind=i.kind,
                    title=i.title,
                    text=i.text,
                    secret=i.secret,
                    effect=i.effect,
                    decision_id=i.decision_id,
                    put_by_officers=i.put_by_officers,
                )
                # Amendments from the floor belonged to that session, not to the agenda.
                for i in assembly.items.filter(amends__isnull=True)
            )
            from commun.assemblies.elections import copy_elections

            copy_elections(assembly, second)
        return second


def ratification(decision, kind: str, title: str, text: str) -> tuple[str, str]:
    """The title and text of a resolution ratifying `decision`, each defaulting to the
    decision's own; a ValidationError unless the decision was adopted."""
    from commun.decisions.models import Decision

    if kind != AgendaItem.Kind.RESOLUTION:
        raise ValidationError({"decision": _("Seule une résolution ratifie une décision.")})
    if decision.outcome != Decision.Outcome.ADOPTED:
        raise ValidationError(
            {"decision": _("Seule une décision adoptée se soumet à la ratification.")}
        )
    if not (title or "").strip():
        title = decision.title
    if not (text or "").strip():
        version = decision.current_version
        text = decision.outcome_statement.strip() or (version.body if version else "")
    return title, text


class AgendaItem(models.Model):
    """A point of the agenda: a resolution put to the vote, or an information item."""

    class Kind(models.TextChoices):
        RESOLUTION = "resolution", _("Résolution")
        INFORMATION = "information", _("Point d'information")
        # An election of officers (`elections.py`): candidates, seats, by secret ballot.
        ELECTION = "election", _("Élection")

    class Admission(models.TextChoices):
        AGENDA = "", _("À l'ordre du jour")
        PROPOSED = "proposed", _("Amendement proposé")
        ADMITTED = "admitted", _("Amendement admis au vote")
        REFUSED = "refused", _("Amendement refusé")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pas encore mise au vote")
        OPEN = "open", _("Vote ouvert")
        CLOSED = "closed", _("Vote clos")

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("nature"), max_length=20, choices=Kind, default=Kind.RESOLUTION)
    title = models.CharField(_("intitulé"), max_length=300)
    text = models.TextField(_("texte"), blank=True, max_length=20000)
    status = models.CharField(
        _("vote"), max_length=10, choices=Status, default=Status.PENDING, editable=False
    )
    vote_opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    vote_closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The figures as they stood at the close (`AgendaItem.close_vote`): never recounted.
    result = models.JSONField(default=dict, blank=True, editable=False)
    adopted = models.BooleanField(_("adoptée"), null=True, editable=False)
    # Voted by secret ballot (`ballots.py`): the statutes ask it, or the chair marked it.
    secret = models.BooleanField(_("vote à bulletin secret"), default=False)
    # Amendments from the floor (`amendments.py`): an amendment is a resolution that amends
    # another, proposed by a member present, admitted or refused by the chair.
    amends = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name=_("amende la résolution"),
    )
    admission = models.CharField(
        _("admission"), max_length=10, choices=Admission, blank=True, default=Admission.AGENDA
    )
    proposed_by = models.ForeignKey(
        "Participant", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amended_text = not_personal(
        models.TextField(_("texte amendé"), blank=True, max_length=20000, editable=False),
        "the resolution's text as an adopted amendment made it: the assembly's record",
    )
    # What an adopted resolution does, chosen on the agenda (`effects.py`), and what came of it.
    effect = not_personal(
        models.JSONField(_("effet"), default=dict, blank=True, editable=False),
        "a year and its allocation, a rule's new value, or a member's or application's number",
    )
    effect_outcome = not_personal(
        models.JSONField(default=dict, blank=True, editable=False),
        "whether the effect was applied, and the reason it failed",
    )
    # False for an item a member asked for (`requests.ItemRequest`): blank proxies vote
    # for the officers' resolutions only.
    put_by_officers = models.BooleanField(_("inscrit par les responsables"), default=True)
    # A resolution that asks the assembly to ratify a decision adopted online.
    decision = models.ForeignKey(
        "decisions.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décision à ratifier"),
    )

    class Meta:
        ordering = ["assembly", "position"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "position"], name="agenda_item_position"),
            models.UniqueConstraint(
                fields=["assembly"],
                condition=Q(status="open"),
                name="one_resolution_voted_at_a_time",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(kind__in=["resolution", "election"]),
                name="only_resolutions_and_elections_are_voted",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(adopted__isnull=False),
                name="a_closed_vote_has_its_outcome",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.kind == self.Kind.RESOLUTION and not self.text.strip():
            raise ValidationError({"text": _("Une résolution a un texte, celui qui sera voté.")})

    def vote(self, by, choice, principal: Member | None = None, now=None) -> "Vote":
        """Cast a voice on this resolution while its vote is open: one's own, or (separately)
        a principal's whose proxy one carries. Voting again replaces the earlier choice.
        On an election, `choice` is the list of the chosen candidates' member numbers."""
        now = now or timezone.now()
        with transaction.atomic():
            # Locked like the closing: a vote lands before the count, or is refused after it.
            item = AgendaItem.objects.select_for_update().get(pk=self.pk)
            assembly = item.assembly
            member = rules().require(by, "vote", assembly)
            if item.kind == self.Kind.ELECTION:
                from commun.assemblies import elections

                choice = elections.clean_choice(item, choice)
            elif choice not in Vote.Choice.values:
                raise ValidationError({"choice": _("Choisissez pour, contre ou abstention.")})
            if item.status != self.Status.OPEN:
                raise ValidationError(_("Le vote sur cette résolution n'est pas ouvert."))
            voter = assembly.participant(member)
            if voter is None or assembly.voice_of(voter) not in (counting.PRESENT, counting.REMOTE):
                raise ValidationError(_("Émargez d'abord : seul·es les présent·es votent."))
            whose = voter
            if principal is not None and principal.pk != member.pk:
                whose = assembly.participant(principal)
                if whose is None or whose not in assembly.carried_by(voter):
                    raise ValidationError(
                        {"principal": _("Vous ne portez pas le pouvoir de cette personne.")}
                    )
            if item.kind == self.Kind.ELECTION:
                return elections.cast(item, whose, voter, choice, now)
            if item.secret:
                from commun.assemblies.ballots import put_in_the_box

                return put_in_the_box(item, whose, choice)
            cast, _created = Vote.objects.update_or_create(
                item=item,
                principal=whose,
                defaults={"voter": voter, "choice": choice, "cast_at": now},
            )
        return cast

    def close_vote(self, by, now=None) -> "AgendaItem":
        """The chair (or an officer) closes the vote: the figures and the outcome are counted
        once and kept on the item."""
        now = now or timezone.now()
        with transaction.atomic():
            # Locked like a vote: nothing cast while counting is lost or counted twice.
            item = AgendaItem.objects.select_for_update().get(pk=self.pk)
            rules().require(by, "close_resolution", item.assembly)
            if item.status != self.Status.OPEN:
                raise ValidationError(_("Le vote sur cette résolution n'est pas ouvert."))
            item.result, item.adopted = item.count(item.assembly)
            if item.secret:
                from commun.assemblies.ballots import rewrite_roll

                rewrite_roll(item)
            item.status = self.Status.CLOSED
            item.vote_closed_at = now
            item.effect_outcome = effects().apply(item, now)
            item.save(
                update_fields=["status", "vote_closed_at", "result", "adopted", "effect_outcome"]
            )
            from commun.assemblies.amendments import apply_outcome

            apply_outcome(item)
            item.journal_outcome()
        self.refresh_from_db()
        return self

    def journal_outcome(self) -> None:
        """Chain the closed resolution's outcome in the journal (`effects.resolution_payload`)."""
        from commun.ledger.models import JournalEntry

        effects().journal(
            JournalEntry.Kind.ASSEMBLY_RESOLUTION,
            f"assembly-{self.assembly_id}-resolution-{self.position}",
            effects().resolution_payload(self),
        )

    def tallies(self, assembly: Assembly) -> tuple[dict[int | None, counting.Tally], int, int]:
        """Each college's votes, how many blank proxies the chair cast for, and how many
        advance votes counted: a few aggregate queries, by the rules of `voices()`.

        A vote counts only if its principal still counts through its voter (a member who
        came after giving a proxy votes for themselves). Blank proxies vote for the
        resolutions the officers put on the agenda, against those members asked for and
        against amendments from the floor. Advance votes count as the member's own while
        they still count as voting in advance.
        """
        from commun.assemblies.ballots import counted_advance_votes

        if self.secret:
            return self._secret_tallies(assembly)
        counts: dict[int | None, Counter] = defaultdict(Counter)
        in_person = Q(voter=F("principal"), principal__checked_in_at__isnull=False)
        carried = Q(
            principal__mode=counting.PROXY,
            principal__checked_in_at__isnull=True,
            principal__holder=F("voter"),
            voter__checked_in_at__isnull=False,
        )
        beyond = [
            pk
            for pk, _college in assembly._proxies_beyond_the_limit(
                assembly._proxies_to_someone_taking_part(on_the_day=True)
            )
        ]
        votes = self.votes.order_by().filter(in_person | carried).exclude(principal__in=beyond)
        for college, choice, cast in votes.values_list("principal__college_id", "choice").annotate(
            models.Count("pk")
        ):
            counts[college][choice] += cast
        counting_advance = assembly.rules.get("advance_votes_count")
        advance = counted_advance_votes(self, assembly.advance_voices() if counting_advance else {})
        for participant, choice in advance:
            counts[participant.college_id][choice] += 1
        blank = assembly.blank_proxies()
        for college, proxies in blank.items():
            counts[college][self.blank_proxy_choice] += proxies
        tallies = {
            college: counting.Tally(c[Vote.Choice.YES], c[Vote.Choice.NO], c[Vote.Choice.ABSTAIN])
            for college, c in counts.items()
        }
        return tallies, blank.total(), len(advance)

    def _secret_tallies(self, assembly) -> tuple[dict[int | None, counting.Tally], int, int]:
        """A secret vote's count: the box's ballots per college, and the blank proxies.
        Advance votes went into the box at the opening, not told apart."""
        from commun.assemblies.ballots import secret_tallies

        counts = {college: Counter(c) for college, c in secret_tallies(self).items()}
        blank = assembly.blank_proxies()
        for college, proxies in blank.items():
            counts.setdefault(college, Counter())[self.blank_proxy_choice] += proxies
        tallies = {
            college: counting.Tally(c[Vote.Choice.YES], c[Vote.Choice.NO], c[Vote.Choice.ABSTAIN])
            for college, c in counts.items()
        }
        return tallies, blank.total(), 0

    @property
    def blank_proxy_choice(self) -> str:
        """A blank proxy votes for the officers' resolutions and against any other, as
        art. L. 225-106 of the commercial code has it: against an item a member asked for,
        against an amendment from the floor, and against a resolution whose text such an
        amendment changed (no longer the text the officers presented)."""
        if self.put_by_officers and not self.amends_id and not self.amended_text:
            return Vote.Choice.YES
        return Vote.Choice.NO

    def mark_secret(self, by) -> "AgendaItem":
        """The assembly decides this resolution (or a public election) is voted by secret
        ballot: the chair (or an officer) marks it before its vote opens."""
        with transaction.atomic():
            # Locked like the opening of its vote: marked before it, or refused after.
            item = AgendaItem.objects.select_for_update().get(pk=self.pk)
            rules().require(by, "mark_secret", item.assembly)
            if item.kind not in (self.Kind.RESOLUTION, self.Kind.ELECTION):
                raise ValidationError(_("Seule une résolution se vote."))
            if item.status != self.Status.PENDING:
                raise ValidationError(
                    _("Le vote sur cette résolution a déjà été ouvert : il reste tel quel.")
                )
            item.secret = True
            item.save(update_fields=["secret"])
        self.refresh_from_db()
        return self

    def ballots(self, member: Member | None) -> list[tuple["Participant", str | None]]:
        """The voices `member` casts now, theirs first then each principal's they carry, with
        the choice cast so far: none unless they signed the attendance sheet."""
        assembly = self.assembly
        mine = assembly.participant(member)
        if mine is None or assembly.voice_of(mine) not in (counting.PRESENT, counting.REMOTE):
            return []
        whose = [mine, *assembly.carried_by(mine)]
        if self.secret:
            on_the_roll = set(
                self.secret_roll.filter(principal__in=whose).values_list("principal_id", flat=True)
            )
            return [(p, SECRET_CAST if p.pk in on_the_roll else None) for p in whose]
        if self.kind == self.Kind.ELECTION:
            # A public election: the candidates chosen so far (member ids).
            chosen = self.election_votes.filter(principal__in=whose)
            cast = dict(chosen.values_list("principal_id", "candidates"))
            return [(p, cast.get(p.pk)) for p in whose]
        cast = dict(self.votes.filter(principal__in=whose).values_list("principal_id", "choice"))
        return [(p, cast.get(p.pk)) for p in whose]

    def figures(self) -> dict:
        """The figures to show: as kept once closed, counted live while open, none before."""
        if self.status == self.Status.CLOSED:
            return self.result
        if self.status == self.Status.OPEN and self.secret:
            # Live choices would tell each voter's by the moment they change: only how many.
            box = self.election_ballots if self.kind == self.Kind.ELECTION else self.secret_ballots
            return {
                **NO_FIGURES,
                "majority": self.assembly.rules.get("majority"),
                "secret": True,
                "ballots_cast": box.count(),
            }
        if self.status == self.Status.OPEN:
            return self.count(self.assembly)[0]
        return {
            **NO_FIGURES,
            "majority": self.assembly.rules.get("majority"),
            "secret": self.secret,
        }

    def count(self, assembly: Assembly) -> tuple[dict, bool]:
        """The figures to keep (per college, whole, weighted share) and the outcome."""
        if self.kind == self.Kind.ELECTION:
            from commun.assemblies import elections

            return elections.count(self, assembly)
        tallies, blank, advance = self.tallies(assembly)
        whole = counting.Tally(
            sum(t.yes for t in tallies.values()),
            sum(t.no for t in tallies.values()),
            sum(t.abstain for t in tallies.values()),
        )
        majority = assembly.majority
        weights = {int(k): w for k, w in assembly.rules.get("college_weights", {}).items()}
        share = None
        if assembly.rules.get("weighted_by_college") and weights:
            weighted = {c: t for c, t in tallies.items() if c in weights}
            share = counting.weighted_share_for(weighted, weights)
            outcome = counting.weighted_adopted(weighted, weights, majority)
        else:
            outcome = counting.adopted(whole, majority)
        names = dict(
            College.objects.filter(pk__in=[c for c in tallies if c]).values_list("pk", "name")
        )
        result = {
            "yes": whole.yes,
            "no": whole.no,
            "abstain": whole.abstain,
            "blank_proxies": blank,
            "advance_votes": advance,
            "secret": self.secret,
            "majority": assembly.rules.get("majority"),
            "weighted_share": str(share) if share is not None else None,
            "colleges": [
                {
                    "college": college,
                    "name": names.get(college, ""),
                    "weight": weights.get(college),
                    "yes": t.yes,
                    "no": t.no,
                    "abstain": t.abstain,
                }
                for college, t in sorted(
                    tallies.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)
                )
            ],
        }
        return result, outcome


class Participant(models.Model):
    """A member convened to an assembly (fixed at the convocation), and how they answered."""

    class Mode(models.TextChoices):
        UNANSWERED = "", _("Pas encore répondu")
        PRESENT = counting.PRESENT, _("Présent·e")
        REMOTE = counting.REMOTE, _("À distance")
        PROXY = counting.PROXY, _("Pouvoir à un·e associé·e")
        CHAIR = counting.CHAIR, _("Pouvoir en blanc à la présidence")
        ADVANCE = counting.ADVANCE, _("Vote par correspondance ou en ligne")

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="participants")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="assemblies")
    college = models.ForeignKey(College, on_delete=models.PROTECT, null=True, blank=True)
    mode = models.CharField(_("participation"), max_length=20, choices=Mode, blank=True)
    # RESTRICT, not PROTECT: an assembly deleted as a whole takes its proxies with it.
    holder = models.ForeignKey(
        "self",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="proxies",
        verbose_name=_("pouvoir donné à"),
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("émargé·e à"), null=True, blank=True)

    class Meta:
        ordering = ["assembly", "member__number"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "member"], name="convened_once"),
            models.CheckConstraint(
                condition=Q(mode="proxy", holder__isnull=False)
                | (~Q(mode="proxy") & Q(holder__isnull=True)),
                name="participant_holder_iff_proxy",
            ),
        ]

    def __str__(self):
        return f"{self.member} — {self.assembly}"

    def answer(self, by, mode: str, holder: Member | None = None, now=None) -> "Participant":
        """Answer the convocation (again: a proxy given is revoked by any new answer).

        `by` must be this participant: nobody answers for someone else.
        """
        now = now or timezone.now()
        with transaction.atomic():
            # Locked: one assembly's answers are taken one at a time, so the same proxy can't
            # go to two holders at once, nor two principals push a holder past the limit,
            # nor an answer slip in once the assembly has opened.
            assembly = Assembly.objects.select_for_update().get(pk=self.assembly_id)
            member = rules().require(by, "answer", assembly)
            principal = Participant.objects.get(pk=self.pk)
            if member.pk != principal.member_id:
                raise PermissionDenied(_("On ne répond que pour soi-même."))
            held = principal._check_answer(assembly, mode, holder)
            principal.mode = mode
            principal.holder = held
            principal.answered_at = now
            principal.save(update_fields=["mode", "holder", "answered_at"])
        self.refresh_from_db()
        return self

    def check_in(self, by, now=None) -> bool:
        """Sign the attendance sheet, oneself or ticked by the secretary, the chair or an
        officer; True when this signed it, False when it was already signed."""
        now = now or timezone.now()
        with transaction.atomic():
            # Locked with the assembly, so that a check-in never lands after its closing.
            assembly = Assembly.objects.select_for_update().get(pk=self.assembly_id)
            member = rules().require(by, "check_in", assembly)
            if member.pk != self.member_id and not rules().keeps_the_sheet(member, assembly):
                raise PermissionDenied(
                    _(
                        "Seul·es le ou la secrétaire, la présidence et les responsables "
                        "émargent pour autrui."
                    )
                )
            return bool(
                Participant.objects.filter(pk=self.pk, checked_in_at__isnull=True).update(
                    checked_in_at=now
                )
            )

    def _check_answer(self, assembly: Assembly, mode: str, holder: Member | None):
        """The holder's row for a proxy (None otherwise), or a ValidationError."""
        statutes = assembly.rules
        if mode not in self.Mode.values or mode == self.Mode.UNANSWERED:
            raise ValidationError({"mode": _("Choisissez comment vous participez.")})
        if mode in (self.Mode.PROXY, self.Mode.CHAIR) and not statutes["proxies_allowed"]:
            raise ValidationError({"mode": _("Les statuts n'admettent pas les pouvoirs.")})
        if mode == self.Mode.ADVANCE and not statutes["advance_votes_count"]:
            raise ValidationError(
                {"mode": _("Les statuts ne prévoient pas de vote avant la séance.")}
            )
        if mode not in (self.Mode.PRESENT, self.Mode.REMOTE) and self.proxies.exists():
            raise ValidationError(
                {
                    "mode": _(
                        "Vous portez des pouvoirs : vous participez vous-même, en personne ou "
                        "à distance, ou vous les rendez d'abord."
                    )
                }
            )
        if mode != self.Mode.PROXY:
            return None
        if holder is None:
            raise ValidationError(
                {"holder": _("Choisissez l'associé·e qui portera votre pouvoir.")}
            )
        if holder.pk == self.member_id:
            raise ValidationError({"holder": _("On ne se donne pas un pouvoir à soi-même.")})
        held = Participant.objects.filter(assembly=assembly, member=holder).first()
        if held is None or not holder.is_active_member:
            raise ValidationError(
                {"holder": _("Cette personne n'est pas convoquée à cette assemblée.")}
            )
        if held.mode in (self.Mode.PROXY, self.Mode.CHAIR):
            raise ValidationError(
                {
                    "holder": _(
                        "Cette personne a elle-même donné son pouvoir : choisissez-en une autre."
                    )
                }
            )
        if held.mode == self.Mode.ADVANCE:
            # A proxy counts only through a holder in the room or remote on the day.
            raise ValidationError(
                {
                    "holder": _(
                        "Cette personne vote avant la séance et ne porte pas de pouvoir : "
                        "choisissez-en une autre."
                    )
                }
            )
        limit = assembly.rules["max_proxies"]
        carried = held.proxies.exclude(pk=self.pk).count()
        if carried >= limit:
            raise ValidationError(
                {
                    "holder": ngettext(
                        "Cette personne porte déjà %(count)s pouvoir, le plus que permettent "
                        "les statuts.",
                        "Cette personne porte déjà %(count)s pouvoirs, le plus que permettent "
                        "les statuts.",
                        carried,
                    )
                    % {"count": carried}
                }
            )
        return held


class Vote(models.Model):
    """One voice on one resolution: a principal's (oneself or whose proxy one carries),
    cast by the voter; a later vote for the same principal replaces it until the close."""

    class Choice(models.TextChoices):
        YES = "yes", _("Pour")
        NO = "no", _("Contre")
        ABSTAIN = "abstain", _("Abstention")

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes")
    principal = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes_cast")
    choice = models.CharField(_("vote"), max_length=10, choices=Choice)
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote en séance")
        verbose_name_plural = _("votes en séance")
        constraints = [
            models.UniqueConstraint(fields=["item", "principal"], name="one_voice_per_principal"),
            models.CheckConstraint(
                condition=Q(choice__in=["yes", "no", "abstain"]), name="vote_choice_known"
            ),
        ]

    def __str__(self):
        return f"{self.principal} — {self.item}: {self.choice}"


class Incident(models.Model):
    """Something the chair or the secretary noted during the session, for the minutes."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="incidents")
    at = models.DateTimeField(_("heure"))
    text = personal(
        models.TextField(_("incident"), max_length=2000),
        DELIBERATION,
        Audience.MEMBERS,
        Erasure.PSEUDONYMISE,
    )
    by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("incident de séance")
        verbose_name_plural = _("incidents de séance")
        ordering = ["assembly", "at", "pk"]

    def __str__(self):
        return self.text[:80]

    def clean(self):
        if not self.text.strip():
            raise ValidationError({"text": _("Décrivez l'incident.")})


class Minutes(models.Model):
    """The minutes of an assembly: confirmed by the chair and by the secretary, then frozen
    (the text and its hash kept, and the hash chained in the journal)."""

    assembly = models.OneToOneField(Assembly, on_delete=models.CASCADE, related_name="minutes")
    chair_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    secretary_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    frozen_at = models.DateTimeField(null=True, blank=True, editable=False)
    text = personal(
        models.TextField(_("texte du procès-verbal"), blank=True, editable=False),
        DELIBERATION,
        Audience.MEMBERS,
        Erasure.PSEUDONYMISE,
    )
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    # The SHA-256 of the draft as last confirmed: the other confirmation freezes only that.
    draft_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("procès-verbal")
        verbose_name_plural = _("procès-verbaux")
        constraints = [
            models.CheckConstraint(
                condition=Q(frozen_at__isnull=True)
                | Q(
                    chair_confirmed_at__isnull=False,
                    secretary_confirmed_at__isnull=False,
                    sha256__gt="",
                ),
                name="minutes_frozen_once_both_confirmed",
            ),
        ]

    def __str__(self):
        return str(self.assembly)


# Models kept in their own modules (ballots outside the show of hands, documents, members'
# requests), imported here so that Django finds them with the app's.
from commun.assemblies.ballots import AdvanceVote  # noqa: E402, F401
from commun.assemblies.documents import Document  # noqa: E402, F401
from commun.assemblies.elections import (  # noqa: E402, F401
    AdvanceElectionVote,
    Candidate,
    Election,
)
from commun.assemblies.requests import ItemRequest  # noqa: E402, F401
