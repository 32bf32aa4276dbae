"""API of needs and missions: the same model methods as the web pages.

Reading is public (drafts are their proposer's only). Each action asks `rules` first (403
with the reason), then calls the model, which checks again under its locks; bad input
answers 422 with the model's message on the field it is about.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.decorators import decorate_view
from ninja.pagination import paginate

from commun.api_auth import authenticated, public
from commun.api_helpers import ListingPages as Pages
from commun.api_schemas import ErrorOut
from commun.budgets import cash, estimates, forecast, rules
from commun.budgets.models import (
    PAY_TERMS,
    BudgetSettings,
    Mission,
    MissionContributor,
    MissionPayment,
    Need,
    RecurringIncome,
)
from commun.budgets.schemas import (
    CancelIn,
    ContributorIn,
    ContributorOut,
    ContributorPayIn,
    CostOut,
    EstimateIn,
    EstimatePendingOut,
    EstimateUnavailableOut,
    ForecastOut,
    MissionAmendIn,
    MissionDetail,
    MissionIn,
    MissionOut,
    MissionQuery,
    MissionTermsIn,
    MissionWithdrawIn,
    NeedDetail,
    NeedIn,
    NeedOut,
    NeedQuery,
    NeedStatusIn,
    PaymentIn,
    PaymentOut,
    PayrollSettingsIn,
    PayrollSettingsOut,
    RecomputedCostOut,
    RecurringIncomeIn,
    RecurringIncomeOut,
    ReviewIn,
    TopUpIn,
    TopUpOut,
)
from commun.budgets.tasks import EstimateNotStarted, TooManyEstimates
from commun.core.replica import public_read
from commun.lib import payroll
from commun.lib.ids import MAX_API_ID
from commun.members.models import Member

router = Router(tags=["Besoins et missions"])


class _Rows:
    """A queryset to page, and how to turn one page of it into the answer's rows."""

    def __init__(self, queryset, to_rows):
        self.queryset, self.to_rows = queryset, to_rows


class RowPages(Pages):
    def paginate_queryset(self, rows, pagination, request, **params):
        page = super().paginate_queryset(rows.queryset, pagination, request, **params)
        page[self.items_attribute] = rows.to_rows(request, page[self.items_attribute])
        return page


Id = Path(..., ge=1, le=MAX_API_ID)
PAYMENTS_SHOWN = 200


def _viewer(request):
    return rules.active_member(request.user)


def _require(request, action, obj=None):
    rules.require(request.user, action, obj)


# The employer's payroll settings ---------------------------------------------------------------

PAYROLL_SETTINGS = (
    "headcount",
    "accident_rate_percent",
    "commune",
    "mutuelle_cents",
    "prevoyance_rate_percent",
    "end_of_contract_rate_percent",
)


def _payroll_settings_out(settings: BudgetSettings) -> dict:
    rate = payroll.mobility_rate(settings.commune, datetime.date.today())
    return {name: getattr(settings, name) for name in PAYROLL_SETTINGS} | {
        "mobility_rate_percent": float(rate * 100)
    }


@router.get("/budgets/payroll-settings", auth=authenticated, response=PayrollSettingsOut)
def get_payroll_settings(request):
    """The employer's figures each salaried mission's cost is computed with (officers)."""
    _require(request, "edit_settings")
    return _payroll_settings_out(BudgetSettings.get())


@router.patch("/budgets/payroll-settings", auth=authenticated, response=PayrollSettingsOut)
def edit_payroll_settings(request, payload: PayrollSettingsIn):
    """Change the employer's figures (officers): checked whole, nothing written on an error.
    A cost already stored keeps the figures it was computed with."""
    _require(request, "edit_settings")
    values = payload.model_dump(exclude_unset=True)
    for name in (
        "accident_rate_percent",
        "prevoyance_rate_percent",
        "end_of_contract_rate_percent",
    ):
        if values.get(name) is not None:
            values[name] = Decimal(str(values[name]))
    settings = BudgetSettings.get().update(request.user, **values)
    return _payroll_settings_out(settings)


# Needs ---------------------------------------------------------------------------------------


