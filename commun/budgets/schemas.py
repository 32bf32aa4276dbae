"""The API's shapes for needs and missions. Money is always integer cents.

Input schemas bound types and refuse unknown fields; the rules (which pay fields a form of
pay needs, no negative pay, a live need) are the model's, which answers in the caller's
language on the field it is about.
"""

import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from commun.api_input import Input
from commun.budgets.models import (
    MAX_KEY_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_REASON_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_TITLE_LENGTH,
    AmountBasis,
    Contract,
    Mission,
    MissionPayment,
    Need,
    PayForm,
    RecurringIncome,
)
from commun.lib.ids import MAX_API_ID
from commun.lib.money import cents

BIG = 10**12  # far beyond any amount a model accepts; the model says what the limit is

ObjectId = Annotated[int, Field(ge=1, le=MAX_API_ID)]
# Integers only (not true, 12.5 nor "12"); the model says which amounts it accepts.
Cents = cents(ge=-BIG, le=BIG)
NeedStatus = Literal[tuple(Need.Status.values)]
MissionStatus = Literal[tuple(Mission.Status.values)]
PayFormName = Literal[tuple(PayForm.values)]
ContractName = Literal[tuple(Contract.values)]
BasisName = Literal[tuple(AmountBasis.values)]
PaymentKind = Literal[tuple(MissionPayment.Kind.values)]


# Needs ---------------------------------------------------------------------------------------


class NeedIn(Input):
    title: str = Field(..., max_length=MAX_TITLE_LENGTH)
    description: str = Field(..., max_length=MAX_TEXT_LENGTH)


class NeedStatusIn(Input):
    status: Literal["met", "dropped"]
    reason: str = Field(..., max_length=MAX_REASON_LENGTH)


class NeedQuery(Schema):
    status: NeedStatus | None = None


class NeedOut(Schema):
    id: int
    title: str
    status: NeedStatus
    status_reason: str
    raised_by: str = Field(description="Le nom que l'appelant·e peut voir")
    created_at: datetime.datetime
    support_count: int
    supported: bool = Field(description="L'appelant·e soutient ce besoin")
    url: str


class MissionBrief(Schema):
    id: int
    ref: str
    title: str
    status: MissionStatus
    pay_form: PayFormName
    full_cost_cents: int | None


class NeedDetail(NeedOut):
    description: str
    description_html: str
    missions: list[MissionBrief]


# The employer's payroll settings ---------------------------------------------------------------

Percent = Annotated[float, Field(ge=-1000, le=1000)]  # the model says which rates it accepts


class PayrollSettingsIn(Input):
    """The employer's figures the payroll engine uses; the fields left out keep their value."""

    headcount: int | None = Field(None, ge=-BIG, le=BIG)
    accident_rate_percent: Percent | None = Field(
        None, description="Le taux AT/MP notifié, 2.08 pour 2,08 % ; null : le taux moyen"
    )
    commune: str | None = Field(None, max_length=20, description="Code INSEE, ex. 75101")
    mutuelle_cents: Cents | None = Field(None, description="Part employeur, par mois")
    prevoyance_rate_percent: Percent | None = None
    end_of_contract_rate_percent: Percent | None = Field(None, description="10 ou 6 (accord)")


class PayrollSettingsOut(Schema):
    headcount: int
    accident_rate_percent: float | None
    commune: str
    mutuelle_cents: int
    prevoyance_rate_percent: float
    end_of_contract_rate_percent: float
    mobility_rate_percent: float = Field(
        description="Le versement mobilité de la commune aujourd'hui (dû dès 11 salarié·es)"
    )


# Missions ------------------------------------------------------------------------------------


class PayIn(Input):
    """One person's pay on a mission: only the fields of the chosen form count, the others
    are ignored."""

    pay_form: PayFormName
    contract: ContractName | None = None
    working_time_percent: int | None = Field(None, ge=-1000, le=1000)
    monthly_amount_cents: Cents | None = None
    amount_basis: BasisName | None = None
    amount_cents: Cents | None = Field(None, description="HT pour une facture")
    vat_rate_bp: int | None = Field(None, ge=-100_000, le=100_000, description="2000 = 20 %")
    estimated_hours: int | None = Field(None, ge=-BIG, le=BIG)
    hourly_rate_cents: Cents | None = None
    cadre: bool = False
    paid_leave_taken: bool = Field(False, description="Sinon payés en indemnité (CDD)")
    end_of_contract_due: bool = Field(True, description="Non si le CDD se poursuit en CDI")

    def pay_values(self) -> dict:
        """The pay fields alone, whatever a subclass adds, as the models take them."""
        values = self.model_dump(include=set(PayIn.model_fields))
        values["contract"] = values["contract"] or ""
        values["amount_basis"] = values["amount_basis"] or ""
        return values


