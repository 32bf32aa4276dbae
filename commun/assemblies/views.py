"""The assemblies' pages: the statutes' rules, the list, an assembly, its convocation.

Every action is a POST form that works without JavaScript: it redirects to the page it
came from, or shows that page again with the form's errors (status 422).
"""

from functools import partial

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commun.assemblies import amendments, elections, picker, rules
from commun.assemblies import convocation as notice
from commun.assemblies.ballots import AdvanceVote, SecretBallot
from commun.assemblies.documents import Document, file_response, may_read
from commun.assemblies.elections import AdvanceElectionVote
from commun.assemblies.forms import (
    AccountsForm,
    AmendmentDecisionForm,
    AmendmentForm,
    AnswerForm,
    AssemblyForm,
    ConveneAgainForm,
    DocumentForm,
    ElectionForm,
    IncidentForm,
    ItemRequestForm,
    OpenForm,
    RefuseRequestForm,
    ResolutionForm,
    RulesForm,
)
from commun.assemblies.models import AgendaItem, Assembly, AssemblyRules, Kind, Vote
from commun.assemblies.requests import ItemRequest, shown_to
from commun.lib.forms import add_model_errors
from commun.members.models import Member

MAX_NUMBER_DIGITS = 9  # a member number fits the database's integer


def _a_number(text: str) -> bool:
    """Whether a posted member number reads as one: ASCII digits only (`"²".isdigit()` is
    true, and `int("²")` fails), no longer than the database's integer."""
    return text.isascii() and text.isdigit() and len(text) <= MAX_NUMBER_DIGITS


def _login_first(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def _require(request, action, assembly=None):
    """403 with the reason before anything is read (the models check again under lock)."""
    message = rules.refusal(request.user, action, assembly)
    if message is not None:
        raise PermissionDenied(message)


def _members_only(request):
    if rules.active_member(request.user) is None:
        raise PermissionDenied(_("Réservé aux associé·es."))


def _assembly(request, pk: int) -> Assembly:
    assembly = get_object_or_404(Assembly, pk=pk)
    if not rules.can_read(request.user, assembly):
        raise Http404
    return assembly


# The statutes' rules ---------------------------------------------------------------------------


@require_GET
def rules_page(request: HttpRequest) -> HttpResponse:
    if response := _login_first(request):
        return response
    _members_only(request)
    return render(
        request,
        "assemblies/rules.html",
        {
            "every_rules": AssemblyRules.every_kind(),
            "may_edit": rules.may(request.user, "edit_rules"),
        },
    )


@require_http_methods(["GET", "POST"])
def rules_edit(request: HttpRequest, kind: str) -> HttpResponse:
    if response := _login_first(request):
        return response
    if kind not in Kind.values:
        raise Http404
    _require(request, "edit_rules")
    current = AssemblyRules.of(kind)
    form = RulesForm(request.POST or None, instance=AssemblyRules.of(kind))
    if request.method == "POST" and form.is_valid():
        try:
            current.update(request.user, **form.cleaned_data)
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, _("Les règles de cette assemblée sont enregistrées."))
            return redirect("assemblies:rules")
    status = 422 if form.errors else 200
    return render(
        request, "assemblies/rules_form.html", {"form": form, "rules": current}, status=status
    )


# Assemblies ------------------------------------------------------------------------------------


@require_GET
def assemblies(request: HttpRequest) -> HttpResponse:
    if response := _login_first(request):
        return response
    _members_only(request)
    found = Assembly.objects.all()
    may_prepare = rules.may(request.user, "prepare")
    if not may_prepare:
        found = found.exclude(phase=Assembly.Phase.DRAFT)
    return render(
        request, "assemblies/list.html", {"assemblies": found[:200], "may_prepare": may_prepare}
    )


@require_http_methods(["GET", "POST"])
def assembly_new(request: HttpRequest) -> HttpResponse:
    if response := _login_first(request):
        return response
    _require(request, "prepare")
    form = AssemblyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assembly = Assembly.prepare(request.user, **form.cleaned_data)
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(
                request, _("L'assemblée est en préparation : écrivez son ordre du jour.")
            )
            return redirect("assemblies:assembly", pk=assembly.pk)
    status = 422 if form.errors else 200
    return render(request, "assemblies/new.html", {"form": form}, status=status)


