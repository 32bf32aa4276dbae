"""The employer's full cost of a salaried mission, month by month, in integer cents.

With OpenFisca-France (French rules as code) when it is installed and the cooperative is
French; with plain ratios from the cooperative's profile otherwise. Always an estimate.

Choices, stated once:
- The contract runs `months` months from `start`, which may be any day: to the day before
  the same date `months` later. A contract starting after the 1st touches one calendar
  month more, and its first and last months are paid for the working days (Monday to
  Friday) they hold, as payroll prorates a month begun or left (OpenFisca prorates the
  réduction générale's minimum wage the same way). The pay asked is what the person is
  paid for a whole month at the given working time (a half-time job at 1,000 € net is
  `monthly_net_cents=100_000, working_time_percent=50`).
- One gross salary for the whole contract, as a French contract states it: found so that
  the first month's net (net before income tax, OpenFisca's `salaire_net`) is the net
  asked, to the cent.
- A CDD ends with the end-of-contract indemnity (art. L1243-8 of the Code du travail:
  10 % of the total gross pay, 6 % where a branch agreement says so, none when the CDD
  goes on as a CDI) and, unless the leave is taken during the contract, the paid-leave
  indemnity, 10 % of the total gross pay *including* the end-of-contract indemnity
  (art. L3141-24, so 1.1 × 1.1 of the pay in all). A CDI has neither: its leave is taken
  and paid as salary.
- The réduction générale is computed per contract and per calendar year, over that
  year's whole pay (art. L241-13 and D241-7 of the Code de la sécurité sociale); both
  indemnities are paid, and so counted, in the contract's last month. OpenFisca computes
  the relief month by month, so the indemnities are spread over the months of the last
  calendar year only: each of those months then stands at that year's ratio to the
  minimum wage, and the earlier years keep the relief of the salary alone.
- Two timelines come out of it. The accrual the books use: the cost spread evenly over
  the months. The cash the cooperative pays: each month's payslip on the salary alone,
  and the last month with the indemnities and the relief's regularisation; both sum to
  the same total, to the cent.
- Employer contributions are net of the reliefs OpenFisca computes for the period (the
  réduction générale, exonerations); deferred hiring aids are not counted, since they are
  not certain. The employer's own figures (`Employer`: staff, AT/MP rate, commune and its
  versement mobilité, mutuelle share, prévoyance rate) default to a small firm with
  OpenFisca's default accident rate and no mutuelle or prévoyance share.
"""

import dataclasses
import hashlib
import importlib.metadata
import json
import logging
import os
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commun.lib.money import is_whole_cents
from commun.lib.months import month_starts

Contract = Literal["cdd", "cdi"]

# The task queue estimates go on: `commun serve` gives it a worker of its own, so that a
# person never waits behind a convocation's emails, and only that worker loads the engine.
ESTIMATES_QUEUE = "estimates"
MAX_MONTHS = 120
MAX_MONTHLY_CENTS = 10_000_000  # 100,000 € a month: past that, surely a typing error
END_OF_CONTRACT_RATE = Decimal("0.10")
PAID_LEAVE_RATE = Decimal("0.10")
# Plain French averages, used when OpenFisca-France is absent or the country differs:
# net ≈ 78 % of gross for a non-executive, employer cost ≈ 142 % of gross before reliefs.
DEFAULT_NET_RATIO = Decimal("0.78")
DEFAULT_EMPLOYER_RATIO = Decimal("1.42")
DEFAULT_HEADCOUNT = 5  # the réduction générale and some contributions depend on it
# OpenFisca-France lacks some rates of the 2000s (measured: it fails before 2002 with
# version 176); from 2010 on, every contract and basis is priced.
FIRST_PRICED_YEAR = 2010

MAX_ACCIDENT_RATE = Decimal("0.5")  # the highest AT/MP rates notified stay far below 50 %
MAX_PREVOYANCE_RATE = Decimal("0.2")
FORFAIT_SOCIAL_RATE = Decimal("0.08")  # on prévoyance from 11 staff (art. L137-15 CSS)
FORFAIT_SOCIAL_HEADCOUNT = 11
ALSACE_MOSELLE = ("57", "67", "68")  # the départements of the local social-security regime

OPENFISCA = "openfisca-france"
RATIOS = "ratios"
ENGINE_LABELS = {
    OPENFISCA: gettext_lazy("estimation calculée avec OpenFisca-France"),
    RATIOS: gettext_lazy("estimation par ratios simples du profil de la coopérative"),
}
CONTRACT_LABELS = {
    "cdd": gettext_lazy("CDD (contrat à durée déterminée)"),
    "cdi": gettext_lazy("CDI (contrat à durée indéterminée)"),
}


