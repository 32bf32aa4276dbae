"""API of the decisions: the register, a decision and every action on it, the secret box.

Thin like the web views: each action asks `rules` whether the caller may take it now
(403 with the reason otherwise), then calls the model method, which checks again under
its locks. A decision the caller may not read answers 404; bad input answers 422 with the
model's French message on the field it is about.
"""

import datetime
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.decorators import decorate_view
from ninja.pagination import paginate

from commun.api_auth import authenticated, public
from commun.api_helpers import Pages
from commun.core.replica import public_read
from commun.decisions import rules, seen
from commun.decisions.models import GENESIS_HASH, Decision, Objection, Stance
from commun.decisions.schemas import (
    AdviceDecisionIn,
    AdviceIn,
    AmendIn,
    BoxOut,
    BoxQuery,
    CastingVoteIn,
    CloseIn,
    DecisionDetail,
    DecisionOut,
    DismissIn,
    ProposalIn,
    ReceiptOut,
    RegisterQuery,
    SecretBallotIn,
    StanceIn,
    StanceOut,
    TallyOut,
    WithdrawIn,
)
from commun.deliberation.models import Circle, Space, Thread
from commun.lib.ids import MAX_API_ID
from commun.members.models import Member
from commun.web import viewer_of

router = Router(tags=["Décisions"])
Id = Path(..., ge=1, le=MAX_API_ID)
HISTORY_SHOWN = 100


def _decisions():
    return Decision.objects.select_related(
        "space__college", "space__circle", "author", "circle", "thread"
    )


def _decision(request, pk: int) -> Decision:
    decision = get_object_or_404(_decisions(), pk=pk)
    if not rules.can_read(request.user, decision):
        raise Http404
    return decision


def _objection(request, pk: int) -> Objection:
    objection = get_object_or_404(Objection.objects.select_related("round"), pk=pk)
    objection.decision = _decision(request, objection.decision_id)
    return objection


def _may(request, action: str, decision: Decision, objection: Objection | None = None) -> Member:
    """Refuse (403, with the reason) before reading the input: a wrong person learns no more."""
    return rules.require(request.user, action, decision, objection)


@contextmanager
def _fields_named(renames: dict[str, str]):
    """The model's error keys, renamed to the API's field names where they differ."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {renames.get(field, field): messages for field, messages in error.message_dict.items()}
        ) from None


def _detail(request, pk: int) -> Decision:
    """The decision as the caller may see it, re-read, in a bounded number of queries."""
    decision = _decision(request, pk)
    user, viewer = request.user, viewer_of(request)

    versions, previous = list(decision.versions.all()), None
    for version in versions:
        version.diff = version.diff_from(previous) if previous else None
        previous = version
    decision.version_list = versions
    decision.current = versions[-1]
    decision.round_list = list(decision.rounds.select_related("version"))
    round = decision.round_list[-1] if decision.round_list else None
    decision.option_list = (
        list(decision.options.all()) if decision.kind in Decision.OPTION_KINDS else []
    )
    decision.college_ids = (
        list(decision.colleges.values_list("pk", flat=True))
        if decision.scope == Decision.Scope.COLLEGES
        else []
    )

    objections = seen.objections(decision, user, viewer, round)
    for objection in objections:
        objection.actions = sorted(objection.actions)
    decision.objection_list = objections
    decision.advice_list = seen.advice(decision, viewer)
    stance, decision.has_voted = seen.own_ballot(decision, viewer, round)
    decision.my_stance = _with_history(stance) if stance else None

    opened = decision.opened_at is not None
    decision.eligible_count = decision.count_eligible() if opened else None
    # Named apart from the model's methods, which they must not shadow.
    decision.count_so_far = decision.tally() if opened else None
    decision.spoken = decision.spoken_count(round, decision.count_so_far) if round else None
    decision.tally_hidden = opened and decision.count_so_far is None
    decision.actions = sorted(rules.offered_actions(user, decision))
    return decision


def _with_history(stance: Stance) -> dict:
    """`StanceOut`'s fields, with the newest of its history, oldest first (a plain dict:
    the stance's answer is validated without reading the model attribute by attribute)."""
    latest = getattr(stance, "recent_history", None)
    if latest is None:
        latest = stance.history.order_by("-at", "-pk")
    return {
        "round": stance.round.number,
        "choice": stance.choice,
        "choice_label": str(Stance.Choice(stance.choice).label),
        "reason": stance.reason,
        "ballot": stance.ballot,
        "updated_at": stance.updated_at,
        "history": [
            {"choice": h.choice, "reason": h.reason, "ballot": h.ballot, "at": h.at}
            for h in reversed(list(latest[:HISTORY_SHOWN]))
        ],
    }


