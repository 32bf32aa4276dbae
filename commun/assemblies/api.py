"""API of assemblies: the same model methods as the pages.

The statutes' rules are read by members and changed by officers; assemblies are read by
members once convened (drafts by officers). Each action asks `rules` first (403 with the
reason), then calls the model, which checks again under its lock; bad input answers 422.
"""

from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Router, Status, UploadedFile

from commun.api_auth import authenticated
from commun.api_helpers import members_only
from commun.assemblies import amendments, convocation, elections, rules
from commun.assemblies.ballots import AdvanceVote
from commun.assemblies.documents import Document, file_response, may_read
from commun.assemblies.models import AgendaItem, Assembly, AssemblyRules, Kind, Participant
from commun.assemblies.requests import ItemRequest, shown_to
from commun.assemblies.schemas import (
    AccountsIn,
    AdvanceBallotIn,
    AdvanceBallotOut,
    AdvanceVoteIn,
    AdvanceVoteOut,
    AgainIn,
    AmendmentIn,
    AnswerIn,
    AnswerOut,
    AssemblyIn,
    AssemblyOut,
    CandidateIn,
    CheckInIn,
    CheckInOut,
    DecisionIn,
    DocumentOut,
    ElectionBallotIn,
    ElectionBallotOut,
    ElectionIn,
    ElectionOut,
    ItemIn,
    ItemOut,
    ItemRefusalIn,
    ItemRequestIn,
    ItemRequestOut,
    KindName,
    OpenIn,
    QuorumOut,
    ResultOut,
    RulesIn,
    RulesOut,
    VoteIn,
    VoteOut,
)
from commun.decisions.models import Decision
from commun.lib.ids import MAX_API_ID
from commun.members.models import Member

router = Router(tags=["Assemblées générales"])
Id = Path(..., ge=1, le=MAX_API_ID)
Position = Path(..., ge=1, le=10000)
KIND = Path(...)


@router.get("/assemblies/rules", auth=authenticated, response=list[RulesOut])
def list_rules(request):
    """The statutes' rules for each kind of assembly (members only)."""
    members_only(request)
    return AssemblyRules.every_kind()


@router.put("/assemblies/rules/{kind}", auth=authenticated, response=RulesOut)
def edit_rules(request, payload: RulesIn, kind: KindName = KIND):
    """Change one kind's rules, all of them at once (officers)."""
    rules.require(request.user, "edit_rules")
    return AssemblyRules.of(Kind(kind)).update(request.user, **payload.dict())


def _assembly(request, pk: int) -> Assembly:
    assembly = get_object_or_404(Assembly, pk=pk)
    if not rules.can_read(request.user, assembly):
        raise Http404
    return assembly


def _out(request, assembly: Assembly) -> dict:
    return {
        **{
            f: getattr(assembly, f)
            for f in AssemblyOut.model_fields
            if f not in ("items", "actions")
        },
        "items": [_item(item) for item in assembly.items.select_related("amends")],
        "actions": sorted(rules.allowed_actions(request.user, assembly)),
    }


@router.get("/assemblies", auth=authenticated, response=list[AssemblyOut])
def list_assemblies(request):
    """The assemblies a member may read, the latest first."""
    members_only(request)
    found = Assembly.objects.prefetch_related("items")
    if not rules.may(request.user, "prepare"):
        found = found.exclude(phase=Assembly.Phase.DRAFT)
    return [_out(request, assembly) for assembly in found[:100]]


@router.get("/assemblies/{assembly_id}", auth=authenticated, response=AssemblyOut)
def get_assembly(request, assembly_id: int = Id):
    return _out(request, _assembly(request, assembly_id))


@router.post("/assemblies", auth=authenticated, response={201: AssemblyOut})
def prepare_assembly(request, payload: AssemblyIn):
    """Prepare an assembly (officers): a draft, whose date respects the notice period."""
    rules.require(request.user, "prepare")
    assembly = Assembly.prepare(request.user, **payload.dict())
    return Status(201, _out(request, assembly))