@dataclass(frozen=True)
class Employer:
    """What the employer's own notifications and agreements set; the defaults are a small
    firm at OpenFisca's default accident rate."""

    headcount: int = DEFAULT_HEADCOUNT
    accident_rate: Decimal | None = None  # AT/MP rate notified (0.0208 for 2.08 %)
    commune: str = ""  # INSEE code of the establishment: versement mobilité, Alsace-Moselle
    mutuelle_cents: int = 0  # the employer's share of the health insurance, per month
    prevoyance_rate: Decimal = Decimal(0)  # of the gross pay, for a non-executive
    end_of_contract_rate: Decimal = END_OF_CONTRACT_RATE

    @property
    def alsace_moselle(self) -> bool:
        return self.commune[:2] in ALSACE_MOSELLE

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "Employer":
        """The employer `as_dict` described."""

        def rate(name: str) -> Decimal | None:
            return None if values[name] is None else Decimal(values[name])

        return cls(
            headcount=values["headcount"],
            accident_rate=rate("accident_rate"),
            commune=values["commune"],
            mutuelle_cents=values["mutuelle_cents"],
            prevoyance_rate=rate("prevoyance_rate"),
            end_of_contract_rate=rate("end_of_contract_rate"),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "headcount": self.headcount,
            "accident_rate": _plain(self.accident_rate),
            "commune": self.commune,
            "mutuelle_cents": self.mutuelle_cents,
            "prevoyance_rate": _plain(self.prevoyance_rate),
            "end_of_contract_rate": _plain(self.end_of_contract_rate),
        }


def _plain(rate: Decimal | None) -> str | None:
    """A rate as one text whatever its trailing zeros (0.10 and 0.1 are one setting)."""
    return None if rate is None else format(Decimal(rate).normalize(), "f")


@dataclass(frozen=True)
class MonthCost:
    """One month of pay: what is paid to the person and what it costs the cooperative."""

    month: date  # first day of the calendar month
    gross_cents: int  # the contract's gross salary, indemnities apart
    end_of_contract_cents: int  # this month's share, paid at the end
    paid_leave_cents: int  # this month's share, paid at the end
    net_cents: int  # net before income tax earned this month, indemnity shares included
    employer_contributions_cents: int  # net of reliefs
    employer_cost_cents: int

    @property
    def gross_paid_cents(self) -> int:
        return self.gross_cents + self.end_of_contract_cents + self.paid_leave_cents