# The register and one decision ---------------------------------------------------------------


@router.get("/decisions", auth=public, response=list[DecisionOut])
@decorate_view(public_read)
@paginate(Pages)
def list_decisions(request, filters: Query[RegisterQuery]):
    """The register: every decision the caller may read, the latest opened first.

    Visitors read the public ones; members also those reserved to members. Drafts are
    listed only with `phase=draft`, and only the caller's own."""
    decisions = Decision.objects.readable_by(request.user)
    if filters.phase is None:
        decisions = decisions.exclude(phase=Decision.Phase.DRAFT)
    else:
        decisions = decisions.filter(phase=filters.phase)
    if filters.outcome:
        decisions = decisions.filter(outcome=filters.outcome)
    if filters.kind:
        decisions = decisions.filter(kind=filters.kind)
    if filters.space:
        decisions = decisions.filter(space__slug=filters.space)
    if query := filters.q.replace("\x00", "").strip():
        decisions = decisions.filter(title__icontains=query)
    return decisions.select_related("space", "author").order_by(
        F("opened_at").desc(nulls_last=True), "-pk"
    )


@router.get("/decisions/{decision_id}", auth=public, response=DecisionDetail)
@decorate_view(public_read)
def get_decision(request, decision_id: int = Id):
    """A decision with its versions, rounds, objections, options, advice, your stance, the
    count (hidden until the close in a secret ballot) and what you may do now."""
    return _detail(request, decision_id)


@router.get("/decisions/{decision_id}/tally", auth=public, response=TallyOut)
@decorate_view(public_read)
def get_tally(request, decision_id: int = Id):
    """The count so far; a secret ballot's stays hidden (null) until the close."""
    decision = _decision(request, decision_id)
    tally = decision.tally() if decision.opened_at else None
    return {
        "decision": decision.pk,
        "kind": decision.kind,
        "phase": decision.phase,
        "outcome": decision.outcome,
        "hidden": decision.opened_at is not None and tally is None,
        "tally": tally,
    }


# Proposing and the steps of a decision -------------------------------------------------------


@router.post("/threads/{thread_id}/decisions", auth=authenticated, response={201: DecisionDetail})
def propose(request, payload: ProposalIn, thread_id: int = Id):
    """Propose a decision from a thread: a draft that its author then opens."""
    thread = get_object_or_404(
        Thread.objects.select_related("space__college", "space__circle"), pk=thread_id
    )
    if not thread.can_read(request.user):
        raise Http404
    space = thread.space
    rules.require_author_in(request.user, space)
    circle = None
    if payload.circle:
        circle = Circle.objects.filter(slug=payload.circle).first()
        if circle is None:
            raise ValidationError({"circle": _("Ce cercle n'existe pas.")})
    # Unknown numbers stay None: the model refuses them with its own words.
    found = {m.number: m for m in Member.objects.filter(number__in=payload.advisors)}
    scope = payload.scope or {
        Space.Kind.COLLEGE: Decision.Scope.COLLEGES,
        Space.Kind.CIRCLE: Decision.Scope.CIRCLE,
    }.get(space.kind, Decision.Scope.COOPERATIVE)
    visibility = payload.visibility or (
        Decision.Visibility.PUBLIC
        if space.visibility == Space.Visibility.PUBLIC
        else Decision.Visibility.MEMBERS
    )
    with _fields_named({"min_deliberation": "min_deliberation_days"}):
        decision = Decision.objects.propose(
            thread=thread,
            author=request.user,
            kind=payload.kind,
            title=payload.title,
            body=payload.body,
            scope=scope,
            colleges=payload.colleges,
            circle=circle,
            visibility=visibility,
            min_deliberation=datetime.timedelta(days=payload.min_deliberation_days),
            closes_at=payload.closes_at,
            options=[option.model_dump() for option in payload.options],
            quorum_percent=payload.quorum_percent,
            threshold=payload.threshold,
            tie_rule=payload.tie_rule,
            weighted_by_college=payload.weighted_by_college,
            is_secret=payload.is_secret,
            points_per_voter=payload.points_per_voter,
            advisors=[found.get(number) for number in payload.advisors],
        )
    return Status(201, _detail(request, decision.pk))