@router.post("/assemblies/{assembly_id}/items", auth=authenticated, response={201: AssemblyOut})
def add_item(request, payload: ItemIn, assembly_id: int = Id):
    """Add a resolution or an information item to a draft's agenda (officers); a resolution
    may ratify a decision adopted online (`decision_id`), whose title and text it takes
    unless given."""
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "edit_agenda", assembly)
    values = payload.dict()
    decision = None
    if (decision_id := values.pop("decision_id")) is not None:
        decision = Decision.objects.filter(pk=decision_id).first()
        if decision is None:
            raise ValidationError({"decision_id": _("Cette décision n'existe pas.")})
    try:
        assembly.add_item(request.user, decision=decision, **values)
    except ValidationError as error:
        if hasattr(error, "error_dict") and "decision" in error.error_dict:
            raise ValidationError({"decision_id": error.error_dict["decision"]}) from None
        raise
    return Status(201, _out(request, assembly))


@router.post("/assemblies/{assembly_id}/convene", auth=authenticated, response=AssemblyOut)
def convene(request, assembly_id: int = Id):
    """Convene: fix who is convened and the rules, and email the convocation (officers)."""
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "convene", assembly)
    assembly.convene(request.user)
    return _out(request, assembly)


@router.put("/assemblies/{assembly_id}/answer", auth=authenticated, response=AnswerOut)
def answer(request, payload: AnswerIn, assembly_id: int = Id):
    """Answer the convocation for oneself: present, remote, a proxy to a member (by number),
    a blank proxy to the chair, or an advance vote when the statutes allow it."""
    assembly = _assembly(request, assembly_id)
    member = rules.require(request.user, "answer", assembly)
    holder = None
    if payload.holder_number is not None:
        holder = Member.objects.filter(number=payload.holder_number).first()
        if holder is None:
            raise ValidationError({"holder_number": _("Aucun·e associé·e ne porte ce numéro.")})
    participant: Participant = assembly.participant(member)
    try:
        participant.answer(request.user, payload.mode, holder)
    except ValidationError as error:
        if hasattr(error, "error_dict") and "holder" in error.error_dict:
            raise ValidationError({"holder_number": error.error_dict["holder"]}) from None
        raise
    return {
        "mode": participant.mode,
        "holder_number": participant.holder.member.number if participant.holder else None,
    }


def _numbered(number: int, field: str) -> Member:
    member = Member.objects.filter(number=number).first()
    if member is None:
        raise ValidationError({field: _("Aucun·e associé·e ne porte ce numéro.")})
    return member


@router.post("/assemblies/{assembly_id}/open", auth=authenticated, response=AssemblyOut)
def open_session(request, payload: OpenIn, assembly_id: int = Id):
    """Open the session, naming its chair and secretary among those convened (officers)."""
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "open", assembly)
    chair = _numbered(payload.chair_number, "chair_number")
    secretary = _numbered(payload.secretary_number, "secretary_number")
    try:
        assembly.open(request.user, chair, secretary)
    except ValidationError as error:
        renamed = {"chair": "chair_number", "secretary": "secretary_number"}
        if hasattr(error, "error_dict"):
            raise ValidationError(
                {renamed.get(k, k): v for k, v in error.error_dict.items()}
            ) from None
        raise
    return _out(request, assembly)


@router.post("/assemblies/{assembly_id}/check-in", auth=authenticated, response=CheckInOut)
def check_in(request, assembly_id: int = Id, payload: CheckInIn | None = None):
    """Sign the attendance sheet: oneself, or (secretary, chair, officers) a member by number."""
    assembly = _assembly(request, assembly_id)
    member = rules.require(request.user, "check_in", assembly)
    if payload is not None and payload.member_number is not None:
        member = _numbered(payload.member_number, "member_number")
    participant = assembly.participant(member)
    if participant is None:
        raise ValidationError(
            {"member_number": _("Cette personne n'est pas convoquée à cette assemblée.")}
        )
    signed_now = participant.check_in(request.user)
    return {"member_number": member.number, "signed_now": signed_now}