class MissionTermsIn(PayIn):
    """A mission's terms, with its proposer's pay."""

    title: str = Field(..., max_length=MAX_TITLE_LENGTH)
    scope: str = Field(..., max_length=MAX_TEXT_LENGTH)
    deliverables: str = Field(..., max_length=MAX_TEXT_LENGTH)
    start_on: datetime.date
    duration_months: int = Field(..., ge=-1000, le=1000)

    def mission_values(self) -> dict:
        terms = set(MissionTermsIn.model_fields) - set(PayIn.model_fields)
        return self.model_dump(include=terms) | self.pay_values()


class ContributorPayIn(PayIn):
    """A co-contributor's pay, as for a mission's proposer."""


class ContributorIn(ContributorPayIn):
    member_number: ObjectId = Field(description="Le numéro d'associé·e de la personne")


class PayTermsOut(Schema):
    """One person's pay on a mission, as a co-contributor's or the proposer's."""

    pay_form: str
    pay_asked: str
    contract: str
    working_time_percent: int | None
    monthly_amount_cents: int | None
    amount_basis: str
    amount_cents: int | None
    vat_rate_bp: int | None
    estimated_hours: int | None
    hourly_rate_cents: int | None
    cadre: bool
    paid_leave_taken: bool
    end_of_contract_due: bool


class ContributorOut(PayTermsOut):
    id: int
    member_number: int
    name: str


class PersonPaidOut(PayTermsOut):
    member_number: int | None
    name: str
    is_proposer: bool
    cost_cents: int | None = Field(
        description="Son coût complet pour la coopérative, tel que le coût enregistré à la "
        "soumission le compte ; null sur un brouillon, chiffré à sa soumission"
    )


class MissionIn(MissionTermsIn):
    need_id: ObjectId


class MissionAmendIn(MissionTermsIn):
    """The terms of the mission's next version (all of them), and the objections it answers."""

    note: str = Field("", max_length=MAX_NOTE_LENGTH, description="Ce qui change, en une phrase")
    integrates: list[ObjectId] = Field(
        default_factory=list, max_length=100, description="Les objections ouvertes qu'elle intègre"
    )


class EstimateIn(MissionTermsIn):
    need_id: ObjectId | None = None


class EstimatePendingOut(Schema):
    detail: str
    poll: str = Field(description="Où demander l'estimation de nouveau (aussi dans Location)")


class EstimateUnavailableOut(Schema):
    """503: the payroll engine is still starting, or no worker has taken the estimate."""

    detail: str
    poll: str | None = Field(
        None, description="Où redemander l'estimation, restée en file (absent au démarrage)"
    )


class ComparableOut(Schema):
    id: int
    ref: str
    title: str
    pay_asked: str
    monthly_amount_cents: int | None
    full_cost_cents: int | None


class CostOut(Schema):
    full_cost_cents: int
    engine: str
    engine_label: str
    estimate: bool = True
    breakdown: dict[str, Any]
    available_cents: int = Field(description="La réserve disponible maintenant")
    available_after_cents: int = Field(description="La réserve disponible après cette mission")
    comparable: list[ComparableOut]


class RecomputedCostOut(Schema):
    stored_cents: int = Field(description="Le coût enregistré, qui ne change pas")
    current_cents: int = Field(description="Le coût avec les réglages et le moteur d'aujourd'hui")
    difference_cents: int
    stored: dict[str, Any] = Field(description="Le détail enregistré, réglages compris")
    current: dict[str, Any]


class CashMonthOut(Schema):
    month: datetime.date = Field(description="Le premier jour du mois")
    cents: int = Field(description="Ce que la coopérative paie ce mois-là")


class PaymentOut(Schema):
    id: int
    kind: PaymentKind
    date: datetime.date
    label: str
    amount_cents: int
    lines: list[list[Any]]
    hours: int | None
    contributor_number: int | None = Field(description="Le numéro d'associé·e de la personne payée")
    transaction: int = Field(description="Le numéro de l'écriture au grand livre")
    cancelled: bool
    cancellation_transaction: int | None
    cancellation_reason: str


class PaidByContributorOut(Schema):
    member_number: int | None
    name: str
    planned_cents: int = Field(description="Ce que la version adoptée prévoit pour elle")
    paid_cents: int = Field(description="Ce qui lui a été payé (hors paiements annulés)")


class TopUpOut(Schema):
    id: int
    amount_cents: int
    reason: str
    status: str
    decision: int | None