def _need_out(request, need: Need, supported: bool | None = None) -> dict:
    viewer = _viewer(request)
    if supported is None:
        supported = viewer is not None and need.supports.filter(member=viewer).exists()
    return {
        "id": need.pk,
        "title": need.title,
        "status": need.status,
        "status_reason": need.status_reason,
        "raised_by": need.raised_by.name_for(viewer),
        "created_at": need.created_at,
        "support_count": need.support_count
        if hasattr(need, "support_count")
        else need.supports.count(),
        "supported": supported,
        "url": need.get_absolute_url(),
    }


def _need(pk: int) -> Need:
    return get_object_or_404(Need.objects.with_support().select_related("raised_by"), pk=pk)


def _need_detail(request, pk: int) -> dict:
    need = _need(pk)
    viewer = _viewer(request)
    missions = need.missions.exclude(
        Q(status=Mission.Status.DRAFT) & ~Q(proposer=viewer.pk if viewer else None)
    ).order_by("-created_at", "-pk")[:100]
    return _need_out(request, need) | {
        "description": need.description,
        "description_html": need.description_html,
        "missions": [
            {
                "id": m.pk,
                "ref": m.ref or "",
                "title": m.title,
                "status": m.status,
                "pay_form": m.pay_form,
                "full_cost_cents": m.full_cost_cents,
            }
            for m in missions
        ],
    }


@router.get("/needs", auth=public, response=list[NeedOut])
@decorate_view(public_read)
@paginate(RowPages)
def list_needs(request, filters: Query[NeedQuery]):
    """Every need, the most supported first."""
    needs = Need.objects.with_support().select_related("raised_by")
    if filters.status:
        needs = needs.filter(status=filters.status)
    return _Rows(needs.order_by("-support_count", "-created_at", "-pk"), _need_rows)


def _need_rows(request, needs: list) -> list[dict]:
    """Rows of the list, with the caller's supports read in one query."""
    viewer = _viewer(request)
    supported = set()
    if viewer is not None:
        supported = set(
            viewer.need_supports.filter(need__in=[n.pk for n in needs]).values_list(
                "need_id", flat=True
            )
        )
    return [_need_out(request, n, n.pk in supported) for n in needs]


@router.get("/needs/{need_id}", auth=public, response=NeedDetail)
@decorate_view(public_read)
def get_need(request, need_id: int = Id):
    """A need, its description and its missions."""
    return _need_detail(request, need_id)


@router.post("/needs", auth=authenticated, response={201: NeedDetail})
def raise_need(request, payload: NeedIn):
    """Raise a need (members)."""
    _require(request, "raise_need")
    need = Need.objects.raise_need(
        request.user, title=payload.title, description=payload.description
    )
    return Status(201, _need_detail(request, need.pk))


@router.post("/needs/{need_id}/support", auth=authenticated, response=NeedDetail)
def support_need(request, need_id: int = Id):
    """Support a need (members; once)."""
    need = _need(need_id)
    _require(request, "support_need", need)
    need.support(request.user)
    return _need_detail(request, need.pk)


@router.delete("/needs/{need_id}/support", auth=authenticated, response=NeedDetail)
def unsupport_need(request, need_id: int = Id):
    """Take your support back."""
    need = _need(need_id)
    _require(request, "support_need", need)
    need.unsupport(request.user)
    return _need_detail(request, need.pk)


@router.post("/needs/{need_id}/status", auth=authenticated, response=NeedDetail)
def set_need_status(request, payload: NeedStatusIn, need_id: int = Id):
    """Mark a need met or dropped, saying why (its author or an officer)."""
    need = _need(need_id)
    _require(request, "set_need_status", need)
    need.set_status(request.user, payload.status, payload.reason)
    return _need_detail(request, need.pk)


# Missions ------------------------------------------------------------------------------------


def _mission_out(request, mission: Mission) -> dict:
    return {
        "id": mission.pk,
        "ref": mission.ref or "",
        "title": mission.title,
        "need": mission.need_id,
        "proposer": mission.proposer.name_for(_viewer(request)),
        "status": mission.status,
        "status_reason": mission.status_reason,
        "pay_form": mission.pay_form,
        "pay_asked": mission.pay_asked,
        "full_cost_cents": mission.full_cost_cents,
        "committed_cents": mission.committed_cents,
        "url": mission.get_absolute_url(),
    }


