"""The reserve's three funds, and the only ways money moves between them.

The reserve (1068) is split into sub-accounts: what is available for missions
(1068-DISPO), what is committed to each adopted mission (1068-ENG-<ref>) and the upstream
commons fund (1068-COMMUNS). They are equity, so their balances are credits (negative
sums): the functions below answer in positive cents.

Every function that checks an amount against a fund takes the books' lock *before* it
reads the fund, so two adoptions, two payments or an adoption and a payment can never both
pass a check that only one of them fits: the reserve is never over-committed.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from commun.ledger import chart
from commun.ledger.labels import system_label
from commun.ledger.models import Account, Books, Posting, Transaction
from commun.lib.money import format_cents, is_whole_cents


def _credit_balance(code: str) -> int:
    total = Posting.objects.filter(account__code=code).aggregate(total=Sum("amount_cents"))
    return -(total["total"] or 0)


def available_cents() -> int:
    """The reserve not yet committed to any mission: what a new mission may ask for."""
    return _credit_balance(chart.RESERVE_AVAILABLE)


def available_now_and_after(cents: int) -> tuple[int, int]:
    """The available reserve now, and once `cents` more are committed from it (below zero:
    it does not cover them). The adoption guard, the mission's page and the API read this."""
    available = available_cents()
    return available, available - cents


def committed_cents(ref: str | None = None) -> int:
    """What adopted missions still hold (one mission's commitment when `ref` is given)."""
    if ref is not None:
        return _credit_balance(commitment_code(ref))
    total = Posting.objects.filter(
        account__code__startswith=f"{chart.RESERVE_COMMITTED}-"
    ).aggregate(total=Sum("amount_cents"))
    return -(total["total"] or 0)


def commons_fund_cents() -> int:
    return _credit_balance(chart.COMMONS_FUND)


def commitment_code(ref: str) -> str:
    return f"{chart.RESERVE_COMMITTED}-{ref}".upper()


def commit(
    ref: str,
    name: str,
    cents: int,
    *,
    idempotency_key: str,
    on: datetime.date | None = None,
    label: str = "",
    by=None,
) -> Transaction:
    """Move `cents` from the available reserve to the mission `ref`, or refuse saying why."""
    _positive(cents)
    with transaction.atomic():
        Books.locked()  # read the reserve only once no other write to the books can interleave
        # A retry of a booked commitment goes straight to record(), which checks it is the same.
        if not Transaction.objects.filter(idempotency_key=idempotency_key).exists():
            available, after = available_now_and_after(cents)
            if after < 0:
                raise ValidationError(
                    _(
                        "La réserve disponible (%(available)s) ne couvre pas le coût complet "
                        "(%(cost)s) : il manque %(missing)s."
                    )
                    % {
                        "available": format_cents(available),
                        "cost": format_cents(cents),
                        "missing": format_cents(cents - available),
                    },
                    code="reserve_insufficient",
                )
        account = Account.objects.mission_commitment(ref, name)
        return Transaction.objects.record(
            on or timezone.localdate(),
            label or system_label("reserve_commitment", name=name),
            [(chart.RESERVE_AVAILABLE, cents), (account.code, -cents)],
            idempotency_key=idempotency_key,
            by=by,
        )


def spend(
    ref: str,
    cents_by_account: list[tuple[str, int]],
    *,
    label: str,
    idempotency_key: str,
    paid_from: str = chart.BANK,
    on: datetime.date | None = None,
    by=None,
) -> Transaction:
    """Pay against a commitment: the expenses against the bank, and the commitment consumed.

    The expenses are the year's (6x); the commitment moves to 1068-CONSO, equity to equity,
    never to income: the reserve does not flow back as profit (docs/accounting.md).

    `cents_by_account` lists the expense lines (e.g. [("641", gross), ("645", employer
    contributions)]); their total may never exceed what the commitment still holds.
    """
    lines = [(code, cents) for code, cents in cents_by_account]
    for _code, cents in lines:
        _positive(cents)
    total = sum(cents for _code, cents in lines)
    code = commitment_code(ref)
    with transaction.atomic():
        Books.locked()  # the commitment is read under the lock its own payments take
        existing = Transaction.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            left = _credit_balance(code)
            if total > left:
                raise ValidationError(
                    _(
                        "Ce paiement (%(amount)s) dépasse ce qui reste engagé sur la mission "
                        "(%(left)s) : une nouvelle décision doit d'abord engager la différence."
                    )
                    % {"amount": format_cents(total), "left": format_cents(left)},
                    code="over_commitment",
                )
        return Transaction.objects.record(
            on or timezone.localdate(),
            label,
            [*lines, (paid_from, -total), (code, total), (chart.RESERVE_SPENT, -total)],
            idempotency_key=idempotency_key,
            by=by,
        )


def release(
    ref: str,
    *,
    idempotency_key: str,
    label: str = "",
    on: datetime.date | None = None,
    by=None,
) -> Transaction | None:
    """Give back to the available reserve what a closed mission did not spend (None: nothing)."""
    code = commitment_code(ref)
    with transaction.atomic():
        Books.locked()
        existing = Transaction.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
        left = _credit_balance(code)
        if left == 0:
            return None
        return Transaction.objects.record(
            on or timezone.localdate(),
            label or system_label("commitment_release", ref=ref),
            [(code, left), (chart.RESERVE_AVAILABLE, -left)],
            idempotency_key=idempotency_key,
            by=by,
        )


def top_up(
    cents: int,
    *,
    idempotency_key: str,
    label: str,
    fund: str = chart.RESERVE_AVAILABLE,
    on: datetime.date | None = None,
    by=None,
) -> Transaction:
    """Move `cents` from the year's allocated result (120) into a fund (the year close uses it)."""
    _positive(cents)
    return Transaction.objects.record(
        on or timezone.localdate(),
        label,
        [(chart.PROFIT, cents), (fund, -cents)],
        idempotency_key=idempotency_key,
        by=by,
    )


def _positive(cents) -> None:
    if not is_whole_cents(cents) or cents <= 0:
        raise ValidationError(_("Un montant est un nombre entier de centimes, supérieur à zéro."))


def give(
    cents: int,
    *,
    label: str,
    idempotency_key: str,
    expense_account: str = "6238",
    paid_from: str = chart.BANK,
    on: datetime.date | None = None,
    by=None,
) -> Transaction:
    """Pay an upstream project out of the commons fund, never beyond what the fund holds.

    The gift is an expense of the year (6238); the fund is consumed as a commitment is.
    """
    _positive(cents)
    with transaction.atomic():
        Books.locked()  # the fund is read under the lock every other gift takes
        if not Transaction.objects.filter(idempotency_key=idempotency_key).exists():
            held = commons_fund_cents()
            if cents > held:
                raise ValidationError(
                    _(
                        "Ce don (%(amount)s) dépasse ce que contient le fonds pour les communs "
                        "amont (%(held)s)."
                    )
                    % {"amount": format_cents(cents), "held": format_cents(held)},
                    code="over_fund",
                )
        return Transaction.objects.record(
            on or timezone.localdate(),
            label,
            [
                (expense_account, cents),
                (paid_from, -cents),
                (chart.COMMONS_FUND, cents),
                (chart.RESERVE_SPENT, -cents),
            ],
            idempotency_key=idempotency_key,
            by=by,
        )
