"""The officers' pages: applications, the register, repayments, the profile and the roles."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from commun.lib.dates import date_format
from commun.members.models import Application, Cooperative, Member, Repayment, ShareMovement
from commun.members.officer_forms import (
    MOVEMENT_FORMS,
    CategoryFormSet,
    CollegeFormSet,
    PaymentForm,
    ProfileForm,
    RefusalForm,
    ResignationForm,
    kept_and_removed,
)
from commun.members.rules import officer_required
from commun.web import is_htmx

PER_PAGE = 25


def _page_number(request: HttpRequest) -> str:
    return request.POST.get("page") or request.GET.get("page") or "1"


def _url(name: str, **query) -> str:
    query = {key: value for key, value in query.items() if value not in (None, "", "1")}
    return reverse(name) + (f"?{urlencode(query)}" if query else "")


@officer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    awaiting = Member.objects.filter(status=Member.Status.ADMITTED).select_related("category")
    repayments = Repayment.objects.exclude(status=Repayment.Status.PAID)
    return render(
        request,
        "officers/dashboard.html",
        {
            "pending_count": Application.objects.filter(status=Application.Status.PENDING).count(),
            "awaiting_count": awaiting.count(),
            "awaiting": awaiting.order_by("number")[:10],
            "repayments_due": repayments.filter(due_on__lte=today).count(),
            "repayments_deferred": repayments.filter(status=Repayment.Status.DEFERRED).count(),
            "repayments_scheduled": repayments.filter(due_on__gt=today).count(),
        },
    )


# Applications


def _applications_page(request: HttpRequest):
    pending_first = Case(
        When(status=Application.Status.PENDING, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    applications = (
        Application.objects.select_related("category", "member")
        .annotate(pending_first=pending_first)
        .order_by("pending_first", "-created_at", "-pk")
    )
    return Paginator(applications, PER_PAGE).get_page(_page_number(request))


def _refusal_form(application, data=None) -> RefusalForm:
    return RefusalForm(data, auto_id=f"id_refusal_{application.pk}_%s")


def _render_applications(request: HttpRequest, bound_form=None, bound_pk=None) -> HttpResponse:
    page = _applications_page(request)
    for application in page:
        application.refusal_form = (
            bound_form if application.pk == bound_pk else _refusal_form(application)
        )
    return render(
        request,
        "officers/applications.html",
        {
            "page_obj": page,
            "pending_count": Application.objects.filter(status=Application.Status.PENDING).count(),
        },
    )


@officer_required
def applications(request: HttpRequest) -> HttpResponse:
    return _render_applications(request)


def _answer_for_application(request, application, notice, level, form=None) -> HttpResponse:
    """htmx swaps the row, with its notice; without JavaScript, back to the list."""
    if is_htmx(request):
        application = Application.objects.select_related("category", "member").get(
            pk=application.pk
        )
        application.refusal_form = form or _refusal_form(application)
        return render(
            request,
            "officers/applications.html#application",
            {
                "application": application,
                "notice": notice,
                "notice_warning": level == messages.ERROR,
            },
        )
    if form is not None and form.errors:
        return _render_applications(request, bound_form=form, bound_pk=application.pk)
    messages.add_message(request, level, notice)
    return redirect(_url("officers:applications", page=_page_number(request)))


@officer_required
@require_POST
def admit_application(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(Application, pk=pk)
    try:
        member = application.admit(by=request.user)
    except ValidationError as error:
        return _answer_for_application(
            request, application, " ".join(error.messages), messages.ERROR
        )
    notice = _("%(name)s est admis·e : associé·e n°%(number)s.") % {
        "name": member.full_name,
        "number": member.number,
    }
    return _answer_for_application(request, application, notice, messages.SUCCESS)


@officer_required
@require_POST
def refuse_application(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(Application, pk=pk)
    form = _refusal_form(application, request.POST)
    if not form.is_valid():
        return _answer_for_application(
            request,
            application,
            _("Le refus n'est pas enregistré : il doit être motivé."),
            messages.ERROR,
            form,
        )
    try:
        application.refuse(form.cleaned_data["reason"], by=request.user)
    except ValidationError as error:
        return _answer_for_application(
            request, application, " ".join(error.messages), messages.ERROR
        )
    notice = _("La candidature de %(name)s est refusée ; le motif lui est envoyé.") % {
        "name": application.full_name
    }
    return _answer_for_application(request, application, notice, messages.SUCCESS)


# The register


@officer_required
def record_movement(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind") or request.GET.get("kind")
    form_class = MOVEMENT_FORMS.get(kind, PaymentForm)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid() and (movement := form.record(request.user)):
            messages.success(
                request,
                ngettext(
                    "Mouvement n°%(number)s enregistré : %(kind)s de %(quantity)s part.",
                    "Mouvement n°%(number)s enregistré : %(kind)s de %(quantity)s parts.",
                    movement.quantity,
                )
                % {
                    "number": movement.number,
                    "kind": movement.get_kind_display().lower(),
                    "quantity": movement.quantity,
                },
            )
            return redirect(_url("officers:record_movement", kind=form_class.kind))
    else:
        form = form_class(initial=_movement_initial(request, form_class))
    recent = ShareMovement.objects.select_related("member", "counterpart", "corrects").order_by(
        "-number"
    )[:10]
    return render(
        request,
        "officers/record_movement.html",
        {
            # Kinds as plain pairs: a template would call a form class and build a form.
            "kinds": [(kind, form.title) for kind, form in MOVEMENT_FORMS.items()],
            "current": form_class.kind,
            "form": form,
            "recent": recent,
        },
    )


def _movement_initial(request: HttpRequest, form_class) -> dict:
    """Links from the other pages name a member or a movement: fill them in."""
    initial = {}
    number = request.GET.get("member", "")
    if number.isdigit() and "member" in form_class.base_fields:
        initial["member"] = number
        member = Member.objects.filter(number=number).first()
        if member and form_class is PaymentForm:
            initial["quantity"] = member.shares_subscribed - member.shares_paid or None
    movement = request.GET.get("movement", "")
    if movement.isdigit() and "movement" in form_class.base_fields:
        initial["movement"] = movement
    return initial


# Resignations and repayments


def _render_repayments(request: HttpRequest, form=None) -> HttpResponse:
    today = timezone.localdate()
    open_first = Case(
        When(status=Repayment.Status.PAID, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    repayments = (
        Repayment.objects.select_related("member", "movement")
        .annotate(open_first=open_first)
        .order_by("open_first", "due_on", "pk")
    )
    return render(
        request,
        "officers/repayments.html",
        {
            "page_obj": Paginator(repayments, PER_PAGE).get_page(_page_number(request)),
            "today": today,
            "due_count": Repayment.objects.due(today).count(),
            "form": form or ResignationForm(),
        },
    )


@officer_required
def repayments(request: HttpRequest) -> HttpResponse:
    return _render_repayments(request)


@officer_required
@require_POST
def record_resignation(request: HttpRequest) -> HttpResponse:
    form = ResignationForm(request.POST)
    if form.is_valid() and (repayment := form.record(request.user)):
        messages.success(
            request,
            _("Démission de %(member)s enregistrée : remboursement prévu le %(date)s.")
            % {
                "member": repayment.member,
                "date": date_format(repayment.due_on, "SHORT_DATE_FORMAT"),
            },
        )
        return redirect("officers:repayments")
    return _render_repayments(request, form)


@officer_required
@require_POST
def process_repayments(request: HttpRequest) -> HttpResponse:
    results = Repayment.objects.process_due(timezone.localdate(), by=request.user)
    if not results:
        messages.info(request, _("Aucun remboursement n'est échu."))
    for repayment, repaid in results:
        if repaid:
            messages.success(
                request, _("%(member)s : parts remboursées.") % {"member": repayment.member}
            )
        else:
            messages.warning(
                request,
                _("%(member)s : remboursement différé. %(why)s")
                % {"member": repayment.member, "why": repayment.deferred_note},
            )
    return redirect("officers:repayments")


# The cooperative's profile


@officer_required
def profile(request: HttpRequest) -> HttpResponse:
    coop = Cooperative.get()
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(data, instance=coop)
    colleges = CollegeFormSet(data, instance=coop, prefix="colleges")
    categories = CategoryFormSet(data, instance=coop, prefix="categories")
    preview = structure_errors = None
    if data is not None and "preview" in data:
        field = data["preview"] if data["preview"] in ("charter", "statutes") else "charter"
        preview = {"field": field, "text": data.get(field, "")}
        if is_htmx(request):
            return render(request, "officers/profile.html#preview", {"preview": preview})
    elif data is not None and form.is_valid() and colleges.is_valid() and categories.is_valid():
        kept_categories, removed_categories = kept_and_removed(categories)
        kept_colleges, removed_colleges = kept_and_removed(colleges)
        try:
            form.instance.save_structure(
                kept_categories,
                kept_colleges,
                removed_categories,
                removed_colleges,
                by=request.user,
            )
        except ValidationError as error:
            structure_errors = error.messages
        else:
            messages.success(request, _("Le profil de la coopérative est enregistré."))
            return redirect("officers:profile")
    return render(
        request,
        "officers/profile.html",
        {
            "form": form,
            "colleges": colleges,
            "categories": categories,
            "preview": preview,
            "structure_errors": structure_errors,
        },
    )


# Members and officers


@officer_required
def members(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    listed = Member.objects.select_related("category", "user").order_by("number")
    if status in Member.Status.values:
        listed = listed.filter(status=status)
    return render(
        request,
        "officers/members.html",
        {
            "page_obj": Paginator(listed, PER_PAGE).get_page(_page_number(request)),
            "status": status,
            "statuses": Member.Status.choices,
        },
    )


@officer_required
@require_POST
def set_officer(request: HttpRequest, number: int) -> HttpResponse:
    member = get_object_or_404(Member, number=number)
    officer = request.POST.get("officer") == "1"
    try:
        member.set_officer(officer, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if officer:
            notice = _("%(member)s est désormais responsable.")
        else:
            notice = _("%(member)s n'est plus responsable.")
        messages.success(request, notice % {"member": member})
    return redirect(
        _url("officers:members", page=_page_number(request), status=request.POST.get("status"))
    )
