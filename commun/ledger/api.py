"""API v1, treasury: the public accounts, and the officers' bookings.

Reads are public, like the accounts pages; writes are for officers and call the same
model methods as the forms (`record_income_or_expense`, `imports.book`, `close_year`).
"""

import datetime
import json
from typing import Literal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch, Sum
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate

from commun.api_auth import authenticated, public
from commun.api_helpers import ListingPages as Pages
from commun.api_input import Input
from commun.core.replica import public_read
from commun.ledger import closing, imports, rules
from commun.ledger.models import (
    Account,
    Books,
    MonthlyTotal,
    Posting,
    Transaction,
)
from commun.lib.money import Cents, PositiveCents
from commun.lib.paging import Listing

router = Router(tags=["Trésorerie"])


class AccountOut(Schema):
    code: str
    name: str
    kind: str
    balance_cents: int = Field(
        description="Solde en centimes : positif débiteur, négatif créditeur."
    )


class AccountDetail(AccountOut):
    debit_cents: int
    credit_cents: int


class PostingOut(Schema):
    account: str
    amount_cents: int = Field(description="Débit positif, crédit négatif.")


class TransactionOut(Schema):
    number: int
    date: datetime.date
    label: str
    reverses: int | None
    postings: list[PostingOut]

    @staticmethod
    def resolve_reverses(obj):
        return obj.reverses.number if obj.reverses_id else None

    @staticmethod
    def resolve_postings(obj):
        return [
            {"account": p.account.code, "amount_cents": p.amount_cents} for p in obj.postings.all()
        ]


class MissionFunds(Schema):
    code: str
    name: str
    cents: int


class SummaryOut(Schema):
    reserve_available_cents: int
    reserve_committed_cents: int
    commons_fund_cents: int
    legal_reserve_cents: int
    capital_cents: int
    bank_cents: int
    cash_cents: int
    missions: list[MissionFunds]


class EntryIn(Input):
    date: datetime.date
    label: str = Field(min_length=1, max_length=300)
    nature: str = Field(max_length=40, description="Compte de produits (7…) ou de charges (6…).")
    amount_cents: PositiveCents = Field(description="Montant TTC en centimes.")
    vat_rate: Literal["", "2.1", "5.5", "10", "20"] = ""
    via: Literal["512", "530"] = "512"
    idempotency_key: str = Field(min_length=1, max_length=100)


class ImportLineOut(Schema):
    line: int
    date: datetime.date
    label: str
    amount_cents: int
    account: str


class ImportOut(Schema):
    dry_run: bool
    count: int
    lines: list[ImportLineOut]
    transactions: list[int]


class YearCloseIn(Input):
    allocation: dict[str, Cents] | None = Field(
        None,
        description="Centimes par compte (1061, 1068-DISPO, 1068-COMMUNS, 457) ; "
        "absent : l'affectation proposée par défaut.",
    )
    decision_reference: str = Field("", max_length=300)


class FiscalYearOut(Schema):
    year: int
    result_cents: int
    allocation: dict[str, int]
    decision_reference: str
    closing_transaction: int | None
    allocation_transaction: int | None

    @staticmethod
    def resolve_closing_transaction(obj):
        return obj.closing_transaction.number if obj.closing_transaction_id else None

    @staticmethod
    def resolve_allocation_transaction(obj):
        return obj.allocation_transaction.number if obj.allocation_transaction_id else None


def _with_postings(queryset):
    return queryset.select_related("reverses").prefetch_related(
        Prefetch("postings", Posting.objects.select_related("account").order_by("pk"))
    )


@router.get("/ledger/accounts", auth=public, response=list[AccountOut])
@decorate_view(public_read)
def accounts(request):
    """The chart of accounts with every balance (from the monthly totals)."""
    listed, balances = Account.objects.with_balances()
    return [
        {"code": a.code, "name": a.name, "kind": a.kind, "balance_cents": balances[a.code]}
        for a in listed
    ]


@router.get("/ledger/accounts/{code}", auth=public, response=AccountDetail)
@decorate_view(public_read)
def account(request, code: str = Path(..., max_length=40)):
    found = get_object_or_404(Account, code=code.upper())
    totals = MonthlyTotal.objects.filter(account=found).aggregate(
        debit=Sum("debit_cents"), credit=Sum("credit_cents")
    )
    debit, credit = totals["debit"] or 0, totals["credit"] or 0
    return {
        "code": found.code,
        "name": found.name,
        "kind": found.kind,
        "balance_cents": debit - credit,
        "debit_cents": debit,
        "credit_cents": credit,
    }


@router.get("/ledger/transactions", auth=public, response=list[TransactionOut])
@decorate_view(public_read)
@paginate(Pages)
def transactions(request):
    """Every transaction, newest first, with its postings."""
    books = Books.objects.filter(pk=1).first()
    count = books.last_transaction_number if books else 0
    return Listing(
        _with_postings(Transaction.objects.order_by("-number")), count=count, numbered="-number"
    )


