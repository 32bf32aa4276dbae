"""The API's shapes for the cooperative, its structure, applications, members and register.

Input schemas check types and refuse unknown fields; the rules themselves are the web
forms' and the models', so both interfaces refuse the same things with the same words.
"""

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from commun.api_input import Input
from commun.lib.ids import MAX_API_ID
from commun.lib.money import cents
from commun.members.models import (
    MAX_SHARES_PER_MOVEMENT,
    AdmissionRule,
    Cooperative,
    LegalForm,
    Member,
    MemberKind,
    MembersSee,
    ShareMovement,
    Visibility,
)

ShareValueCents = cents(ge=1, le=100_000_000)  # an integer, never true nor 12.5

# Ids and numbers beyond a database integer are refused as input, never sent to SQL.


def viewer(context) -> Member | None:
    """The calling member, for the names they may see (the web's rule, `name_of`)."""
    user = context["request"].user
    return user.member if user.is_authenticated else None


# The cooperative and its structure ---------------------------------------------------------


class CategoryCount(Schema):
    id: int
    name: str
    active_members: int


class CooperativeOut(Schema):
    name: str
    legal_form: LegalForm
    legal_form_label: str = Field(..., alias="get_legal_form_display")
    share_value_cents: int
    charter: str
    statutes: str
    admission_rule: AdmissionRule
    admission_rule_label: str = Field(..., alias="get_admission_rule_display")
    repayment_delay_months: int
    contact_email: str
    silence_is_consent: bool
    consent_quorum_percent: int
    admission_college: int | None = Field(..., alias="admission_college_id")
    profit_allocation: Cooperative.ProfitAllocation
    tmo_average_percent: Decimal | None
    member_count: int
    categories: list[CategoryCount] = Field(..., alias="category_counts")


class CooperativePatch(Input):
    name: str | None = Field(None, max_length=200)
    legal_form: LegalForm | None = None
    share_value_cents: ShareValueCents | None = None
    charter: str | None = None
    statutes: str | None = None
    admission_rule: AdmissionRule | None = None
    repayment_delay_months: int | None = Field(None, ge=0, le=120)
    contact_email: str | None = Field(None, max_length=254)
    silence_is_consent: bool | None = None
    consent_quorum_percent: int | None = Field(None, ge=0, le=100)
    profit_allocation: Cooperative.ProfitAllocation | None = Field(
        None, description="Ce que les statuts permettent de faire d'un excédent."
    )
    tmo_average_percent: Decimal | None = Field(
        None,
        ge=0,
        le=100,
        decimal_places=2,
        description="Moyenne du TMO des trois années civiles précédentes, en % : plafonne "
        "l'intérêt aux parts à cette moyenne + 2 points (art. 14, loi n° 47-1775).",
    )
    admission_college: int | None = Field(
        None,
        ge=1,
        le=MAX_API_ID,
        description="Collège qui admet par consentement ; null : les responsables.",
    )


class CollegeOut(Schema):
    id: int
    name: str
    description: str
    weight_percent: int | None
    position: int


class CategoryOut(Schema):
    id: int
    name: str
    description: str
    college: int | None = Field(..., alias="college_id")
    college_name: str | None
    min_shares: int
    mandatory: bool
    open_to_applications: bool
    position: int
    active_members: int

    @staticmethod
    def resolve_college_name(category) -> str | None:
        return category.college.name if category.college_id else None


class CollegeIn(Input):
    id: int | None = Field(None, ge=1, le=MAX_API_ID, description="Absent pour un nouveau collège.")
    name: str = Field(..., max_length=120)
    description: str = ""
    weight_percent: int | None = Field(None, ge=0, le=100)
    position: int | None = Field(None, ge=0, le=32767, description="Par défaut, le rang.")


class CategoryIn(Input):
    id: int | None = Field(
        None, ge=1, le=MAX_API_ID, description="Absent pour une catégorie nouvelle."
    )
    name: str = Field(..., max_length=120)
    description: str = ""
    college: str | None = Field(None, description="Le nom d'un des collèges envoyés.")
    min_shares: int = Field(1, ge=1, le=MAX_SHARES_PER_MOVEMENT)
    mandatory: bool = False
    open_to_applications: bool = True
    position: int | None = Field(None, ge=0, le=32767, description="Par défaut, le rang.")


class StructureIn(Input):
    """The whole structure: rows absent from the lists are removed."""

    colleges: list[CollegeIn] = Field(..., max_length=100)
    categories: list[CategoryIn] = Field(..., max_length=100)


class StructureOut(Schema):
    colleges: list[CollegeOut]
    categories: list[CategoryOut]


# Applications ------------------------------------------------------------------------------


class ApplicationIn(Input):
    kind: MemberKind = MemberKind.PERSON
    organisation_name: str = Field("", max_length=200)
    first_name: str = Field(..., max_length=100)
    last_name: str = Field(..., max_length=100)
    email: str | None = Field(
        None, max_length=254, description="Pour un·e visiteur·euse : l'adresse du compte créé."
    )
    password: str | None = Field(
        None, max_length=4096, description="Pour un·e visiteur·euse : le mot de passe du compte."
    )
    phone: str = Field("", max_length=30)
    postal_address: str = Field("", max_length=500)
    category: int = Field(..., ge=1, le=MAX_API_ID)
    shares: int = Field(..., ge=1, le=MAX_SHARES_PER_MOVEMENT)
    motivation: str = Field("", max_length=4000)
    consents_to_charter: bool = False
    consents_to_privacy: bool = False