@router.post("/decisions/{decision_id}/open", auth=authenticated, response=DecisionDetail)
def open_decision(request, decision_id: int = Id):
    """Open a draft (its author): who may take part is fixed now."""
    decision = _decision(request, decision_id)
    _may(request, "open", decision)
    decision.open(by=request.user)
    return _detail(request, decision.pk)


@router.post("/decisions/{decision_id}/advance", auth=authenticated, response=DecisionDetail)
def advance(request, decision_id: int = Id):
    """Consent: clarification → reactions → objection round (the author)."""
    decision = _decision(request, decision_id)
    _may(request, "advance", decision)
    decision.advance(request.user)
    return _detail(request, decision.pk)


@router.post(
    "/decisions/{decision_id}/versions", auth=authenticated, response={201: DecisionDetail}
)
def amend(request, payload: AmendIn, decision_id: int = Id):
    """Amend (the author): a new version, every earlier one kept; `integrates` names the
    open objections it answers."""
    decision = _decision(request, decision_id)
    _may(request, "amend", decision)
    decision.amend(
        request.user,
        title=payload.title,
        body=payload.body,
        note=payload.note,
        integrates=payload.integrates,
    )
    return Status(201, _detail(request, decision.pk))


@router.post("/decisions/{decision_id}/rounds", auth=authenticated, response={201: DecisionDetail})
def start_new_round(request, decision_id: int = Id):
    """After integration, a new objection round on the latest version (the author)."""
    decision = _decision(request, decision_id)
    _may(request, "start_new_round", decision)
    decision.start_new_round(request.user)
    return Status(201, _detail(request, decision.pk))


@router.post("/decisions/{decision_id}/withdraw", auth=authenticated, response=DecisionDetail)
def withdraw(request, decision_id: int = Id, payload: WithdrawIn | None = None):
    """Withdraw the proposal (its author), at any step before the close."""
    decision = _decision(request, decision_id)
    _may(request, "withdraw", decision)
    decision.withdraw(request.user, statement=payload.statement if payload else "")
    return _detail(request, decision.pk)


@router.post("/decisions/{decision_id}/close", auth=authenticated, response=DecisionDetail)
def close(request, decision_id: int = Id, payload: CloseIn | None = None):
    """Close (the author or an officer). Before the deadline, only once the minimum
    deliberation time has passed and everyone called has spoken."""
    decision = _decision(request, decision_id)
    _may(request, "close", decision)
    payload = payload or CloseIn()
    decision.close(by=request.user, statement=payload.statement, review_on=payload.review_on)
    return _detail(request, decision.pk)


# Stances and objections -----------------------------------------------------------------------


@router.put("/decisions/{decision_id}/stance", auth=authenticated, response=StanceOut)
def take_stance(request, payload: StanceIn, decision_id: int = Id):
    """Take or change your stance in the current round (kept in its history) until the close.

    An objection needs its reason and becomes an objection of its own."""
    try:
        stance = Decision.objects.take_stance(
            decision_id, request.user, payload.choice, payload.reason, payload.ballot
        )
    except Decision.DoesNotExist:
        raise Http404 from None
    return _with_history(stance)


@router.post("/decisions/{decision_id}/ballots", auth=authenticated, response={201: ReceiptOut})
def cast_secret_ballot(
    request, response: HttpResponse, payload: SecretBallotIn, decision_id: int = Id
):
    """Vote once in a secret ballot. The receipt is in this answer only: keep it to find
    your ballot in the published box."""
    decision = _decision(request, decision_id)
    _may(request, "take_stance", decision)
    round = decision.current_round
    if round is None:
        raise ValidationError(_("Aucun tour n'est ouvert."))
    content = payload.choice if decision.kind == Decision.Kind.YES_NO else payload.ballot
    receipt = round.cast_secret_ballot(request.user, content)
    response["Cache-Control"] = "no-store"
    return Status(201, {"decision": decision.pk, "round": round.number, "receipt": receipt})


@router.post("/objections/{objection_id}/integrate", auth=authenticated, response=DecisionDetail)
def integrate_objection(request, objection_id: int = Id):
    """Take an objection up to integrate it (the author): the objection round ends."""
    objection = _objection(request, objection_id)
    _may(request, "begin_integration", objection.decision, objection)
    objection.begin_integration(request.user)
    return _detail(request, objection.decision_id)