@router.get("/assemblies/{assembly_id}/quorum", auth=authenticated, response=QuorumOut)
def quorum(request, assembly_id: int = Id):
    """The quorum: expected from the answers before the day, live from the sheet on the day."""
    assembly = _assembly(request, assembly_id)
    if assembly.phase == Assembly.Phase.DRAFT:
        raise Http404
    status = assembly.quorum_status()
    turnout = status.pop("turnout")
    return {
        "eligible": turnout.eligible,
        "present": turnout.present,
        "remote": turnout.remote,
        "represented": turnout.represented,
        "advance": turnout.advance,
        **status,
    }


@router.post("/assemblies/{assembly_id}/failure", auth=authenticated, response=AssemblyOut)
def record_failure(request, assembly_id: int = Id):
    """Record that the quorum was not reached: the assembly closes as failed (chair, officers)."""
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "record_failure", assembly)
    assembly.record_failure(request.user)
    return _out(request, assembly)


@router.post(
    "/assemblies/{assembly_id}/second-convocation", auth=authenticated, response={201: AssemblyOut}
)
def convene_again(request, payload: AgainIn, assembly_id: int = Id):
    """Prepare the second convocation of a failed first one: same kind and agenda (officers)."""
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "convene_again", assembly)
    second = assembly.convene_again(request.user, payload.starts_at)
    return Status(201, _out(request, second))


def _resolution(assembly: Assembly, position: int) -> AgendaItem:
    return get_object_or_404(
        AgendaItem,
        assembly=assembly,
        position=position,
        kind__in=[AgendaItem.Kind.RESOLUTION, AgendaItem.Kind.ELECTION],
    )


def _result(item: AgendaItem) -> dict:
    figures = item.figures()
    return {"position": item.position, "status": item.status, "adopted": item.adopted, **figures}


R = "/assemblies/{assembly_id}/resolutions/{position}"


@router.post(R + "/open", auth=authenticated, response=ResultOut)
def open_resolution(request, assembly_id: int = Id, position: int = Position):
    """Open the vote on a resolution, one at a time, once the quorum is reached (the chair,
    officers)."""
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "open_resolution", assembly)
    item = assembly.open_resolution(request.user, _resolution(assembly, position))
    return _result(item)


@router.post(R + "/close", auth=authenticated, response=ResultOut)
def close_resolution(request, assembly_id: int = Id, position: int = Position):
    """Close the vote: the figures and the outcome are counted and kept (the chair, officers)."""
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "close_resolution", assembly)
    item = _resolution(assembly, position).close_vote(request.user)
    return _result(item)


@router.put(R + "/vote", auth=authenticated, response=VoteOut, exclude_none=True)
def vote(request, payload: VoteIn, assembly_id: int = Id, position: int = Position):
    """Vote yes, no or abstain on the open resolution: for oneself, or with
    `principal_number` for a member whose proxy one carries. Voting again replaces it."""
    assembly = _assembly(request, assembly_id)
    member = rules.require(request.user, "vote", assembly)
    principal = None
    if payload.principal_number is not None:
        principal = _numbered(payload.principal_number, "principal_number")
    try:
        cast = _resolution(assembly, position).vote(request.user, payload.choice, principal)
    except ValidationError as error:
        if hasattr(error, "error_dict") and "principal" in error.error_dict:
            raise ValidationError({"principal_number": error.error_dict["principal"]}) from None
        raise
    return {
        "position": position,
        "choice": cast.choice,
        "principal_number": (principal or member).number,
        "receipt": getattr(cast, "receipt", None),
    }


@router.get(R + "/result", auth=authenticated, response=ResultOut)
def result(request, assembly_id: int = Id, position: int = Position):
    """A resolution's figures: live while its vote is open, as kept once closed."""
    assembly = _assembly(request, assembly_id)
    if assembly.phase == Assembly.Phase.DRAFT:
        raise Http404
    return _result(_resolution(assembly, position))


# Advance votes ---------------------------------------------------------------------------------


