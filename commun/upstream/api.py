"""API of giving back: projects, splits of the commons fund, gifts and their payment.

Reading is public, like the pages; every write is the officers' and calls the same model
methods as the web forms. A refusal changes nothing: 403 for who may not, 404 for what is
not there, 409 for a gift no longer in a state to act on, 422 for bad input or an amount
beyond the fund.
"""

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from ninja.pagination import paginate

from commun.api_auth import authenticated, public
from commun.api_helpers import Pages
from commun.core.replica import public_read
from commun.lib.ids import MAX_API_ID
from commun.upstream import rules
from commun.upstream.models import CommonsSplit, Gift, UpstreamProject, commons_fund
from commun.upstream.schemas import (
    FundOut,
    GiftIn,
    GiftOut,
    GiftStatus,
    PayIn,
    ProjectIn,
    ProjectOut,
    ProjectPatch,
    SplitDetail,
    SplitIn,
    SplitOut,
)

router = Router(tags=["Communs amont"])
Id = Path(..., ge=1, le=MAX_API_ID)
CONFLICTS = {"not_planned", "cancelled"}


class GiftQuery(Schema):
    status: GiftStatus | None = Field(None, description="planned, paid ou cancelled.")


def _conflict_or_invalid(run):
    """A gift already paid or cancelled is a conflict (409); other refusals stay 422."""
    try:
        return run()
    except ValidationError as error:
        if getattr(error, "code", None) in CONFLICTS:
            raise HttpError(409, " ".join(error.messages)) from None
        raise


def _projects():
    paid = Q(gifts__status=Gift.Status.PAID)
    return UpstreamProject.objects.annotate(
        given_cents=Sum("gifts__amount_cents", filter=paid),
        last_paid_on=Max("gifts__paid_on", filter=paid),
        gift_count=Count("gifts", filter=paid),
    ).order_by("name", "pk")


def _gifts():
    return Gift.objects.select_related("project", "transaction", "cancellation").order_by("-pk")


def _split_detail(pk: int) -> CommonsSplit:
    split = get_object_or_404(
        CommonsSplit.objects.with_payments().select_related("decision"), pk=pk
    )
    split.candidate_list = list(
        split.candidates.select_related("project").order_by("option__position")
    )
    split.gift_list = list(_gifts().filter(split=split).order_by("project__name"))
    return split


# Projects -----------------------------------------------------------------------------------


@router.get("/upstream/projects", auth=public, response=list[ProjectOut])
@decorate_view(public_read)
def list_projects(request):
    """The upstream projects, with what was given to each (total and last gift)."""
    return list(_projects())


@router.post("/upstream/projects", auth=authenticated, response={201: ProjectOut})
def create_project(request, payload: ProjectIn):
    """Add a project (officers)."""
    rules.require(request.user, "edit_project")
    project = UpstreamProject(**payload.dict())
    project.full_clean()
    project.save()
    return Status(201, _projects().get(pk=project.pk))


@router.patch("/upstream/projects/{project_id}", auth=authenticated, response=ProjectOut)
def update_project(request, payload: ProjectPatch, project_id: int = Id):
    """Change a project, or deactivate it with `is_active: false` (officers)."""
    rules.require(request.user, "edit_project")
    project = get_object_or_404(UpstreamProject, pk=project_id)
    for field, value in payload.dict(exclude_unset=True).items():
        if value is None:
            raise ValidationError({field: _("Ce champ ne peut pas être vide.")})
        setattr(project, field, value)
    project.full_clean()
    project.save()
    return _projects().get(pk=project.pk)


# The fund -----------------------------------------------------------------------------------


@router.get("/upstream/fund", auth=public, response=FundOut)
def get_fund(request):
    """The commons fund: what it holds, what is promised and not yet paid, what is left."""
    fund = commons_fund()
    given = Gift.objects.paid().aggregate(total=Sum("amount_cents"))["total"] or 0
    return {
        "held_cents": fund.held_cents,
        "promised_cents": fund.promised_cents,
        "available_cents": fund.available_cents,
        "given_cents": given,
    }


