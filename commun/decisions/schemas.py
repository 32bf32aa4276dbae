"""The API's shapes for decisions: proposals, versions, rounds, stances, objections, advice,
secret ballots and their published box.

Input schemas bound sizes and types and refuse unknown fields; every rule (who decides,
which options, a ballot's shape, the budget of points) is the model's, which answers in
French on the field it is about. Names of people are those the caller may see.
"""

import datetime
from typing import Annotated, Any, Literal

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import BeforeValidator

from commun.api_input import Input
from commun.decisions.models import MAX_BODY_LENGTH, MAX_OPTIONS, MAX_TITLE_LENGTH, Decision
from commun.lib.ids import MAX_API_ID
from commun.members.schemas import viewer

MAX_DELIBERATION_DAYS = 365

DecisionKind = Literal[tuple(Decision.Kind.values)]
DecisionPhase = Literal[tuple(Decision.Phase.values)]
DecisionOutcome = Literal[tuple(Decision.Outcome.values)]
DecisionScope = Literal[tuple(Decision.Scope.values)]
DecisionVisibility = Literal[tuple(Decision.Visibility.values)]
DecisionThreshold = Literal[tuple(Decision.Threshold.values)]
DecisionTieRule = Literal[tuple(Decision.TieRule.values)]
ObjectId = Annotated[int, Field(ge=1, le=MAX_API_ID)]


def _moment(value):
    """An ISO 8601 date and time; without an offset, in the cooperative's time zone."""
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        moment = parse_datetime(value) if isinstance(value, str) else None
        if moment is None:
            # pydantic's own message is English: this one reaches the caller as is.
            raise ValueError(
                _("Saisissez une date et une heure au format AAAA-MM-JJTHH:MM (ISO 8601).")
            )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


Moment = Annotated[datetime.datetime, BeforeValidator(_moment)]


# Proposing and acting ---------------------------------------------------------------------


class OptionIn(Input):
    label: str = Field(..., max_length=200)
    description: str = Field("", max_length=MAX_BODY_LENGTH)


class ProposalIn(Input):
    kind: DecisionKind = "consent"
    title: str = Field(..., max_length=MAX_TITLE_LENGTH)
    body: str = Field(..., max_length=MAX_BODY_LENGTH, description="Markdown.")
    scope: DecisionScope | None = Field(
        None,
        description="Qui décide. Par défaut : le collège ou le cercle de l'espace du fil, "
        "sinon toute la coopérative.",
    )
    colleges: list[ObjectId] = Field(
        [], max_length=50, description="Ids des collèges qui décident (scope=colleges)."
    )
    circle: str | None = Field(
        None, max_length=120, description="Slug du cercle qui décide (scope=circle)."
    )
    visibility: DecisionVisibility | None = Field(
        None, description="Par défaut : publique si l'espace du fil est public, sinon associé·es."
    )
    min_deliberation_days: int = Field(7, ge=0, le=MAX_DELIBERATION_DAYS)
    closes_at: Moment | None = Field(None, description="Échéance (ISO 8601) ; null : aucune.")
    options: list[OptionIn] = Field(
        [],
        max_length=MAX_OPTIONS,
        description="Pour un vote par approbation, classement ou points.",
    )
    quorum_percent: int = Field(0, ge=0, le=100)
    threshold: DecisionThreshold = "majority"
    tie_rule: DecisionTieRule = "new_round"
    weighted_by_college: bool = False
    is_secret: bool = False
    points_per_voter: int = Field(100, ge=1, le=1_000_000)
    advisors: list[ObjectId] = Field(
        [],
        max_length=200,
        description="Sollicitation d'avis : numéros d'associé·e des conseiller·es.",
    )


class AmendIn(Input):
    title: str = Field(..., max_length=MAX_TITLE_LENGTH)
    body: str = Field(..., max_length=MAX_BODY_LENGTH)
    note: str = Field("", max_length=500, description="Ce qui change, en une phrase.")
    integrates: list[ObjectId] = Field(
        [], max_length=200, description="Ids des objections ouvertes que cette version intègre."
    )


BALLOT_HELP = (
    "Approbation : liste d'ids d'options ; classement : liste de groupes d'ids, du préféré au "
    "moins aimé (ex. [[3], [1, 2]]) ; points : objet {id d'option : points}."
)