@router.put(R + "/advance-vote", auth=authenticated, response=AdvanceVoteOut)
def vote_in_advance(
    request, payload: AdvanceVoteIn, assembly_id: int = Id, position: int = Position
):
    """Vote yes, no or abstain on a resolution before the day, having answered « advance »;
    voting again replaces it, until the session opens."""
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "vote_in_advance", assembly)
    sent = AdvanceVote.cast(request.user, _resolution(assembly, position), payload.choice)
    return {"position": position, "choice": sent.choice}


@router.put(R + "/advance-ballot", auth=authenticated, response=AdvanceBallotOut)
def vote_in_advance_election(
    request, payload: AdvanceBallotIn, assembly_id: int = Id, position: int = Position
):
    """Choose candidates in an election before the day (member numbers; none, a blank
    ballot), having answered « advance »; choosing again replaces it, until the opening."""
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "vote_in_advance", assembly)
    item = _resolution(assembly, position)
    elections.AdvanceElectionVote.cast(request.user, item, payload.candidates)
    return {"position": position, "candidates": sorted(payload.candidates)}


@router.get(
    "/assemblies/{assembly_id}/advance-votes",
    auth=authenticated,
    response=list[AdvanceVoteOut | AdvanceBallotOut],
)
def my_advance_votes(request, assembly_id: int = Id):
    """The caller's own advance votes on this assembly, by position: a resolution's choice,
    an election's candidates (member numbers; none, a blank ballot)."""
    assembly = _assembly(request, assembly_id)
    member = rules.active_member(request.user)
    choices = AdvanceVote.of(assembly, member)
    chosen = elections.AdvanceElectionVote.of(assembly, member)
    named = {pk for candidates in chosen.values() for pk in candidates}
    numbers = dict(Member.objects.filter(pk__in=named).values_list("pk", "number"))
    sent = []
    for item in assembly.items.filter(pk__in=[*choices, *chosen]).order_by("position"):
        if item.pk in choices:
            sent.append({"position": item.position, "choice": choices[item.pk]})
        else:
            candidates = sorted(numbers[pk] for pk in chosen[item.pk] if pk in numbers)
            sent.append({"position": item.position, "candidates": candidates})
    return sent


# Secret votes ----------------------------------------------------------------------------------


@router.post(R + "/secret", auth=authenticated, response=ResultOut)
def mark_secret(request, assembly_id: int = Id, position: int = Position):
    """The assembly decides this resolution is voted by secret ballot, before its vote opens
    (the chair, officers)."""
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "mark_secret", assembly)
    return _result(_resolution(assembly, position).mark_secret(request.user))


# Amendments from the floor ---------------------------------------------------------------------


@router.post(R + "/amendments", auth=authenticated, response={201: ItemOut})
def propose_amendment(
    request, payload: AmendmentIn, assembly_id: int = Id, position: int = Position
):
    """Propose a new text for a resolution not yet voted (a member who signed the sheet);
    the amendment is added at the end of the agenda, waiting for the chair's decision."""
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "propose_amendment", assembly)
    amendment = amendments.propose(request.user, _resolution(assembly, position), payload.text)
    return Status(201, _item(amendment))


@router.post(R + "/admission", auth=authenticated, response=ItemOut)
def decide_amendment(request, payload: DecisionIn, assembly_id: int = Id, position: int = Position):
    """Admit a proposed amendment to the vote (`{"admitted": true}`) or refuse it (the
    chair, officers); an admitted amendment is voted before its resolution."""
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "admit_amendment", assembly)
    return _item(amendments.decide(request.user, _resolution(assembly, position), payload.admitted))


def _item(item: AgendaItem) -> dict:
    return {
        **ItemOut.from_orm(item).dict(),
        "amends_position": item.amends.position if item.amends_id else None,
    }


# Elections -------------------------------------------------------------------------------------


@router.post("/assemblies/{assembly_id}/elections", auth=authenticated, response={201: AssemblyOut})
def add_election(request, payload: ElectionIn, assembly_id: int = Id):
    """Put an election on a draft's agenda: seats and method (`majority` or `approval`),
    by secret ballot, or public with `"secret": false` (officers)."""
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "edit_agenda", assembly)
    elections.add_election(request.user, assembly, **payload.dict())
    return Status(201, _out(request, assembly))


