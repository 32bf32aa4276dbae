"""The API's shapes for giving back: projects, splits of the commons fund, gifts.

Input schemas bound sizes and types and refuse unknown fields; the rules (a unique name,
an amount within the fund, a gift paid once) are the models', which answer in French.
"""

import datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from commun.api_input import Input
from commun.lib.ids import MAX_API_ID
from commun.lib.money import MAX_AMOUNT_CENTS, cents
from commun.upstream.models import (
    DEFAULT_DAYS,
    MAX_DAYS,
    MAX_NAME,
    MAX_REFERENCE,
    MAX_USED_FOR,
    CommonsSplit,
    Gift,
)

Cents = Annotated[
    cents(ge=1, le=MAX_AMOUNT_CENTS), Field(description="En centimes, entier positif.")
]
ObjectId = Annotated[int, Field(strict=True, ge=1, le=MAX_API_ID)]
SplitStatus = Literal[tuple(CommonsSplit.Status.values)]
GiftStatus = Literal[tuple(Gift.Status.values)]


class ProjectIn(Input):
    name: str = Field(..., min_length=1, max_length=MAX_NAME)
    url: str = Field(..., min_length=1, max_length=300, description="https://…")
    used_for: str = Field(..., min_length=1, max_length=MAX_USED_FOR)
    is_active: bool = True


class ProjectPatch(Input):
    name: str | None = Field(None, min_length=1, max_length=MAX_NAME)
    url: str | None = Field(None, min_length=1, max_length=300)
    used_for: str | None = Field(None, min_length=1, max_length=MAX_USED_FOR)
    is_active: bool | None = Field(
        None, description="false : le projet n'entre plus dans une répartition."
    )


class ProjectOut(Schema):
    id: int
    name: str
    url: str
    used_for: str
    is_active: bool
    created_at: datetime.datetime
    given_cents: int = Field(0, description="Total des dons versés.")
    last_paid_on: datetime.date | None = Field(None, description="Date du dernier don versé.")

    @staticmethod
    def resolve_given_cents(project) -> int:
        return getattr(project, "given_cents", None) or 0

    @staticmethod
    def resolve_last_paid_on(project):
        return getattr(project, "last_paid_on", None)


class SplitIn(Input):
    amount_cents: Cents | None = Field(
        None,
        description="Montant à répartir ; null : tout ce qui est disponible (voir /upstream/fund).",
    )
    days: int = Field(DEFAULT_DAYS, strict=True, ge=1, le=MAX_DAYS, description="Durée du vote.")


class GiftIn(Input):
    project: ObjectId = Field(..., description="Id du projet amont.")
    amount_cents: Cents
    reference: str = Field(
        ...,
        min_length=1,
        max_length=MAX_REFERENCE,
        description="Ce qui a décidé ce don (une assemblée, une décision…).",
    )


class PayIn(Input):
    date: datetime.date = Field(..., description="Date du versement (AAAA-MM-JJ).")
    idempotency_key: str = Field(
        ...,
        min_length=1,
        max_length=100,
        description="Une clé unique par versement : une requête rejouée n'est comptée qu'une fois.",
    )


class ProjectRef(Schema):
    id: int
    name: str


class GiftOut(Schema):
    id: int
    project: ProjectRef
    split: int | None = Field(None, alias="split_id")
    reference: str
    amount_cents: int
    status: GiftStatus
    status_label: str = Field(..., alias="get_status_display")
    paid_on: datetime.date | None
    transaction: int | None = Field(None, description="N° de l'écriture du versement.")
    cancellation: int | None = Field(None, description="N° de l'écriture qui l'a contrepassé.")

    @staticmethod
    def resolve_transaction(gift) -> int | None:
        return gift.transaction.number if gift.transaction_id else None

    @staticmethod
    def resolve_cancellation(gift) -> int | None:
        return gift.cancellation.number if gift.cancellation_id else None


class FundOut(Schema):
    held_cents: int = Field(..., description="Ce que contient le fonds (1068-COMMUNS).")
    promised_cents: int = Field(
        ..., description="Promis et pas encore versé : répartitions en vote et dons prévus."
    )
    available_cents: int = Field(
        ..., description="Ce qu'une nouvelle répartition ou un don peut encore promettre."
    )
    given_cents: int = Field(..., description="Total des dons versés depuis le début.")


class SplitOut(Schema):
    id: int
    amount_cents: int
    status: SplitStatus
    status_label: str = Field(
        ..., description="L'état en mots : « dons versés » une fois tout versé, sinon ce qui reste."
    )
    promised_cents: int = Field(
        ..., description="Promis sur le fonds : tout le montant en vote, puis les dons non annulés."
    )
    paid_cents: int = Field(..., description="Déjà versé par ses dons.")
    remaining_cents: int = Field(..., description="Promis et pas encore versé.")
    decision: int | None = Field(None, alias="decision_id")
    created_at: datetime.datetime
    closes_at: datetime.datetime | None = None
    settled_at: datetime.datetime | None
    url: str = Field(..., alias="get_absolute_url")

    @staticmethod
    def resolve_status_label(split) -> str:
        return split.status_label()

    @staticmethod
    def resolve_closes_at(split):
        return split.decision.closes_at if split.decision_id else None


class SplitDetail(SplitOut):
    decision_url: str | None = None
    projects: list[ProjectRef]
    gifts: list[GiftOut]

    @staticmethod
    def resolve_decision_url(split):
        return split.decision.get_absolute_url() if split.decision_id else None

    @staticmethod
    def resolve_projects(split):
        return [c.project for c in split.candidate_list]

    @staticmethod
    def resolve_gifts(split):
        return split.gift_list
