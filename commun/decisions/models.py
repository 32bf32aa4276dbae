"""Decisions taken over time: consent with objections, advice process, votes, secret ballots.

The models hold the data and its database guarantees; what each phase allows and who may
act is declared once in `rules.py`; the state changes are methods here, each one atomic,
locking what it reads before it writes. The secret ballot box (roll, box, hash chain,
published box) is in `ballots.py`, the count of a round in `counting.py`: their methods
are mixed into `Round` and `Decision`, their models imported here so Django finds them.

Locks, always taken in this order so that two changes never wait on each other:
the decision row, then its current round, then stances and objections. A round accepts
stances exactly while its `closed_at` is empty, and every change that ends a round sets it
under the round's row lock: a stance taken at the same instant either lands before the
close (and is counted) or is refused.
"""

import dataclasses
import datetime
import difflib
import functools
import hashlib
import logging
import secrets
from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from commun.decisions import notifications, subjects, tasks
from commun.decisions.ballots import Ballot as Ballot
from commun.decisions.ballots import BallotBox
from commun.decisions.ballots import VoterRoll as VoterRoll
from commun.decisions.counting import Counting
from commun.decisions.signals import decision_closed, decision_opened
from commun.deliberation.models import Circle, Space, Thread
from commun.lib import markdown, rows
from commun.lib.chain import GENESIS_HASH as GENESIS_HASH
from commun.lib.dates import date_format
from commun.lib.rules import as_member
from commun.lib.text import clean_text as _text
from commun.members.models import College, Cooperative, Member
from commun.privacy.declarations import DELIBERATION, Audience, Erasure, not_personal, personal

logger = logging.getLogger(__name__)

MAX_TITLE_LENGTH = 200
MAX_BODY_LENGTH = 20_000
MAX_OPTIONS = 100
REMIND_BEFORE = datetime.timedelta(hours=24)
ANALYZE_AFTER = 10_000  # eligible rows written at once
UNWEIGHTED_COLLEGES = _("Pondérez d'abord tous les collèges : leurs poids doivent totaliser 100.")
# Admission decisions: long enough for officers to read the application, short enough
# that nobody waits a month for an answer.
ADMISSION_MIN_DELIBERATION = datetime.timedelta(days=3)
ADMISSION_DEADLINE = datetime.timedelta(days=15)