def _election(item: AgendaItem, viewer) -> dict:
    """An election's seats, method and candidates, named as `viewer` may see them."""
    return {
        "position": item.position,
        "seats": item.election.seats,
        "method": item.election.method,
        "candidates": [
            {"number": c.member.number, "name": c.member.name_for(viewer)}
            for c in item.election.candidates.select_related("member")
        ],
    }


@router.post(R + "/candidates", auth=authenticated, response={201: ElectionOut})
def add_candidate(request, payload: CandidateIn, assembly_id: int = Id, position: int = Position):
    """Add a candidate until the vote opens: officers and the chair anyone convened, a
    member themselves."""
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "add_candidate", assembly)
    member = _numbered(payload.member_number, "member_number")
    item = _resolution(assembly, position)
    try:
        elections.add_candidate(request.user, item, member)
    except ValidationError as error:
        if hasattr(error, "error_dict") and "member" in error.error_dict:
            raise ValidationError({"member_number": error.error_dict["member"]}) from None
        raise
    return Status(201, _election(item, rules.active_member(request.user)))


@router.put(R + "/ballot", auth=authenticated, response=ElectionBallotOut)
def cast_ballot(
    request, payload: ElectionBallotIn, assembly_id: int = Id, position: int = Position
):
    """Vote in an open election: the chosen candidates' member numbers (none: a blank
    ballot), for oneself or with `principal_number` for a principal. A secret ballot goes
    into the box once and answers a `receipt`; a public vote may be changed until the close."""
    assembly = _assembly(request, assembly_id)
    member = rules.require(request.user, "vote", assembly)
    principal = None
    if payload.principal_number is not None:
        principal = _numbered(payload.principal_number, "principal_number")
    item = _resolution(assembly, position)
    if item.kind != AgendaItem.Kind.ELECTION:
        raise ValidationError({"candidates": _("Ce point n'est pas une élection.")})
    try:
        ballot = item.vote(request.user, payload.candidates, principal)
    except ValidationError as error:
        if hasattr(error, "error_dict") and "principal" in error.error_dict:
            raise ValidationError({"principal_number": error.error_dict["principal"]}) from None
        raise
    return {
        "position": position,
        "candidates": payload.candidates,
        "principal_number": (principal or member).number,
        "receipt": getattr(ballot, "receipt", None),
    }


# Documents sent with the convocation, the convocation as PDF --------------------------------


def _document_out(document: Document) -> dict:
    return {
        "id": document.pk,
        "kind": document.kind,
        "title": document.title,
        "content_type": document.content_type,
        "size": document.size,
        "fiscal_year": document.fiscal_year.year if document.fiscal_year else None,
        "url": reverse(
            "api:download_document",
            kwargs={"assembly_id": document.assembly_id, "document_id": document.pk},
        ),
    }


def _readable_documents(request, assembly_id: int) -> Assembly:
    assembly = _assembly(request, assembly_id)
    if not may_read(request.user, assembly):
        raise Http404
    return assembly


@router.get("/assemblies/{assembly_id}/documents", auth=authenticated, response=list[DocumentOut])
def list_documents(request, assembly_id: int = Id):
    """The documents sent with the convocation (officers, and the members convened)."""
    assembly = _readable_documents(request, assembly_id)
    return [_document_out(d) for d in assembly.documents.select_related("fiscal_year")]


@router.post("/assemblies/{assembly_id}/documents", auth=authenticated, response={201: DocumentOut})
def attach_document(
    request,
    file: File[UploadedFile],
    title: Form[str],
    kind: Form[Literal["file", "report"]] = "file",
    assembly_id: int = Id,
):
    """Attach a file (multipart: `file`, `title`, `kind` file or report) until the opening
    (officers): a PDF, PNG, JPEG or OpenDocument file of 20 MB at most, read by its bytes."""
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "attach_document", assembly)
    document = Document.attach(assembly, request.user, file, title, kind)
    return Status(201, _document_out(document))