class MissionOut(Schema):
    id: int
    ref: str
    title: str
    need: int
    proposer: str
    status: MissionStatus
    status_reason: str
    pay_form: PayFormName
    pay_asked: str
    full_cost_cents: int | None
    committed_cents: int
    url: str


class MissionVersionOut(Schema):
    number: int
    decision_version: int | None = Field(
        description="Le numéro de la version du texte de la décision qui l'énonce"
    )
    note: str
    created_at: datetime.datetime
    title: str
    scope: str
    deliverables: str
    start_on: datetime.date
    duration_months: int
    pay_form: PayFormName
    contract: str
    working_time_percent: int | None
    monthly_amount_cents: int | None
    amount_basis: str
    amount_cents: int | None
    vat_rate_bp: int | None
    estimated_hours: int | None
    hourly_rate_cents: int | None
    pay_asked: str
    full_cost_cents: int
    cost_engine: str
    cost_breakdown: dict[str, Any]


class MissionDetail(PayTermsOut, MissionOut):
    """A mission with its proposer's pay terms, named as each other person paid's are."""

    pay_form: PayFormName  # as in the list of missions, not any text
    scope: str
    deliverables: str
    start_on: datetime.date
    duration_months: int
    cost_engine: str
    cost_breakdown: dict[str, Any]
    cash_months: list[CashMonthOut] = Field(
        description="Les décaissements mois par mois, dont la somme est le coût complet"
    )
    decision: int | None
    review_decision: int | None
    review_report: str
    spent_cents: int
    remaining_cents: int
    released_cents: int
    people_paid: list[PersonPaidOut] = Field(
        description="Chaque personne payée sur la mission, celle qui la propose d'abord, avec "
        "sa rémunération et son coût"
    )
    paid_by_contributor: list[PaidByContributorOut] = Field(
        description="Funded and paying several people: what was planned for each, and paid"
    )
    payments: list[PaymentOut]
    top_ups: list[TopUpOut]
    version: int | None = Field(description="La dernière version (aucune pour un brouillon)")
    adopted_version: int | None = Field(description="La version adoptée, dont le coût est engagé")
    versions: list[MissionVersionOut]


class MissionQuery(Schema):
    status: MissionStatus | None = None
    pay_form: PayFormName | None = None


class MissionWithdrawIn(Input):
    reason: str = Field("", max_length=MAX_REASON_LENGTH)


class ReviewIn(Input):
    report: str = Field(..., max_length=MAX_TEXT_LENGTH)
    mark_need_met: bool = False


class TopUpIn(Input):
    amount_cents: Cents
    reason: str = Field(..., max_length=MAX_TEXT_LENGTH)


class PaymentIn(Input):
    kind: PaymentKind
    date: datetime.date
    label: str = Field(..., max_length=300)
    amount_cents: Cents | None = Field(
        None, description="Brut pour une paie; calculé pour une co-rémunération"
    )
    employer_contributions_cents: Cents = 0
    account: Literal["", "604", "622", "625", "641"] = ""
    hours: int | None = Field(None, ge=-BIG, le=BIG)
    contributor_number: ObjectId | None = Field(
        None, description="Le numéro d'associé·e de la personne payée (sinon celle qui propose)"
    )
    idempotency_key: str = Field(..., min_length=1, max_length=MAX_KEY_LENGTH)


class CancelIn(Input):
    reason: str = Field(..., max_length=MAX_REASON_LENGTH)


# The treasury forecast ---------------------------------------------------------------------


class ForecastMonthOut(Schema):
    month: datetime.date = Field(..., description="Premier jour du mois")
    income_cents: int = Field(..., description="Recettes récurrentes attendues")
    missions_cents: int = Field(..., description="Ce que les missions adoptées paieront")
    gifts_cents: int = Field(..., description="Dons prévus aux communs amont")
    balance_cents: int = Field(..., description="Solde prévu en fin de mois")
    lowest: bool = Field(..., description="Le point le plus bas des douze mois")


class ForecastOut(Schema):
    today: datetime.date
    bank_cents: int = Field(..., description="Banque (512) et caisse (530) aujourd'hui")
    lowest_month: datetime.date
    lowest_balance_cents: int
    months: list[ForecastMonthOut]


IncomeFrequency = Literal[tuple(RecurringIncome.Frequency.values)]


class RecurringIncomeIn(Input):
    label: str = Field(..., max_length=MAX_TITLE_LENGTH)
    amount_cents: Cents
    frequency: IncomeFrequency = "monthly"
    starts_on: datetime.date
    ends_on: datetime.date | None = None


class RecurringIncomeOut(Schema):
    id: int
    label: str
    amount_cents: int
    frequency: IncomeFrequency
    starts_on: datetime.date
    ends_on: datetime.date | None