def _when(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


@dataclasses.dataclass
class Proposal:
    """What a new decision brings besides its own row, for `Decision.clean()` to check."""

    body: str
    colleges: list  # College, or None for one that does not exist
    options: list[tuple[str, str]]  # (label, description)
    advisors: list  # Member, or None for someone who may not advise


def _option_label(option) -> tuple[str, str]:
    """(label, description) of an option given as a dict, a pair or a bare label."""
    if isinstance(option, dict):
        return (option.get("label") or "").strip(), (option.get("description") or "").strip()
    if isinstance(option, (list, tuple)):
        return str(option[0]).strip(), str(option[1] if len(option) > 1 else "").strip()
    return str(option or "").strip(), ""


def _advisor(who):
    """The active member named by a primary key or an account; None when there is none."""
    if isinstance(who, int):
        return Member.objects.active().filter(pk=who).first()
    return rules.active_member(who)


class FieldErrors(dict):
    """Each field's first fault, gathered so that a form shows them all at once."""

    def check(self, field: str, test, message) -> None:
        if not test and field not in self:
            self[field] = message

    def raise_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


class DecisionQuerySet(models.QuerySet):
    def in_progress(self):
        return self.exclude(phase__in=[Decision.Phase.DRAFT, Decision.Phase.CLOSED])

    def readable_by(self, who):
        """The decisions `who` may read: their space readable, members-only ones for members."""
        member = rules.active_member(who)
        readable = self.filter(space__in=Space.objects.readable_by(who)).exclude(
            phase=Decision.Phase.DRAFT
        )
        if member is None:
            return readable.filter(visibility=Decision.Visibility.PUBLIC)
        return readable | self.filter(phase=Decision.Phase.DRAFT, author=member)

    def awaiting(self, member: Member):
        """The open decisions `member` may take part in (or wrote), with `has_spoken` set:
        whether they have taken a stance in the current round. Advice is asked apart."""
        eligible = Eligibility.objects.filter(decision_id=models.OuterRef("pk"), member=member)
        in_round = {
            "round__decision_id": models.OuterRef("pk"),
            "round__closed_at__isnull": True,
            "member": member,
        }
        return (
            self.filter(phase__in=Decision.OPEN_PHASES - {Decision.Phase.ADVICE})
            .filter(models.Exists(eligible) | Q(author=member))
            .annotate(
                has_spoken=models.Exists(Stance.objects.filter(**in_round))
                | models.Exists(VoterRoll.objects.filter(**in_round)),
                is_eligible=models.Exists(eligible),
            )
            .order_by(models.F("closes_at").asc(nulls_last=True), "pk")
        )

    def propose(
        self,
        *,
        thread: Thread,
        author,
        kind: str,
        title: str,
        body: str,
        scope: str = "cooperative",
        colleges=(),
        circle: Circle | None = None,
        visibility: str = "public",
        min_deliberation: datetime.timedelta,
        closes_at: datetime.datetime | None = None,
        options=(),
        quorum_percent: int = 0,
        threshold: str = "majority",
        weighted_by_college: bool = False,
        is_secret: bool = False,
        points_per_voter: int = 100,
        tie_rule: str = "new_round",
        advisors=(),
        subject_kind: str = "",
        subject_id: int | None = None,
    ) -> "Decision":
        """Validate and create a draft with its first version, options and advice requests.

        Raises ValidationError keyed by field, or PermissionDenied when the author may not
        write in the thread's space.
        """
        member = rules.require_author_in(author, thread.space)
        decision = self.model(
            thread=thread,
            space=thread.space,
            author=member,
            kind=kind,
            is_secret=is_secret,
            title=(title or "").strip(),
            visibility=visibility,
            scope=scope,
            circle=circle,
            weighted_by_college=weighted_by_college,
            quorum_percent=quorum_percent,
            threshold=threshold,
            points_per_voter=points_per_voter,
            tie_rule=tie_rule,
            min_deliberation=min_deliberation,
            closes_at=closes_at,
            subject_kind=subject_kind,
            subject_id=subject_id,
        )
        decision.proposal = Proposal(
            body=(body or "").strip(),
            colleges=[
                c if isinstance(c, College) else College.objects.filter(pk=c).first()
                for c in colleges
            ],
            options=[_option_label(option) for option in options],
            advisors=[_advisor(a) for a in advisors] if kind == Decision.Kind.ADVICE else advisors,
        )
        decision.clean()
        proposal = decision.proposal
        with transaction.atomic():
            if decision.scope != Decision.Scope.CIRCLE:
                decision.circle = None
            decision.save()
            if decision.scope == Decision.Scope.COLLEGES:
                decision.colleges.set(proposal.colleges)
            Version.objects.create(
                decision=decision, number=1, title=decision.title, body=proposal.body
            )
            Option.objects.bulk_create(
                Option(decision=decision, label=label, description=description, position=i)
                for i, (label, description) in enumerate(proposal.options, start=1)
            )
            AdviceRequest.objects.bulk_create(
                AdviceRequest(decision=decision, advisor=advisor) for advisor in proposal.advisors
            )
        return decision

    def take_stance(self, decision_id: int, who, choice: str, reason: str = "", ballot=None):
        """Take a stance in the decision's current round, as `Round.take_stance`, with the
        decision read under the round's lock. A decision `who` may not read raises
        Decision.DoesNotExist (a 404), a refusal PermissionDenied before the input is read."""
        return _take_stance(who, choice, reason, ballot, None, decision_id=decision_id)

    def open_for_admission(self, application) -> "Decision | None":
        """Open the consent decision that admits `application`, among the officers or a college.

        None when nobody can carry it (no active officer): the application then waits for
        the officers, as it would without admission by decision.
        """
        coop = Cooperative.get()
        author = Member.objects.active().filter(is_officer=True).order_by("number").first()
        if author is None:
            return None
        college = coop.admission_college
        lines = [
            ngettext(
                "Admettre %(name)s dans la catégorie « %(category)s », avec %(shares)s part.",
                "Admettre %(name)s dans la catégorie « %(category)s », avec %(shares)s parts.",
                application.shares,
            )
            % {
                "name": application.full_name,
                "category": application.category.name,
                "shares": application.shares,
            },
        ]
        if application.motivation.strip():
            lines += ["", _("Ce qui l'amène :"), "", application.motivation.strip()]
        try:
            decision = self.open_about(
                "admission",
                application.pk,
                author=author,
                title=_("Admission de %(name)s") % {"name": application.full_name},
                body="\n".join(str(line) for line in lines),
                # The thread's title names nobody: the space may be public, the decision is not.
                thread_title=_("Candidature n°%(number)s") % {"number": application.pk},
                thread_body=_(
                    "Une candidature attend le consentement des associé·es "
                    "appelé·es à se prononcer."
                ),
                # Admission needs no clarification step: questions go to the thread.
                straight_to_objections=True,
                kind=Decision.Kind.CONSENT,
                scope=Decision.Scope.COLLEGES if college else Decision.Scope.OFFICERS,
                colleges=[college] if college else (),
                visibility=Decision.Visibility.MEMBERS,
                min_deliberation=ADMISSION_MIN_DELIBERATION,
                closes_at=timezone.now() + ADMISSION_DEADLINE,
            )
        except ValidationError:
            # Nobody to ask (an empty college…): the application waits for the officers.
            return None
        return decision

    def open_about(
        self,
        subject_kind: str,
        subject_id: int,
        *,
        author,
        title: str,
        body: str,
        thread_title: str = "",
        thread_body: str = "",
        straight_to_objections: bool = False,
        now: datetime.datetime | None = None,
        **proposal,
    ) -> "Decision":
        """Open a decision that another app's subject asks for, in its own thread.

        The thread is started in the cooperative's space (titled and worded like the
        decision unless told otherwise), the decision proposed there and opened; a text
        written whole (an admission, a mission's terms) goes straight to its objection round.
        """
        with transaction.atomic():
            thread = Space.objects.cooperative().start_thread(
                author, thread_title or title, thread_body or body
            )
            decision = self.propose(
                thread=thread,
                author=author,
                title=title,
                body=body,
                subject_kind=subject_kind,
                subject_id=subject_id,
                **proposal,
            )
            decision.open(now=now)
            if straight_to_objections:
                decision.open_objection_round(author)
        return decision

    def close_due(self, now: datetime.datetime | None = None) -> dict:
        """The deadline job: close what is past its deadline, then send the reminders due."""
        now = now or timezone.now()
        closed = []
        due = self.filter(
            phase__in=[
                Decision.Phase.CLARIFICATION,
                Decision.Phase.REACTIONS,
                Decision.Phase.OBJECTIONS,
                Decision.Phase.INTEGRATION,
                Decision.Phase.VOTING,
            ],
            closes_at__lte=now,
        ).order_by("closes_at", "pk")
        for decision in due:
            try:
                decision.close(now=now)
            except ValidationError:
                continue  # closed meanwhile by someone else
            except Exception:
                # One broken decision must not keep every other one open: log it, go on.
                logger.exception("Closing decision %s failed", decision.pk)
                continue
            closed.append(decision)
        return {
            "closed": closed,
            "reminded": self.remind_silent(now),
            "reviews": self.remind_reviews(now),
        }

    def remind_silent(self, now: datetime.datetime | None = None, before=REMIND_BEFORE) -> int:
        """Remind, once per round, those who have not spoken when the deadline nears."""
        now = now or timezone.now()
        rounds = Round.objects.filter(
            closed_at__isnull=True,
            reminded_at__isnull=True,
            decision__phase__in=[Decision.Phase.OBJECTIONS, Decision.Phase.VOTING],
            decision__closes_at__gt=now,
            decision__closes_at__lte=now + before,
        ).values_list("pk", flat=True)
        sent = 0
        for round_id in list(rounds):
            with transaction.atomic():
                # Locked and re-read: two workers never both send the same reminders.
                round = (
                    Round.objects.select_for_update()
                    .filter(pk=round_id, reminded_at__isnull=True, closed_at__isnull=True)
                    .first()
                )
                if round is None:
                    continue
                round.reminded_at = now
                round.save(update_fields=["reminded_at"])
                sent += notifications.remind_silent(round.decision, round.silent_members())
        return sent

    def remind_reviews(self, now: datetime.datetime | None = None) -> int:
        """Tell authors that a decision of theirs has reached its review date."""
        now = now or timezone.now()
        due = self.filter(
            phase=Decision.Phase.CLOSED,
            review_on__lte=timezone.localdate(now),
            review_reminded_at__isnull=True,
        ).values_list("pk", flat=True)
        sent = 0
        for decision_id in list(due):
            with transaction.atomic():
                decision = (
                    Decision.objects.select_for_update()
                    .filter(pk=decision_id, review_reminded_at__isnull=True)
                    .first()
                )
                if decision is None:
                    continue
                decision.review_reminded_at = now
                decision.save(update_fields=["review_reminded_at"])
                notifications.review_due(decision)
                sent += 1
        return sent

    def flag_overdue_advice(self, now: datetime.datetime | None = None) -> int:
        """Tell the author and the officers, once, of an advice decision past its deadline."""
        now = now or timezone.now()
        due = self.filter(
            phase=Decision.Phase.ADVICE, closes_at__lte=now, overdue_flagged_at__isnull=True
        ).values_list("pk", flat=True)
        flagged = 0
        for decision_id in list(due):
            with transaction.atomic():
                # Locked and re-read: two workers never both flag the same decision.
                decision = (
                    Decision.objects.select_for_update()
                    .filter(pk=decision_id, phase=Decision.Phase.ADVICE)
                    .filter(overdue_flagged_at__isnull=True)
                    .first()
                )
                if decision is None:
                    continue
                decision.overdue_flagged_at = now
                decision.save(update_fields=["overdue_flagged_at"])
                notifications.advice_overdue(decision)
                flagged += 1
        return flagged


class Decision(Counting, models.Model):
    class Kind(models.TextChoices):
        CONSENT = "consent", _("Consentement")
        ADVICE = "advice", _("Sollicitation d'avis")
        YES_NO = "yes_no", _("Vote pour / contre")
        APPROVAL = "approval", _("Vote par approbation")
        RANKED = "ranked", _("Vote par classement (Schulze)")
        SCORE = "score", _("Répartition de points")

    class Phase(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        CLARIFICATION = "clarification", _("Questions de clarification")
        REACTIONS = "reactions", _("Réactions")
        OBJECTIONS = "objections", _("Tour d'objections")
        INTEGRATION = "integration", _("Intégration des objections")
        ADVICE = "advice", _("Recueil des avis")
        VOTING = "voting", _("Vote ouvert")
        # Not "Close": Django's own catalogue translates that English word to "Fermer".
        CLOSED = "closed", _("Terminée")

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("Adoptée")
        REJECTED = "rejected", _("Rejetée")
        WITHDRAWN = "withdrawn", _("Retirée")
        LAPSED = "lapsed", _("Caduque")
        DECIDED = "decided", _("Décidée (après avis)")
        # Nothing was chosen: never "adopted"; `tie_rule` says what comes next.
        TIED = "tied", _("Égalité")
        NO_QUORUM = "no_quorum", _("Quorum non atteint")

    class TieRule(models.TextChoices):
        NEW_ROUND = "new_round", _("Un nouveau vote entre les options à égalité")
        LOTS = "lots", _("Un tirage au sort, publié avec sa graine")
        CHAIR = "chair", _("La voix prépondérante de la présidence")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Publique")
        MEMBERS = "members", _("Réservée aux associé·es")

    class Scope(models.TextChoices):
        COOPERATIVE = "cooperative", _("Toutes et tous les associé·es")
        COLLEGES = "colleges", _("Certains collèges")
        CIRCLE = "circle", _("Un cercle de travail")
        OFFICERS = "officers", _("Les responsables")

    class Threshold(models.TextChoices):
        MAJORITY = "majority", _("Majorité simple")
        TWO_THIRDS = "two_thirds", _("Deux tiers")
        THREE_QUARTERS = "three_quarters", _("Trois quarts")

    VOTE_KINDS = frozenset({Kind.YES_NO, Kind.APPROVAL, Kind.RANKED, Kind.SCORE})
    OPTION_KINDS = frozenset({Kind.APPROVAL, Kind.RANKED, Kind.SCORE})
    OPEN_PHASES = frozenset(
        {Phase.CLARIFICATION, Phase.REACTIONS, Phase.OBJECTIONS, Phase.INTEGRATION}
        | {Phase.ADVICE, Phase.VOTING}
    )

    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="decisions")
    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="decisions")
    author = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(
        _("mode de décision"), max_length=20, choices=Kind, default=Kind.CONSENT
    )
    is_secret = models.BooleanField(_("scrutin secret"), default=False)
    title = models.CharField(_("titre"), max_length=200)
    phase = models.CharField(_("étape"), max_length=20, choices=Phase, default=Phase.DRAFT)
    outcome = models.CharField(_("issue"), max_length=20, choices=Outcome, blank=True)
    visibility = models.CharField(
        _("visibilité"), max_length=20, choices=Visibility, default=Visibility.PUBLIC
    )
    scope = models.CharField(
        _("qui décide"), max_length=20, choices=Scope, default=Scope.COOPERATIVE
    )
    colleges = models.ManyToManyField(College, blank=True, related_name="decisions")
    circle = models.ForeignKey(
        Circle, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    weighted_by_college = models.BooleanField(_("pondérée par collège"), default=False)
    quorum_percent = models.PositiveSmallIntegerField(_("quorum de participation (%)"), default=0)
    threshold = models.CharField(
        _("seuil d'adoption"), max_length=20, choices=Threshold, default=Threshold.MAJORITY
    )
    silence_is_consent = models.BooleanField(_("le silence vaut consentement"), default=False)
    tie_rule = models.CharField(
        _("en cas d'égalité"), max_length=20, choices=TieRule, default=TieRule.NEW_ROUND
    )
    points_per_voter = models.PositiveIntegerField(_("points par votant·e"), default=100)
    min_deliberation = models.DurationField(_("durée minimale de délibération"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    # How many Eligibility rows the opening wrote: they never change, so never recounted.
    eligible_count = models.PositiveIntegerField(null=True, blank=True, editable=False)
    phase_ends_at = models.DateTimeField(_("fin de l'étape"), null=True, blank=True)
    closes_at = models.DateTimeField(_("échéance"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    outcome_statement = personal(
        models.TextField(_("énoncé de la décision"), blank=True),
        DELIBERATION,
        Audience.SPACE,
        Erasure.PSEUDONYMISE,
    )
    review_on = models.DateField(_("date de révision"), null=True, blank=True)
    review_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # An advice decision past its deadline is flagged once to its author and the officers.
    overdue_flagged_at = models.DateTimeField(null=True, blank=True, editable=False)
    result = not_personal(
        models.JSONField(default=dict, blank=True, editable=False),
        "counts of stances, no one named",
    )
    # What the decision is about, for decisions other apps open (admission, mission…).
    subject_kind = models.CharField(max_length=30, blank=True, editable=False)
    subject_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["phase", "closes_at"]),
            models.Index(fields=["subject_kind", "subject_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_percent__lte=100), name="decision_quorum_is_a_percentage"
            ),
            models.CheckConstraint(
                condition=Q(is_secret=False)
                | Q(kind__in=["yes_no", "approval", "ranked", "score"]),
                name="decision_secret_only_for_votes",
            ),
            models.CheckConstraint(
                condition=Q(phase="closed", outcome__gt="") | (~Q(phase="closed") & Q(outcome="")),
                name="decision_outcome_iff_closed",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("decisions:detail", args=[self.pk])

    # Checking a proposal -----------------------------------------------------------------

    def clean(self):
        """Check a new proposal (its row and its `proposal`): ValidationError keyed by field."""
        errors = FieldErrors()
        proposal = getattr(self, "proposal", None)
        if proposal is None:
            return  # only a new proposal carries what these checks read
        self._check_text(errors, proposal)
        self._check_settings(errors)
        self._check_who_decides(errors, proposal)
        self._check_options(errors, proposal)
        self._check_vote(errors)
        self._check_advisors(errors, proposal)
        errors.raise_any()

    def _check_text(self, errors: FieldErrors, proposal: Proposal) -> None:
        errors.check("title", self.title, _("Donnez un titre à la proposition."))
        errors.check(
            "title",
            len(self.title) <= MAX_TITLE_LENGTH,
            _("Le titre est trop long (200 caractères au plus)."),
        )
        errors.check("body", proposal.body, _("Écrivez la proposition."))
        errors.check(
            "body", len(proposal.body) <= MAX_BODY_LENGTH, _("La proposition est trop longue.")
        )

    def _check_settings(self, errors: FieldErrors) -> None:
        errors.check("kind", self.kind in self.Kind.values, _("Choisissez un mode de décision."))
        errors.check("scope", self.scope in self.Scope.values, _("Choisissez qui décide."))
        errors.check(
            "visibility",
            self.visibility in self.Visibility.values,
            _("Choisissez une visibilité."),
        )
        errors.check(
            "threshold",
            self.threshold in self.Threshold.values,
            _("Choisissez un seuil d'adoption."),
        )
        errors.check(
            "tie_rule",
            self.tie_rule in self.TieRule.values,
            _("Choisissez ce qui départage une égalité."),
        )
        errors.check(
            "quorum_percent",
            isinstance(self.quorum_percent, int) and 0 <= self.quorum_percent <= 100,
            _("Le quorum est un pourcentage entre 0 et 100."),
        )
        errors.check(
            "min_deliberation",
            isinstance(self.min_deliberation, datetime.timedelta)
            and self.min_deliberation >= datetime.timedelta(0),
            _("Indiquez une durée minimale de délibération."),
        )
        if "min_deliberation" not in errors and self.closes_at is not None:
            errors.check(
                "closes_at",
                self.closes_at >= timezone.now() + self.min_deliberation,
                _("L'échéance doit laisser au moins la durée minimale de délibération."),
            )

    def _check_who_decides(self, errors: FieldErrors, proposal: Proposal) -> None:
        """Who decides must be able to read the space where the decision lives."""
        space = self.space
        errors.check("colleges", all(proposal.colleges), _("Ce collège n'existe pas."))
        proposal.colleges = list(dict.fromkeys(c for c in proposal.colleges if c))
        self._default_to_the_space(proposal)
        if self.scope == self.Scope.COLLEGES:
            errors.check("colleges", proposal.colleges, _("Choisissez au moins un collège."))
        if self.scope == self.Scope.CIRCLE:
            errors.check("circle", self.circle is not None, _("Choisissez le cercle qui décide."))
        if space.visibility == Space.Visibility.COLLEGE:
            errors.check(
                "scope",
                self.scope == self.Scope.COLLEGES
                and [c.pk for c in proposal.colleges] == [space.college_id],
                _("Dans l'espace d'un collège réservé à ses membres, seul ce collège décide."),
            )
        if space.visibility == Space.Visibility.CIRCLE:
            errors.check(
                "scope",
                self.scope == self.Scope.CIRCLE
                and self.circle is not None
                and self.circle.pk == space.circle_id,
                _("Dans l'espace d'un cercle réservé à ses membres, seul ce cercle décide."),
            )

    def _default_to_the_space(self, proposal: Proposal) -> None:
        """A college's or a circle's space names who decides when the proposal names nobody."""
        space = self.space
        if self.scope == self.Scope.COLLEGES and not proposal.colleges:
            proposal.colleges = [space.college] if space.kind == Space.Kind.COLLEGE else []
        if (
            self.scope == self.Scope.CIRCLE
            and self.circle is None
            and space.kind == Space.Kind.CIRCLE
        ):
            self.circle = space.circle

    def _check_options(self, errors: FieldErrors, proposal: Proposal) -> None:
        labels = proposal.options
        if self.kind not in self.OPTION_KINDS:
            errors.check("options", not labels, _("Ce mode de décision ne propose pas d'options."))
            return
        errors.check("options", len(labels) >= 2, _("Proposez au moins deux options."))
        errors.check("options", len(labels) <= MAX_OPTIONS, _("Cent options au plus."))
        errors.check(
            "options", all(label for label, _d in labels), _("Chaque option a un intitulé.")
        )
        errors.check(
            "options",
            all(len(label) <= 200 for label, _d in labels),
            _("L'intitulé d'une option ne dépasse pas 200 caractères."),
        )
        errors.check(
            "options",
            len({label.casefold() for label, _d in labels}) == len(labels),
            _("Deux options portent le même intitulé."),
        )

    def _check_vote(self, errors: FieldErrors) -> None:
        errors.check(
            "is_secret",
            not self.is_secret or self.kind in self.VOTE_KINDS,
            _("Seul un vote peut être à bulletin secret."),
        )
        if self.weighted_by_college:
            errors.check(
                "weighted_by_college",
                self.kind == self.Kind.YES_NO,
                _("Seul un vote pour / contre peut être pondéré par collège."),
            )
            weights = list(College.objects.values_list("weight_percent", flat=True))
            errors.check(
                "weighted_by_college",
                weights and None not in weights and sum(weights) == 100,
                UNWEIGHTED_COLLEGES,
            )
        if self.kind == self.Kind.SCORE:
            errors.check(
                "points_per_voter",
                isinstance(self.points_per_voter, int) and 1 <= self.points_per_voter <= 1_000_000,
                _("Chaque votant·e reçoit au moins un point."),
            )

    def _check_advisors(self, errors: FieldErrors, proposal: Proposal) -> None:
        people = list(proposal.advisors)
        if self.kind != self.Kind.ADVICE:
            errors.check(
                "advisors", not people, _("Seule une sollicitation d'avis nomme des conseiller·es.")
            )
            return
        errors.check("advisors", people, _("Nommez les personnes dont vous sollicitez l'avis."))
        errors.check("advisors", all(people), _("Seul·es des associé·es peuvent donner un avis."))
        errors.check(
            "advisors",
            all(p is None or p.pk != self.author_id for p in people),
            _("Sollicitez l'avis d'autres personnes que vous-même."),
        )
        proposal.advisors = list({p.pk: p for p in people if p}.values())

    # Reading -------------------------------------------------------------------------------

    @property
    def is_vote(self) -> bool:
        return self.kind in self.VOTE_KINDS

    @property
    def is_closed(self) -> bool:
        return self.phase == self.Phase.CLOSED

    @property
    def ballots_unsealed(self) -> bool:
        """Whether a secret box may show its contents: only once counted at the close.

        Not while voting, nor after a withdrawal that ended the vote uncounted.
        """
        return self.is_closed and bool(self.result.get("kind"))

    @property
    def current_version(self) -> "Version":
        return self.versions.order_by("-number").first()

    @property
    def current_round(self) -> "Round | None":
        return self.rounds.order_by("-number").first()

    @property
    def deliberation_ends_at(self) -> datetime.datetime | None:
        """Before this instant, nothing may be decided."""
        return self.opened_at + self.min_deliberation if self.opened_at else None

    def open_objections(self):
        return self.objections.filter(status__in=Objection.OPEN)

    def voices(self):
        """Those fixed as eligible at the opening who still have a voice (still associates)."""
        return self.eligible.filter(member__status=Member.Status.ACTIVE)

    def spoken_count(self, round: "Round | None" = None, tally: dict | None = None) -> int:
        """Who has spoken in `round`; taken from `tally` when it has just counted that round
        (with 100,000 stances, each count costs milliseconds)."""
        round = round or self.current_round
        if round is None:
            return 0
        tally = tally or {}
        counted = tally.get("spoken", tally.get("voters"))
        if counted is not None and tally.get("round") == round.number:
            return counted
        if self.is_secret:
            return round.roll.count()
        return round.stances.count()

    def everyone_has_spoken(self, round: "Round | None" = None) -> bool:
        round = round or self.current_round
        return round is not None and not round.silent_members().exists()

    def can_read(self, who) -> bool:
        return rules.can_read(who, self)

    # Opening and the consent steps ---------------------------------------------------------

    def _locked(self) -> "Decision":
        return Decision.objects.select_for_update().get(pk=self.pk)

    def _close_round(self, now) -> None:
        # The round's lock waits for stances being taken: they land before the close or not at all.
        round = (
            Round.objects.select_for_update().filter(decision=self, closed_at__isnull=True).first()
        )
        if round is not None:
            round.closed_at = now
            round.save(update_fields=["closed_at"])

    def _open_round(self, now) -> "Round":
        last = self.rounds.order_by("-number").values_list("number", flat=True).first() or 0
        return Round.objects.create(
            decision=self,
            number=last + 1,
            version=self.current_version,
            opened_at=now,
            closes_at=self.closes_at,
        )

    def _tell_eligible(self, round_number: int) -> None:
        """Once committed, notify everyone eligible: a background task, they may be 100,000."""
        decision_id = self.pk
        transaction.on_commit(lambda: tasks.tell_eligible.enqueue(decision_id, round_number))

    def eligible_members(self):
        """The active members within the decision's scope right now (used once, at the opening)."""
        members = Member.objects.active()
        match self.scope:
            case self.Scope.COLLEGES:
                return members.filter(category__college__in=self.colleges.all())
            case self.Scope.CIRCLE:
                return members.filter(circle_memberships__circle_id=self.circle_id)
            case self.Scope.OFFICERS:
                return members.filter(is_officer=True)
        return members

    def _fix_eligibility(self) -> int:
        """Copy who is eligible now into Eligibility rows, in one INSERT … SELECT.

        One statement inside the database: 100,000 members take a fraction of a second,
        where building 100,000 objects in Python would take seconds.
        """
        # A member's college at the opening weighs only a vote weighted by college, and
        # nothing else reads it: elsewhere it is left out, and so is the join that finds it.
        if self.weighted_by_college:
            fields, columns = ("pk", "category__college_id"), "member_id, college_id"
        else:
            fields, columns = ("pk",), "member_id"
        members = self.eligible_members().order_by().values_list(*fields)
        select, params = members.query.sql_with_params()
        table = connection.ops.quote_name(Eligibility._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (decision_id, {columns}) "  # noqa: S608
                f"SELECT %s, chosen.* FROM ({select}) AS chosen",
                [self.pk, *params],
            )
            inserted = cursor.rowcount
        if connection.vendor == "postgresql" and inserted >= ANALYZE_AFTER:
            # Without fresh statistics PostgreSQL believes this decision has a handful of
            # rows and joins all 100,000 to their members on every tally (80 ms), until
            # autovacuum analyses the table: after 10 % of it has changed. The worker
            # analyses it as soon as the opening is committed, so its author doesn't wait.
            transaction.on_commit(tasks.analyse_eligibility.enqueue)
        return inserted

    def open(self, now: datetime.datetime | None = None, by=None) -> None:
        """Fix who is eligible, copy the cooperative's consent rules and start the first step."""
        now = now or timezone.now()
        with transaction.atomic():
            decision = self._locked()
            if by is not None:
                rules.require(by, "open", decision)
            elif decision.phase != self.Phase.DRAFT:
                raise ValidationError(_("Cette décision est déjà ouverte."))
            if (
                decision.closes_at is not None
                and decision.closes_at < now + decision.min_deliberation
            ):
                raise ValidationError(
                    {
                        "closes_at": _(
                            "L'échéance doit laisser au moins la durée minimale de délibération."
                        )
                    }
                )
            coop = Cooperative.get()
            if decision.kind == self.Kind.CONSENT:
                decision.silence_is_consent = coop.silence_is_consent
                if coop.silence_is_consent:
                    decision.quorum_percent = coop.consent_quorum_percent
            if decision.weighted_by_college:
                # The weights are the rules of the vote: fixed when it opens, like eligibility.
                weights = dict(College.objects.values_list("pk", "weight_percent"))
                if None in weights.values() or sum(weights.values()) != 100:
                    raise ValidationError({"weighted_by_college": UNWEIGHTED_COLLEGES})
                decision.result = {"college_weights": {str(k): w for k, w in weights.items()}}
            decision.eligible_count = decision._fix_eligibility()
            if not decision.eligible_count:
                raise ValidationError(
                    {
                        "scope": _(
                            "Personne n'est appelé·e à se prononcer : "
                            "choisissez d'autres participant·es."
                        )
                    }
                )
            decision.opened_at = now
            match decision.kind:
                case self.Kind.CONSENT:
                    decision.phase = self.Phase.CLARIFICATION
                case self.Kind.ADVICE:
                    decision.phase = self.Phase.ADVICE
                case _:
                    decision.phase = self.Phase.VOTING
                    decision._open_round(now)
            decision.save(
                update_fields=[
                    "opened_at",
                    "eligible_count",
                    "phase",
                    "silence_is_consent",
                    "quorum_percent",
                    "result",
                ]
            )
            if decision.kind == self.Kind.ADVICE:
                notifications.advice_requested(decision)
            else:
                decision._tell_eligible(1 if decision.is_vote else 0)
            decision_opened.send(sender=Decision, decision=decision)
        self.refresh_from_db()

    def advance(self, by) -> None:
        """Clarification → reactions → objection round (on the current version)."""
        now = timezone.now()
        with transaction.atomic():
            decision = self._locked()
            rules.require(by, "advance", decision)
            if decision.phase == self.Phase.CLARIFICATION:
                decision.phase = self.Phase.REACTIONS
            else:
                decision.phase = self.Phase.OBJECTIONS
                decision._tell_eligible(decision._open_round(now).number)
            decision.save(update_fields=["phase"])
        self.refresh_from_db()

    def open_objection_round(self, by) -> None:
        """Skip clarification and reactions: questions on a text written whole go to its thread."""
        self.advance(by)
        self.advance(by)

    def amend(self, by, *, title: str, body: str, note: str = "", integrates=()) -> "Version":
        """A new version by the author; the objections it answers are marked as integrated in it.

        A decision whose text its subject generates (a mission, a top-up) refuses this: its
        subject amends itself, and the text with it (`amend_generated`).
        """
        return self._amend(by, title, body, note, integrates, generated=False)

    def amend_generated(self, by, *, title: str, body: str, note: str = "", integrates=()):
        """A new version whose text the decision's subject generated from its new terms.

        Called by the subject inside its own transaction, having locked this decision first.
        """
        return self._amend(by, title, body, note, integrates, generated=True)

    def _amend(self, by, title, body, note, integrates, generated: bool) -> "Version":
        title = _text(title, "title", _("Donnez un titre à la proposition."), MAX_TITLE_LENGTH)
        body = _text(body, "body", _("Écrivez la proposition."), MAX_BODY_LENGTH)
        note = (note or "").strip()
        if len(note) > 500:
            raise ValidationError({"note": _("Résumez le changement en 500 caractères au plus.")})
        with transaction.atomic():
            decision = self._locked()
            rules.require(by, "amend", decision)
            refusal = rules.text_refusal(decision)
            if refusal is not None and not generated:
                raise ValidationError({"body": refusal})
            current = decision.current_version
            if (current.title, current.body) == (title, body):
                raise ValidationError({"body": _("Cette version est identique à la précédente.")})
            ids = {o.pk if isinstance(o, Objection) else int(o) for o in integrates}
            objections = list(decision.open_objections().filter(pk__in=ids).select_for_update())
            if len(objections) != len(ids):
                raise ValidationError(
                    {
                        "integrates": _(
                            "Seules les objections encore ouvertes de cette décision s'intègrent."
                        )
                    }
                )
            version = Version.objects.create(
                decision=decision, number=current.number + 1, title=title, body=body, note=note
            )
            now = timezone.now()
            for objection in objections:
                objection.integrated_in = version
                objection.status = Objection.Status.INTEGRATING
                objection.updated_at = now
                objection.save(update_fields=["integrated_in", "status", "updated_at"])
            decision.title = title
            decision.save(update_fields=["title"])
        self.refresh_from_db()
        return version

    def start_new_round(self, by, now: datetime.datetime | None = None) -> "Round":
        """After integration, a new objection round on the latest version."""
        now = now or timezone.now()
        with transaction.atomic():
            decision = self._locked()
            rules.require(by, "start_new_round", decision)
            decision.phase = self.Phase.OBJECTIONS
            round = decision._open_round(now)
            decision.save(update_fields=["phase"])
            decision._tell_eligible(round.number)
            notifications.new_round(
                decision, decision.open_objections().select_related("author__user")
            )
        self.refresh_from_db()
        return round

    def withdraw(self, by, statement: str = "") -> None:
        """The author withdraws the proposal, at any step before the close."""
        now = timezone.now()
        with transaction.atomic():
            decision = self._locked()
            rules.require(by, "withdraw", decision)
            round = decision.current_round
            if round is not None and decision.is_secret:
                round._rewrite_roll()
            decision._close_round(now)
            decision._finish(self.Outcome.WITHDRAWN, now, statement, None, decision.result)
        self.refresh_from_db()

    # Closing -------------------------------------------------------------------------------

    def _finish(self, outcome, now, statement, review_on, result) -> None:
        self.phase = self.Phase.CLOSED
        self.outcome = outcome
        self.closed_at = now
        self.outcome_statement = (statement or "").strip()
        self.review_on = (
            review_on if outcome in (self.Outcome.ADOPTED, self.Outcome.DECIDED) else None
        )
        self.result = result
        self.save(
            update_fields=[
                "phase",
                "outcome",
                "closed_at",
                "outcome_statement",
                "review_on",
                "result",
            ]
        )
        decision_closed.send(sender=Decision, decision=self)
        notifications.closed(self)

    def close(
        self,
        now: datetime.datetime | None = None,
        by=None,
        statement: str = "",
        review_on: datetime.date | None = None,
    ) -> str:
        """Close: adopted, rejected or lapsed (consent and votes). Returns the outcome.

        Without `by` this is the deadline job, refused before the deadline. With `by` (the
        author or an officer), closing before the deadline needs the minimum deliberation
        time elapsed and everyone eligible to have spoken (and, for consent, no open
        objection); after the deadline it is the same as the job.
        """
        now = now or timezone.now()
        if len(statement or "") > MAX_BODY_LENGTH:
            raise ValidationError({"statement": _("L'énoncé est trop long.")})
        with transaction.atomic():
            decision = self._locked()
            if by is not None:
                rules.require(by, "close", decision)
            elif decision.phase not in self.OPEN_PHASES - {self.Phase.ADVICE}:
                raise ValidationError(_("Cette décision ne se clôt pas à cette étape."))
            past_deadline = decision.closes_at is not None and now >= decision.closes_at
            if by is None and not past_deadline:
                raise ValidationError(
                    _("Trop tôt : l'échéance de cette décision n'est pas passée.")
                )
            if review_on is not None and review_on <= timezone.localdate(now):
                raise ValidationError({"review_on": _("Choisissez une date de révision à venir.")})
            round = (
                Round.objects.select_for_update()
                .filter(decision=decision)
                .order_by("-number")
                .first()
            )
            if not past_deadline:
                decision._check_early_close(round, now)
            result = decision._count(round)
            # What was on the table (a mission's version and its cost): the record keeps it.
            subject = subjects.of(decision).record(decision, round)
            if subject:
                result["subject"] = subject
            outcome = decision._outcome(round, result, past_deadline)
            if round is not None and decision.is_secret:
                round._rewrite_roll()
            decision._close_round(now)
            if outcome == self.Outcome.TIED:
                result["tie_break"] = decision._break_tie(result["tied"], now)
            if outcome != self.Outcome.ADOPTED:
                decision._finish(outcome, now, statement, review_on, result)
            else:
                try:
                    # A receiver may refuse what adoption does (a mission the reserve no
                    # longer covers): then nothing it wrote is kept.
                    with transaction.atomic():
                        decision._finish(outcome, now, statement, review_on, result)
                except ValidationError as refusal:
                    if by is not None:
                        raise  # the person closing sees why; the decision stays open
                    # The deadline job: the decision lapses, saying why adoption was refused.
                    reason = " ".join(str(message) for message in refusal.messages)
                    decision._finish(
                        self.Outcome.LAPSED,
                        now,
                        _("L'adoption a été refusée : %(reason)s") % {"reason": reason},
                        None,
                        result,
                    )
        self.refresh_from_db()
        return self.outcome

    def _check_early_close(self, round: "Round | None", now) -> None:
        """Before the deadline: the minimum deliberation is over and everyone has spoken."""
        if now < self.deliberation_ends_at:
            raise ValidationError(
                _("La durée minimale de délibération court jusqu'au %(when)s.")
                % {"when": _when(self.deliberation_ends_at)}
            )
        silent = round.silent_count() if round else 0
        if silent:
            raise ValidationError(
                _(
                    "Avant l'échéance, la décision ne se clôt que lorsque chaque personne "
                    "appelée à se prononcer l'a fait : %(count)s ne l'ont pas encore fait."
                )
                % {"count": silent}
            )

    def _outcome(self, round: "Round | None", result: dict, past_deadline: bool) -> str:
        """The outcome a count gives: consent weighs objections, a vote reads its tally."""
        if self.kind == self.Kind.CONSENT:
            return self._consent_outcome(round, result, past_deadline)
        return {
            "adopted": self.Outcome.ADOPTED,
            "rejected": self.Outcome.REJECTED,
            "tied": self.Outcome.TIED,
            "no_quorum": self.Outcome.NO_QUORUM,
        }.get(result.get("outcome"), self.Outcome.LAPSED)

    def _break_tie(self, tied: list, now) -> dict:
        """Apply the decision's tie rule at its close; what it did joins the result.

        A drawing of lots publishes its seed: anyone recomputes sha256(seed) modulo the
        number of tied options, sorted, to find the one drawn.
        """
        if self.tie_rule == self.TieRule.LOTS:
            seed = secrets.token_hex(16)
            ordered = sorted(tied, key=str)
            index = int(hashlib.sha256(seed.encode()).hexdigest(), 16) % len(ordered)
            return {"rule": self.tie_rule, "seed": seed, "drawn": ordered[index]}
        if self.tie_rule == self.TieRule.CHAIR:
            return {"rule": self.tie_rule}
        return {"rule": self.tie_rule, "decision": self._vote_again(tied, now)}

    @property
    def awaits_casting_vote(self) -> bool:
        """A tie the decision leaves to the chair, not yet settled."""
        settled = (self.result or {}).get("tie_break") or {}
        return (
            self.outcome == self.Outcome.TIED
            and settled.get("rule") == self.TieRule.CHAIR
            and "chosen" not in settled
        )

    def cast_deciding_vote(self, by, choice, statement: str, now=None) -> None:
        """The chair (an officer) settles a tie left to them, once, saying why.

        The outcome stays "tied": that is what the members' votes said. The chair's choice,
        who made it, when and why join the result, and the register shows them.
        """
        now = now or timezone.now()
        statement = _text(
            statement, "statement", _("Écrivez pourquoi vous départagez ainsi."), MAX_BODY_LENGTH
        )
        with transaction.atomic():
            decision = self._locked()
            if not decision.awaits_casting_vote:  # settled already, or no tie for the chair
                raise ValidationError(_("Cette décision n'attend pas de voix prépondérante."))
            member = rules.require(by, "cast_deciding_vote", decision)
            tied = decision.result["tied"]
            chosen = next((value for value in tied if str(value) == str(choice)), None)
            if chosen is None:
                raise ValidationError({"choice": _("Choisissez l'une des options à égalité.")})
            decision.result["tie_break"] |= {
                "chosen": chosen,
                "by": member.pk,
                "at": now.isoformat(),
                "statement": statement,
            }
            decision.save(update_fields=["result"])
        self.refresh_from_db()

    def _vote_again(self, tied: list, now) -> int | None:
        """A new vote among the tied options, as long as the first one and with its rules."""
        span = (
            self.closes_at - self.opened_at
            if self.closes_at and self.opened_at
            else self.min_deliberation + datetime.timedelta(days=7)
        )
        options = {str(o.pk): (o.label, o.description) for o in self.options.all()}
        version = self.current_version
        try:
            with transaction.atomic():
                follow = Decision.objects.propose(
                    thread=self.thread,
                    author=self.author,
                    kind=self.kind,
                    title=self.title,
                    body=version.body,
                    scope=self.scope,
                    colleges=list(self.colleges.all()),
                    circle=self.circle,
                    visibility=self.visibility,
                    min_deliberation=self.min_deliberation,
                    closes_at=now + span,
                    options=[options[str(pk)] for pk in tied]
                    if self.kind in self.OPTION_KINDS
                    else (),
                    quorum_percent=self.quorum_percent,
                    threshold=self.threshold,
                    weighted_by_college=self.weighted_by_college,
                    is_secret=self.is_secret,
                    points_per_voter=self.points_per_voter,
                    tie_rule=self.tie_rule,
                    subject_kind=self.subject_kind,
                    subject_id=self.subject_id,
                )
                follow.open(now=now)
        except (ValidationError, PermissionDenied):
            # The author has left, or nobody is eligible any more: the tie stays, said as such.
            logger.warning("No new vote after the tie of decision %s", self.pk)
            return None
        return follow.pk

    def _consent_outcome(self, round, result, past_deadline) -> str:
        """Adopted when no objection is open and participation suffices; lapsed at the deadline."""
        if self.phase != self.Phase.OBJECTIONS or round is None:
            return self.Outcome.LAPSED  # the deadline came before an objection round ended
        open_count = sum(result["objections"].get(s, 0) for s in Objection.OPEN)
        if open_count:
            if past_deadline:
                return self.Outcome.LAPSED
            raise ValidationError(
                ngettext(
                    "%(count)s objection reste ouverte : intégrez-la, ou laissez venir l'échéance.",
                    "%(count)s objections restent ouvertes : intégrez-les, "
                    "ou laissez venir l'échéance.",
                    open_count,
                )
                % {"count": open_count}
            )
        spoken, eligible = result["spoken"], result["eligible"]
        if self.silence_is_consent:
            if spoken and Fraction(spoken, eligible) >= Fraction(self.quorum_percent, 100):
                return self.Outcome.ADOPTED
            return self.Outcome.NO_QUORUM
        return self.Outcome.ADOPTED if spoken and result["silent"] == 0 else self.Outcome.LAPSED

    @property
    def consent_rule(self) -> str:
        """The rule this consent decision closes by, in one sentence for its page and reminders."""
        if self.kind != self.Kind.CONSENT:
            return ""
        what = (
            _("la mission est adoptée")
            if self.subject_kind == "mission"
            else _("la proposition est adoptée")
        )
        if not self.closes_at:
            return ""
        when = _when(self.closes_at)
        if self.silence_is_consent:
            return _(
                "Sans objection d'ici le %(when)s, %(what)s : le silence vaut consentement, "
                "pourvu qu'au moins %(quorum)s %% des personnes appelées se soient prononcées."
            ) % {"when": when, "what": what, "quorum": self.quorum_percent}
        return _(
            "Si chaque personne appelée se prononce sans objection d'ici le %(when)s, "
            "%(what)s ; un seul silence suffit à la rendre caduque."
        ) % {"when": when, "what": what}

    # Advice process ------------------------------------------------------------------------

    def record_advice_decision(
        self, by, statement: str, review_on: datetime.date | None = None, now=None
    ) -> None:
        """The author records what they decided and why, once the advice is in or due."""
        now = now or timezone.now()
        statement = _text(
            statement, "statement", _("Écrivez ce que vous décidez, et pourquoi."), MAX_BODY_LENGTH
        )
        with transaction.atomic():
            decision = self._locked()
            rules.require(by, "record_advice_decision", decision)
            if now < decision.deliberation_ends_at:
                raise ValidationError(
                    _("La durée minimale de délibération court jusqu'au %(when)s.")
                    % {"when": _when(decision.deliberation_ends_at)}
                )
            waiting = decision.advice.filter(given_at__isnull=True).count()
            past_deadline = decision.closes_at is not None and now >= decision.closes_at
            if waiting and not past_deadline:
                raise ValidationError(
                    ngettext(
                        "%(count)s avis sollicité manque encore : attendez-le ou l'échéance.",
                        "%(count)s avis sollicités manquent encore : attendez-les ou l'échéance.",
                        waiting,
                    )
                    % {"count": waiting}
                )
            if review_on is not None and review_on <= timezone.localdate(now):
                raise ValidationError({"review_on": _("Choisissez une date de révision à venir.")})
            decision._finish(self.Outcome.DECIDED, now, statement, review_on, decision._count(None))
        self.refresh_from_db()


class Version(models.Model):
    """One wording of a proposal; amendments add versions, none is ever changed."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("proposition (Markdown)"))
    note = models.CharField(_("ce qui change"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["decision", "number"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "number"], name="one_version_number")
        ]

    def __str__(self):
        return f"v{self.number} {self.title}"

    @property
    def body_html(self) -> str:
        """The proposal as sanitised HTML: Markdown in, no script out."""
        return markdown.render(self.body)

    def diff_from(self, previous: "Version | None") -> list[dict]:
        """Line by line changes since `previous`: [{"kind": "same"|"added"|"removed", "text"}]."""
        before = (f"# {previous.title}\n\n{previous.body}" if previous else "").splitlines()
        after = f"# {self.title}\n\n{self.body}".splitlines()
        kinds = {" ": "same", "+": "added", "-": "removed"}
        return [
            {"kind": kinds[line[0]], "text": line[2:]}
            for line in difflib.ndiff(before, after)
            if line[0] in kinds
        ]


class Eligibility(models.Model):
    """Who may take part, fixed when the decision opens (and their college then, for a vote
    weighted by college).

    An opening writes one row per member, 100,000 at once: each index is paid for on each
    row, so the table has one, its primary key (decision, member), filled at its right end
    by an opening; no `id` and no sequence. For the same reason the database does not check
    the three keys row by row (on PostgreSQL that was three quarters of an opening): the
    rows are copied, in the opening's transaction, from the very decision, members and
    colleges they name, and nothing else writes them. Django still applies CASCADE and
    PROTECT, so a member or a college with eligibilities can't be deleted.
    """

    pk = models.CompositePrimaryKey("decision", "member")
    # Found through the primary key, which starts with the decision.
    decision = models.ForeignKey(
        Decision,
        on_delete=models.CASCADE,
        related_name="eligible",
        db_index=False,
        db_constraint=False,
    )
    # Found through the primary key too; only a member's export and a member's deletion
    # (PROTECT) look rows up by member alone, rarely enough to read the table through.
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        related_name="eligibilities",
        db_index=False,
        db_constraint=False,
    )
    # Kept only when the vote is weighted by college (empty otherwise: `_fix_eligibility`).
    # Never looked up by college: only a college's removal (a few in a cooperative's life)
    # reads the table to see whether a decision still holds on to it.
    college = models.ForeignKey(
        College,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        db_constraint=False,
    )

    def __str__(self):
        return f"{self.member} — {self.decision}"


class Round(BallotBox, models.Model):
    """An objection round, or the single round of a vote."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField()
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["decision", "number"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "number"], name="one_round_number")
        ]

    def __str__(self):
        return f"{self.decision} — tour {self.number}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def silent_members(self):
        """Eligible members with a voice who have not spoken in this round."""
        spoken = (
            VoterRoll.objects.filter(round=self)
            if self.decision.is_secret
            else Stance.objects.filter(round=self)
        ).values("member_id")
        return Member.objects.filter(
            eligibilities__decision_id=self.decision_id, status=Member.Status.ACTIVE
        ).exclude(pk__in=spoken)

    def silent_count(self, spoken: int | None = None) -> int:
        """How many `silent_members()` there are, counted cheaply for 100,000 eligible.

        The few who no longer have a voice are counted apart (through the members' status
        index) rather than joining every eligible row to its member. `spoken`: the round's
        stances (or roll) when the caller has just counted them.
        """
        voices = VoterRoll if self.decision.is_secret else Stance
        # Listed rather than `!= active`, which no index answers.
        voiceless = Member.objects.filter(
            status__in=[s for s in Member.Status.values if s != Member.Status.ACTIVE]
        )
        eligible = Eligibility.objects.filter(decision_id=self.decision_id)
        said = voices.objects.filter(round=self)
        return (
            self.decision.count_eligible()
            - eligible.filter(member__in=voiceless).count()
            - (said.count() if spoken is None else spoken)
            + said.filter(member__in=voiceless).count()
        )

    def _locked_for_voting(self) -> "Round":
        """This round re-read under an exclusive lock, for the secret ballot box (a stance
        takes the shared one: `_read_for_stance`)."""
        return Round.objects.select_for_update().select_related("decision").get(pk=self.pk)

    def _check_open(self, decision: Decision, now) -> None:
        if self.closed_at is not None or decision.is_closed:
            raise ValidationError(_("Ce tour est clos : il n'est plus possible de se prononcer."))
        if decision.closes_at is not None and now >= decision.closes_at:
            raise ValidationError(
                _("L'échéance est passée : il n'est plus possible de se prononcer.")
            )

    def take_stance(self, member, choice: str, reason: str = "", ballot=None, now=None) -> "Stance":
        """Take or change one's stance in this round: one row per member, its history kept.

        An objection (with its mandatory reason) becomes an Objection; changing away from it
        withdraws that objection. Its time is read once this round is locked: a change that
        raced another of the same member waits for it (the upsert's row lock) and is then
        dated after it, so the newest entry of the history is always the stance in force.
        """
        return _take_stance(member, choice, reason, ballot, now, round_id=self.pk)


# A stance's statements, in a transaction: BEGIN, the round locked and read with all the
# rest (below), the stance upserted, its history row, COMMIT. Each of the rest is a race it
# closes. On PostgreSQL, most stances take two: the read, then one write (`_write_at_once`).
STANCE_HISTORY_READ = 100


def _take_stance(who, choice, reason, ballot, given, *, round_id=None, decision_id=None):
    reason = (reason or "").strip()
    if len(reason) > MAX_BODY_LENGTH:
        raise ValidationError({"reason": _("Ce texte est trop long.")})
    member = as_member(who)
    if connection.vendor == "postgresql":
        stance = _take_stance_at_once(
            who, member, choice, reason, ballot, given, round_id, decision_id
        )
        if stance is not None:
            return stance
    with transaction.atomic():
        round, seen = _read_for_stance(
            member, lock=True, round_id=round_id, decision_id=decision_id
        )
        member, choice, ballot = _allowed_stance(
            who, member, round, choice, reason, ballot, given, round_id, decision_id
        )
        decision = round.decision
        now = given or timezone.now()
        stance = Stance(
            round=round,
            member=member,
            choice=choice,
            reason=reason,
            ballot=ballot,
            updated_at=now,
        )
        if _upsert_stance(stance, seen):
            previous = seen.choice if seen else None
        else:
            # Another request of the same member wrote between our read and our write:
            # wait for it (the row lock), then change what it left.
            stance = Stance.objects.select_for_update().get(round=round, member=member)
            previous, now = stance.choice, given or timezone.now()
            stance.choice, stance.reason, stance.ballot, stance.updated_at = (
                choice,
                reason,
                ballot,
                now,
            )
            stance.save(update_fields=["choice", "reason", "ballot", "updated_at"])
            seen = None
        change = StanceChange(stance=stance, choice=choice, reason=reason, ballot=ballot, at=now)
        rows.insert(change)
        _keep_recent_history(stance, change, previous, seen)
        if decision.kind == Decision.Kind.CONSENT:
            _follow_objection(round, decision, member, choice, reason, previous, now)
    return stance


def _take_stance_at_once(who, member, choice, reason, ballot, given, round_id, decision_id):
    """PostgreSQL, outside any transaction of its own: read as the transaction would, then
    write the stance and its history in one statement that locks the round as it does.

    None when the transaction must do it: no open round (it says why), an objection (its
    own row is written beside the stance), or a write that found the round or the stance
    no longer as read. The transaction then reads again under its lock.
    """
    round, seen = _read_for_stance(member, lock=False, round_id=round_id, decision_id=decision_id)
    if round is None:
        return None
    member, choice, ballot = _allowed_stance(
        who, member, round, choice, reason, ballot, given, round_id, decision_id
    )
    decision = round.decision
    previous = seen.choice if seen else None
    if decision.kind == Decision.Kind.CONSENT and Stance.Choice.OBJECTION in (choice, previous):
        return None
    now = given or timezone.now()
    stance = Stance(
        round=round, member=member, choice=choice, reason=reason, ballot=ballot, updated_at=now
    )
    change = StanceChange(stance=stance, choice=choice, reason=reason, ballot=ballot, at=now)
    if not _write_at_once(stance, change, decision, seen):
        return None
    _keep_recent_history(stance, change, previous, seen)
    return stance


def _allowed_stance(who, member, round, choice, reason, ballot, given, round_id, decision_id):
    """(member, choice, ballot) to write in `round` (read by `_read_for_stance`), or the
    refusal: Decision.DoesNotExist (a 404) or PermissionDenied before the input is read,
    then ValidationError."""
    if round is None:
        _refuse_stance(who, round_id, decision_id)
    decision = round.decision
    if decision_id is not None:  # the API's order: unreadable (404), then refused (403)
        if not rules.can_read(who, decision):
            raise Decision.DoesNotExist
        rules.require(who, "take_stance", decision)
    if decision.is_secret:
        raise ValidationError(_("Ce scrutin est secret : votez avec un bulletin secret."))
    round._check_open(decision, given or timezone.now())
    member = rules.require(member, "take_stance", decision)
    choice, ballot = decision.clean_stance(choice, reason, ballot)
    return member, choice, ballot


def _keep_recent_history(stance, change, previous, seen) -> None:
    """The newest history, newest first, without reading it again (None: read it)."""
    if previous is None:
        stance.recent_history = [change]
    elif seen is not None:
        stance.recent_history = [change, *seen.recent_history]
    else:
        stance.recent_history = None


def _refuse_stance(who, round_id, decision_id):
    """No open round was found: say why, as the slower path would have (errors only)."""
    if round_id is not None:
        raise Round.DoesNotExist
    decision = Decision.objects.select_related("space").filter(pk=decision_id).first()
    if decision is None or not rules.can_read(who, decision):
        raise Decision.DoesNotExist
    rules.require(who, "take_stance", decision)
    raise ValidationError(_("Aucun tour n'est ouvert."))


def _follow_objection(round, decision, member, choice, reason, previous, now) -> None:
    """An objection stance keeps its Objection; changing away from it withdraws it."""
    mine = Objection.objects.select_for_update().filter(
        round=round, author=member, status__in=Objection.OPEN
    )
    if choice == Stance.Choice.OBJECTION:
        if not mine.update(reason=reason, updated_at=now):
            objection = Objection.objects.create(
                decision=decision,
                round=round,
                author=member,
                reason=reason,
                created_at=now,
                updated_at=now,
            )
            notifications.objection_raised(objection)
    elif previous == Stance.Choice.OBJECTION:
        mine.update(
            status=Objection.Status.WITHDRAWN,
            status_note=_("Retirée en changeant de position."),
            updated_at=now,
        )


def _read_for_stance(member, *, lock: bool, round_id=None, decision_id=None):
    """(round, the member's stance or None): one statement.

    The round (given, or the decision's latest) is read with its decision and space, the
    member's eligibility (fixed at the opening), their stance and its newest history
    entries, newest first. With `lock`, inside the transaction, the round is locked as
    `_locked_for_voting` does (shared on PostgreSQL: stances side by side, a close waits
    for them; SQLite serialises writers). The stance is read, not locked: `_upsert_stance`
    and `_write_at_once` write only over what was read here.
    """
    member_id = member.pk if member is not None else None
    where_params = [round_id] if round_id is not None else [decision_id, decision_id]
    sql = _stance_sql(round_id is not None, lock and connection.vendor == "postgresql")
    with connection.cursor() as cursor:
        cursor.execute(sql, [member_id, member_id, *where_params])
        found = cursor.fetchall()
    if not found:
        return None, None
    widths = [rows.width(model) for model in _stance_parts().values()]
    cuts = [sum(widths[:i]) for i in range(len(widths) + 1)]

    def part(row, i):
        return row[cuts[i] : cuts[i + 1]]

    first = found[0]
    round = rows.build(Round, part(first, 0))
    decision = rows.build(Decision, part(first, 1))
    decision.space = rows.build(Space, part(first, 2))
    decision.__dict__["_fixed_as_eligible"] = {member_id: bool(first[-1])} if member_id else {}
    round.decision = decision
    seen = None
    if part(first, 3)[0] is not None:
        seen = rows.build(Stance, part(first, 3))
        seen.recent_history = [
            rows.build(StanceChange, part(row, 4)) for row in found if part(row, 4)[0] is not None
        ]
    return round, seen


def _stance_parts() -> dict:
    """What `_stance_sql` reads, by alias, in its columns' order."""
    return {"r": Round, "d": Decision, "sp": Space, "st": Stance, "h": StanceChange}


@functools.cache
def _stance_sql(by_round: bool, lock: bool) -> str:
    """`_read_for_stance`'s statement, built once per process: by the round's id, or by
    its decision's (the latest round); with the round's shared lock (PostgreSQL's)."""
    select = [
        column for alias, model in _stance_parts().items() for column in rows.columns(model, alias)
    ]
    eligible = (
        f"EXISTS (SELECT 1 FROM {rows.table(Eligibility)} e "  # noqa: S608
        "WHERE e.decision_id = d.id AND e.member_id = %s)"
    )
    if by_round:
        where = "r.id = %s"
    else:
        where = (
            f"r.decision_id = %s AND r.number = (SELECT MAX(r2.number) "  # noqa: S608
            f"FROM {rows.table(Round)} r2 WHERE r2.decision_id = %s)"
        )
    return (
        f"SELECT {', '.join(select)}, {eligible} "  # noqa: S608
        f"FROM {rows.table(Round)} r "
        f"JOIN {rows.table(Decision)} d ON d.id = r.decision_id "
        f"JOIN {rows.table(Space)} sp ON sp.id = d.space_id "
        f"LEFT JOIN {rows.table(Stance)} st ON st.round_id = r.id AND st.member_id = %s "
        f"LEFT JOIN {rows.table(StanceChange)} h ON h.stance_id = st.id "
        f"WHERE {where} ORDER BY h.at DESC, h.id DESC LIMIT {STANCE_HISTORY_READ}"
        + (" FOR SHARE OF r" if lock else "")
    )


def _upsert_stance(stance: "Stance", seen) -> bool:
    """Insert the stance, or change it if it is still what `seen` read (one statement):
    True once written (`stance` then has its key), False when another request of the same
    member wrote it meanwhile.

    On PostgreSQL a racing insert or change waits here on the row's lock, then finds the
    row changed and writes nothing.
    """
    fields = [f for f in Stance._meta.concrete_fields if not f.primary_key]
    names = [connection.ops.quote_name(f.column) for f in fields]
    values = [f.get_db_prep_save(getattr(stance, f.attname), connection) for f in fields]
    table = rows.table(Stance)
    changed = ("choice", "reason", "ballot", "updated_at")
    seen_at = Stance._meta.get_field("updated_at").get_db_prep_save(
        seen.updated_at if seen else None, connection
    )
    sql = (
        f"INSERT INTO {table} ({', '.join(names)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(names))}) "
        "ON CONFLICT (round_id, member_id) DO UPDATE SET "
        + ", ".join(f"{name} = excluded.{name}" for name in changed)
        + f" WHERE {table}.choice = %s AND {table}.updated_at = %s RETURNING {table}.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, seen.choice if seen else None, seen_at])
        row = cursor.fetchone()
    if row is None:
        return False
    stance.pk, stance._state.adding = row[0], False
    return True


def _write_at_once(stance: "Stance", change: "StanceChange", decision, seen) -> bool:
    """PostgreSQL: upsert the stance and insert its history row in one statement, atomic
    on its own, only while the round is open and its decision as read: True once written
    (both then have their keys).

    The statement takes the round's shared lock, as the transaction does: a close that
    locked it first has its row read again once it commits, and so leaves nothing to write;
    a close that comes later waits for this statement, and counts the stance. The stance is
    written only over what `seen` read, as `_upsert_stance` does.
    """
    sql, stance_fields, change_fields = _write_at_once_sql()
    prep = Decision._meta.get_field("closes_at").get_db_prep_value
    seen_at = Stance._meta.get_field("updated_at").get_db_prep_save(
        seen.updated_at if seen else None, connection
    )
    params = [
        stance.round_id,
        decision.phase,
        prep(decision.closes_at, connection),
        *(f.get_db_prep_save(getattr(stance, f.attname), connection) for f in stance_fields),
        seen.choice if seen else None,
        seen_at,
        *(f.get_db_prep_save(getattr(change, f.attname), connection) for f in change_fields),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    stance.pk, change.pk = row
    stance._state.adding = change._state.adding = False
    change.stance_id = stance.pk
    return True


@functools.cache
def _write_at_once_sql() -> tuple[str, list, list]:
    """`_write_at_once`'s statement and the fields it writes, built once per process."""
    stance_fields = [f for f in Stance._meta.concrete_fields if not f.primary_key]
    change_fields = [
        f for f in StanceChange._meta.concrete_fields if not f.primary_key and f.name != "stance"
    ]
    quote = connection.ops.quote_name
    stance, change = rows.table(Stance), rows.table(StanceChange)

    def typed(fields):  # a SELECT's values are not typed by the INSERT's columns: say them
        return ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in fields)

    updates = ", ".join(
        f"{name} = excluded.{name}" for name in ("choice", "reason", "ballot", "updated_at")
    )
    sql = (
        "WITH open_round AS ("  # noqa: S608
        f"SELECT r.id FROM {rows.table(Round)} r "
        f"JOIN {rows.table(Decision)} d ON d.id = r.decision_id "
        "WHERE r.id = %s AND r.closed_at IS NULL AND d.phase = %s "
        "AND d.closes_at IS NOT DISTINCT FROM %s FOR SHARE OF r), "
        f"written AS (INSERT INTO {stance} "
        f"({', '.join(quote(f.column) for f in stance_fields)}) "
        f"SELECT {typed(stance_fields)} FROM open_round "
        f"ON CONFLICT (round_id, member_id) DO UPDATE SET {updates} "
        f"WHERE {stance}.choice = %s AND {stance}.updated_at = %s RETURNING {stance}.id) "
        f"INSERT INTO {change} (stance_id, {', '.join(quote(f.column) for f in change_fields)}) "
        f"SELECT written.id, {typed(change_fields)} FROM written RETURNING stance_id, id"
    )
    return sql, stance_fields, change_fields


class Stance(models.Model):
    """A member's counted position in a round: one per member per round, by the database.

    Only a member fixed as eligible has one: `take_stance` reads their Eligibility row in
    the statement that locks the round, and those rows never change once the decision opens.
    """

    class Choice(models.TextChoices):
        CONSENT = "consent", _("Je consens")
        CONCERN = "concern", _("Je consens avec une réserve")
        OBJECTION = "objection", _("J'objecte")
        STAND_ASIDE = "stand_aside", _("Je me mets en retrait")
        YES = "yes", _("Pour")
        NO = "no", _("Contre")
        ABSTAIN = "abstain", _("Abstention")
        BALLOT = "ballot", _("Bulletin")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="stances")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="stances")
    choice = models.CharField(max_length=20, choices=Choice)
    reason = personal(
        models.TextField(_("raison"), blank=True),
        DELIBERATION,
        Audience.SPACE,
        Erasure.PSEUDONYMISE,
    )
    # Approval: [option ids]; ranked: [[ids tied first], [next], …]; score: {option id: points}.
    ballot = personal(
        models.JSONField(_("bulletin"), null=True, blank=True),
        DELIBERATION,
        Audience.SPACE,
        Erasure.PSEUDONYMISE,
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="one_stance_per_round"),
            models.CheckConstraint(
                condition=~Q(choice="objection") | ~Q(reason=""),
                name="objection_has_a_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "choice"]),
            # The decision page lists a round's latest stances: read in order, never sorted.
            models.Index(fields=["round", "updated_at", "id"], name="stance_latest_in_round"),
        ]

    def __str__(self):
        return f"{self.member} — {self.get_choice_display()}"


class StanceChange(models.Model):
    """Every stance ever taken, kept when a member changes their mind before the close."""

    stance = models.ForeignKey(Stance, on_delete=models.CASCADE, related_name="history")
    choice = models.CharField(max_length=20, choices=Stance.Choice)
    reason = personal(
        models.TextField(_("raison"), blank=True),
        DELIBERATION,
        Audience.SPACE,
        Erasure.PSEUDONYMISE,
    )
    ballot = personal(
        models.JSONField(_("bulletin"), null=True, blank=True),
        DELIBERATION,
        Audience.SPACE,
        Erasure.PSEUDONYMISE,
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("changement de position")
        verbose_name_plural = _("changements de position")
        ordering = ["stance", "at", "pk"]

    def __str__(self):
        return f"{self.get_choice_display()} ({self.at:%Y-%m-%d %H:%M})"


class Objection(models.Model):
    """An objection is a first-class object with its own life."""

    class Status(models.TextChoices):
        RAISED = "raised", _("Soulevée")
        INTEGRATING = "integrating", _("En cours d'intégration")
        RESOLVED = "resolved", _("Levée")
        WITHDRAWN = "withdrawn", _("Retirée")
        NOT_AN_OBJECTION = "not_an_objection", _("Jugée non bloquante")

    # Open objections block adoption, whichever round raised them.
    OPEN = (Status.RAISED, Status.INTEGRATING)

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="objections")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="objections")
    author = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="objections")
    reason = personal(
        models.TextField(_("raison de l'objection")),
        DELIBERATION,
        Audience.SPACE,
        Erasure.PSEUDONYMISE,
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.RAISED)
    status_note = personal(
        models.TextField(_("explication"), blank=True),
        DELIBERATION,
        Audience.SPACE,
        Erasure.PSEUDONYMISE,
    )
    integrated_in = models.ForeignKey(
        Version, on_delete=models.PROTECT, null=True, blank=True, related_name="integrates"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["decision", "created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="objection_reason_required"),
            models.CheckConstraint(
                condition=~Q(status="not_an_objection") | ~Q(status_note=""),
                name="objection_dismissal_is_explained",
            ),
        ]

    def __str__(self):
        return f"{self.author} — {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def _change(self, by, action: str, status: str, note: str = "", check=None) -> None:
        """Lock the decision then this objection, check the rules, move to `status`."""
        with transaction.atomic():
            decision = Decision.objects.select_for_update().get(pk=self.decision_id)
            objection = Objection.objects.select_for_update().get(pk=self.pk)
            rules.require(by, action, decision, objection)
            if not objection.is_open:
                raise ValidationError(
                    _("Cette objection est déjà %(status)s.")
                    % {"status": objection.get_status_display().lower()}
                )
            if check:
                check(decision, objection)
            objection.status = status
            objection.status_note = note
            objection.updated_at = timezone.now()
            objection.save(update_fields=["status", "status_note", "updated_at"])
            self.status, self.status_note, self.updated_at = status, note, objection.updated_at
            return decision

    def begin_integration(self, by) -> None:
        """The author takes the objection up to integrate it: the objection round ends."""

        def raised_only(decision, objection):
            if objection.status != self.Status.RAISED:
                raise ValidationError(_("Cette objection est déjà en cours d'intégration."))

        with transaction.atomic():
            decision = self._change(
                by, "begin_integration", self.Status.INTEGRATING, check=raised_only
            )
            if decision.phase == Decision.Phase.OBJECTIONS:
                decision._close_round(timezone.now())
                decision.phase = Decision.Phase.INTEGRATION
                decision.save(update_fields=["phase"])

    def dismiss(self, by, note: str) -> None:
        """Judged not to be an objection, by the author or an officer, with a written reason."""
        note = _text(
            note,
            "status_note",
            _(
                "Expliquez pourquoi ce n'est pas une objection : "
                "la personne qui l'a soulevée le lira."
            ),
            MAX_BODY_LENGTH,
        )
        with transaction.atomic():
            self._change(by, "dismiss_objection", self.Status.NOT_AN_OBJECTION, note)
            notifications.objection_dismissed(self)

    def withdraw(self, by) -> None:
        """The objector withdraws their objection."""
        self._change(by, "withdraw_objection", self.Status.WITHDRAWN)

    def resolve(self, by) -> None:
        """In a later round, the objector says the new version answers their objection."""

        def in_a_later_round(decision, objection):
            current = decision.current_round
            if current is None or current.number <= objection.round.number:
                raise ValidationError(
                    _(
                        "Une objection se lève au tour suivant, sur la version revue ; "
                        "pour y renoncer dès maintenant, retirez-la."
                    )
                )

        self._change(by, "resolve_objection", self.Status.RESOLVED, check=in_a_later_round)


class Option(models.Model):
    """A choice offered in an approval, ranked, score vote or an election."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["decision", "position", "pk"]

    def __str__(self):
        return self.label


class AdviceRequest(models.Model):
    """Advice process: someone whose advice the author asks for, and what they said."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="advice")
    advisor = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="advice_requests")
    advice = personal(
        models.TextField(_("avis"), blank=True), DELIBERATION, Audience.SPACE, Erasure.PSEUDONYMISE
    )
    given_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("demande d'avis")
        verbose_name_plural = _("demandes d'avis")
        constraints = [
            models.UniqueConstraint(fields=["decision", "advisor"], name="advice_asked_once")
        ]

    def __str__(self):
        return f"{self.advisor} — {self.decision}"

    def give(self, advisor, text: str, now=None) -> None:
        """The advisor gives (or rewrites) their advice while advice is being collected."""
        text = _text(text, "advice", _("Écrivez votre avis."), MAX_BODY_LENGTH)
        with transaction.atomic():
            decision = Decision.objects.select_for_update().get(pk=self.decision_id)
            member = rules.require(advisor, "give_advice", decision)
            request = AdviceRequest.objects.select_for_update().get(pk=self.pk)
            if request.advisor_id != member.pk:
                raise PermissionDenied(_("Cet avis a été demandé à quelqu'un d'autre."))
            request.advice = text
            request.given_at = now or timezone.now()
            request.save(update_fields=["advice", "given_at"])
            self.advice, self.given_at = request.advice, request.given_at
            notifications.advice_given(self)


# Imported last: the rules read the models above (what each phase allows, who may act).
from commun.decisions import rules  # noqa: E402
