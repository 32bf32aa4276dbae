"""The upstream pages: projects and the fund, what was given, a split; the officers' forms.

Public pages read in a bounded number of queries; officers' actions are POST forms that
work without JavaScript and call the same model methods as the API.
"""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import ExtractYear
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from commun.core.replica import public_read
from commun.ledger import funds
from commun.lib.csvstream import csv_response, plain_euros
from commun.lib.forms import add_model_errors
from commun.lib.ids import MAX_ID
from commun.members.rules import is_officer, officer_required
from commun.upstream.forms import (
    DirectGiftForm,
    PaymentForm,
    ProjectForm,
    SplitForm,
)
from commun.upstream.models import CommonsSplit, Gift, UpstreamProject, commons_fund

GIFTS_PER_PAGE = 50
SPLITS_SHOWN = 20
PLANNED_SHOWN = 100


def _posted(request: HttpRequest):
    """The submitted data, bound even when empty: an empty POST shows what is missing."""
    return request.POST if request.method == "POST" else None


def _paid_gifts():
    return Gift.objects.paid().select_related("project", "transaction").order_by("-paid_on", "-pk")


@public_read
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    paid = Q(gifts__status=Gift.Status.PAID)
    projects = UpstreamProject.objects.annotate(
        given_cents=Sum("gifts__amount_cents", filter=paid),
        gift_count=Count("gifts", filter=paid),
        last_paid_on=Max("gifts__paid_on", filter=paid),
    ).order_by("-is_active", "name")
    splits = (
        CommonsSplit.objects.with_payments()
        .select_related("decision")
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "upstream/index.html",
        {
            "projects": projects,
            "fund": commons_fund(),
            "given_cents": Gift.objects.paid().aggregate(total=Sum("amount_cents"))["total"] or 0,
            "splits": splits[:SPLITS_SHOWN],
            "is_officer": is_officer(request.user),
        },
    )


@public_read
@require_GET
def gifts(request: HttpRequest) -> HttpResponse:
    page = Paginator(_paid_gifts(), GIFTS_PER_PAGE).get_page(request.GET.get("page"))
    years = (
        Gift.objects.paid()
        .annotate(year=ExtractYear("paid_on"))
        .values("year")
        .annotate(total=Sum("amount_cents"), count=Count("pk"))
        .order_by("-year")
    )
    planned = (
        Gift.objects.filter(status=Gift.Status.PLANNED)
        .select_related("project")
        .order_by("pk")[:PLANNED_SHOWN]
    )
    return render(
        request,
        "upstream/gifts.html",
        {
            "page": page,
            "gifts": page.object_list,
            "years": years,
            "planned": planned,
            "fund_cents": funds.commons_fund_cents(),
            "is_officer": is_officer(request.user),
        },
    )


def _export_rows():
    return (
        Gift.objects.paid()
        .order_by("paid_on", "pk")
        .values_list(
            "pk",
            "paid_on",
            "project__name",
            "project__url",
            "amount_cents",
            "split_id",
            "reference",
            "transaction__number",
        )
    )