class ApplicationOut(Schema):
    id: int
    status: str
    status_label: str = Field(..., alias="get_status_display")
    kind: MemberKind
    first_name: str
    last_name: str
    organisation_name: str
    full_name: str
    email: str
    phone: str
    postal_address: str
    category: int = Field(..., alias="category_id")
    category_name: str = Field(..., alias="category.name")
    shares: int
    motivation: str
    created_at: datetime.datetime
    decided_at: datetime.datetime | None
    refusal_reason: str
    member_number: int | None

    @staticmethod
    def resolve_member_number(application) -> int | None:
        return application.member.number if application.member_id else None


class RefusalIn(Input):
    reason: str = Field(..., max_length=4000)


# Members -----------------------------------------------------------------------------------


class MemberOut(Schema):
    """A member as other members see them: a hidden member shows a pseudonym or a number."""

    number: int
    name: str
    category: int = Field(..., alias="category_id")
    category_name: str = Field(..., alias="category.name")
    college_name: str | None
    status: str
    status_label: str = Field(..., alias="get_status_display")
    since: datetime.date | None = Field(..., alias="effective_on")
    is_officer: bool

    @staticmethod
    def resolve_name(member, context) -> str:
        return member.name_for(viewer(context))

    @staticmethod
    def resolve_college_name(member) -> str | None:
        college = member.category.college
        return college.name if college else None


class RepaymentOut(Schema):
    requested_on: datetime.date
    due_on: datetime.date
    shares: int
    amount_cents: int
    status: str
    status_label: str = Field(..., alias="get_status_display")


class MemberDetail(MemberOut):
    bio: str
    shares_subscribed: int
    shares_paid: int
    # Only for the member themselves and the officers; null for everyone else.
    first_name: str | None = None
    last_name: str | None = None
    organisation_name: str | None = None
    kind: MemberKind | None = None
    pseudonym: str | None = None
    public_visibility: Visibility | None = None
    members_visibility: MembersSee | None = None
    email: str | None = None
    phone: str | None = None
    postal_address: str | None = None
    iban: str | None = None
    repayment: RepaymentOut | None = None

    @staticmethod
    def resolve_email(member) -> str:
        return member.user.email

    @staticmethod
    def resolve_repayment(member):
        return getattr(member, "repayment", None)


class ProfilePatch(Input):
    public_visibility: Visibility | None = None
    members_visibility: MembersSee | None = None
    pseudonym: str | None = Field(None, max_length=60)
    phone: str | None = Field(None, max_length=30)
    postal_address: str | None = None
    iban: str | None = Field(None, max_length=42)
    bio: str | None = Field(None, max_length=2000)


# The register ------------------------------------------------------------------------------

MovementKind = Literal[tuple(ShareMovement.Kind.values)]
RecordableKind = Literal["subscription", "payment", "transfer", "cancellation", "correction"]


class MovementOut(Schema):
    number: int
    kind: MovementKind
    kind_label: str = Field(..., alias="get_kind_display")
    date: datetime.date
    member: int = Field(..., alias="member.number")
    member_name: str
    quantity: int
    share_value_cents: int
    amount_cents: int
    counterpart: int | None
    counterpart_name: str | None
    corrects: int | None
    corrected_by: int | None
    reason: str
    authorised_by: str
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_member_name(movement, context) -> str:
        return movement.member.name_for(viewer(context))

    @staticmethod
    def resolve_counterpart_name(movement, context) -> str | None:
        counterpart = movement.counterpart
        return counterpart.name_for(viewer(context)) if counterpart else None

    @staticmethod
    def resolve_counterpart(movement) -> int | None:
        return movement.counterpart.number if movement.counterpart_id else None

    @staticmethod
    def resolve_corrects(movement) -> int | None:
        return movement.corrects.number if movement.corrects_id else None

    @staticmethod
    def resolve_corrected_by(movement) -> int | None:
        correction = getattr(movement, "corrected_by", None)
        return correction.number if correction else None


class MovementIn(Input):
    kind: RecordableKind = Field(
        ..., description="Un remboursement suit la démission : il ne s'enregistre pas ici."
    )
    member: int | None = Field(None, ge=1, le=MAX_API_ID, description="Numéro d'associé·e.")
    quantity: int | None = Field(None, ge=1, le=MAX_SHARES_PER_MOVEMENT)
    counterpart: int | None = Field(
        None, ge=1, le=MAX_API_ID, description="Cession : numéro de l'associé·e qui reçoit."
    )
    corrects: int | None = Field(
        None, ge=1, le=MAX_API_ID, description="Correction : numéro du mouvement corrigé."
    )
    date: datetime.date | None = Field(None, description="Par défaut, aujourd'hui.")
    reason: str = Field("", max_length=300)
    authorised_by: str = Field("", max_length=300)