@router.post("/objections/{objection_id}/dismiss", auth=authenticated, response=DecisionDetail)
def dismiss_objection(request, payload: DismissIn, objection_id: int = Id):
    """Judge that it is not an objection (the author or an officer), saying why."""
    objection = _objection(request, objection_id)
    _may(request, "dismiss_objection", objection.decision, objection)
    with _fields_named({"status_note": "note"}):
        objection.dismiss(request.user, payload.note)
    return _detail(request, objection.decision_id)


@router.post("/objections/{objection_id}/withdraw", auth=authenticated, response=DecisionDetail)
def withdraw_objection(request, objection_id: int = Id):
    """Withdraw your objection."""
    objection = _objection(request, objection_id)
    _may(request, "withdraw_objection", objection.decision, objection)
    objection.withdraw(request.user)
    return _detail(request, objection.decision_id)


@router.post("/objections/{objection_id}/resolve", auth=authenticated, response=DecisionDetail)
def resolve_objection(request, objection_id: int = Id):
    """In a later round, say that the revised version answers your objection."""
    objection = _objection(request, objection_id)
    _may(request, "resolve_objection", objection.decision, objection)
    objection.resolve(request.user)
    return _detail(request, objection.decision_id)


# Advice process -------------------------------------------------------------------------------


@router.put("/decisions/{decision_id}/advice", auth=authenticated, response=DecisionDetail)
def give_advice(request, payload: AdviceIn, decision_id: int = Id):
    """Give (or rewrite) the advice you were asked for."""
    decision = _decision(request, decision_id)
    member = _may(request, "give_advice", decision)
    decision.advice.get(advisor=member).give(request.user, payload.advice)
    return _detail(request, decision.pk)


@router.post(
    "/decisions/{decision_id}/advice-decision", auth=authenticated, response=DecisionDetail
)
def record_advice_decision(request, payload: AdviceDecisionIn, decision_id: int = Id):
    """Record what you decided after the advice, and why (the author)."""
    decision = _decision(request, decision_id)
    _may(request, "record_advice_decision", decision)
    decision.record_advice_decision(request.user, payload.statement, review_on=payload.review_on)
    return _detail(request, decision.pk)


@router.post("/decisions/{decision_id}/casting-vote", auth=authenticated, response=DecisionDetail)
def cast_deciding_vote(request, payload: CastingVoteIn, decision_id: int = Id):
    """Settle a tie the decision leaves to the chair (an officer), once, saying why."""
    decision = _decision(request, decision_id)
    _may(request, "cast_deciding_vote", decision)
    decision.cast_deciding_vote(request.user, payload.choice, payload.statement)
    return _detail(request, decision.pk)


# The published ballot box ---------------------------------------------------------------------


@router.get("/decisions/{decision_id}/rounds/{number}/box", auth=public, response=BoxOut)
@decorate_view(public_read)
def ballot_box(
    request,
    query: Query[BoxQuery],
    decision_id: int = Id,
    number: int = Path(..., ge=1, le=MAX_API_ID),
):
    """A secret ballot's box, one page at a time: receipts, hashes, the chain's head and
    whether the chain is intact. Contents are published at the close."""
    decision = _decision(request, decision_id)
    if not decision.is_secret:
        raise Http404
    round = get_object_or_404(decision.rounds, number=number)
    # Contents stay sealed until counted at the close (not after an uncounted withdrawal).
    closed = round.closed_at is not None and decision.ballots_unsealed
    ballots = round.ballots.order_by("sequence")
    if receipt := "".join(query.receipt.split()).upper():
        ballots = ballots.filter(receipt=receipt)
    count = round.ballots.count()
    listed = ballots.count() if receipt else count
    start = (query.page - 1) * query.page_size
    page = list(
        ballots.values("sequence", "receipt", "content", "previous_hash", "hash")[
            start : start + query.page_size
        ]
    )
    if not closed:
        for ballot in page:
            ballot["content"] = None
    verified, broken_at = round.verify_chain() if query.verify else (None, None)
    return {
        "decision": decision.pk,
        "round": round.number,
        "round_id": round.pk,
        "genesis": GENESIS_HASH,
        "head": round.head_hash,
        "count": count,
        "closed": closed,
        "verified": verified,
        "broken_at": broken_at,
        "page": query.page,
        "pages": max(1, -(-listed // query.page_size)),
        "ballots": page,
    }