@router.get("/ledger/transactions/{number}", auth=public, response=TransactionOut)
@decorate_view(public_read)
def transaction(request, number: int = Path(..., ge=1, le=2**62)):
    return get_object_or_404(_with_postings(Transaction.objects.all()), number=number)


@router.get("/ledger/summary", auth=public, response=SummaryOut)
@decorate_view(public_read)
def ledger_summary(request):
    """The reserve available and committed, the commons fund, the capital and the bank."""
    return Account.objects.summary()


def _book(request, direction: str, payload: EntryIn):
    booked = Transaction.objects.record_income_or_expense(
        direction,
        payload.date,
        payload.label,
        payload.nature,
        payload.amount_cents,
        idempotency_key=payload.idempotency_key,
        vat_rate=payload.vat_rate,
        via=payload.via,
        by=request.user,
    )
    return Status(201, _with_postings(Transaction.objects.all()).get(pk=booked.pk))


@router.post("/ledger/income", auth=authenticated, response={201: TransactionOut})
def record_income(request, payload: EntryIn):
    """Book money received on a 7x account; a retry with the same key books nothing more."""
    return _book(request, "income", payload)


@router.post("/ledger/expenses", auth=authenticated, response={201: TransactionOut})
def record_expense(request, payload: EntryIn):
    """Book money paid on a 6x account; a retry with the same key books nothing more."""
    return _book(request, "expense", payload)


def _statement(request) -> str:
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise NinjaValidationError(
                [
                    {
                        "loc": ["body"],
                        "msg": _("Le corps de la requête n'est pas du JSON valide."),
                        "type": "json_invalid",
                    }
                ]
            ) from None
        if not isinstance(body, dict) or not isinstance(body.get("csv"), str):
            raise NinjaValidationError(
                [
                    {
                        "loc": ["body", "csv"],
                        "msg": _("Envoyez le relevé dans le champ « csv »."),
                        "type": "missing",
                    }
                ]
            )
        return body["csv"]
    try:
        return request.body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NinjaValidationError(
            [
                {
                    "loc": ["body"],
                    "msg": _("Le relevé doit être encodé en UTF-8."),
                    "type": "encoding",
                }
            ]
        ) from None


@router.post(
    "/ledger/imports",
    auth=authenticated,
    response={200: ImportOut, 201: ImportOut},
    openapi_extra={
        "requestBody": {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {
                    "schema": {"type": "object", "properties": {"csv": {"type": "string"}}}
                },
            }
        }
    },
)
def import_statement(request, dry_run: bool = False):
    """Import a bank statement (CSV `date;libellé;montant;compte`), all lines or none.

    Every error is listed with its line (`loc`: ["body", "csv", line]). `?dry_run=true`
    checks the statement and answers what would be booked, without booking it.
    """
    rules.require(request.user, "import_statement")  # 403 before the body is read
    text = _statement(request)
    try:
        lines = imports.preview(text, by=request.user) if dry_run else None
        booked = [] if dry_run else imports.book(text, by=request.user)
    except imports.ImportRefused as refused:
        raise NinjaValidationError(
            [
                {"loc": ["body", "csv", error.line], "msg": error.message, "type": "bank_line"}
                for error in refused.line_errors
            ]
        ) from None
    if dry_run:
        return Status(
            200,
            {
                "dry_run": True,
                "count": len(lines),
                "lines": [
                    {
                        "line": line.line,
                        "date": line.date,
                        "label": line.label,
                        "amount_cents": line.cents,
                        "account": line.account,
                    }
                    for line in lines
                ],
                "transactions": [],
            },
        )
    return Status(
        201,
        {
            "dry_run": False,
            "count": len(booked),
            "lines": [],
            "transactions": [t.number for t in booked],
        },
    )


@router.post(
    "/ledger/years/{year}/close",
    auth=authenticated,
    response={201: FiscalYearOut},
)
def close_year(request, payload: YearCloseIn, year: int = Path(..., ge=1900, le=9999)):
    """Close an ended year with the assembly's allocation (statutes and law checked); once only.

    A year already closed answers 409: its first close stands.
    """
    try:
        closed = closing.close_year(
            year, payload.allocation, decision_reference=payload.decision_reference, by=request.user
        )
    except closing.YearAlreadyClosed as error:
        raise HttpError(409, " ".join(error.messages)) from None
    except ValidationError as error:
        by_account = (
            error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
        )
        raise NinjaValidationError(
            [
                {
                    "loc": ["body", "allocation"] + ([] if code == NON_FIELD_ERRORS else [code]),
                    "msg": str(m),
                    "type": "year_close",
                }
                for code, errors in by_account.items()
                for m in ValidationError(errors).messages
            ]
        ) from None
    return Status(201, closed)