def _page(request, assembly: Assembly, forms: dict | None = None, status=200) -> HttpResponse:
    viewer = rules.active_member(request.user)
    participant = assembly.participant(viewer)
    actions = rules.allowed_actions(request.user, assembly)
    forms = forms or {}
    if "edit_agenda" in actions:
        forms.setdefault("item", ResolutionForm())
        forms.setdefault("election", ElectionForm())
    if "open" in actions:
        forms.setdefault("open", OpenForm())
    if "attach_document" in actions:
        forms.setdefault("document", DocumentForm())
        forms.setdefault("accounts", AccountsForm())
    requests_closed = "ask_item" in actions and not assembly.takes_requests()
    if "ask_item" in actions and not requests_closed:
        forms.setdefault("ask", ItemRequestForm())
    if "convene_again" in actions and assembly.failed and assembly.convocation == 1:
        forms.setdefault("again", ConveneAgainForm())
    if "answer" in actions:
        forms.setdefault(
            "answer",
            AnswerForm(
                rules=assembly.rules,
                initial={
                    "mode": participant.mode or None,
                    "holder": participant.holder.member.number if participant.holder else None,
                },
            ),
        )
    picker.attach(forms.get("open"), assembly)
    picker.attach(forms.get("answer"), assembly)
    context = {
        "assembly": assembly,
        "items": amendments.under_their_resolutions(
            assembly.items.select_related("proposed_by__member", "decision", "request__member")
        ),
        "participant": participant,
        "actions": actions,
        "forms": forms,
        "convened": assembly.participants.count(),
        "carried": participant.proxies.count() if participant else 0,
        "quorum": assembly.quorum_status() if assembly.phase != Assembly.Phase.DRAFT else None,
        "keeps_the_sheet": rules.keeps_the_sheet(viewer, assembly),
        "incident_form": IncidentForm(),
        "documents": assembly.documents.all() if may_read(request.user, assembly) else [],
        "item_requests": shown_to(request.user, assembly),
        "requests_closed": requests_closed and "ask" not in forms,
        **_voting(assembly, viewer),
        **_voting_in_advance(assembly, viewer, actions),
    }
    return render(request, "assemblies/assembly.html", context, status=status)


@require_GET
def assembly(request: HttpRequest, pk: int) -> HttpResponse:
    if response := _login_first(request):
        return response
    return _page(request, _assembly(request, pk))


@require_POST
def add_item(request: HttpRequest, pk: int) -> HttpResponse:
    if response := _login_first(request):
        return response
    assembly = _assembly(request, pk)
    _require(request, "edit_agenda", assembly)
    form = ResolutionForm(request.POST)
    if form.is_valid():
        try:
            assembly.add_item(request.user, **form.item())
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            return redirect("assemblies:assembly", pk=assembly.pk)
    return _page(request, assembly, {"item": form}, 422)


@require_POST
def convene(request: HttpRequest, pk: int) -> HttpResponse:
    def convened(count: int) -> str:
        return _("L'assemblée est convoquée : %(count)s associé·es reçoivent la convocation.") % {
            "count": count
        }

    return _act(request, pk, "convene", lambda assembly: assembly.convene(request.user), convened)


def _member_numbered(form, field: str):
    member = Member.objects.filter(number=form.cleaned_data[field]).first()
    if member is None:
        form.add_error(field, _("Aucun·e associé·e ne porte ce numéro."))
    return member


@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    if response := _login_first(request):
        return response
    assembly = _assembly(request, pk)
    _require(request, "answer", assembly)
    form = AnswerForm(request.POST, rules=assembly.rules)
    if form.is_valid():
        holder = None
        if form.cleaned_data["mode"] == "proxy" and form.cleaned_data.get("holder"):
            holder = _member_numbered(form, "holder")
        if not form.errors:
            participant = assembly.participant(rules.active_member(request.user))
            try:
                participant.answer(request.user, form.cleaned_data["mode"], holder)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, _("Votre réponse est enregistrée."))
                return redirect("assemblies:assembly", pk=assembly.pk)
    return _page(request, assembly, {"answer": form}, 422)