@router.post(
    "/assemblies/{assembly_id}/documents/accounts",
    auth=authenticated,
    response={201: DocumentOut},
)
def attach_accounts(request, payload: AccountsIn, assembly_id: int = Id):
    """Attach a closed year's accounts, printed as a PDF from the ledger (officers)."""
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "attach_document", assembly)
    document = Document.attach_accounts(assembly, request.user, payload.year)
    return Status(201, _document_out(document))


@router.get(
    "/assemblies/{assembly_id}/documents/{document_id}",
    auth=authenticated,
    url_name="download_document",
    response={200: None},
)
def download_document(request, assembly_id: int = Id, document_id: int = Id):
    """The document's file, as an attachment (officers, and the members convened)."""
    assembly = _readable_documents(request, assembly_id)
    return file_response(get_object_or_404(Document, pk=document_id, assembly=assembly))


@router.delete(
    "/assemblies/{assembly_id}/documents/{document_id}", auth=authenticated, response={204: None}
)
def remove_document(request, assembly_id: int = Id, document_id: int = Id):
    """Take a document off the convocation, until the opening (officers)."""
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "attach_document", assembly)
    get_object_or_404(Document, pk=document_id, assembly=assembly).remove(request.user)
    return Status(204, None)


@router.get("/assemblies/{assembly_id}/convocation.pdf", auth=authenticated, response={200: None})
def convocation_pdf(request, assembly_id: int = Id):
    """The convocation as a PDF: the agenda with its texts, the documents, how to answer."""
    assembly = _assembly(request, assembly_id)
    response = HttpResponse(convocation.pdf(request, assembly), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="convocation-{assembly.pk}.pdf"'
    return response


# Members ask for an item ------------------------------------------------------------------


def _request_out(asked: ItemRequest) -> dict:
    return {
        "id": asked.pk,
        "member_number": asked.member.number,
        "kind": asked.kind,
        "title": asked.title,
        "text": asked.text,
        "status": asked.status,
        "reason": asked.reason,
        "item_position": asked.item.position if asked.item else None,
    }


@router.get(
    "/assemblies/{assembly_id}/item-requests",
    auth=authenticated,
    response=list[ItemRequestOut],
)
def list_item_requests(request, assembly_id: int = Id):
    """Requests for agenda items: every one for the officers, one's own for a member."""
    assembly = _assembly(request, assembly_id)
    return [_request_out(asked) for asked in shown_to(request.user, assembly)]


@router.post(
    "/assemblies/{assembly_id}/item-requests",
    auth=authenticated,
    response={201: ItemRequestOut},
)
def ask_item(request, payload: ItemRequestIn, assembly_id: int = Id):
    """Ask for an item on the agenda, until the opening (members convened)."""
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "ask_item", assembly)
    asked = ItemRequest.ask(assembly, request.user, **payload.dict())
    return Status(201, _request_out(asked))


def _item_request(request, assembly_id: int, request_id: int) -> ItemRequest:
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "answer_item_request", assembly)
    return get_object_or_404(
        ItemRequest.objects.select_related("member", "item"), pk=request_id, assembly=assembly
    )


@router.post(
    "/assemblies/{assembly_id}/item-requests/{request_id}/accept",
    auth=authenticated,
    response=ItemRequestOut,
)
def accept_item_request(request, assembly_id: int = Id, request_id: int = Id):
    """Put the item asked for at the end of the agenda (officers, until the opening)."""
    asked = _item_request(request, assembly_id, request_id)
    asked.accept(request.user)
    return _request_out(asked)


@router.post(
    "/assemblies/{assembly_id}/item-requests/{request_id}/refuse",
    auth=authenticated,
    response=ItemRequestOut,
)
def refuse_item_request(
    request, payload: ItemRefusalIn, assembly_id: int = Id, request_id: int = Id
):
    """Refuse, with a reason the member receives by email (officers, until the opening)."""
    asked = _item_request(request, assembly_id, request_id)
    asked.refuse(request.user, payload.reason)
    return _request_out(asked)