def _payment_out(payment: MissionPayment) -> dict:
    return {
        "id": payment.pk,
        "kind": payment.kind,
        "date": payment.date,
        "label": payment.label,
        "amount_cents": payment.amount_cents,
        "lines": payment.lines,
        "hours": payment.hours,
        "contributor_number": payment.contributor.number if payment.contributor_id else None,
        "transaction": payment.transaction.number,
        "cancelled": payment.is_cancelled,
        "cancellation_transaction": payment.cancellation.number
        if payment.cancellation_id
        else None,
        "cancellation_reason": payment.cancellation_reason,
    }


def _top_up_out(top_up) -> dict:
    return {
        "id": top_up.pk,
        "amount_cents": top_up.amount_cents,
        "reason": top_up.reason,
        "status": top_up.status,
        "decision": top_up.decision_id,
    }


def _mission(request, pk: int) -> Mission:
    mission = get_object_or_404(Mission.objects.select_related("need", "proposer"), pk=pk)
    if mission.status == Mission.Status.DRAFT:
        viewer = _viewer(request)
        if viewer is None or viewer.pk != mission.proposer_id:
            raise Http404
    return mission


def _mission_detail(request, pk: int) -> dict:
    mission = _mission(request, pk)
    funded = mission.is_funded
    versions = list(mission.versions.select_related("decision_version").order_by("number"))
    payments = mission.payments.select_related(
        "transaction", "cancellation", "contributor"
    ).order_by("-date", "-pk")[:PAYMENTS_SHOWN]
    return _mission_out(request, mission) | {
        "scope": mission.scope,
        "deliverables": mission.deliverables,
        "start_on": mission.start_on,
        "duration_months": mission.duration_months,
        "contract": mission.contract,
        "working_time_percent": mission.working_time_percent,
        "monthly_amount_cents": mission.monthly_amount_cents,
        "amount_basis": mission.amount_basis,
        "amount_cents": mission.amount_cents,
        "vat_rate_bp": mission.vat_rate_bp,
        "estimated_hours": mission.estimated_hours,
        "hourly_rate_cents": mission.hourly_rate_cents,
        "cadre": mission.cadre,
        "paid_leave_taken": mission.paid_leave_taken,
        "end_of_contract_due": mission.end_of_contract_due,
        "cost_engine": mission.cost_engine,
        "cost_breakdown": mission.cost_breakdown,
        "cash_months": [
            {"month": month, "cents": cents} for month, cents in cash.cash_months(mission)
        ],
        "decision": mission.decision_id,
        "review_decision": mission.review_decision_id,
        "review_report": mission.review_report,
        "spent_cents": mission.spent_cents() if funded else 0,
        "remaining_cents": mission.remaining_cents() if funded else 0,
        "released_cents": mission.released_cents,
        "people_paid": _people_paid(request, mission),
        "paid_by_contributor": _paid_by_contributor(request, mission)
        if funded and mission.cost_breakdown.get("contributors")
        else [],
        "payments": [_payment_out(p) for p in payments],
        "top_ups": [_top_up_out(t) for t in mission.top_ups.all()],
        "version": versions[-1].number if versions else None,
        "adopted_version": next(
            (v.number for v in versions if v.pk == mission.adopted_version_id), None
        ),
        "versions": [_version_out(v) for v in versions],
    }


def _people_paid(request, mission: Mission) -> list[dict]:
    viewer = _viewer(request)
    cost = mission.stored_cost() if mission.full_cost_cents is not None else None
    people = mission.people_paid(cost)
    members = Member.objects.in_bulk([person["member_id"] for person in people])
    return [
        {name: getattr(person["terms"], name) for name in PAY_TERMS}
        | {
            "member_number": members[person["member_id"]].number,
            "name": members[person["member_id"]].name_for(viewer),
            "is_proposer": person["member_id"] == mission.proposer_id,
            "pay_asked": person["terms"].pay_asked,
            "cost_cents": person["total_cents"],
        }
        for person in people
    ]


def _paid_by_contributor(request, mission: Mission) -> list[dict]:
    viewer = _viewer(request)
    return [
        {
            "member_number": row["member"].number if row["member"] else None,
            "name": row["member"].name_for(viewer) if row["member"] else "",
            "planned_cents": row["planned_cents"],
            "paid_cents": row["paid_cents"],
        }
        for row in mission.paid_by_contributor()
    ]


def _version_out(version) -> dict:
    terms = version.terms()
    return terms | {
        "number": version.number,
        "decision_version": version.decision_version.number if version.decision_version else None,
        "note": version.note,
        "created_at": version.created_at,
        "pay_asked": version.pay_asked,
        "full_cost_cents": version.full_cost_cents,
        "cost_engine": version.cost_engine,
        "cost_breakdown": version.cost_breakdown,
    }