@require_GET
def convocation(request: HttpRequest, pk: int) -> HttpResponse:
    """The convocation as a printable page."""
    if response := _login_first(request):
        return response
    assembly = _assembly(request, pk)
    return render(request, "assemblies/convocation.html", notice.context(request, assembly))


@require_GET
def convocation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The same convocation as a PDF, made without fetching anything from another host."""
    if response := _login_first(request):
        return response
    assembly = _assembly(request, pk)
    response = HttpResponse(notice.pdf(request, assembly), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="convocation-{assembly.pk}.pdf"'
    return response


# On the day ------------------------------------------------------------------------------------


@require_POST
def open_session(request: HttpRequest, pk: int) -> HttpResponse:
    if response := _login_first(request):
        return response
    assembly = _assembly(request, pk)
    _require(request, "open", assembly)
    form = OpenForm(request.POST)
    if form.is_valid():
        chair = _member_numbered(form, "chair")
        secretary = _member_numbered(form, "secretary")
        if not form.errors:
            try:
                assembly.open(request.user, chair, secretary)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, _("La séance est ouverte."))
                return redirect("assemblies:assembly", pk=assembly.pk)
    return _page(request, assembly, {"open": form}, 422)


@require_POST
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign the attendance sheet: oneself, or (the secretary) someone by their number."""
    if response := _login_first(request):
        return response
    assembly = _assembly(request, pk)
    _require(request, "check_in", assembly)
    viewer = rules.active_member(request.user)
    number = request.POST.get("number", "")
    member = viewer
    if number:
        readable = _a_number(number)
        member = Member.objects.filter(number=int(number)).first() if readable else None
    participant = assembly.participant(member) if member else None
    if participant is None:
        messages.error(request, _("Cette personne n'est pas convoquée à cette assemblée."))
        return _page(request, assembly, status=422)
    participant.check_in(request.user)
    messages.success(request, _("L'émargement est enregistré."))
    return redirect("assemblies:assembly", pk=assembly.pk)


@require_GET
def quorum(request: HttpRequest, pk: int) -> HttpResponse:
    """The live quorum, a fragment the assembly page refreshes every few seconds (none
    before the convocation fixes who counts)."""
    if response := _login_first(request):
        return response
    assembly = _assembly(request, pk)
    if assembly.phase == Assembly.Phase.DRAFT:
        raise Http404
    return render(
        request,
        "assemblies/assembly.html#quorum",
        {"assembly": assembly, "quorum": assembly.quorum_status()},
    )


@require_POST
def record_failure(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "record_failure",
        lambda assembly: assembly.record_failure(request.user),
        _("L'assemblée est constatée sans quorum."),
    )


@require_POST
def convene_again(request: HttpRequest, pk: int) -> HttpResponse:
    if response := _login_first(request):
        return response
    assembly = _assembly(request, pk)
    _require(request, "convene_again", assembly)
    form = ConveneAgainForm(request.POST)
    if form.is_valid():
        try:
            second = assembly.convene_again(request.user, form.cleaned_data["starts_at"])
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(
                request,
                _("La deuxième convocation est en préparation, avec le même ordre du jour."),
            )
            return redirect("assemblies:assembly", pk=second.pk)
    return _page(request, assembly, {"again": form}, 422)


# Votes in session ------------------------------------------------------------------------------


def _voting(assembly: Assembly, viewer) -> dict:
    """The resolution open to the vote, and the voices the viewer casts on it."""
    voting = assembly.open_resolution_item() if assembly.phase == Assembly.Phase.OPEN else None
    return {
        "voting": voting,
        "ballots": voting.ballots(viewer) if voting else [],
        "choices": Vote.Choice.choices,
    }


def _resolution(assembly: Assembly, position: int) -> AgendaItem:
    return get_object_or_404(
        AgendaItem,
        assembly=assembly,
        position=position,
        kind__in=[AgendaItem.Kind.RESOLUTION, AgendaItem.Kind.ELECTION],
    )


def _act(request, pk: int, action: str, do, done) -> HttpResponse:
    """A button of the assembly page: the rule checked, then `do(assembly)`, which the model
    checks again under its lock; back to the page saying `done` (or `done(what do gave)`),
    or the page again (422) saying why not."""
    if response := _login_first(request):
        return response
    assembly = _assembly(request, pk)
    _require(request, action, assembly)
    try:
        outcome = do(assembly)
    except ValidationError as error:
        return _refused_on_the_page(request, assembly, error)
    messages.success(request, done(outcome) if callable(done) else done)
    return redirect("assemblies:assembly", pk=assembly.pk)


