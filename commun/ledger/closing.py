"""The year close: the result, its allocation as the assembly decided, and the SCIC floors.

A SCIC puts at least 15 % of its profit into the legal reserve (1061) until that reserve
equals the capital, and at least 57.5 % into reserves that are never shared out (1061
and the 1068 funds). Commun's default puts all of it into reserves: the legal reserve's
share, a share for the upstream commons fund, and the rest into the reserve available for
missions. Closing books two transactions dated the last day of the year: every income and
expense account back to zero against the result (120 profit, 129 loss), then the
allocation. After that, nothing more may be dated in the year.
"""

import dataclasses
import datetime
import decimal
import math

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commun.ledger import chart, rules
from commun.ledger.labels import system_label
from commun.ledger.models import (
    RETAINED_LOSS,
    Account,
    Books,
    FiscalYear,
    MonthlyTotal,
    Transaction,
)
from commun.lib.money import format_cents, is_whole_cents
from commun.members.models import Cooperative

LEGAL_RESERVE_PERCENT = 15
UNSHARED_RESERVES_PER_MILLE = 575  # 57.5 %
# Where a profit may go: the three reserves, and dividends when the statutes allow them.
ALLOCATION_ACCOUNTS = {
    chart.LEGAL_RESERVE: gettext_lazy("Réserve légale (1061)"),
    chart.RESERVE_AVAILABLE: gettext_lazy("Réserve disponible pour les missions (1068-DISPO)"),
    chart.COMMONS_FUND: gettext_lazy("Fonds pour les communs amont (1068-COMMUNS)"),
    chart.DIVIDENDS_PAYABLE: gettext_lazy("Dividendes (457)"),
}
UNSHARED = (chart.LEGAL_RESERVE, chart.RESERVE_AVAILABLE, chart.COMMONS_FUND)
# The statutes' rules, as Cooperative.ProfitAllocation stores them (the charter's is the first).
ALL_TO_RESERVES = "all_to_reserves"
INTEREST_ON_SHARES = "interest_on_shares"
INTEREST_CAP_POINTS = 2  # art. 14 of loi n° 47-1775: the TMO average plus 2 points


def commons_fund_percent() -> int:
    """The share of a profit proposed for the commons fund (setting COMMUN_COMMONS_PERCENT)."""
    return int(getattr(settings, "COMMUN_COMMONS_PERCENT", 10))