@router.get("/missions", auth=public, response=list[MissionOut])
@decorate_view(public_read)
@paginate(RowPages)
def list_missions(request, filters: Query[MissionQuery]):
    """Every mission but drafts (`status=draft` lists your own), the latest first."""
    missions = Mission.objects.select_related("proposer")
    if filters.status == Mission.Status.DRAFT:
        viewer = _viewer(request)
        missions = missions.filter(status=Mission.Status.DRAFT, proposer=viewer.pk if viewer else 0)
    elif filters.status:
        missions = missions.filter(status=filters.status)
    else:
        missions = missions.public()
    if filters.pay_form:
        missions = missions.filter(pay_form=filters.pay_form)
    return _Rows(
        missions.order_by("-created_at", "-pk"),
        lambda request, rows: [_mission_out(request, m) for m in rows],
    )


def _need_named(need_id: int) -> Need:
    """The need a body names: an id in the body is input, so a field error, not a 404."""
    need = Need.objects.filter(pk=need_id).first()
    if need is None:
        raise ValidationError({"need_id": _("Ce besoin n'existe pas.")})
    return need


@router.post("/missions", auth=authenticated, response={201: MissionDetail})
def propose_mission(request, payload: MissionIn):
    """Propose a mission on a live need: a draft that its proposer then submits."""
    _require(request, "propose_mission")
    need = _need_named(payload.need_id)
    mission = Mission.objects.propose(request.user, need, **payload.mission_values())
    return Status(201, _mission_detail(request, mission.pk))


# Past the cap, 429; the engine starting, or no worker having taken the estimate, 503.
ESTIMATE_ANSWERS = {
    200: CostOut,
    202: EstimatePendingOut,
    429: ErrorOut,
    503: EstimateUnavailableOut,
}


@router.post(
    "/missions/estimate",
    auth=authenticated,
    response=ESTIMATE_ANSWERS,
)
def estimate_mission(request, payload: EstimateIn, response: HttpResponse):
    """The full cost of the pay asked, month by month, with the reserve now and after and
    the pay of comparable missions. Nothing is saved.

    An OpenFisca estimate not computed before is computed by the task worker: when it
    takes longer than about a second, the answer is 202 with `Location` (and `poll`) and
    `Retry-After: 1`: ask `GET` there until it answers 200 with the estimate. In the first
    seconds after the server starts, while the payroll engine loads, a salaried estimate
    answers 503 with `Retry-After: 1` rather than keep the client waiting: ask again.

    One person queues at most 10 new estimates a minute: past that, 429 with `Retry-After`.
    An estimate no worker has taken for 30 s answers 503 with `poll`, `Retry-After: 5` and
    a `detail` saying the task worker must be started; it stays queued."""
    _require(request, "propose_mission")
    return _estimate_answer(request, payload, response)


@router.get(
    "/missions/estimates/{ticket}",
    auth=authenticated,
    response=ESTIMATE_ANSWERS,
    url_name="mission_estimate",
)
def estimate_mission_later(request, response: HttpResponse, ticket: str = Path(..., max_length=64)):
    """The estimate a 202 of `POST /missions/estimate` pointed at: 202 again while the
    worker computes it (503 once no worker has taken it for 30 s), then 200 with the
    estimate. Only its asker reads it (404 for anyone else)."""
    _require(request, "propose_mission")
    terms = estimates.ticket_terms(request.user, ticket)
    if terms is None:
        raise Http404(_("Aucune estimation en cours ne porte ce nom."))
    return _estimate_answer(request, EstimateIn(**terms), response, ticket)