class StanceIn(Input):
    choice: str | None = Field(
        None,
        max_length=20,
        description="Consentement : consent, concern, objection, stand_aside ; "
        "pour / contre : yes, no, abstain ; vote avec options : ballot ou rien.",
    )
    reason: str = Field("", max_length=MAX_BODY_LENGTH, description="Obligatoire pour objecter.")
    ballot: Any = Field(None, description=BALLOT_HELP)


class SecretBallotIn(Input):
    choice: str | None = Field(None, max_length=20, description="Pour / contre : yes, no, abstain.")
    ballot: Any = Field(None, description=BALLOT_HELP)


class DismissIn(Input):
    note: str = Field(
        ..., max_length=MAX_BODY_LENGTH, description="Pourquoi ce n'est pas une objection."
    )


class WithdrawIn(Input):
    statement: str = Field("", max_length=MAX_BODY_LENGTH)


class CloseIn(Input):
    statement: str = Field("", max_length=MAX_BODY_LENGTH, description="Énoncé de la décision.")
    review_on: datetime.date | None = Field(None, description="Date de révision (AAAA-MM-JJ).")


class AdviceIn(Input):
    advice: str = Field(..., max_length=MAX_BODY_LENGTH)


class AdviceDecisionIn(Input):
    statement: str = Field(
        ..., max_length=MAX_BODY_LENGTH, description="Ce que vous décidez, et pourquoi."
    )
    review_on: datetime.date | None = None


class CastingVoteIn(Input):
    choice: int | str = Field(
        ...,
        description="L'option retenue parmi celles à égalité : son id, ou yes / no pour un vote "
        "pour ou contre.",
    )
    statement: str = Field(..., max_length=MAX_BODY_LENGTH, description="Pourquoi.")


class RegisterQuery(Schema):
    phase: DecisionPhase | None = Field(None, description="draft : vos brouillons.")
    outcome: DecisionOutcome | None = None
    kind: DecisionKind | None = None
    space: str | None = Field(None, max_length=120, description="Slug de l'espace.")
    q: str = Field("", max_length=100, description="Titre contenant.")


class BoxQuery(Schema):
    page: int = Field(1, ge=1, le=10_000_000)
    page_size: int = Field(100, ge=1, le=1000)
    receipt: str = Field("", max_length=40, description="Ne montrer que le bulletin de ce reçu.")
    verify: bool = Field(True, description="Recalculer la chaîne de hachage (false : plus rapide).")


# Reading ----------------------------------------------------------------------------------


class DecisionOut(Schema):
    id: int
    title: str
    kind: DecisionKind
    kind_label: str = Field(..., alias="get_kind_display")
    is_secret: bool
    phase: DecisionPhase
    phase_label: str = Field(..., alias="get_phase_display")
    outcome: DecisionOutcome | Literal[""]
    outcome_label: str = Field(..., alias="get_outcome_display")
    visibility: DecisionVisibility
    scope: DecisionScope
    space: str = Field(..., alias="space.slug", description="Slug de l'espace.")
    thread: int = Field(..., alias="thread_id")
    author: str
    created_at: datetime.datetime
    opened_at: datetime.datetime | None
    closes_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    review_on: datetime.date | None
    url: str = Field(..., alias="get_absolute_url", description="La page de la décision.")

    @staticmethod
    def resolve_author(decision, context) -> str:
        return decision.author.name_for(viewer(context))


class DiffLine(Schema):
    kind: Literal["same", "added", "removed"]
    text: str


class VersionOut(Schema):
    number: int
    title: str
    body: str
    note: str
    created_at: datetime.datetime
    diff: list[DiffLine] | None = Field(
        None, description="Les lignes changées depuis la précédente."
    )


class RoundOut(Schema):
    number: int
    version: int = Field(..., alias="version.number")
    opened_at: datetime.datetime
    closes_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    is_open: bool


