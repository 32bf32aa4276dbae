"""The needs and missions pages: public reading, members' forms, officers' payments.

Every action is a POST form that works without JavaScript: it redirects to the page it
came from, or shows that page again with the form's errors (status 422). The cost preview
is also an htmx partial, refreshed as the proposal form changes. Drafts are their
proposer's only; everything else is public, as the charter asks.
"""

import itertools

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commun.budgets import forecast, rules
from commun.budgets.forms import (
    FORM_NAMES,
    CancelPaymentForm,
    ContributorForm,
    MissionAmendForm,
    MissionFilter,
    MissionForm,
    NeedFilter,
    NeedForm,
    NeedStatusForm,
    PaymentForm,
    RecurringIncomeForm,
    ReviewForm,
    SettingsForm,
    TopUpForm,
    WithdrawForm,
    pay_values,
)
from commun.budgets.models import (
    MISSION_PAGE_WAIT_SECONDS,
    BudgetSettings,
    Cost,
    Mission,
    MissionContributor,
    MissionPayment,
    Need,
    RecurringIncome,
)
from commun.budgets.tasks import EstimateNotStarted, TooManyEstimates
from commun.core.replica import public_read
from commun.decisions import rules as decision_rules
from commun.lib import charts
from commun.lib.dates import date_format
from commun.lib.forms import add_model_errors
from commun.lib.ids import MAX_ID
from commun.lib.money import format_cents
from commun.members.models import Member

PAGE_SIZE = 30
PAYMENTS_SHOWN = 200
INCOME_FORM_NAMES = {"amount_cents": "amount"}
MODEL_TO_FORM = FORM_NAMES | {"member": "member_number", "contributor": "contributor_number"}


def _viewer(request):
    return rules.active_member(request.user)