def _estimate_answer(request, payload: EstimateIn, response: HttpResponse, ticket=None):
    need = None
    if payload.need_id is not None:
        need = _need_named(payload.need_id)
    mission = Mission(need=need, **payload.mission_values())
    mission.full_clean(exclude=["need", "proposer"])
    if mission.cost_would_wait():
        # Not a 202: nothing is created to poll; retry machinery (urllib3's) honours
        # Retry-After on a 503, and a 2xx would be taken for the answer.
        message = _("Le moteur de paie démarre : réessayez dans une seconde.")
        return JsonResponse({"detail": message}, status=503, headers={"Retry-After": "1"})
    try:
        cost = mission.cost_within(asker_id=request.user.pk)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    except TooManyEstimates as refusal:
        retry = {"Retry-After": str(refusal.retry_after)}
        return JsonResponse({"detail": refusal.message}, status=429, headers=retry)
    except EstimateNotStarted as waiting:
        # The estimate stays queued: the same address answers once a worker has run.
        poll = reverse("api:mission_estimate", args=[ticket or _ticket(request, payload)])
        answer = {"detail": waiting.message, "poll": poll}
        return JsonResponse(answer, status=503, headers={"Retry-After": "5"})
    if cost is None:
        ticket = ticket or _ticket(request, payload)
        poll = reverse("api:mission_estimate", args=[ticket])
        response["Location"] = poll
        response["Retry-After"] = "1"
        message = _("Le coût est en cours de calcul : demandez-le de nouveau à cette adresse.")
        return Status(202, {"detail": message, "poll": poll})
    available, after = mission.reserve_now_and_after(cost.total_cents)
    return {
        "full_cost_cents": cost.total_cents,
        "engine": cost.engine,
        "engine_label": cost.engine_label,
        "breakdown": cost.breakdown,
        "available_cents": available,
        "available_after_cents": after,
        "comparable": [
            {
                "id": other.pk,
                "ref": other.ref or "",
                "title": other.title,
                "pay_asked": other.pay_asked,
                "monthly_amount_cents": other.monthly_amount_cents,
                "full_cost_cents": other.full_cost_cents,
            }
            for other in Mission.objects.comparable_to(mission)
        ],
    }


def _ticket(request, payload: EstimateIn) -> str:
    return estimates.open_ticket(request.user, payload.dict())


# Declared after /missions/estimate: its path would otherwise catch that one.
@router.get("/missions/{mission_id}", auth=public, response=MissionDetail)
@decorate_view(public_read)
def get_mission(request, mission_id: int = Id):
    """A mission with its cost breakdown, decisions, payments, committed, spent, remaining."""
    return _mission_detail(request, mission_id)


@router.get("/missions/{mission_id}/payments", auth=public, response=list[PaymentOut])
@decorate_view(public_read)
@paginate(RowPages)
def list_payments(request, mission_id: int = Id):
    """Every payment of a mission, the latest first, cancelled ones included: the detail
    shows the latest 200, this pages through them all."""
    mission = _mission(request, mission_id)
    payments = mission.payments.select_related("transaction", "cancellation", "contributor")
    return _Rows(
        payments.order_by("-date", "-pk"),
        lambda request, rows: [_payment_out(p) for p in rows],
    )


@router.get("/missions/{mission_id}/recompute", auth=authenticated, response=RecomputedCostOut)
def recompute_mission(request, mission_id: int = Id):
    """The stored cost beside the cost with today's settings and engine (proposer or officer,
    while submitted); nothing is saved: amending the mission takes the new figure."""
    mission = _mission(request, mission_id)
    _require(request, "recompute_cost", mission)
    try:
        stored, current = mission.recomputed_cost(request.user)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    return {
        "stored_cents": stored.total_cents,
        "current_cents": current.total_cents,
        "difference_cents": current.total_cents - stored.total_cents,
        "stored": stored.breakdown,
        "current": current.breakdown | {"engine_version": current.engine_version},
    }


@router.put("/missions/{mission_id}", auth=authenticated, response=MissionDetail)
def edit_mission(request, payload: MissionTermsIn, mission_id: int = Id):
    """Change your draft, all its terms at once; submitted, it changes only by amendment."""
    mission = _mission(request, mission_id)
    _require(request, "edit_mission", mission)
    mission.edit(request.user, **payload.mission_values())
    return _mission_detail(request, mission.pk)


@router.post("/missions/{mission_id}/versions", auth=authenticated, response={201: MissionDetail})
def amend_mission(request, payload: MissionAmendIn, mission_id: int = Id):
    """Answer objections with new terms (the proposer, while its decision integrates them):
    the mission's next version, costed anew, and its decision's next text, generated from it."""
    mission = _mission(request, mission_id)
    _require(request, "amend_mission", mission)
    mission.amend(
        request.user,
        note=payload.note,
        integrates=payload.integrates,
        **payload.mission_values(),
    )
    return Status(201, _mission_detail(request, mission.pk))


