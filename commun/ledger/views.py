"""The treasury's pages: public accounts, transactions and downloads; officers' bookings.

Every figure on the public pages comes from `MonthlyTotal` (a dozen rows per account and
year) and every list pages by transaction number, so a page costs the same with a hundred
transactions or a million.
"""

import datetime
import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from commun.core.replica import public_read
from commun.ledger import chart, closing, imports, rules
from commun.ledger.forms import CloseForm, EntryForm, ImportForm, TransactionFilter
from commun.ledger.models import (
    Account,
    Books,
    FiscalYear,
    MonthlyTotal,
    Posting,
    Receipt,
    Transaction,
)
from commun.lib import charts
from commun.lib.csvstream import csv_response, plain_euros
from commun.lib.forms import add_model_errors
from commun.lib.money import format_cents
from commun.lib.paging import Listing, Pager
from commun.members.models import Cooperative
from commun.members.rules import officer_required

PAGE_SIZE = 50
# A filter by nature scans transactions: past this many, ask for a month too.
KIND_COUNT_LIMIT = 2000
EXPORT_CHUNK = 2000


def _selected_year(request: HttpRequest) -> int:
    """The year asked for, else the current one: never the latest year with a transaction,
    which one mistyped date would hold for good."""
    today = timezone.localdate().year
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return today
    return year if 1900 <= year <= 9999 else today


# Public pages ------------------------------------------------------------------------------


@public_read
def public(request: HttpRequest) -> HttpResponse:
    """The public accounts: the reserve, the funds, and the year's income and spending."""
    accounts, balances = Account.objects.with_balances()
    names = {a.code: a.readable_name for a in accounts}
    years = MonthlyTotal.objects.years()
    year = _selected_year(request)
    activity = MonthlyTotal.objects.year_activity(year, accounts)
    income = sorted(activity["income"].items(), key=lambda item: -item[1])
    spending = sorted(activity["spending"].items(), key=lambda item: -item[1])
    months = [str(MONTHS_3[m]).capitalize() for m in range(1, 13)]
    by_category_income = charts.bar_chart(
        "recettes",
        _("Recettes %(year)s par nature") % {"year": year},
        [f"{names[code]} ({code})" for code, _c in income],
        [cents for _code, cents in income],
        format_value=format_cents,
        label_header=_("Nature"),
        value_header=_("Montant"),
        css_class="chart-series-1",
    )
    by_category_spending = charts.bar_chart(
        "depenses",
        _("Dépenses %(year)s par nature") % {"year": year},
        [f"{names[code]} ({code})" for code, _c in spending],
        [cents for _code, cents in spending],
        format_value=format_cents,
        label_header=_("Nature"),
        value_header=_("Montant"),
        css_class="chart-series-2",
    )
    by_month = charts.column_chart(
        "mois",
        _("Recettes et dépenses %(year)s par mois") % {"year": year},
        months,
        [
            charts.Series(_("Recettes"), activity["income_months"], "chart-series-1"),
            charts.Series(_("Dépenses"), activity["spending_months"], "chart-series-2"),
        ],
        format_value=format_cents,
        label_header=_("Mois"),
    )
    fiscal_years = list(FiscalYear.objects.order_by("-year")[:20])
    return render(
        request,
        "ledger/public.html",
        {
            "summary": Account.objects.summary((accounts, balances)),
            "year": year,
            "years": years if year in years else sorted({*years, year}, reverse=True),
            "activity": activity,
            "charts": [by_month, by_category_income, by_category_spending],
            "result_cents": activity["income_total"] - activity["spending_total"],
            "fiscal_years": fiscal_years,
            "closed": {fy.year: fy for fy in fiscal_years}.get(year),
            "is_officer": rules.is_officer(request.user),
        },
    )


@public_read
def accounts(request: HttpRequest) -> HttpResponse:
    """Every account of the chart with its debits, credits and balance."""
    rows = MonthlyTotal.objects.values("account_id").annotate(
        debit=Sum("debit_cents"), credit=Sum("credit_cents")
    )
    totals = {row["account_id"]: row for row in rows.order_by()}
    listed = []
    for account in Account.objects.all():
        row = totals.get(account.pk, {"debit": 0, "credit": 0})
        account.debit_cents, account.credit_cents = row["debit"], row["credit"]
        account.balance_cents = row["debit"] - row["credit"]
        account.credit_balance_cents = -account.balance_cents
        listed.append(account)
    return render(
        request,
        "ledger/accounts.html",
        {"accounts": listed, "is_officer": rules.is_officer(request.user)},
    )