def _submit(
    request, pk: int, action: str, form_class, name: str, do, done, *, said_above=False
) -> HttpResponse:
    """A form of the assembly page: once valid, `do(assembly, cleaned_data)`; the model's
    refusals land on the form's fields and the page shows the form again (422). With
    `said_above`, a refusal that is no field's is also said at the top of the page: the
    form may no longer be shown (an amendment's, once its resolution's vote opened)."""
    if response := _login_first(request):
        return response
    assembly = _assembly(request, pk)
    _require(request, action, assembly)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            do(assembly, form.cleaned_data)
        except ValidationError as error:
            add_model_errors(form, error)
            for refusal in form.non_field_errors() if said_above else ():
                messages.error(request, refusal)
        else:
            messages.success(request, done)
            return redirect("assemblies:assembly", pk=assembly.pk)
    return _page(request, assembly, {name: form}, 422)


def _refused_on_the_page(request, assembly, error: ValidationError) -> HttpResponse:
    for message in error.messages:
        messages.error(request, message)
    return _page(request, assembly, status=422)


@require_POST
def open_resolution(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "open_resolution",
        lambda assembly: assembly.open_resolution(request.user, _resolution(assembly, position)),
        _("Le vote est ouvert."),
    )


@require_POST
def close_resolution(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "close_resolution",
        lambda assembly: _resolution(assembly, position).close_vote(request.user),
        _("Le vote est clos ; son résultat est enregistré."),
    )