# Splits -------------------------------------------------------------------------------------


@router.get("/upstream/splits", auth=public, response=list[SplitOut])
@decorate_view(public_read)
@paginate(Pages)
def list_splits(request):
    """The splits of the commons fund, the latest first."""
    return (
        CommonsSplit.objects.with_payments()
        .select_related("decision")
        .order_by("-created_at", "-pk")
    )


@router.get("/upstream/splits/{split_id}", auth=public, response=SplitDetail)
@decorate_view(public_read)
def get_split(request, split_id: int = Id):
    """A split: its vote, the projects in it, the gifts it planned and their payment."""
    return _split_detail(split_id)


@router.post("/upstream/splits", auth=authenticated, response={201: SplitDetail})
def open_split(request, payload: SplitIn):
    """Open a split (officers): a dot vote among all members, open at once.

    Refused (422) above what the commons fund has not yet promised (see /upstream/fund)."""
    split = CommonsSplit.objects.open(
        request.user, amount_cents=payload.amount_cents, days=payload.days
    )
    return Status(201, _split_detail(split.pk))


# Gifts --------------------------------------------------------------------------------------


@router.get("/upstream/gifts", auth=public, response=list[GiftOut])
@decorate_view(public_read)
@paginate(Pages)
def list_gifts(request, filters: Query[GiftQuery]):
    """Every gift, the latest first; `status=paid` for what was given."""
    gifts = _gifts()
    if filters.status:
        gifts = gifts.filter(status=filters.status)
    return gifts


@router.post("/upstream/gifts", auth=authenticated, response={201: GiftOut})
def plan_gift(request, payload: GiftIn):
    """Plan a direct gift, decided otherwise than by a split (officers).

    Refused (422) above what the commons fund has not yet promised."""
    rules.require(request.user, "plan_gift")  # 403 before the project is looked up
    project = UpstreamProject.objects.filter(pk=payload.project).first()
    if project is None:
        raise ValidationError({"project": _("Ce projet n'existe pas.")})
    gift = Gift.objects.plan(
        request.user,
        project=project,
        amount_cents=payload.amount_cents,
        reference=payload.reference,
    )
    return Status(201, _gifts().get(pk=gift.pk))


@router.post("/upstream/gifts/{gift_id}/pay", auth=authenticated, response=GiftOut)
def pay_gift(request, payload: PayIn, gift_id: int = Id):
    """Record the payment of a planned gift (officers), out of the commons fund.

    Refused (422) beyond what the fund holds; replaying the same key answers the same
    payment."""
    rules.require(request.user, "pay_gift")  # 403 before the gift is looked up
    gift = get_object_or_404(Gift, pk=gift_id)
    _conflict_or_invalid(
        lambda: _renamed(lambda: gift.pay(request.user, payload.date, payload.idempotency_key))
    )
    return _gifts().get(pk=gift.pk)


@router.post("/upstream/gifts/{gift_id}/cancel", auth=authenticated, response=GiftOut)
def cancel_gift(request, gift_id: int = Id):
    """Cancel a gift (officers); a paid one is reversed in the books, the fund restored."""
    rules.require(request.user, "cancel_gift")  # 403 before the gift is looked up
    gift = get_object_or_404(Gift, pk=gift_id)
    _conflict_or_invalid(lambda: gift.cancel(request.user))
    return _gifts().get(pk=gift.pk)


def _renamed(run):
    """The model's `on` is the API's `date`."""
    try:
        return run()
    except ValidationError as error:
        if hasattr(error, "error_dict") and "on" in error.error_dict:
            raise ValidationError(
                {("date" if k == "on" else k): v for k, v in error.message_dict.items()}
            ) from None
        raise