@dataclass(frozen=True)
class CostEstimate:
    """A salaried mission's cost, month by month; totals are the sums of the months."""

    contract: Contract
    working_time_percent: int
    monthly_gross_cents: int
    monthly_net_cents: int  # the first month's net of the salary alone, indemnities apart
    months: tuple[MonthCost, ...]  # the accrual: the cost spread evenly, as the books do
    engine: str
    engine_version: str
    estimate: bool = True
    cash_cents: tuple[int, ...] = ()  # what leaves the bank each month; sums to the total
    employer: Employer = Employer()
    options: dict[str, bool] | None = None  # cadre, paid leave taken, end-of-contract due
    computed_on: date | None = None  # the law applied is what this version knew that day

    def _total(self, field: str) -> int:
        return sum(getattr(month, field) for month in self.months)

    @property
    def gross_cents(self) -> int:
        return self._total("gross_cents")

    @property
    def end_of_contract_cents(self) -> int:
        return self._total("end_of_contract_cents")

    @property
    def paid_leave_cents(self) -> int:
        return self._total("paid_leave_cents")

    @property
    def gross_paid_cents(self) -> int:
        return self._total("gross_paid_cents")

    @property
    def net_cents(self) -> int:
        return self._total("net_cents")

    @property
    def employer_contributions_cents(self) -> int:
        return self._total("employer_contributions_cents")

    @property
    def employer_cost_cents(self) -> int:
        return self._total("employer_cost_cents")

    @property
    def engine_label(self) -> str:
        label = str(ENGINE_LABELS[self.engine])
        return f"{label} {self.engine_version}" if self.engine_version else label

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON (API, stored snapshots)."""
        totals = (
            "gross_cents",
            "end_of_contract_cents",
            "paid_leave_cents",
            "net_cents",
            "employer_contributions_cents",
            "employer_cost_cents",
        )
        return {
            "contract": self.contract,
            "working_time_percent": self.working_time_percent,
            "monthly_gross_cents": self.monthly_gross_cents,
            "monthly_net_cents": self.monthly_net_cents,
            "estimate": self.estimate,
            "engine": self.engine,
            "engine_version": self.engine_version,
            "legislation_date": (self.computed_on or date.today()).isoformat(),
            "settings": self.employer.as_dict() | (self.options or {}),
            "total": {name: getattr(self, name) for name in totals},
            "months": [
                {"month": month.month.isoformat()}
                | {name: getattr(month, name) for name in totals}
                | {"cash_cents": cash}
                for month, cash in zip(self.months, self.cash_cents, strict=True)
            ],
        }


def salaried_cost(
    *,
    contract: Contract,
    monthly_net_cents: int | None = None,
    monthly_gross_cents: int | None = None,
    months: int,
    start: date,
    working_time_percent: int = 100,
    country: str = "FR",
    headcount: int | None = None,
    net_ratio: Decimal = DEFAULT_NET_RATIO,
    employer_ratio: Decimal = DEFAULT_EMPLOYER_RATIO,
    employer: Employer | None = None,
    cadre: bool = False,
    paid_leave_taken: bool = False,
    end_of_contract_due: bool = True,
    compute: bool = True,
) -> CostEstimate:
    """Full cost with OpenFisca-France; plain ratios if it is missing or the country is not FR.

    With `compute=False`, an OpenFisca estimate not yet in the cache raises
    `EstimatePending` instead of being computed here (the worker computes it)."""
    _check(contract, monthly_net_cents, monthly_gross_cents, months, working_time_percent)
    check_start(start, country)
    employer = employer or Employer()
    if headcount is not None:
        employer = dataclasses.replace(employer, headcount=headcount)
    check_employer(employer)
    options = {
        "cadre": cadre,
        "paid_leave_taken": paid_leave_taken,
        "end_of_contract_due": end_of_contract_due,
    }
    french = country.upper() == "FR"
    if not compute and french and openfisca_version():
        return _remembered_or_pending(
            {
                "contract": contract,
                "monthly_net_cents": monthly_net_cents,
                "monthly_gross_cents": monthly_gross_cents,
                "months": months,
                "start": start.isoformat(),
                "working_time_percent": working_time_percent,
                "employer": employer.as_dict(),
            }
            | options
        )
    system = _tax_benefit_system() if french else None
    if system is None:
        return ratio_cost(
            contract=contract,
            monthly_net_cents=monthly_net_cents,
            monthly_gross_cents=monthly_gross_cents,
            months=months,
            start=start,
            working_time_percent=working_time_percent,
            net_ratio=net_ratio,
            employer_ratio=employer_ratio,
            employer=employer,
            **options,
        )
    inputs = {
        "contract": contract,
        "monthly_net_cents": monthly_net_cents,
        "monthly_gross_cents": monthly_gross_cents,
        "months": months,
        "start": start,
        "working_time_percent": working_time_percent,
    }
    return _remembered(
        inputs | {"employer": employer.as_dict()} | options,
        lambda: _openfisca_cost(system, employer, options, **inputs),
    )


# An estimate is kept by everything it depends on: its inputs, the employer's settings, the
# engine's version and the day (the law applied is what that version knows that day). In
# Django's cache, so every process and the worker share it; a new day or a new version
# is a new key, and yesterday's entries simply expire.
ESTIMATE_CACHE_SECONDS = 24 * 60 * 60
ESTIMATE_CACHE_FORMAT = 1  # raised whenever `CostEstimate` changes shape


def estimate_key(inputs: dict[str, Any]) -> str:
    """The cache key of an estimate: a digest of its inputs, the engine version and today."""
    described = inputs | {
        "engine_version": openfisca_version(),
        "legislation_date": date.today(),
        "format": ESTIMATE_CACHE_FORMAT,
    }
    text = json.dumps(described, sort_keys=True, default=str)
    return "payroll-estimate:" + hashlib.sha256(text.encode()).hexdigest()


def _remembered(inputs: dict[str, Any], compute) -> "CostEstimate":
    from django.core.cache import cache

    key = estimate_key(inputs)
    estimate = cache.get(key)
    if estimate is None:
        estimate = compute()
        cache.set(key, estimate, ESTIMATE_CACHE_SECONDS)
    return estimate


ESTIMATE_QUEUED_SECONDS = 60  # asked of the worker once a minute at most: no duplicates queue
FAILURE_SECONDS = 60  # a failure is shown that long, then asking again tries anew
_QUEUED = "payroll-estimate-queued:"
_FAILED = "payroll-estimate-failed:"


class EstimatePending(Exception):
    """An OpenFisca estimate not in the cache yet: `arguments` (plain JSON values) are what
    `compute_estimate` needs to compute it in the worker."""

    def __init__(self, key: str, arguments: dict[str, Any]):
        super().__init__(key)
        self.key = key
        self.arguments = arguments

    def claim(self) -> bool:
        """Whether the caller is the first to ask for it lately, and so the one to queue it:
        a page that polls asks again every second, and one computation answers them all."""
        from django.core.cache import cache

        return cache.add(_QUEUED + self.key, True, ESTIMATE_QUEUED_SECONDS)

    def release(self) -> None:
        """Give up a claim without queueing: the next to ask may queue it."""
        from django.core.cache import cache

        cache.delete(_QUEUED + self.key)


def _remembered_or_pending(arguments: dict[str, Any]) -> "CostEstimate":
    """The estimate from the cache; its failure in words; or `EstimatePending`."""
    from django.core.cache import cache

    key = estimate_key(arguments)
    estimate = cache.get(key)
    if estimate is not None:
        return estimate
    failure = cache.get(_FAILED + key)
    if failure is not None:
        raise ValueError(_unpriced() if failure == "unpriced" else _failed())
    raise EstimatePending(key, arguments)


def compute_estimate(arguments: dict[str, Any]) -> None:
    """Compute the estimate `EstimatePending` named into the cache (the worker's part); a
    failure is kept a minute instead, so the page that waits for it shows it in words."""
    from django.core.cache import cache

    values = dict(arguments)
    values["start"] = date.fromisoformat(values["start"])
    values["employer"] = Employer.from_dict(values["employer"])
    try:
        estimate = salaried_cost(**values)
    except Exception as error:
        failure = "unpriced" if isinstance(error, ValueError) else "failed"
        cache.set(_FAILED + estimate_key(arguments), failure, FAILURE_SECONDS)
        raise
    # An engine that could not be built answers with the plain ratios and caches nothing:
    # keep that answer a minute, as the request would have given it, so no page waits for
    # ever (an OpenFisca estimate already cached is kept).
    cache.add(estimate_key(arguments), estimate, FAILURE_SECONDS)


def _failed() -> str:
    return _(
        "Le coût n'a pas pu être calculé. Réessayez dans un moment ; si cela recommence, "
        "prévenez les responsables de la coopérative."
    )


def _openfisca_cost(
    system: Any,
    employer: Employer,
    options: dict[str, bool],
    *,
    contract: Contract,
    monthly_net_cents: int | None,
    monthly_gross_cents: int | None,
    months: int,
    start: date,
    working_time_percent: int,
) -> "CostEstimate":
    pay = monthly_net_cents if monthly_gross_cents is None else monthly_gross_cents
    periods, fractions = _calendar(start, months)
    situation = _Situation(contract, working_time_percent, employer, **options)
    try:
        if monthly_gross_cents is None:
            gross = _gross_for_net(system, situation, date(start.year, start.month, 1), pay)
        else:
            gross = pay
        if start.day > 1:
            situation = dataclasses.replace(
                situation, first_day=start, last_day=_last_day(start, months)
            )
        return _simulate_contract(system, situation, periods, gross, fractions)
    except AttributeError as error:
        # OpenFisca's ParameterNotFoundError: a rate missing for one of these months.
        if type(error).__name__ != "ParameterNotFoundError":
            raise
        raise ValueError(_unpriced()) from error


def _unpriced() -> str:
    return _(
        "Le moteur de paie ne connaît les taux qu'à partir de %(first)s : "
        "choisissez une date de début en %(first)s ou après."
    ) % {"first": FIRST_PRICED_YEAR}


FURTHEST_START_YEARS = 10  # further ahead is a typing slip: no calendar or payroll goes there


def check_start(start: date, country: str = "FR") -> None:
    """Refuse a start the OpenFisca engine has no rates for (ratios price any year), or
    one more than `FURTHEST_START_YEARS` ahead."""
    if country.upper() == "FR" and openfisca_version() and start.year < FIRST_PRICED_YEAR:
        raise ValueError(_unpriced())
    if start.year > date.today().year + FURTHEST_START_YEARS:
        raise ValueError(
            _("Une mission commence dans les %(years)s prochaines années.")
            % {"years": FURTHEST_START_YEARS}
        )


def ratio_cost(
    *,
    contract: Contract,
    monthly_net_cents: int | None = None,
    monthly_gross_cents: int | None = None,
    months: int,
    start: date,
    working_time_percent: int = 100,
    net_ratio: Decimal = DEFAULT_NET_RATIO,
    employer_ratio: Decimal = DEFAULT_EMPLOYER_RATIO,
    employer: Employer | None = None,
    cadre: bool = False,
    paid_leave_taken: bool = False,
    end_of_contract_due: bool = True,
) -> CostEstimate:
    """Full cost by plain ratios: gross = net / net_ratio, cost = gross paid × employer_ratio
    (the ratios stand for every contribution: the employer's own rates do not enter)."""
    employer = employer or Employer()
    options = {
        "cadre": cadre,
        "paid_leave_taken": paid_leave_taken,
        "end_of_contract_due": end_of_contract_due,
    }
    pay = _check(contract, monthly_net_cents, monthly_gross_cents, months, working_time_percent)
    net_ratio, employer_ratio = Decimal(net_ratio), Decimal(employer_ratio)
    if not 0 < net_ratio <= 1:
        raise ValueError(_("Le ratio net / brut doit être compris entre 0 et 1."))
    if employer_ratio < 1:
        raise ValueError(_("Le ratio coût employeur / brut ne peut pas être inférieur à 1."))
    if monthly_gross_cents is None:
        gross, net = _round(pay / net_ratio), pay
    else:
        gross, net = pay, _round(pay * net_ratio)
    periods, fractions = _calendar(start, months)
    salaries = [_round(gross * fraction) for fraction in fractions]
    end_of_contract, paid_leave = _indemnities(
        _Situation(contract, working_time_percent, employer, **options),
        sum(salaries),
        len(periods),
    )
    rows = []
    for index, month in enumerate(periods):
        extra = end_of_contract[index] + paid_leave[index]
        salary = salaries[index]
        cost = _round((salary + extra) * employer_ratio)
        rows.append(
            MonthCost(
                month=month,
                gross_cents=salary,
                end_of_contract_cents=end_of_contract[index],
                paid_leave_cents=paid_leave[index],
                net_cents=_round(net * fractions[index]) + _round(extra * net_ratio),
                employer_contributions_cents=cost - salary - extra,
                employer_cost_cents=cost,
            )
        )
    costs = [row.employer_cost_cents for row in rows]
    cash = [_round(salary * employer_ratio) for salary in salaries[:-1]]
    return CostEstimate(
        contract,
        working_time_percent,
        gross,
        net,
        tuple(rows),
        RATIOS,
        "",
        cash_cents=(*cash, sum(costs) - sum(cash)),
        employer=employer,
        options=options,
        computed_on=date.today(),
    )


def openfisca_version() -> str | None:
    """The installed OpenFisca-France version, or None where it is not installed."""
    try:
        return importlib.metadata.version("OpenFisca-France")
    except importlib.metadata.PackageNotFoundError:
        return None


# OpenFisca-France takes seconds to import and build (about 7 s here): once per process,
# at start where the process serves (`warm_up`), so no estimate waits for it.
_system_lock = threading.Lock()
_system: list[Any] = []
_settled = threading.Event()  # the load has finished, loaded or failed
_warm_up_lock = threading.Lock()
_warm_up_thread: threading.Thread | None = None
REQUEST_WAIT_SECONDS = 0.5  # a request waits at most this for a loading engine
loads = 0  # how many times this process built the system: once (tests count it)
logger = logging.getLogger(__name__)


def _tax_benefit_system() -> Any | None:
    """The French tax-benefit system, built once per process; None without OpenFisca."""
    global loads
    with _system_lock:
        if not _system:
            loads += 1
            _system.append(_build())
            _settled.set()
        return _system[0]


def _build() -> Any | None:
    try:
        from openfisca_france import CountryTaxBenefitSystem
    except ImportError:
        return None
    system = CountryTaxBenefitSystem()
    # The first simulation still pays about 0.8 s of OpenFisca's lazy set-up (measured):
    # one here, so the first estimate a person asks for costs what the later ones do.
    situation = _Situation("cdd", 100)
    january = date(date.today().year, 1, 1)
    gross = _gross_for_net(system, situation, january, 200_000)
    _simulate_contract(system, situation, month_starts(january, 12), gross)
    return system


def _load_in_background() -> None:
    try:
        _tax_benefit_system()
    except Exception:
        # The next estimate loads it again in the request and shows the error there.
        logger.exception("The payroll engine failed to load")
    finally:
        _settled.set()


def warm_up() -> threading.Thread | None:
    """Start loading the engine in a background thread (at most one); None once loaded."""
    global _warm_up_thread
    with _warm_up_lock:
        if _settled.is_set():
            return None
        if _warm_up_thread is None or not _warm_up_thread.is_alive():
            _warm_up_thread = threading.Thread(
                target=_load_in_background, name="payroll-warm-up", daemon=True
            )
            _warm_up_thread.start()
        return _warm_up_thread


def engine_ready(wait: float = 0) -> bool:
    """Whether an estimate can start at once; if not, load the engine and wait up to `wait` s."""
    if _settled.is_set():
        return True
    warm_up()
    return _settled.wait(wait)


def _after_fork_in_child() -> None:
    # A server that forks its workers mid-load leaves the child a lock held by a thread
    # that does not exist there: start afresh, keeping a system already built.
    global _system_lock, _warm_up_lock, _warm_up_thread, _settled
    _system_lock, _warm_up_lock, _warm_up_thread = threading.Lock(), threading.Lock(), None
    if not _system:
        _settled = threading.Event()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _check(
    contract: str,
    net: int | None,
    gross: int | None,
    months: int,
    working_time_percent: int,
) -> int:
    if contract not in CONTRACT_LABELS:
        raise ValueError(_("Le contrat doit être un CDD ou un CDI."))
    if (net is None) == (gross is None):
        raise ValueError(_("Indiquez soit le salaire net mensuel, soit le brut, pas les deux."))
    pay = net if gross is None else gross
    if not is_whole_cents(pay):
        raise ValueError(_("Le salaire s’exprime en un nombre entier de centimes."))
    if pay <= 0:
        raise ValueError(_("Le salaire mensuel doit être positif."))
    if pay > MAX_MONTHLY_CENTS:
        raise ValueError(_("Le salaire mensuel dépasse 100 000 € : vérifiez le montant."))
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise ValueError(
            _("La durée doit être comprise entre 1 et %(max)d mois.") % {"max": MAX_MONTHS}
        )
    if (
        isinstance(working_time_percent, bool)
        or not isinstance(working_time_percent, int)
        or not 1 <= working_time_percent <= 100
    ):
        raise ValueError(_("Le temps de travail doit être compris entre 1 et 100 %."))
    return pay


def _calendar(start: date, months: int) -> tuple[list[date], list[Decimal]]:
    """The calendar months a contract touches, and the share of a whole month's pay each
    one earns: 1, but for a first and a last month begun or left mid-month, paid for the
    working days they hold."""
    first = date(start.year, start.month, 1)
    if start.day == 1:
        return month_starts(first, months), [Decimal(1)] * months
    periods = month_starts(first, months + 1)
    last_day = _last_day(start, months)
    fractions = [Decimal(1)] * (months + 1)
    fractions[0] = _working_share(start, _month_end(first), first)
    fractions[-1] = _working_share(periods[-1], last_day, periods[-1])
    return periods, fractions


def _last_day(start: date, months: int) -> date:
    """The contract's last day: the day before the same date `months` months later."""
    first = month_starts(date(start.year, start.month, 1), months + 1)[-1]
    same_day = first.replace(day=min(start.day, _month_end(first).day))
    return same_day - timedelta(days=1)


def _month_end(first: date) -> date:
    return month_starts(first, 2)[1] - timedelta(days=1)


def _working_share(begin: date, end: date, month: date) -> Decimal:
    """Working days (Monday to Friday) from `begin` to `end`, over those of the month."""
    worked = _working_days(begin, end)
    return Decimal(worked) / Decimal(_working_days(month, _month_end(month)))


def _working_days(begin: date, end: date) -> int:
    return sum(
        (begin + timedelta(days=offset)).weekday() < 5 for offset in range((end - begin).days + 1)
    )


def _allocate(total: int, weights: list[int]) -> list[int]:
    """`total` in shares proportional to `weights`; the odd cents to the last months."""
    whole = sum(weights)
    if not whole:
        return _spread(total, len(weights))
    shares = [total * weight // whole for weight in weights]
    odd = total - sum(shares)
    for index in range(len(shares) - odd, len(shares)):
        shares[index] += 1
    return shares


def _round(value: Decimal | int) -> int:
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _cents(value: Any) -> int:
    """An OpenFisca amount in euros (a float32) → integer cents."""
    return _round(Decimal(repr(float(value))) * 100)


def _indemnities(
    situation: "_Situation", total_gross: int, shares: int
) -> tuple[list[int], list[int]]:
    """The end-of-contract and paid-leave indemnities of a CDD whose salaries come to
    `total_gross`, as `shares` even shares (the last months' of the contract)."""
    if situation.contract != "cdd":
        return [0] * shares, [0] * shares
    end_of_contract = 0
    if situation.end_of_contract_due:
        end_of_contract = _round(total_gross * situation.employer.end_of_contract_rate)
    paid_leave = 0
    if not situation.paid_leave_taken:
        paid_leave = _round((total_gross + end_of_contract) * PAID_LEAVE_RATE)
    return _spread(end_of_contract, shares), _spread(paid_leave, shares)


def _spread(total: int, months: int) -> list[int]:
    """Even shares in cents; the odd cents go to the last months, when it is paid."""
    share, odd = divmod(total, months)
    return [share + (index >= months - odd) for index in range(months)]


@dataclass(frozen=True)
class _Situation:
    contract: str
    working_time_percent: int
    employer: Employer = Employer()
    cadre: bool = False
    paid_leave_taken: bool = False
    end_of_contract_due: bool = True
    first_day: date | None = None  # a contract begun mid-month: OpenFisca prorates its SMIC
    last_day: date | None = None

    def set_inputs(self, simulation: Any, period: str, count: int) -> None:
        import numpy

        employer = self.employer
        if self.first_day is not None:
            for name, day in (
                ("contrat_de_travail_debut", self.first_day),
                ("contrat_de_travail_fin", self.last_day),
            ):
                simulation.set_input(name, period, numpy.full(count, numpy.datetime64(day)))
        simulation.set_input("contrat_de_travail_type", period, numpy.full(count, self.contract))
        simulation.set_input(
            "effectif_entreprise", period, numpy.full(count, max(1, employer.headcount))
        )
        if self.cadre:
            simulation.set_input("categorie_salarie", period, numpy.full(count, "prive_cadre"))
        if employer.accident_rate is not None:
            rate = float(employer.accident_rate)
            simulation.set_input("taux_accident_travail", period, numpy.full(count, rate))
        if employer.alsace_moselle:
            simulation.set_input("salarie_regime_alsace_moselle", period, numpy.full(count, True))
        if self.working_time_percent < 100:
            hours = _full_time_hours(simulation.tax_benefit_system, period)
            simulation.set_input("contrat_de_travail", period, numpy.full(count, "temps_partiel"))
            simulation.set_input(
                "heures_remunerees_volume",
                period,
                numpy.full(count, hours * self.working_time_percent / 100),
            )


_hours_cache: dict[tuple[int, str], float] = {}


def _full_time_hours(system: Any, period: str) -> float:
    """The legal monthly hours of a full time: OpenFisca rebuilds its whole parameter
    tree for each date asked (about 0.1 s), so each month's figure is kept."""
    key = (id(system), period)
    if key not in _hours_cache:
        parameters = system.parameters(period)
        _hours_cache[key] = parameters.marche_travail.salaire_minimum.smic.nb_heures_travail_mensuel
    return _hours_cache[key]


def _period(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def _nets(system: Any, situation: _Situation, month: date, grosses: list[int]) -> list[int]:
    """The month's net for several candidate gross salaries, in one vectorised simulation."""
    import numpy
    from openfisca_core.simulation_builder import SimulationBuilder

    simulation = SimulationBuilder().build_default_simulation(system, len(grosses))
    period = _period(month)
    situation.set_inputs(simulation, period, len(grosses))
    simulation.set_input("salaire_de_base", period, numpy.array(grosses) / 100)
    return [_cents(net) for net in simulation.calculate("salaire_net", period)]


def _gross_for_net(system: Any, situation: _Situation, month: date, net: int) -> int:
    """The smallest gross (cents) whose net is the net asked: a vectorised bisection."""
    # Net grows with gross by less than one cent per cent of gross, so every net in cents
    # is reached; 40 candidates per simulation shrink the bracket 40-fold each round.
    low, high = net - 1, 2 * net  # net(low) < net asked; contributions never take half
    for _round_number in range(12):
        if high - low <= 1:
            return high
        step = max(1, (high - low) // 40)
        candidates = list(range(low + step, high, step)) + [high]
        for candidate, candidate_net in zip(
            candidates, _nets(system, situation, month, candidates), strict=True
        ):
            if candidate_net >= net:
                high = candidate
                break
            low = candidate
        else:
            low, high = high, 2 * high  # not bracketed: widen and go on
    raise RuntimeError(f"no gross salary found for a net of {net} cents")  # pragma: no cover


def _simulate_contract(
    system: Any,
    situation: _Situation,
    months: list[date],
    gross: int,
    fractions: list[Decimal] | None = None,
) -> CostEstimate:
    """Two payslips side by side for every month: with the indemnities spread over the
    last calendar year's months (for the year's réduction générale) and on the salary alone
    (the payslips paid before the last)."""
    import numpy
    from openfisca_core.simulation_builder import SimulationBuilder

    count = len(months)
    salaries = [_round(gross * fraction) for fraction in fractions or [Decimal(1)] * count]
    last_year = [month for month in months if month.year == months[-1].year]
    end_of_contract, paid_leave = _indemnities(situation, sum(salaries), len(last_year))
    before = count - len(last_year)
    end_of_contract, paid_leave = [0] * before + end_of_contract, [0] * before + paid_leave
    simulation = SimulationBuilder().build_default_simulation(system, 2)
    first, last = date(months[0].year, 1, 1), months[-1]
    every_month = month_starts(first, (last.year - first.year) * 12 + last.month)
    for month in every_month:  # the months before the contract count for the relief
        situation.set_inputs(simulation, _period(month), 2)
    mutuelle = -situation.employer.mutuelle_cents / 100  # OpenFisca counts a charge < 0
    for index, month in enumerate(months):
        period = _period(month)
        # The paid-leave indemnity is salary to every contribution; OpenFisca's own
        # variable for it only reaches the contribution base (not the CSG, the net nor
        # the cost), so it goes in with the salary.
        salary = salaries[index]
        for name, cents in (
            ("salaire_de_base", [salary + paid_leave[index], salary]),
            ("indemnite_fin_contrat", [end_of_contract[index], 0]),
        ):
            simulation.set_input(name, period, numpy.array(cents) / 100)
        if mutuelle:
            simulation.set_input("complementaire_sante_employeur", period, numpy.full(2, mutuelle))

    # The réduction générale of a month deducts the year's earlier months, and OpenFisca
    # silently counts an earlier month as zero when it is first reached from a later one
    # (its "spiral" guard): so compute every month in order, from each January on.
    costs, payslips, nets = [], [], []
    for month in every_month:
        period = _period(month)
        # some formulas divide by a zero salary in the months before the contract
        with numpy.errstate(divide="ignore", invalid="ignore"):
            if month < months[0]:  # only the relief reads them, in order
                simulation.calculate("allegement_general", period)
                continue
            super_gross = simulation.calculate("salaire_super_brut", period)
            net = simulation.calculate("salaire_net", period)
        index = len(costs)
        paid = [salaries[index] + end_of_contract[index] + paid_leave[index], salaries[index]]
        extra = [_own_charges(situation.employer, month, cents) for cents in paid]
        costs.append(_cents(super_gross[0]) + extra[0])
        payslips.append(_cents(super_gross[1]) + extra[1])
        nets.append(_cents(net[0]))
    total = sum(costs)
    # The books spread the cost evenly; the bank pays each payslip, and the last one
    # carries the indemnities and the regularisation of the year's relief.
    accrual = _allocate(total, salaries)
    end_of_contract_shares = _allocate(sum(end_of_contract), salaries)
    paid_leave_shares = _allocate(sum(paid_leave), salaries)
    rows = []
    for index, (month, cost, net) in enumerate(
        zip(months, accrual, _allocate(sum(nets), salaries), strict=True)
    ):
        shares = (end_of_contract_shares[index], paid_leave_shares[index])
        rows.append(
            MonthCost(
                month=month,
                gross_cents=salaries[index],
                end_of_contract_cents=shares[0],
                paid_leave_cents=shares[1],
                net_cents=net,
                employer_contributions_cents=cost - salaries[index] - sum(shares),
                employer_cost_cents=cost,
            )
        )
    cash = payslips[:-1]
    return CostEstimate(
        contract=situation.contract,
        working_time_percent=situation.working_time_percent,
        monthly_gross_cents=gross,
        monthly_net_cents=_nets(
            system, dataclasses.replace(situation, first_day=None), months[0], [gross]
        )[0],
        months=tuple(rows),
        engine=OPENFISCA,
        engine_version=openfisca_version() or "",
        cash_cents=(*cash, total - sum(cash)),
        employer=situation.employer,
        options={
            "cadre": situation.cadre,
            "paid_leave_taken": situation.paid_leave_taken,
            "end_of_contract_due": situation.end_of_contract_due,
        },
        computed_on=date.today(),
    )


def _own_charges(employer: Employer, month: date, gross_paid: int) -> int:
    """What OpenFisca leaves out of the cost: the versement mobilité (its own table, read
    here, since its variable stays at zero in this version) and the prévoyance, with the
    forfait social on it from 11 staff."""
    mobility = 0
    if employer.headcount >= MOBILITY_HEADCOUNT:
        mobility = _round(gross_paid * mobility_rate(employer.commune, month))
    prevoyance = Decimal(gross_paid) * employer.prevoyance_rate
    if employer.headcount >= FORFAIT_SOCIAL_HEADCOUNT:
        prevoyance *= 1 + FORFAIT_SOCIAL_RATE
    return mobility + _round(prevoyance)


MOBILITY_HEADCOUNT = 11  # art. L2333-64 of the CGCT, as OpenFisca's parameter since 2016


def mobility_rate(commune: str, month: date) -> Decimal:
    """The versement mobilité rate of a commune (INSEE code) for a month, from
    OpenFisca-France's own table; zero without it or outside any transport authority."""
    table = _mobility_table()
    rates = table.get(commune) or {}
    total = Decimal(0)
    for authority in ("aot", "smt"):
        dated = (rates.get(authority) or {}).get("taux", {})
        known = [day for day in dated if day <= month.isoformat()]
        if known:
            total += Decimal(dated[max(known)])
    return total / 100


def commune_exists(commune: str) -> bool:
    """Whether an INSEE code names a French commune (OpenFisca-France's lists of them);
    any five-character code passes where OpenFisca is not installed."""
    if len(commune) != 5 or not commune.isalnum():
        return False
    communes = _communes()
    return commune in communes if communes else True


_asset_cache: dict[str, Any] = {}


def _asset(name: str) -> str | None:
    try:
        from openfisca_france.france_taxbenefitsystem import COUNTRY_DIR
    except ImportError:
        return None
    return os.path.join(COUNTRY_DIR, "assets", name)


def _mobility_table() -> dict[str, Any]:
    if "mobility" not in _asset_cache:
        path = _asset("versement_transport/taux.json")
        table = {}
        if path and os.path.exists(path):
            with open(path, encoding="utf-8") as data:
                table = json.load(data)
        _asset_cache["mobility"] = table
    return _asset_cache["mobility"]


def _communes() -> frozenset[str]:
    if "communes" not in _asset_cache:
        import csv
        import glob

        codes = set(_mobility_table())
        folder = _asset("zonage-communes")
        for path in sorted(glob.glob(os.path.join(folder, "*.csv"))) if folder else []:
            with open(path, encoding="utf-8") as data:
                codes.update(row["CODGEO"] for row in csv.DictReader(data, delimiter=";"))
        _asset_cache["communes"] = frozenset(codes)
    return _asset_cache["communes"]


def check_employer(employer: Employer) -> None:
    """Refuse settings no notification or agreement could give, in words."""
    rate = employer.accident_rate
    if rate is not None and not 0 <= rate <= MAX_ACCIDENT_RATE:
        raise ValueError(
            _("Le taux AT/MP est compris entre 0 et %(max)s %%.")
            % {"max": int(MAX_ACCIDENT_RATE * 100)}
        )
    if employer.commune and not commune_exists(employer.commune):
        raise ValueError(_("Aucune commune ne porte ce code INSEE."))
    if not 0 <= employer.prevoyance_rate <= MAX_PREVOYANCE_RATE:
        raise ValueError(_("Le taux de prévoyance est compris entre 0 et 20 %."))
    if not Decimal(0) <= employer.end_of_contract_rate <= END_OF_CONTRACT_RATE:
        raise ValueError(_("L'indemnité de fin de contrat est comprise entre 0 et 10 %."))
    if not is_whole_cents(employer.mutuelle_cents) or not 0 <= employer.mutuelle_cents <= 100_000:
        raise ValueError(_("La part employeur de la mutuelle est comprise entre 0 et 1 000 €."))