def _login_first(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def _require(request, action, obj=None):
    """403 with the reason before anything is read (the models check again under lock)."""
    message = rules.refusal(request.user, action, obj)
    if message is not None:
        raise PermissionDenied(message)


def _page(request, queryset, size: int = PAGE_SIZE):
    paginator = Paginator(queryset, size)
    try:
        number = int(request.GET.get("page") or 1)
    except ValueError:
        number = 1
    return paginator.get_page(min(max(number, 1), 10_000_000))


# Needs ---------------------------------------------------------------------------------------


@require_GET
def needs(request: HttpRequest) -> HttpResponse:
    """Every need, the most supported first; filter by state."""
    filters = NeedFilter(request.GET or None)
    queryset = (
        Need.objects.with_support()
        .annotate(
            mission_count=Count(
                "missions", filter=~Q(missions__status=Mission.Status.DRAFT), distinct=True
            )
        )
        .select_related("raised_by")
        .order_by("-support_count", "-created_at", "-pk")
    )
    if filters.is_valid() and filters.cleaned_data["status"]:
        queryset = queryset.filter(status=filters.cleaned_data["status"])
    page = _page(request, queryset)
    viewer = _viewer(request)
    supported = set()
    if viewer is not None:
        supported = set(
            viewer.need_supports.filter(need__in=[n.pk for n in page.object_list]).values_list(
                "need_id", flat=True
            )
        )
    for need in page.object_list:
        need.author_name = need.raised_by.name_for(viewer)
        need.supported = need.pk in supported
    return render(
        request,
        "budgets/needs.html",
        {
            "page": page,
            "filters": filters,
            "query_string": urlencode({k: v for k, v in request.GET.items() if k != "page"}),
            "may_raise": rules.may(request.user, "raise_need"),
        },
    )


@require_http_methods(["GET", "POST"])
def need_new(request: HttpRequest) -> HttpResponse:
    if response := _login_first(request):
        return response
    _require(request, "raise_need")
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            need = Need.objects.raise_need(request.user, **form.cleaned_data)
        except ValidationError as error:
            add_model_errors(form, error, FORM_NAMES)
        else:
            messages.success(request, _("Le besoin est publié : d'autres peuvent le soutenir."))
            return redirect(need)
    status = 422 if form.errors else 200
    return render(request, "budgets/need_form.html", {"form": form}, status=status)


def _need(pk: int) -> Need:
    if pk > MAX_ID:
        raise Http404
    return get_object_or_404(Need.objects.with_support().select_related("raised_by"), pk=pk)


@require_GET
def need(request: HttpRequest, pk: int) -> HttpResponse:
    return _need_page(request, _need(pk))


def _need_page(request, need: Need, status_form=None, status: int = 200) -> HttpResponse:
    viewer = _viewer(request)
    need.author_name = need.raised_by.name_for(viewer)
    missions = list(
        need.missions.exclude(
            Q(status=Mission.Status.DRAFT) & ~Q(proposer=viewer.pk if viewer else None)
        )
        .select_related("proposer")
        .order_by("-created_at", "-pk")[:100]
    )
    for mission in missions:
        mission.proposer_name = mission.proposer.name_for(viewer)
    may_status = need.is_live and rules.may(request.user, "set_need_status", need)
    return render(
        request,
        "budgets/need.html",
        {
            "need": need,
            "missions": missions,
            "supported": viewer is not None and need.supports.filter(member=viewer).exists(),
            "may_support": viewer is not None,
            "may_propose": need.is_live and rules.may(request.user, "propose_mission"),
            "status_form": status_form or (NeedStatusForm() if may_status else None),
        },
        status=status,
    )


@require_POST
def need_support(request: HttpRequest, pk: int) -> HttpResponse:
    if response := _login_first(request):
        return response
    need = _need(pk)
    _require(request, "support_need", need)
    if request.POST.get("action") == "unsupport":
        need.unsupport(request.user)
        messages.success(request, _("Votre soutien est retiré."))
    else:
        need.support(request.user)
        messages.success(request, _("Vous soutenez ce besoin."))
    return redirect(need)


@require_POST
def need_status(request: HttpRequest, pk: int) -> HttpResponse:
    if response := _login_first(request):
        return response
    need = _need(pk)
    _require(request, "set_need_status", need)
    form = NeedStatusForm(request.POST)
    if form.is_valid():
        try:
            need.set_status(request.user, form.cleaned_data["status"], form.cleaned_data["reason"])
        except ValidationError as error:
            add_model_errors(form, error, FORM_NAMES)
        else:
            messages.success(
                request,
                _("Le besoin est %(status)s.") % {"status": need.get_status_display().lower()},
            )
            return redirect(need)
    return _need_page(request, _need(pk), status_form=form, status=422)


# Proposing a mission and its cost --------------------------------------------------------------


def cost_context(mission: Mission, cost) -> dict:
    """What the cost preview shows: the cost, the reserve now and after, comparable pay."""
    available, after = mission.reserve_now_and_after(cost.total_cents)
    comparable = list(Mission.objects.comparable_to(mission).select_related("need"))
    return {
        "cost": cost,
        "mission": mission,
        "available": available,
        "after": after,
        "comparable": comparable,
    }


# The cost while it is still computed: the payroll engine loads at the process's start
# (WARMING), or the worker computes an estimate that took longer than a request may wait
# (PENDING), or no worker has taken it (NOT_STARTED). The page says so and asks again.
WARMING = "warming"
PENDING = "pending"
NOT_STARTED = "not_started"
COMPUTING = (WARMING, PENDING, NOT_STARTED)


def _computing(state: str) -> dict:
    """What the cost preview shows while the cost is computed (`state`, one of COMPUTING)."""
    if state == NOT_STARTED:
        return {"computing": state, "not_started": EstimateNotStarted().message}
    return {"computing": state}


def _estimate(
    form: MissionForm, need: Need, member, current: Mission | None = None
) -> tuple[Mission | None, object]:
    """An unsaved mission from the form and its cost (or one of COMPUTING, or a refusal of
    `TooManyEstimates`); (None, None) with form errors. The `current` mission's terms are
    replaced by the form's, and the other people paid on it are costed with them, as its
    submission or amendment would."""
    if not form.is_valid():
        return None, None
    if current is None:
        mission = Mission(need=need, proposer=member, status=Mission.Status.DRAFT)
    else:
        mission = Mission.objects.select_related("need").get(pk=current.pk)  # never saved
    for name, value in form.mission_values().items():
        setattr(mission, name, value)
    try:
        # A submitted mission's new terms: costed here, not yet saved with their cost.
        mission.full_clean(
            exclude=["proposer"] if mission.proposer_id is None else None,
            validate_constraints=mission.status == Mission.Status.DRAFT,
        )
        if mission.cost_would_wait():
            return mission, WARMING
        cost = mission.cost_within(asker_id=member.user_id)
        if cost is None:
            return mission, PENDING
        mission._take_cost(cost)  # its sentences then read the settings this cost used
        return mission, cost
    except EstimateNotStarted:
        return mission, NOT_STARTED
    except TooManyEstimates as refusal:
        return mission, refusal
    except ValidationError as error:
        add_model_errors(form, error, FORM_NAMES)
    except ValueError as error:  # the payroll's own check, in words
        form.add_error(None, str(error))
    return None, None


@require_http_methods(["GET", "POST"])
def mission_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose a mission on a need; "Estimer" shows its cost without saving anything."""
    if response := _login_first(request):
        return response
    need = _need(pk)
    _require(request, "propose_mission")
    member = _viewer(request)
    form = MissionForm(
        request.POST or None,
        initial={"pay_form": "salaried", "amount_basis": "net", "contract": "cdd"},
    )
    context = {"need": need, "form": form, "mode": "new", "estimate_url": _estimate_url(need, None)}
    status = 200
    if request.method == "POST":
        mission, cost = _estimate(form, need, member)
        if mission is not None and "estimate" not in request.POST:
            try:
                mission = Mission.objects.propose(request.user, need, **form.mission_values())
            except ValidationError as error:
                add_model_errors(form, error, FORM_NAMES)
            else:
                messages.success(
                    request,
                    _(
                        "Votre proposition est enregistrée comme brouillon : "
                        "relisez-la, puis soumettez-la."
                    ),
                )
                return redirect(mission)
        if cost in COMPUTING:
            context |= _computing(cost)
        elif isinstance(cost, TooManyEstimates):
            context["refused"] = cost.message
        elif mission is not None and cost is not None and not form.errors:
            context |= cost_context(mission, cost)
        status = 422 if form.errors else 200
    return render(request, "budgets/mission_form.html", context, status=status)


@require_POST
def estimate(request: HttpRequest, pk: int) -> HttpResponse:
    """The cost preview alone (htmx), for the proposal form as it is filled."""
    if response := _login_first(request):
        return response
    need = _need(pk)
    _require(request, "propose_mission")
    form = MissionForm(request.POST)
    context = {"form": form, "need": need, "estimate_url": _estimate_url(need, None)}
    context |= _estimated(form, need, _viewer(request))
    return render(request, "budgets/_cost.html", context)


@require_POST
def mission_estimate(request: HttpRequest, pk: int) -> HttpResponse:
    """The cost preview alone (htmx) while a draft is edited or a submitted mission amended:
    every person paid on it, each with their cost, and the total."""
    if response := _login_first(request):
        return response
    mission = _mission(request, pk)
    editing = mission.status == Mission.Status.DRAFT
    _require(request, "edit_mission" if editing else "amend_mission", mission)
    form = MissionForm(request.POST)
    context = {"form": form, "need": mission.need, "estimate_url": _estimate_url(None, mission)}
    context |= _estimated(form, mission.need, _viewer(request), mission)
    return render(request, "budgets/_cost.html", context)


def _estimated(form, need, viewer, current: Mission | None = None) -> dict:
    """What the cost preview shows for the form's terms, each person paid and the total;
    nothing when the form is wrong."""
    mission, cost = _estimate(form, need, viewer, current)
    if mission is None or cost is None or form.errors:
        return {}
    if cost in COMPUTING:
        return _computing(cost)
    if isinstance(cost, TooManyEstimates):
        return {"refused": cost.message}
    return cost_context(mission, cost) | {"paid": _contributors(mission, cost, viewer, False)}


def _estimate_url(need: Need, current: Mission | None) -> str:
    """Where the form asks for its cost preview: the mission's own, once it has people paid."""
    if current is None:
        return reverse("budgets:estimate", args=[need.pk])
    return reverse("budgets:mission_estimate", args=[current.pk])


@require_http_methods(["GET", "POST"])
def mission_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The proposer changes their draft; "Estimer" shows the new cost without saving."""
    if response := _login_first(request):
        return response
    mission = _mission(request, pk)
    _require(request, "edit_mission", mission)
    form = MissionForm(request.POST or None, initial=MissionForm.initial_from(mission))
    context = {
        "need": mission.need,
        "form": form,
        "current": mission,
        "mode": "edit",
        "estimate_url": _estimate_url(mission.need, mission),
    }
    status = 200
    if request.method == "POST" and "estimate" in request.POST:
        context |= _estimated(form, mission.need, _viewer(request), mission)
    elif request.method == "POST" and form.is_valid():
        try:
            mission.edit(request.user, **form.mission_values())
        except ValidationError as error:
            add_model_errors(form, error, FORM_NAMES)
        else:
            messages.success(
                request, _("Le brouillon est modifié : relisez-le, puis soumettez-le.")
            )
            return redirect(mission)
    if form.errors:
        status = 422
    return render(request, "budgets/mission_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def mission_amend(request: HttpRequest, pk: int) -> HttpResponse:
    """The proposer answers objections with new terms: the mission's next version, costed
    anew, and its decision's next text (only while the decision integrates objections)."""
    if response := _login_first(request):
        return response
    mission = _mission(request, pk)
    _require(request, "amend_mission", mission)
    decision = mission.decision
    if decision is None or mission.status != Mission.Status.SUBMITTED:
        raise PermissionDenied(
            _("Seule une mission soumise à décision s'amende (celle-ci est %(status)s).")
            % {"status": mission.get_status_display().lower()}
        )
    refusal = decision_rules.refusal(request.user, "amend", decision)
    if refusal is not None:
        raise PermissionDenied(refusal)
    viewer = _viewer(request)
    objections = list(decision.open_objections().select_related("author"))
    for objection in objections:
        objection.label = _("Objection de %(name)s : %(reason)s") % {
            "name": objection.author.name_for(viewer),
            "reason": objection.reason[:120],
        }
    form = MissionAmendForm(
        request.POST or None,
        initial=MissionForm.initial_from(mission)
        | {"integrates": [o.pk for o in objections if o.status == "integrating"]},
        objections=objections,
    )
    context = {
        "need": mission.need,
        "form": form,
        "current": mission,
        "decision": decision,
        "mode": "amend",
        "estimate_url": _estimate_url(mission.need, mission),
    }
    status = 200
    if request.method == "POST" and "estimate" in request.POST:
        context |= _estimated(form, mission.need, viewer, mission)
    elif request.method == "POST" and form.is_valid():
        try:
            version = mission.amend(
                request.user,
                note=form.cleaned_data["note"],
                integrates=form.cleaned_data["integrates"],
                **form.mission_values(),
            )
        except ValidationError as error:
            add_model_errors(form, error, FORM_NAMES)
        else:
            messages.success(
                request,
                _(
                    "La version %(number)s de la mission est publiée, au coût complet de "
                    "%(cost)s : ouvrez un nouveau tour d'objections quand vous êtes prêt·e."
                )
                % {"number": version.number, "cost": format_cents(version.full_cost_cents)},
            )
            return redirect(decision)
    if form.errors:
        status = 422
    return render(request, "budgets/mission_form.html", context, status=status)


# Missions --------------------------------------------------------------------------------------


@require_GET
def missions(request: HttpRequest) -> HttpResponse:
    filters = MissionFilter(request.GET or None)
    viewer = _viewer(request)
    queryset = Mission.objects.public()
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            queryset = queryset.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data["pay_form"]:
            queryset = queryset.filter(pay_form=filters.cleaned_data["pay_form"])
    page = _page(
        request, queryset.select_related("need", "proposer").order_by("-created_at", "-pk")
    )
    for mission in page.object_list:
        mission.proposer_name = mission.proposer.name_for(viewer)
    drafts = []
    if viewer is not None:
        drafts = list(
            Mission.objects.filter(proposer=viewer, status=Mission.Status.DRAFT).select_related(
                "need"
            )[:20]
        )
    return render(
        request,
        "budgets/missions.html",
        {
            "page": page,
            "filters": filters,
            "drafts": drafts,
            "query_string": urlencode({k: v for k, v in request.GET.items() if k != "page"}),
            "may_edit_settings": rules.may(request.user, "edit_settings"),
        },
    )


def _mission(request, pk: int) -> Mission:
    if pk > MAX_ID:
        raise Http404
    mission = get_object_or_404(
        Mission.objects.select_related(
            "need", "proposer", "decision", "review_decision", "adopted_version"
        ),
        pk=pk,
    )
    if mission.status == Mission.Status.DRAFT:
        viewer = _viewer(request)
        if viewer is None or viewer.pk != mission.proposer_id:
            raise Http404
    return mission


def _mission_or_login(request, pk: int):
    """Drafts are hidden: a visitor is asked to log in first, others get a 404."""
    try:
        return _mission(request, pk), None
    except Http404:
        if (
            not request.user.is_authenticated
            and pk <= MAX_ID
            and Mission.objects.filter(pk=pk).exists()
        ):
            return None, redirect_to_login(request.get_full_path())
        raise


@require_GET
def mission(request: HttpRequest, pk: int) -> HttpResponse:
    found, response = _mission_or_login(request, pk)
    return response or _mission_page(request, found)


def _mission_page(request, mission: Mission, bound: dict | None = None, status: int = 200):
    """Everything the mission page shows, in a bounded number of queries."""
    bound = bound or {}
    user, viewer = request.user, _viewer(request)
    mission.proposer_name = mission.proposer.name_for(viewer)
    cost, progress = _page_cost(request, mission, MISSION_PAGE_WAIT_SECONDS)
    payments = _page(
        request,
        mission.payments.select_related("transaction", "cancellation", "contributor").order_by(
            "-date", "-pk"
        ),
        PAYMENTS_SHOWN,
    )
    funded = mission.is_funded
    remaining = mission.remaining_cents() if funded else 0
    spent = mission.spent_cents() if funded else 0
    several = bool(mission.cost_breakdown.get("contributors"))
    # One person paid says no more than the totals: the table is for several.
    paid_by_contributor = mission.paid_by_contributor() if funded and several else []
    context = {
        "mission": mission,
        "payments": payments.object_list,
        "page": payments,
        "top_ups": list(mission.top_ups.select_related("decision")),
        "remaining": remaining,
        "spent": spent,
        "paid_by_contributor": paid_by_contributor,
        "payable": mission.status in Mission.PAYABLE,
        **(cost_context(mission, cost) if cost is not None else progress),
    }
    draft = mission.status == Mission.Status.DRAFT
    submitted = mission.status == Mission.Status.SUBMITTED
    adopted = mission.status == Mission.Status.ADOPTED
    if draft and rules.may(user, "submit_mission", mission):
        context["may_submit"] = True
    if (draft or submitted) and rules.may(user, "withdraw_mission", mission):
        context["withdraw_form"] = bound.get("withdraw") or WithdrawForm(prefix="withdraw")
    if adopted and rules.may(user, "ask_review", mission):
        context["review_form"] = bound.get("review") or ReviewForm(prefix="review")
    if adopted and rules.may(user, "ask_top_up", mission):
        context["top_up_form"] = bound.get("top_up") or TopUpForm(prefix="top_up")
    if mission.status in Mission.PAYABLE and rules.may(user, "record_payment", mission):
        context["payment_form"] = bound.get("payment") or PaymentForm(
            prefix="payment", **_people_paid(request, mission)
        )
        context["cancel_form"] = bound.get("cancel") or CancelPaymentForm(prefix="cancel")
    if draft and rules.may(user, "edit_mission", mission):
        context["may_edit"] = True
    may_manage = draft and rules.may(user, "manage_contributors", mission)
    if may_manage:
        context["contributor_form"] = bound.get("contributor") or ContributorForm(
            prefix="contributor"
        )
    context["contributors"] = _contributors(mission, cost, viewer, may_manage)
    if (
        submitted
        and mission.decision is not None
        and rules.may(user, "amend_mission", mission)
        and decision_rules.may(user, "amend", mission.decision)
    ):
        context["may_amend"] = True
    if submitted and rules.may(user, "recompute_cost", mission):
        context["may_recompute"] = True
    context["versions"] = _versions(mission) if not draft else []
    context["tasks_done"] = mission.tasks_done() if funded else []
    context["errors"] = bound.get("errors")
    return render(request, "budgets/mission.html", context, status=status)


@require_GET
def mission_cost(request: HttpRequest, pk: int) -> HttpResponse:
    """The mission's cost alone (htmx), which a draft's page asks for each second while the
    worker computes it."""
    if response := _login_first(request):
        return response
    mission = _mission(request, pk)
    cost, progress = _page_cost(request, mission)
    context = cost_context(mission, cost) if cost is not None else progress
    return render(request, "budgets/_cost.html", context)


def _page_cost(request, mission: Mission, wait: float | None = None) -> tuple[Cost | None, dict]:
    """The cost the mission's page shows, else what it shows instead: a draft's is never
    computed in the request, but by the worker, while the page shows its progress."""
    if mission.status != Mission.Status.DRAFT:
        return mission.stored_cost(), {}
    prefetch_related_objects([mission], "contributors")  # costed, then listed
    progress = {
        "poll_url": reverse("budgets:mission_cost", args=[mission.pk]),
        "page_url": mission.get_absolute_url(),
    }
    try:
        cost = mission.cost_within(wait, asker_id=request.user.pk)
    except EstimateNotStarted:
        return None, progress | _computing(NOT_STARTED)
    except TooManyEstimates as refusal:
        return None, {"refused": refusal.message}
    except ValueError:  # the payroll's own check: the draft is shown without its cost
        return None, {}
    if cost is None:
        return None, progress | _computing(PENDING)
    return cost, {}


def _contributors(mission: Mission, cost, viewer, may_manage: bool) -> list[dict]:
    """Who is paid on the mission and how, the proposer first, with each one's cost: the
    stored cost's once submitted (what the decision states), else the draft's shares."""
    shares = {share.member_id: share for share in mission.shares()} if may_manage else {}
    several = cost is not None and cost.is_sum
    if not several and not shares:
        return []
    people = mission.people_paid(cost if several else None)
    members = Member.objects.in_bulk([person["member_id"] for person in people])
    return [
        {
            "name": members[person["member_id"]].name_for(viewer)
            if person["member_id"] in members
            else "—",
            "pay_asked": person["terms"].pay_asked,
            "total_cents": person["total_cents"],
            "is_proposer": person["member_id"] == mission.proposer_id,
            "share": shares.get(person["member_id"]),
        }
        for person in people
    ]


def _versions(mission: Mission) -> list:
    """The mission's versions, the newest first, each saying whether it was adopted."""
    versions = list(mission.versions.order_by("-number"))
    for version in versions:
        version.is_adopted = version.pk == mission.adopted_version_id
    if versions and mission.status == Mission.Status.SUBMITTED:
        versions[0].is_on_the_table = True
    return versions


def _mission_action(action: str, form_class=None, prefix: str = "", form_options=None):
    """A POST on a mission: log in, may act, valid form, model call; else the page again.
    `form_options(request, mission)`: what the form needs to know of the mission."""

    def decorate(run):
        @require_POST
        def view(request: HttpRequest, pk: int) -> HttpResponse:
            if response := _login_first(request):
                return response
            mission = _mission(request, pk)
            _require(request, action, mission)
            options = form_options(request, mission) if form_options else {}
            form = form_class(request.POST, prefix=prefix, **options) if form_class else None
            if form is None or form.is_valid():
                try:
                    message = run(request, mission, form.cleaned_data if form else {})
                except ValidationError as error:
                    if form is None:
                        return _mission_page(
                            request, _mission(request, pk), {"errors": error.messages}, 422
                        )
                    add_model_errors(form, error, MODEL_TO_FORM)
                else:
                    messages.success(request, message)
                    return redirect("budgets:mission", pk=mission.pk)
            return _mission_page(request, _mission(request, pk), {prefix: form}, 422)

        view.__name__ = run.__name__
        return view

    return decorate


@_mission_action("submit_mission")
def mission_submit(request, mission, data):
    mission.submit(request.user)
    return _("La mission est soumise : la décision par consentement est ouverte.")


@_mission_action("withdraw_mission", WithdrawForm, "withdraw")
def mission_withdraw(request, mission, data):
    mission.withdraw(request.user, data["reason"])
    return _("La mission est retirée.")


@_mission_action("ask_review", ReviewForm, "review")
def mission_review(request, mission, data):
    mission.ask_review(request.user, data["report"], mark_need_met=data["mark_need_met"])
    return _("La revue est demandée : une décision par consentement est ouverte.")


@_mission_action("ask_top_up", TopUpForm, "top_up")
def mission_top_up(request, mission, data):
    mission.ask_top_up(request.user, data["amount"], data["reason"])
    return _("Le complément est demandé : une décision par consentement est ouverte.")


def _people_paid(request, mission: Mission) -> dict:
    """The payment form's choice of who was paid: each person paid on the mission, the
    proposer first, by the name the officer is shown."""
    viewer = _viewer(request)
    ids = list(mission.paid_terms())
    others = [pk for pk in ids if pk != mission.proposer_id]
    members = {mission.proposer_id: mission.proposer} | (
        Member.objects.in_bulk(others) if others else {}
    )
    return {
        "people": [
            (members[pk].number, members[pk].name_for(viewer)) for pk in ids if pk in members
        ]
    }


@_mission_action("record_payment", PaymentForm, "payment", _people_paid)
def payment_new(request, mission, data):
    mission.record_payment(
        request.user,
        kind=data["kind"],
        on=data["date"],
        label=data["label"],
        amount_cents=data["amount"],
        employer_contributions_cents=data["employer_contributions"] or 0,
        account=data["account"],
        hours=data["hours"],
        idempotency_key=data["idempotency_key"],
        contributor=Member.objects.numbered(data["contributor_number"], "contributor"),
    )
    return _("Le paiement est enregistré au grand livre.")


@_mission_action("manage_contributors", ContributorForm, "contributor")
def contributor_new(request, mission, data):
    member = Member.objects.numbered(data["member_number"], "member")
    mission.add_contributor(request.user, member, **pay_values(data))
    return _("%(name)s contribue à la mission.") % {"name": member.name_for(_viewer(request))}


def _share(request, pk: int, share_pk: int) -> MissionContributor:
    mission = _mission(request, pk)
    if share_pk > MAX_ID:
        raise Http404
    share = get_object_or_404(MissionContributor, pk=share_pk, mission=mission)
    share.mission = mission
    _require(request, "manage_contributors", mission)
    return share


@require_http_methods(["GET", "POST"])
def contributor_edit(request: HttpRequest, pk: int, share_pk: int) -> HttpResponse:
    """The proposer changes a contributor's pay on their draft."""
    if response := _login_first(request):
        return response
    share = _share(request, pk, share_pk)
    form = ContributorForm(
        request.POST or None,
        initial=ContributorForm.initial_from(share),
        prefix="contributor",
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            share.edit(request.user, **pay_values(form.cleaned_data))
        except ValidationError as error:
            add_model_errors(form, error, MODEL_TO_FORM)
        else:
            messages.success(request, _("La rémunération de cette personne est modifiée."))
            return redirect(share.mission)
    context = {
        "mission": share.mission,
        "share": share,
        "name": share.member.name_for(_viewer(request)),
        "form": form,
    }
    status = 422 if form.errors else 200
    return render(request, "budgets/contributor_form.html", context, status=status)


@require_POST
def contributor_remove(request: HttpRequest, pk: int, share_pk: int) -> HttpResponse:
    if response := _login_first(request):
        return response
    share = _share(request, pk, share_pk)
    try:
        share.remove(request.user)
    except ValidationError as error:
        return _mission_page(request, share.mission, {"errors": error.messages}, 422)
    messages.success(request, _("Cette personne ne contribue plus à la mission."))
    return redirect(share.mission)


@require_POST
def payment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    if response := _login_first(request):
        return response
    if pk > MAX_ID:
        raise Http404
    payment = get_object_or_404(MissionPayment.objects.select_related("mission"), pk=pk)
    _require(request, "cancel_payment", payment.mission)
    form = CancelPaymentForm(request.POST, prefix="cancel")
    if form.is_valid():
        try:
            payment.cancel(request.user, form.cleaned_data["reason"])
        except ValidationError as error:
            add_model_errors(form, error, FORM_NAMES)
        else:
            messages.success(request, _("Le paiement est annulé par une contrepassation."))
            return redirect("budgets:mission", pk=payment.mission_id)
    return _mission_page(request, _mission(request, payment.mission_id), {"cancel": form}, 422)


# Settings --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def settings(request: HttpRequest) -> HttpResponse:
    if response := _login_first(request):
        return response
    _require(request, "edit_settings")
    current = BudgetSettings.get()
    form = SettingsForm(request.POST or None, instance=BudgetSettings.get())
    if request.method == "POST" and form.is_valid():
        try:
            current.update(request.user, **form.cleaned_data)
        except ValidationError as error:
            add_model_errors(form, error, SettingsForm.MODEL_NAMES)
        else:
            messages.success(request, _("Les réglages des budgets sont enregistrés."))
            return redirect("budgets:settings")
    status = 422 if form.errors else 200
    return render(request, "budgets/settings.html", {"form": form}, status=status)


def mission_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored cost beside the cost with today's settings (proposer or officer, while
    submitted); nothing is saved: amending the mission takes the new figure."""
    found, response = _mission_or_login(request, pk)
    if response:
        return response
    _require(request, "recompute_cost", found)
    try:
        stored, current = found.recomputed_cost(request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(found.get_absolute_url())
    except ValueError as error:  # the payroll's own check, in words
        messages.error(request, str(error))
        return redirect(found.get_absolute_url())
    context = {
        "mission": found,
        "stored": stored,
        "current": current,
        "difference": current.total_cents - stored.total_cents,
        "rows": list(itertools.zip_longest(stored.month_rows, current.month_rows, fillvalue={})),
    }
    return render(request, "budgets/mission_recompute.html", context)


# The treasury forecast and the recurring income -----------------------------------------------


def forecast_chart(result: forecast.Forecast) -> charts.Chart:
    """The forecast's balances as columns, the lowest month apart (the page and its test)."""
    months = [date_format(row.month, "M Y") for row in result.months]
    return charts.balance_chart(
        "tresorerie",
        _("Trésorerie prévue à la fin de chaque mois"),
        months,
        [row.balance_cents for row in result.months],
        lowest=result.months.index(result.lowest),
        description=_("Le point le plus bas : %(month)s, %(balance)s.")
        % {
            "month": date_format(result.lowest.month, "F Y"),
            "balance": format_cents(result.lowest.balance_cents),
        },
        format_value=format_cents,
        label_header=_("Mois"),
        value_header=_("Solde prévu"),
        lowest_note=_("point le plus bas"),
    )


@require_GET
@public_read
def treasury(request: HttpRequest) -> HttpResponse:
    """The bank month by month over the next twelve months: public, as the accounts are."""
    result = forecast.treasury_forecast()
    return render(
        request,
        "budgets/treasury.html",
        {
            "forecast": result,
            "chart": forecast_chart(result),
            "may_manage_income": rules.may(request.user, "manage_income"),
        },
    )


def _income(pk: int) -> RecurringIncome:
    if pk > MAX_ID:
        raise Http404
    return get_object_or_404(RecurringIncome, pk=pk)


@require_http_methods(["GET", "POST"])
def incomes(request: HttpRequest) -> HttpResponse:
    """The officers' list of recurring income, and the form to add one."""
    if response := _login_first(request):
        return response
    _require(request, "manage_income")
    form = RecurringIncomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            RecurringIncome.add(request.user, **form.values())
        except ValidationError as error:
            add_model_errors(form, error, INCOME_FORM_NAMES)
        else:
            messages.success(request, _("La recette est ajoutée à la prévision."))
            return redirect("budgets:incomes")
    return render(
        request,
        "budgets/incomes.html",
        {"form": form, "incomes": RecurringIncome.objects.all()},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def income(request: HttpRequest, pk: int) -> HttpResponse:
    """An officer corrects a recurring income."""
    if response := _login_first(request):
        return response
    _require(request, "manage_income")
    income = _income(pk)
    form = RecurringIncomeForm(request.POST) if request.method == "POST" else None
    if form is not None and form.is_valid():
        try:
            income.edit(request.user, **form.values())
        except ValidationError as error:
            add_model_errors(form, error, INCOME_FORM_NAMES)
        else:
            messages.success(request, _("La recette est corrigée."))
            return redirect("budgets:incomes")
    form = form or RecurringIncomeForm.of(income)
    return render(
        request,
        "budgets/income.html",
        {"form": form, "income": income},
        status=422 if form.errors else 200,
    )


@require_POST
def income_end(request: HttpRequest, pk: int) -> HttpResponse:
    """An officer ends a recurring income today: nothing more of it is expected."""
    if response := _login_first(request):
        return response
    _require(request, "manage_income")
    _income(pk).end(request.user)
    messages.success(request, _("La recette ne comptera plus après aujourd'hui."))
    return redirect("budgets:incomes")