@require_POST
def vote(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """One voice: the voter's own, or (`principal`, a member number) a principal's."""
    if response := _login_first(request):
        return response
    assembly = _assembly(request, pk)
    _require(request, "vote", assembly)
    number = request.POST.get("principal", "")
    principal = None
    if number:
        readable = _a_number(number)
        principal = Member.objects.filter(number=int(number)).first() if readable else None
        if principal is None:
            messages.error(request, _("Vous ne portez pas le pouvoir de cette personne."))
            return _page(request, assembly, status=422)
    try:
        cast = _resolution(assembly, position).vote(
            request.user, request.POST.get("choice", ""), principal
        )
    except ValidationError as error:
        return _refused_on_the_page(request, assembly, error)
    if isinstance(cast, SecretBallot):
        messages.success(
            request,
            _("Votre bulletin est dans l'urne. Gardez ce reçu pour l'y retrouver : %(receipt)s")
            % {"receipt": cast.receipt},
        )
    else:
        messages.success(request, _("Votre vote est enregistré."))
    return redirect("assemblies:assembly", pk=assembly.pk)


@require_GET
def projection(request: HttpRequest, pk: int) -> HttpResponse:
    """The screen in the room: the open resolution's counts, each closed one's outcome;
    htmx asks for the board again every few seconds."""
    if response := _login_first(request):
        return response
    assembly = _assembly(request, pk)
    if assembly.phase == Assembly.Phase.DRAFT:
        raise Http404
    resolutions = [
        (item, item.figures()) for item in assembly.items.filter(kind=AgendaItem.Kind.RESOLUTION)
    ]
    template = "assemblies/projection.html"
    if request.headers.get("HX-Request"):
        template += "#board"
    context = {"assembly": assembly, "resolutions": resolutions, "quorum": assembly.quorum_status()}
    return render(request, template, context)


# Advance votes ---------------------------------------------------------------------------------


def _voting_in_advance(assembly: Assembly, viewer, actions) -> dict:
    """The resolutions the viewer votes on before the day, with the choice sent so far."""
    if "vote_in_advance" not in actions:
        return {"advance_ballots": []}
    sent = AdvanceVote.of(assembly, viewer)
    resolutions = assembly.items.filter(kind=AgendaItem.Kind.RESOLUTION)
    chosen = AdvanceElectionVote.of(assembly, viewer)
    in_elections = assembly.items.filter(kind=AgendaItem.Kind.ELECTION).select_related("election")
    return {
        "advance_ballots": [(item, sent.get(item.pk)) for item in resolutions],
        "advance_elections": [(item, chosen.get(item.pk)) for item in in_elections],
        "choices": Vote.Choice.choices,
    }


@require_POST
def vote_in_advance(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """One resolution's advance vote, from a member who answered « vote avant la séance »."""
    choice = request.POST.get("choice", "")
    return _act(
        request,
        pk,
        "vote_in_advance",
        lambda assembly: AdvanceVote.cast(request.user, _resolution(assembly, position), choice),
        _("Votre vote avant la séance est enregistré."),
    )


@require_POST
def vote_in_advance_election(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """One election's advance vote: the candidates ticked (member numbers; none, blank)."""
    chosen = request.POST.getlist("candidates")

    def cast(assembly):
        if not all(_a_number(n) for n in chosen):
            raise ValidationError(_("Choisissez des candidat·es par leur numéro."))
        item = _resolution(assembly, position)
        return AdvanceElectionVote.cast(request.user, item, [int(n) for n in chosen])

    return _act(
        request,
        pk,
        "vote_in_advance",
        cast,
        _("Votre vote avant la séance est enregistré."),
    )


# Secret votes ----------------------------------------------------------------------------------


@require_POST
def mark_secret(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """The assembly decides a resolution is voted by secret ballot (the chair, officers)."""
    return _act(
        request,
        pk,
        "mark_secret",
        lambda assembly: _resolution(assembly, position).mark_secret(request.user),
        _("Cette résolution sera votée à bulletin secret."),
    )


# Amendments from the floor ---------------------------------------------------------------------


@require_POST
def propose_amendment(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """A member present proposes a new text for a resolution not yet voted."""
    return _submit(
        request,
        pk,
        "propose_amendment",
        partial(AmendmentForm, position=position),
        "amendment",
        lambda assembly, data: amendments.propose(
            request.user, _resolution(assembly, position), data["text"]
        ),
        _("Votre amendement est proposé ; la présidence décide s'il est mis au vote."),
        said_above=True,
    )


@require_POST
def decide_amendment(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """The chair admits a proposed amendment to the vote (`admit=1`) or refuses it
    (`admit=0`): a refusal is final, so nothing else is read as one."""
    form = AmendmentDecisionForm(request.POST)

    def decide(assembly):
        if not form.is_valid():
            raise ValidationError(form.errors["admit"])
        admitted = form.cleaned_data["admit"]
        return amendments.decide(request.user, _resolution(assembly, position), admitted)

    return _act(
        request,
        pk,
        "admit_amendment",
        decide,
        lambda amendment: (
            _("L'amendement est admis : il sera voté avant sa résolution.")
            if amendment.admission == AgendaItem.Admission.ADMITTED
            else _("L'amendement est refusé.")
        ),
    )


# Elections -------------------------------------------------------------------------------------


@require_POST
def add_election(request: HttpRequest, pk: int) -> HttpResponse:
    return _submit(
        request,
        pk,
        "edit_agenda",
        ElectionForm,
        "election",
        lambda assembly, data: elections.add_election(request.user, assembly, **data),
        _("L'élection est inscrite à l'ordre du jour."),
    )


@require_POST
def add_candidate(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """A candidate by member number: the chair or an officer for anyone, a member for
    themselves."""
    if response := _login_first(request):
        return response
    assembly = _assembly(request, pk)
    _require(request, "add_candidate", assembly)
    number = request.POST.get("number", "")
    readable = _a_number(number)
    member = Member.objects.filter(number=int(number)).first() if readable else None
    try:
        elections.add_candidate(request.user, _resolution(assembly, position), member)
    except ValidationError as error:
        return _refused_on_the_page(request, assembly, error)
    messages.success(request, _("La candidature est enregistrée."))
    return redirect("assemblies:assembly", pk=assembly.pk)


@require_POST
def cast_ballot(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """A vote in an election, secret or public: the candidates ticked (member numbers), for
    oneself or (`principal`) a principal."""
    if response := _login_first(request):
        return response
    assembly = _assembly(request, pk)
    _require(request, "vote", assembly)
    chosen = request.POST.getlist("candidates")
    number = request.POST.get("principal", "")
    if not all(_a_number(n) for n in [*chosen, number or "0"]):
        messages.error(request, _("Choisissez des candidat·es par leur numéro."))
        return _page(request, assembly, status=422)
    principal = Member.objects.filter(number=int(number)).first() if number else None
    if number and principal is None:
        messages.error(request, _("Vous ne portez pas le pouvoir de cette personne."))
        return _page(request, assembly, status=422)
    item = _resolution(assembly, position)
    if item.kind != AgendaItem.Kind.ELECTION:
        raise Http404
    try:
        ballot = item.vote(request.user, [int(n) for n in chosen], principal)
    except ValidationError as error:
        return _refused_on_the_page(request, assembly, error)
    if not item.secret:
        messages.success(request, _("Votre vote est enregistré."))
        return redirect("assemblies:assembly", pk=assembly.pk)
    messages.success(
        request,
        _("Votre bulletin est dans l'urne. Gardez ce reçu pour l'y retrouver : %(receipt)s")
        % {"receipt": ballot.receipt},
    )
    return redirect("assemblies:assembly", pk=assembly.pk)


# Closing the session, incidents (the minutes' own pages: minutes_views.py) -------------------


@require_POST
def close_session(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "close_session",
        lambda assembly: assembly.close_session(request.user),
        _("La séance est close : le procès-verbal est à confirmer."),
    )


@require_POST
def record_incident(request: HttpRequest, pk: int) -> HttpResponse:
    return _submit(
        request,
        pk,
        "record_incident",
        IncidentForm,
        "incident",
        lambda assembly, data: assembly.record_incident(request.user, data["text"]),
        _("L'incident est noté au procès-verbal."),
    )


# Documents sent with the convocation ----------------------------------------------------------


@require_POST
def attach_document(request: HttpRequest, pk: int) -> HttpResponse:
    return _submit(
        request,
        pk,
        "attach_document",
        DocumentForm,
        "document",
        lambda assembly, data: Document.attach(assembly, request.user, **data),
        _("Le document est joint à la convocation."),
    )


@require_POST
def attach_accounts(request: HttpRequest, pk: int) -> HttpResponse:
    return _submit(
        request,
        pk,
        "attach_document",
        AccountsForm,
        "accounts",
        lambda assembly, data: Document.attach_accounts(assembly, request.user, data["year"]),
        _("Les comptes de l'exercice sont joints à la convocation."),
    )


@require_POST
def remove_document(request: HttpRequest, pk: int, document: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "attach_document",
        lambda assembly: get_object_or_404(Document, pk=document, assembly=assembly).remove(
            request.user
        ),
        _("Le document est retiré de la convocation."),
    )


@require_GET
def download_document(request: HttpRequest, pk: int, document: int) -> FileResponse:
    """A document, by its number within the assembly: to anyone who may not read it, it
    does not exist."""
    if response := _login_first(request):
        return response
    assembly = _assembly(request, pk)
    if not may_read(request.user, assembly):
        raise Http404
    found = get_object_or_404(Document, pk=document, assembly=assembly)
    return file_response(found)


# Members ask for an item ----------------------------------------------------------------------


@require_POST
def ask_item(request: HttpRequest, pk: int) -> HttpResponse:
    return _submit(
        request,
        pk,
        "ask_item",
        ItemRequestForm,
        "ask",
        lambda assembly, data: ItemRequest.ask(assembly, request.user, **data),
        _("Votre demande est transmise aux responsables."),
    )


@require_POST
def accept_item_request(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "answer_item_request",
        lambda assembly: get_object_or_404(ItemRequest, pk=number, assembly=assembly).accept(
            request.user
        ),
        _("Le point est inscrit à l'ordre du jour."),
    )


@require_POST
def refuse_item_request(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    if response := _login_first(request):
        return response
    assembly = _assembly(request, pk)
    _require(request, "answer_item_request", assembly)
    asked = get_object_or_404(ItemRequest, pk=number, assembly=assembly)
    form = RefuseRequestForm(request.POST)
    if form.is_valid():
        try:
            asked.refuse(request.user, form.cleaned_data["reason"])
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, _("La demande est refusée ; son auteur·ice est prévenu·e."))
            return redirect("assemblies:assembly", pk=assembly.pk)
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return _page(request, assembly, status=422)