def _filtered(filters: TransactionFilter) -> tuple[Listing, str]:
    """The transactions the filters keep, newest first, and a Listing cheap to page."""
    books = Books.objects.filter(pk=1).first()
    total = books.last_transaction_number if books else 0
    queryset = Transaction.objects.order_by("-number")
    if not filters.is_valid():
        return Listing(queryset, count=total, numbered="-number"), ""
    code, month, kind = (filters.cleaned_data[k] for k in ("account", "month", "kind"))
    if not (code or month or kind):
        return Listing(queryset, count=total, numbered="-number"), ""
    count = None
    if month:
        after = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        queryset = queryset.filter(date__gte=month, date__lt=after)
    if code:
        account = Account.objects.get(code=code)
        queryset = queryset.filter(
            Exists(Posting.objects.filter(transaction=OuterRef("pk"), account=account))
        )
        lines = MonthlyTotal.objects.filter(account=account)
        if month:
            lines = lines.filter(month=month)
        # One line per account and transaction, as every form and import books them.
        count = lines.aggregate(total=Sum("count"))["total"] or 0
    if kind == "income":
        queryset = queryset.filter(
            Exists(
                Posting.objects.filter(transaction=OuterRef("pk"), account__code__startswith="7")
            )
        )
    elif kind == "expense":
        queryset = queryset.filter(
            Exists(
                Posting.objects.filter(transaction=OuterRef("pk"), account__code__startswith="6")
            )
        )
    elif kind == "reversal":
        queryset = queryset.filter(reverses__isnull=False)
    if kind:
        return Listing(queryset, count_at_most=KIND_COUNT_LIMIT), filters.data.urlencode()
    return Listing(queryset, count=count), filters.data.urlencode()


@public_read
def transactions(request: HttpRequest) -> HttpResponse:
    """Every transaction, newest first, with its lines, filtered by account, month or nature."""
    data = request.GET.copy()
    data.pop("page", None)
    filters = TransactionFilter(data or None)
    listing, query_string = _filtered(filters)
    pager = Pager(listing, PAGE_SIZE, allow_empty_first_page=True)
    page = pager.get_page(request.GET.get("page"))
    page.object_list = Transaction.objects.with_lines(list(page.object_list))
    return render(
        request,
        "ledger/transactions.html",
        {
            "filters": filters,
            "page": page,
            "query_string": query_string,
            "more": listing.more,
            "kind_limit": KIND_COUNT_LIMIT,
            "is_officer": rules.is_officer(request.user),
        },
    )


@public_read
def transaction_detail(request: HttpRequest, number: int) -> HttpResponse:
    booked = get_object_or_404(
        Transaction.objects.select_related("reverses").prefetch_related(
            Prefetch("postings", Posting.objects.select_related("account").order_by("pk"))
        ),
        number=number,
    )
    reversed_by = Transaction.objects.filter(reverses=booked).first()
    officer = rules.is_officer(request.user)
    postings = list(booked.postings.all())
    for posting in postings:
        posting.credit_cents = -posting.amount_cents
    return render(
        request,
        "ledger/transaction.html",
        {
            "transaction": booked,
            "postings": postings,
            "reversed_by": reversed_by,
            "receipts": list(booked.receipts.all())
            if rules.may(request.user, "read_receipts")
            else [],
            "is_officer": officer,
        },
    )


# Downloads ---------------------------------------------------------------------------------


def _postings_in_order(request: HttpRequest):
    """Every posting with its transaction, in booking order, read in chunks; and the accounts."""
    names = dict(Account.objects.values_list("pk", "code"))
    titles = dict(Account.objects.values_list("code", "name"))
    rows = Posting.objects.order_by("transaction_id", "pk").values_list(
        "transaction__number",
        "transaction__date",
        "transaction__label",
        "transaction__reverses__number",
        "account_id",
        "amount_cents",
    )
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year:
        rows = rows.filter(transaction__date__year=year)
    return rows.iterator(chunk_size=EXPORT_CHUNK), names, titles