@public_read
@require_GET
def gifts_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Every paid gift as CSV, streamed in constant memory."""
    header = [
        _("N° du don"),
        _("Date du versement"),
        _("Projet"),
        _("Adresse"),
        _("Montant (€)"),
        _("Répartition n°"),
        _("Décidé par"),
        _("Écriture n°"),
    ]

    def lines():
        for pk, paid_on, name, url, cents, split, reference, number in _export_rows().iterator(
            chunk_size=2000
        ):
            yield [
                pk,
                paid_on.isoformat(),
                name,
                url,
                plain_euros(cents),
                split or "",
                reference,
                number,
            ]

    stamp = timezone.localdate().isoformat()
    return csv_response(header, lines(), f"dons-communs-amont-{stamp}.csv")


@public_read
@require_GET
def gifts_json(request: HttpRequest) -> StreamingHttpResponse:
    """Every paid gift as a JSON list, streamed in constant memory."""

    def chunks():
        yield "["
        for i, (pk, paid_on, name, url, cents, split, reference, number) in enumerate(
            _export_rows().iterator(chunk_size=2000)
        ):
            item = {
                "id": pk,
                "paid_on": paid_on.isoformat(),
                "project": name,
                "project_url": url,
                "amount_cents": cents,
                "split": split,
                "reference": reference,
                "transaction": number,
            }
            yield ("," if i else "") + "\n" + json.dumps(item, ensure_ascii=False)
        yield "\n]\n"

    response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="dons-communs-amont-{stamp}.json"'
    return response


@public_read
@require_GET
def split(request: HttpRequest, pk: int) -> HttpResponse:
    split = get_object_or_404(
        CommonsSplit.objects.with_payments().select_related("decision", "opened_by"),
        pk=min(pk, MAX_ID),
    )
    candidates = split.candidates.select_related("project").order_by("option__position")
    gifts = split.gifts.select_related("project", "transaction", "cancellation").order_by(
        "project__name"
    )
    return render(
        request,
        "upstream/split.html",
        {
            "split": split,
            "candidates": candidates,
            "gifts": gifts,
            "is_officer": is_officer(request.user),
        },
    )


# Officers -----------------------------------------------------------------------------------


@officer_required
def project_create(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        project = form.save()
        messages.success(request, _("Le projet %(name)s est ajouté.") % {"name": project.name})
        return redirect("upstream:index")
    return render(request, "upstream/project_form.html", {"form": form, "project": None})


@officer_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(UpstreamProject, pk=min(pk, MAX_ID))
    form = ProjectForm(_posted(request), instance=project)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Le projet %(name)s est modifié.") % {"name": project.name})
        return redirect("upstream:index")
    return render(request, "upstream/project_form.html", {"form": form, "project": project})


@officer_required
def split_create(request: HttpRequest) -> HttpResponse:
    form = SplitForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            split = CommonsSplit.objects.open(
                request.user,
                amount_cents=form.cleaned_data["amount"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as error:
            add_model_errors(form, error, {"amount_cents": "amount"})
        else:
            messages.success(
                request, _("Le vote est ouvert : les associé·es répartissent leurs points.")
            )
            return redirect(split)
    return render(
        request,
        "upstream/split_form.html",
        {
            "form": form,
            "fund": commons_fund(),
            "projects": UpstreamProject.objects.filter(is_active=True).order_by("name"),
        },
        status=422 if form.errors else 200,
    )


@officer_required
def gift_create(request: HttpRequest) -> HttpResponse:
    form = DirectGiftForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            Gift.objects.plan(
                request.user,
                project=form.cleaned_data["project"],
                amount_cents=form.cleaned_data["amount"],
                reference=form.cleaned_data["reference"],
            )
        except ValidationError as error:
            add_model_errors(form, error, {"amount_cents": "amount"})
        else:
            messages.success(request, _("Le don est prévu : enregistrez son versement."))
            return redirect("upstream:gifts")
    return render(
        request,
        "upstream/gift_form.html",
        {"form": form, "fund": commons_fund()},
        status=422 if form.errors else 200,
    )


def _next(request: HttpRequest, gift: Gift) -> str:
    return gift.split.get_absolute_url() if gift.split_id else reverse("upstream:gifts")


@officer_required
def gift_pay(request: HttpRequest, pk: int) -> HttpResponse:
    gift = get_object_or_404(Gift.objects.select_related("project", "split"), pk=min(pk, MAX_ID))
    form = PaymentForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            gift.pay(
                request.user,
                form.cleaned_data["paid_on"],
                form.cleaned_data["idempotency_key"],
            )
        except ValidationError as error:
            add_model_errors(form, error, {"on": "paid_on"})
        else:
            messages.success(
                request,
                _("Le versement à %(name)s est enregistré (écriture n°%(number)s).")
                % {"name": gift.project.name, "number": gift.transaction.number},
            )
            return redirect(_next(request, gift))
    return render(
        request,
        "upstream/gift_pay.html",
        {"form": form, "gift": gift, "fund_cents": funds.commons_fund_cents()},
        status=422 if form.errors else 200,
    )


@officer_required
@require_POST
def gift_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    gift = get_object_or_404(Gift.objects.select_related("project", "split"), pk=min(pk, MAX_ID))
    try:
        gift.cancel(request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Le don à %(name)s est annulé.") % {"name": gift.project.name})
    return redirect(_next(request, gift))