class ObjectionOut(Schema):
    id: int
    round: int = Field(..., alias="round.number")
    author: str = Field(..., alias="author_name")
    reason: str
    status: str
    status_label: str = Field(..., alias="get_status_display")
    status_note: str
    integrated_in: int | None = Field(None, description="Numéro de la version qui l'intègre.")
    created_at: datetime.datetime
    updated_at: datetime.datetime
    actions: list[str] = Field(..., description="Ce que l'appelant·e peut en faire.")

    @staticmethod
    def resolve_integrated_in(objection) -> int | None:
        return objection.integrated_in.number if objection.integrated_in_id else None


class OptionOut(Schema):
    id: int
    label: str
    description: str
    position: int


class AdviceOut(Schema):
    advisor: str = Field(..., alias="advisor_name")
    advisor_number: int = Field(..., alias="advisor.number")
    advice: str
    given_at: datetime.datetime | None
    is_mine: bool


class StanceChangeOut(Schema):
    choice: str
    reason: str
    ballot: Any
    at: datetime.datetime


class StanceOut(Schema):
    """Answered from the plain dict `decisions.api._with_history` builds."""

    round: int
    choice: str
    choice_label: str
    reason: str
    ballot: Any
    updated_at: datetime.datetime
    history: list[StanceChangeOut] = Field(
        ..., description="Les positions prises, la plus ancienne d'abord."
    )


class DecisionDetail(DecisionOut):
    body: str = Field(..., alias="current.body", description="La version en cours (Markdown).")
    version: int = Field(..., alias="current.number")
    colleges: list[int] = Field(..., alias="college_ids")
    circle: str | None = Field(None, description="Slug du cercle qui décide.")
    quorum_percent: int
    threshold: DecisionThreshold
    tie_rule: DecisionTieRule
    weighted_by_college: bool
    silence_is_consent: bool
    points_per_voter: int
    min_deliberation_days: float
    deliberation_ends_at: datetime.datetime | None
    outcome_statement: str
    eligible_count: int | None
    spoken_count: int | None = Field(..., alias="spoken")
    versions: list[VersionOut] = Field(..., alias="version_list")
    rounds: list[RoundOut] = Field(..., alias="round_list")
    objections: list[ObjectionOut] = Field(..., alias="objection_list")
    options: list[OptionOut] = Field(..., alias="option_list")
    advice: list[AdviceOut] = Field(..., alias="advice_list")
    my_stance: StanceOut | None = Field(
        None, description="Votre position dans le tour en cours (pas dans un scrutin secret)."
    )
    has_voted: bool | None = Field(
        None, description="Scrutin secret : si vous avez déjà voté dans le tour en cours."
    )
    tally: dict | None = Field(
        ..., alias="count_so_far", description="Le décompte ; caché jusqu'à la clôture si secret."
    )
    tally_hidden: bool
    actions: list[str] = Field(..., description="Ce que l'appelant·e peut faire maintenant.")

    @staticmethod
    def resolve_circle(decision) -> str | None:
        return decision.circle.slug if decision.circle_id else None

    @staticmethod
    def resolve_min_deliberation_days(decision) -> float:
        return decision.min_deliberation.total_seconds() / 86400


class TallyOut(Schema):
    decision: int
    kind: DecisionKind
    phase: DecisionPhase
    outcome: DecisionOutcome | Literal[""]
    hidden: bool = Field(
        ..., description="Scrutin secret : le décompte reste caché jusqu'à la clôture."
    )
    tally: dict | None


class ReceiptOut(Schema):
    decision: int
    round: int
    receipt: str = Field(..., description="Gardez-le : il retrouve votre bulletin dans l'urne.")


class BallotOut(Schema):
    sequence: int
    receipt: str
    content: Any = Field(None, description="Le contenu, publié à la clôture seulement.")
    previous_hash: str
    hash: str


class BoxOut(Schema):
    decision: int
    round: int
    round_id: int = Field(..., description="L'identifiant du tour, haché avec chaque bulletin.")
    genesis: str
    head: str = Field(..., description="Le haché du dernier bulletin : la tête de la chaîne.")
    count: int
    closed: bool
    verified: bool | None = Field(
        None, description="Si la chaîne est intacte (null : non vérifiée)."
    )
    broken_at: int | None = Field(
        None, description="Le premier numéro de bulletin qui ne colle pas."
    )
    page: int
    pages: int
    ballots: list[BallotOut]