@dataclasses.dataclass
class YearFigures:
    """What the close of one year needs to know, read from the monthly totals."""

    year: int
    result_cents: int  # profit positive, loss negative
    balances: dict  # {account code: balance of the year}, income and expense accounts only
    capital_cents: int  # 101, at the end of the year
    legal_reserve_cents: int  # 1061, at the end of the year
    # 1068-CONSO: the commitments the year's missions and gifts consumed (their costs are
    # already expenses of the year, so the close gives this back to the available reserve).
    reserve_spent_cents: int = 0
    rule: str = ALL_TO_RESERVES  # the statutes' allocation rule (Cooperative.profit_allocation)
    tmo_average_percent: decimal.Decimal | None = None  # the officers' three-year TMO average

    @property
    def interest_cap_cents(self) -> int:
        """Art. 14 of the 1947 law: at most the TMO average plus 2 points, on the capital."""
        if self.rule == ALL_TO_RESERVES or self.tmo_average_percent is None:
            return 0
        rate = self.tmo_average_percent + INTEREST_CAP_POINTS
        return int((self.capital_cents * rate / 100).to_integral_value(decimal.ROUND_FLOOR))

    @property
    def legal_reserve_missing_cents(self) -> int:
        return max(0, self.capital_cents - self.legal_reserve_cents)

    @property
    def legal_reserve_floor_cents(self) -> int:
        """15 % of a profit, but no more than what the legal reserve lacks to equal the capital."""
        if self.result_cents <= 0:
            return 0
        fifteen = math.ceil(self.result_cents * LEGAL_RESERVE_PERCENT / 100)
        return min(fifteen, self.legal_reserve_missing_cents)

    @property
    def unshared_floor_cents(self) -> int:
        if self.result_cents <= 0:
            return 0
        return math.ceil(self.result_cents * UNSHARED_RESERVES_PER_MILLE / 1000)

    def default_allocation(self) -> dict:
        """All of the profit into reserves: the legal floor, the commons share, the rest free."""
        if self.result_cents <= 0:
            return {}
        legal = self.legal_reserve_floor_cents
        commons = min(self.result_cents - legal, self.result_cents * commons_fund_percent() // 100)
        return {
            chart.LEGAL_RESERVE: legal,
            chart.RESERVE_AVAILABLE: self.result_cents - legal - commons,
            chart.COMMONS_FUND: commons,
            chart.DIVIDENDS_PAYABLE: 0,
        }


def figures(year: int) -> YearFigures:
    """The year's result and the balances the floors depend on (three small queries)."""
    codes = {a.pk: a.code for a in Account.objects.only("code")}
    year_balances = MonthlyTotal.objects.balances(year=year)
    balances = {
        codes[pk]: cents
        for pk, cents in year_balances.items()
        if codes[pk][:1] in ("6", "7") and cents
    }
    to_date = MonthlyTotal.objects.balances(until_year=year)
    by_code = {codes[pk]: cents for pk, cents in to_date.items()}
    statutes = Cooperative.get()
    return YearFigures(
        year=year,
        result_cents=-sum(balances.values()),
        balances=balances,
        capital_cents=-by_code.get(chart.CAPITAL, 0),
        legal_reserve_cents=-by_code.get(chart.LEGAL_RESERVE, 0),
        reserve_spent_cents=-by_code.get(chart.RESERVE_SPENT, 0),
        rule=statutes.profit_allocation,
        tmo_average_percent=statutes.tmo_average_percent,
    )


def check_allocation(numbers: YearFigures, allocation: dict) -> dict:
    """The allocation, cleaned, or a ValidationError naming every floor and rule it breaks.

    A refusal of the dividends is keyed by their account (457), the others by NON_FIELD_ERRORS.
    """
    errors = []
    cleaned = {}
    for code, cents in (allocation or {}).items():
        if code not in ALLOCATION_ACCOUNTS:
            errors.append(_("Compte d'affectation inconnu : %(code)s.") % {"code": code})
            continue
        if not is_whole_cents(cents) or cents < 0:
            errors.append(
                _("Le montant affecté à %(account)s doit être un nombre de centimes positif.")
                % {"account": ALLOCATION_ACCOUNTS[code]}
            )
            continue
        if cents:
            cleaned[code] = cents
    if errors:
        raise ValidationError(errors)
    result = numbers.result_cents
    if result <= 0:
        if cleaned:
            raise ValidationError(
                _(
                    "Un exercice en perte ou à l'équilibre n'a rien à affecter : la perte est "
                    "reportée à nouveau."
                )
            )
        return {}
    total = sum(cleaned.values())
    if total != result:
        errors.append(
            _("L'affectation (%(total)s) doit égaler le résultat (%(result)s).")
            % {"total": format_cents(total), "result": format_cents(result)}
        )
    legal = cleaned.get(chart.LEGAL_RESERVE, 0)
    if legal < numbers.legal_reserve_floor_cents:
        errors.append(
            _(
                "La réserve légale doit recevoir au moins %(floor)s : 15 %% du résultat, tant "
                "qu'elle n'égale pas le capital (il lui manque %(missing)s)."
            )
            % {
                "floor": format_cents(numbers.legal_reserve_floor_cents),
                "missing": format_cents(numbers.legal_reserve_missing_cents),
            }
        )
    unshared = sum(cleaned.get(code, 0) for code in UNSHARED)
    if unshared < numbers.unshared_floor_cents:
        errors.append(
            _(
                "Les réserves impartageables (réserve légale et fonds 1068) doivent recevoir au "
                "moins 57,5 %% du résultat, soit %(floor)s ; l'affectation leur donne %(given)s."
            )
            % {
                "floor": format_cents(numbers.unshared_floor_cents),
                "given": format_cents(unshared),
            }
        )
    dividends = _dividend_errors(numbers, cleaned.get(chart.DIVIDENDS_PAYABLE, 0))
    refusal = {NON_FIELD_ERRORS: errors, chart.DIVIDENDS_PAYABLE: dividends}
    if errors or dividends:
        raise ValidationError({key: messages for key, messages in refusal.items() if messages})
    return cleaned


def _dividend_errors(numbers: YearFigures, dividends: int) -> list[str]:
    """What the statutes and art. 14 of the 1947 law say of these dividends (none: [])."""
    if not dividends:
        return []
    if numbers.rule == ALL_TO_RESERVES:
        return [
            _(
                "Les statuts affectent 100 %% des excédents aux réserves : aucun dividende ni "
                "intérêt aux parts ne peut être versé (%(given)s demandés)."
            )
            % {"given": format_cents(dividends)}
        ]
    if numbers.tmo_average_percent is None:
        return [
            _(
                "L'intérêt aux parts est plafonné par la moyenne du TMO des trois années "
                "civiles précédentes, majorée de 2 points (art. 14 de la loi n° 47-1775 du "
                "10 septembre 1947) : renseignez cette moyenne dans le profil de la coopérative."
            )
        ]
    cap = numbers.interest_cap_cents
    if dividends > cap:
        return [
            _(
                "L'intérêt aux parts (%(given)s) dépasse le plafond légal de %(cap)s : "
                "%(rate)s %% du capital (%(capital)s), la moyenne du TMO des trois années "
                "civiles précédentes (%(tmo)s %%) majorée de 2 points — art. 14 de la loi "
                "n° 47-1775 du 10 septembre 1947."
            )
            % {
                "given": format_cents(dividends),
                "cap": format_cents(cap),
                "rate": number_format(numbers.tmo_average_percent + INTEREST_CAP_POINTS, 2),
                "capital": format_cents(numbers.capital_cents),
                "tmo": number_format(numbers.tmo_average_percent, 2),
            }
        ]
    return []


class YearAlreadyClosed(ValidationError):
    """A second close of a closed year: refused, the first close stands (the API's 409)."""

    def __init__(self, year):
        super().__init__(
            _("L'exercice %(year)s est déjà clos : sa clôture et son affectation ne changent plus.")
            % {"year": year},
            code="year_closed",
        )


def closable_year(year: int, today: datetime.date | None = None) -> None:
    """Refuse a year that has not ended, or one that would be closed out of order."""
    today = today or timezone.localdate()
    if year >= today.year:
        raise ValidationError(
            _("L'exercice %(year)s n'est pas terminé : il se clôt à partir du 1er janvier suivant.")
            % {"year": year}
        )
    last = Books.objects.filter(pk=1).values_list("closed_through_year", flat=True).first() or 0
    if last and year != last + 1:
        raise ValidationError(
            _("Les exercices se clôturent dans l'ordre : le prochain à clore est %(next)s.")
            % {"next": last + 1}
        )
    if not last and Transaction.objects.filter(date__year__lt=year).exists():
        first = Transaction.objects.order_by("date").values_list("date", flat=True).first()
        raise ValidationError(
            _("Les exercices se clôturent dans l'ordre : clôturez d'abord %(year)s.")
            % {"year": first.year}
        )


def close_year(
    year: int,
    allocation: dict | None = None,
    *,
    decision_reference: str = "",
    by=None,
    today: datetime.date | None = None,
) -> FiscalYear:
    """Close `year` once: closing entries, the allocation (default: the proposed one), the lock.

    A closed year is never closed again: YearAlreadyClosed. `by` is the officer.
    """
    rules.require(by, "close_year")
    return _close(year, allocation, decision_reference, by, today)


def close_year_as_adopted(
    year: int, allocation: dict, decision_reference: str, today: datetime.date | None = None
) -> FiscalYear:
    """Close `year` as a general assembly's adopted resolution decided: the statutes' own
    path, no person acting (assemblies/effects.py); the same checks and floors."""
    return _close(year, allocation, decision_reference, None, today)


def _close(year, allocation, decision_reference, by, today) -> FiscalYear:
    with transaction.atomic():
        # Serialises closes and bookings: nothing can be dated in the year while it closes.
        Books.locked()
        if FiscalYear.objects.filter(year=year).exists():
            raise YearAlreadyClosed(year)
        closable_year(year, today)
        numbers = figures(year)
        if allocation is None:
            allocation = numbers.default_allocation()
        cleaned = check_allocation(numbers, allocation)
        last_day = datetime.date(year, 12, 31)
        closing = None
        if numbers.balances:
            lines = [(code, -cents) for code, cents in sorted(numbers.balances.items())]
            if numbers.result_cents > 0:
                lines.append((chart.PROFIT, -numbers.result_cents))
            elif numbers.result_cents < 0:
                lines.append((chart.LOSS, -numbers.result_cents))
            closing = Transaction.objects.record(
                last_day,
                system_label("year_closing", year=year),
                lines,
                idempotency_key=f"year-{year}-closing",
                by=by,
                today=today,
            )
        allocated = None
        lines = allocation_lines(numbers, cleaned)
        if lines:
            if numbers.result_cents >= 0 and decision_reference:
                label = system_label(
                    "year_allocation_decided", year=year, decision=decision_reference
                )
            elif numbers.result_cents >= 0:
                label = system_label("year_allocation", year=year)
            elif numbers.reserve_spent_cents:
                label = system_label("year_loss_on_reserves", year=year)
            else:
                label = system_label("year_loss", year=year)
            allocated = Transaction.objects.record(
                last_day,
                label,
                lines,
                idempotency_key=f"year-{year}-allocation",
                by=by,
                today=today,
            )
        Books.objects.filter(pk=1).update(closed_through_year=year)
        return FiscalYear.objects.create(
            year=year,
            closed_by=by,
            result_cents=numbers.result_cents,
            allocation=cleaned,
            decision_reference=decision_reference,
            closing_transaction=closing,
            allocation_transaction=allocated,
        )


def allocation_lines(numbers: YearFigures, cleaned: dict) -> list[tuple[str, int]]:
    """The allocation's postings: the result where the assembly sends it, the consumed reserve
    back to the available one.

    The missions' and gifts' costs are already expenses in the result, so the commitments
    they consumed (1068-CONSO) return to the available reserve (1068-DISPO), less the part
    of a loss they caused, which is imputed on them (1068 debited, 129 credited) rather than
    carried forward: spent reserve money is counted once, never twice (docs/accounting.md).
    """
    result, spent = numbers.result_cents, numbers.reserve_spent_cents
    lines: dict[str, int] = {}

    def post(code, cents):
        if cents:
            lines[code] = lines.get(code, 0) + cents

    if result > 0:
        post(chart.PROFIT, result)
        for code, cents in cleaned.items():
            post(code, -cents)
    elif result < 0:
        loss = -result
        # Only consumed commitments bear the loss: a year that took back an earlier year's
        # spending (a reversal: 1068-CONSO debited) has none to impute it on.
        imputed = max(0, min(loss, spent))
        post(chart.LOSS, -loss)
        post(RETAINED_LOSS, loss - imputed)
        spent -= imputed
        post(chart.RESERVE_SPENT, imputed)
    post(chart.RESERVE_SPENT, spent)
    post(chart.RESERVE_AVAILABLE, -spent)
    return sorted((code, cents) for code, cents in lines.items() if cents)


def next_year_to_close(today: datetime.date | None = None) -> int | None:
    """The year the officers can close now, or None when every ended year is closed."""
    today = today or timezone.localdate()
    last = Books.objects.filter(pk=1).values_list("closed_through_year", flat=True).first() or 0
    if last:
        year = last + 1
    else:
        first = Transaction.objects.order_by("date").values_list("date", flat=True).first()
        if first is None:
            return None
        year = first.year
    return year if year < today.year else None