def _contributor_out(request, share: MissionContributor) -> dict:
    return share.terms() | {
        "id": share.pk,
        "member_number": share.member.number,
        "name": share.member.name_for(_viewer(request)),
        "pay_asked": share.pay_asked,
    }


def _share(request, mission_id: int, contributor_id: int) -> MissionContributor:
    mission = _mission(request, mission_id)
    share = get_object_or_404(
        MissionContributor.objects.select_related("member"), pk=contributor_id, mission=mission
    )
    share.mission = mission
    _require(request, "manage_contributors", mission)
    return share


@router.get("/missions/{mission_id}/contributors", auth=public, response=list[ContributorOut])
@decorate_view(public_read)
def list_contributors(request, mission_id: int = Id):
    """Who is paid on the mission beside its proposer, and how (the proposer's own pay is
    the mission's terms); a draft's only to its proposer."""
    mission = _mission(request, mission_id)
    shares = mission.contributors.select_related("member").order_by("pk")
    for share in shares:
        share.mission = mission
    return [_contributor_out(request, share) for share in shares]


@router.post(
    "/missions/{mission_id}/contributors", auth=authenticated, response={201: ContributorOut}
)
def add_contributor(request, payload: ContributorIn, mission_id: int = Id):
    """Pay another member on your draft too, with their own form of pay."""
    mission = _mission(request, mission_id)
    _require(request, "manage_contributors", mission)
    member = Member.objects.numbered(payload.member_number, "member_number")
    try:
        share = mission.add_contributor(request.user, member, **payload.pay_values())
    except ValidationError as error:
        raise _in_api_names(error) from None
    return Status(201, _contributor_out(request, share))


@router.put(
    "/missions/{mission_id}/contributors/{contributor_id}",
    auth=authenticated,
    response=ContributorOut,
)
def edit_contributor(
    request, payload: ContributorPayIn, mission_id: int = Id, contributor_id: int = Id
):
    """Change a contributor's pay on your draft, all its fields at once."""
    share = _share(request, mission_id, contributor_id)
    share.edit(request.user, **payload.pay_values())
    return _contributor_out(request, share)


@router.delete(
    "/missions/{mission_id}/contributors/{contributor_id}", auth=authenticated, response={204: None}
)
def remove_contributor(request, mission_id: int = Id, contributor_id: int = Id):
    """Take a contributor off your draft."""
    share = _share(request, mission_id, contributor_id)
    share.remove(request.user)
    return Status(204, None)


API_NAMES = {"member": "member_number", "contributor": "contributor_number"}


def _in_api_names(error: ValidationError) -> ValidationError:
    """The model names a member; the API's field is their number."""
    for model_name, api_name in API_NAMES.items():
        if hasattr(error, "error_dict") and model_name in error.error_dict:
            error.error_dict[api_name] = error.error_dict.pop(model_name)
    return error


@router.post("/missions/{mission_id}/submit", auth=authenticated, response=MissionDetail)
def submit_mission(request, mission_id: int = Id):
    """Submit your draft: its cost is fixed and a consent decision opens at once."""
    mission = _mission(request, mission_id)
    _require(request, "submit_mission", mission)
    mission.submit(request.user)
    return _mission_detail(request, mission.pk)


@router.post("/missions/{mission_id}/withdraw", auth=authenticated, response=MissionDetail)
def withdraw_mission(request, mission_id: int = Id, payload: MissionWithdrawIn | None = None):
    """Withdraw your draft or submitted mission (its decision is withdrawn too)."""
    mission = _mission(request, mission_id)
    _require(request, "withdraw_mission", mission)
    mission.withdraw(request.user, payload.reason if payload else "")
    return _mission_detail(request, mission.pk)


@router.post("/missions/{mission_id}/payments", auth=authenticated, response={201: PaymentOut})
def record_payment(request, payload: PaymentIn, mission_id: int = Id):
    """Record a payment against the commitment (officers). Sent again with the same
    `idempotency_key` and body, it answers the same payment; never beyond the commitment."""
    mission = _mission(request, mission_id)
    _require(request, "record_payment", mission)
    try:
        payment = mission.record_payment(
            request.user,
            kind=payload.kind,
            on=payload.date,
            label=payload.label,
            amount_cents=payload.amount_cents,
            employer_contributions_cents=payload.employer_contributions_cents,
            account=payload.account,
            hours=payload.hours,
            idempotency_key=payload.idempotency_key,
            contributor=Member.objects.numbered(payload.contributor_number, "contributor_number"),
        )
    except ValidationError as error:
        raise _in_api_names(error) from None
    payment = MissionPayment.objects.select_related(
        "transaction", "cancellation", "contributor"
    ).get(pk=payment.pk)
    return Status(201, _payment_out(payment))