@public_read
def transactions_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Every posting as a CSV row, streamed in constant memory."""
    rows, codes, names = _postings_in_order(request)
    header = [
        _("N° d'écriture"),
        _("Date"),
        _("Libellé"),
        _("Compte"),
        _("Intitulé du compte"),
        _("Débit (€)"),
        _("Crédit (€)"),
        _("Contrepasse l'écriture n°"),
    ]

    def lines():
        for number, date, label, reverses, account_id, cents in rows:
            code = codes[account_id]
            yield [
                number,
                date.isoformat(),
                label,
                code,
                names[code],
                plain_euros(cents) if cents > 0 else "",
                plain_euros(-cents) if cents < 0 else "",
                reverses or "",
            ]

    return csv_response(header, lines(), "ecritures.csv")


@public_read
def transactions_json(request: HttpRequest) -> StreamingHttpResponse:
    """Every transaction with its postings as one JSON array, streamed in constant memory."""
    rows, codes, _names = _postings_in_order(request)

    def entries():
        current = None
        for number, date, label, reverses, account_id, cents in rows:
            if current is None or current["number"] != number:
                if current is not None:
                    yield current
                current = {
                    "number": number,
                    "date": date.isoformat(),
                    "label": label,
                    "reverses": reverses,
                    "postings": [],
                }
            current["postings"].append({"account": codes[account_id], "amount_cents": cents})
        if current is not None:
            yield current

    def chunks():
        yield "["
        for index, entry in enumerate(entries()):
            yield ("," if index else "") + "\n" + json.dumps(entry, ensure_ascii=False)
        yield "\n]\n"

    response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ecritures.json"'
    return response


# Officers ----------------------------------------------------------------------------------


@officer_required
@require_http_methods(["GET", "POST"])
def record_entry(request: HttpRequest, direction: str) -> HttpResponse:
    """Book one income or one expense, with its receipt; a double submit books once."""
    form = EntryForm(direction, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booked = Transaction.objects.record_income_or_expense(
                direction,
                data["date"],
                data["label"],
                data["nature"],
                data["amount"],
                idempotency_key=data["idempotency_key"],
                vat_rate=data["vat_rate"] or "",
                via=data["via"],
                receipt=data["receipt"],
                by=request.user,
            )
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(
                request,
                _("Écriture n°%(number)s enregistrée.") % {"number": booked.number},
            )
            return redirect("ledger:transaction", number=booked.number)
    title = _("Saisir une recette") if direction == "income" else _("Saisir une dépense")
    return render(
        request,
        "ledger/entry.html",
        {"form": form, "title": title, "direction": direction},
        status=422 if form.is_bound and form.errors else 200,
    )


@officer_required
@require_http_methods(["GET", "POST"])
def import_statement(request: HttpRequest) -> HttpResponse:
    """A bank statement: checked whole and previewed, then booked whole on confirmation."""
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["csv"]
        try:
            if "confirm" in request.POST:
                booked = imports.book(text, by=request.user)
                messages.success(
                    request,
                    ngettext(
                        "%(count)s écriture importée, la n°%(first)s.",
                        "%(count)s écritures importées, de la n°%(first)s à la n°%(last)s.",
                        len(booked),
                    )
                    % {"count": len(booked), "first": booked[0].number, "last": booked[-1].number},
                )
                return redirect("ledger:transactions")
            lines = imports.preview(text, by=request.user)
        except imports.ImportRefused as refused:
            context["line_errors"] = refused.line_errors
            status = 422
        else:
            context["lines"] = lines
            context["csv"] = text
            context["total_in"] = sum(line.cents for line in lines if line.cents > 0)
            context["total_out"] = -sum(line.cents for line in lines if line.cents < 0)
    elif form.is_bound:
        status = 422
    return render(request, "ledger/import.html", context, status=status)


@officer_required
@require_http_methods(["GET", "POST"])
def fiscal_years(request: HttpRequest) -> HttpResponse:
    """Closed years, and the close of the next one with its allocation."""
    year = closing.next_year_to_close()
    form = numbers = None
    status = 200
    posted_year = request.POST.get("year") if request.method == "POST" else None
    if posted_year and posted_year != str(year):
        # A form for a year closed meanwhile (another tab, another officer) closes nothing.
        if posted_year.isdigit() and FiscalYear.objects.filter(year=int(posted_year)).exists():
            messages.error(request, " ".join(closing.YearAlreadyClosed(posted_year).messages))
        else:
            messages.error(request, _("Aucun exercice terminé n'attend sa clôture."))
        return redirect("ledger:years")
    if year is not None:
        numbers = closing.figures(year)
        form = CloseForm(numbers, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                closed = closing.close_year(
                    year,
                    form.cleaned_data["allocation"],
                    decision_reference=form.cleaned_data["decision_reference"],
                    by=request.user,
                )
            except closing.YearAlreadyClosed as error:
                messages.error(request, " ".join(error.messages))
                return redirect("ledger:years")
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(
                    request, _("L'exercice %(year)s est clos.") % {"year": closed.year}
                )
                return redirect("ledger:years")
        if form.is_bound and form.errors:
            status = 422
    elif request.method == "POST":
        messages.error(request, _("Aucun exercice terminé n'attend sa clôture."))
        return redirect("ledger:years")
    names = {
        code: chart.readable_name(code, name)
        for code, name in Account.objects.values_list("code", "name")
    }
    return render(
        request,
        "ledger/years.html",
        {
            "year": year,
            "numbers": numbers,
            "form": form,
            "balances": sorted(
                ((code, names.get(code, code), -cents) for code, cents in numbers.balances.items()),
            )
            if numbers
            else [],
            "fiscal_years": FiscalYear.objects.select_related(
                "closing_transaction", "allocation_transaction"
            ),
            "allocation_names": closing.ALLOCATION_ACCOUNTS,
            "rule_label": Cooperative.ProfitAllocation(numbers.rule).label if numbers else "",
            "commons_percent": closing.commons_fund_percent(),
        },
        status=status,
    )


def receipt(request: HttpRequest, pk: int) -> FileResponse:
    """A receipt, to officers only: to anyone else it does not exist."""
    if not rules.may(request.user, "read_receipts"):
        raise Http404
    found = get_object_or_404(Receipt, pk=pk)
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=found.original_name, content_type=found.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