@router.post(
    "/missions/{mission_id}/payments/{payment_id}/cancel",
    auth=authenticated,
    response=PaymentOut,
)
def cancel_payment(request, payload: CancelIn, mission_id: int = Id, payment_id: int = Id):
    """Cancel a payment by its reversal: the commitment gets the money back (officers)."""
    mission = _mission(request, mission_id)
    payment = get_object_or_404(MissionPayment, pk=payment_id, mission=mission)
    _require(request, "cancel_payment", mission)
    payment.cancel(request.user, payload.reason)
    payment = MissionPayment.objects.select_related(
        "transaction", "cancellation", "contributor"
    ).get(pk=payment.pk)
    return _payment_out(payment)


@router.post("/missions/{mission_id}/top-ups", auth=authenticated, response={201: TopUpOut})
def ask_top_up(request, payload: TopUpIn, mission_id: int = Id):
    """Ask for more than was committed: a new consent decision for the difference."""
    mission = _mission(request, mission_id)
    _require(request, "ask_top_up", mission)
    top_up = mission.ask_top_up(request.user, payload.amount_cents, payload.reason)
    return Status(201, _top_up_out(top_up))


@router.post("/missions/{mission_id}/review", auth=authenticated, response=MissionDetail)
def ask_review(request, payload: ReviewIn, mission_id: int = Id):
    """Ask the collective to review what was delivered; adopted, the mission closes and
    what was not spent returns to the reserve."""
    mission = _mission(request, mission_id)
    _require(request, "ask_review", mission)
    mission.ask_review(request.user, payload.report, mark_need_met=payload.mark_need_met)
    return _mission_detail(request, mission.pk)


# The treasury forecast and the recurring income ------------------------------------------------


@router.get("/treasury/forecast", auth=public, response=ForecastOut, tags=["Trésorerie prévue"])
@decorate_view(public_read)
def treasury_forecast(request):
    """The bank at the end of each of the next twelve months, the lowest one marked (public)."""
    result = forecast.treasury_forecast()
    lowest = result.lowest
    return {
        "today": result.today,
        "bank_cents": result.bank_cents,
        "lowest_month": lowest.month,
        "lowest_balance_cents": lowest.balance_cents,
        "months": [vars(row) | {"lowest": row == lowest} for row in result.months],
    }


def _income_out(income: RecurringIncome) -> dict:
    return {name: getattr(income, name) for name in ("id", *RecurringIncome.FIELDS)}


def _income(pk: int) -> RecurringIncome:
    return get_object_or_404(RecurringIncome, pk=pk)


@router.get(
    "/treasury/incomes",
    auth=authenticated,
    response=list[RecurringIncomeOut],
    tags=["Trésorerie prévue"],
)
def list_incomes(request):
    """The recurring income the forecast counts (officers)."""
    _require(request, "manage_income")
    return [_income_out(income) for income in RecurringIncome.objects.all()[:1000]]


@router.post(
    "/treasury/incomes",
    auth=authenticated,
    response={201: RecurringIncomeOut},
    tags=["Trésorerie prévue"],
)
def add_income(request, payload: RecurringIncomeIn):
    """Expect a recurring income (officers)."""
    _require(request, "manage_income")
    return Status(201, _income_out(RecurringIncome.add(request.user, **payload.dict())))


@router.put(
    "/treasury/incomes/{income_id}",
    auth=authenticated,
    response=RecurringIncomeOut,
    tags=["Trésorerie prévue"],
)
def edit_income(request, payload: RecurringIncomeIn, income_id: int = Id):
    """Correct a recurring income (officers)."""
    _require(request, "manage_income")
    return _income_out(_income(income_id).edit(request.user, **payload.dict()))


@router.post(
    "/treasury/incomes/{income_id}/end",
    auth=authenticated,
    response=RecurringIncomeOut,
    tags=["Trésorerie prévue"],
)
def end_income(request, income_id: int = Id):
    """Expect no more of it after today (officers)."""
    _require(request, "manage_income")
    return _income_out(_income(income_id).end(request.user))
