"""The decisions' pages: proposing from a thread, a decision and its actions, the register.

Every action is a POST form that works without JavaScript (it redirects back to the
decision); with htmx the decision's block is swapped in place (`detail.html#decision`).
A decision one may not read answers 404 (a visitor is asked to log in first); an action
one may not take answers 403 with the reason `rules` gives, raised by the model method.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commun.core.replica import public_read
from commun.decisions import rules, seen, subjects
from commun.decisions.forms import (
    AdviceDecisionForm,
    AdviceForm,
    AmendForm,
    CastingVoteForm,
    CloseForm,
    DismissForm,
    ProposalForm,
    RegisterFilter,
    StanceForm,
    WithdrawForm,
)
from commun.decisions.models import Decision, Objection, Stance
from commun.deliberation.models import Notification, Space, Thread
from commun.lib.forms import add_model_errors
from commun.lib.ids import MAX_ID
from commun.web import is_htmx, viewer_of

REGISTER_PAGE_SIZE = 50
POSITIONS_SHOWN = 50
BOX_PAGE_SIZE = 100


def _denied(request: HttpRequest) -> HttpResponse:
    """Hide what one may not read: visitors are asked to log in, others get a 404."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise Http404


def _decision_for(request: HttpRequest, pk: int) -> Decision | None:
    if pk > MAX_ID:
        raise Http404
    decision = get_object_or_404(
        Decision.objects.select_related(
            "space__college", "space__circle", "thread", "author", "circle"
        ),
        pk=pk,
    )
    return decision if rules.can_read(request.user, decision) else None


# The decision page ---------------------------------------------------------------------------


def _steps(decision: Decision, round_number: int | None) -> list[dict]:
    """The stepper: each step of this kind of decision, done, current or to come."""
    Phase = Decision.Phase
    if decision.kind == Decision.Kind.CONSENT:
        middle = [Phase.CLARIFICATION, Phase.REACTIONS, Phase.OBJECTIONS, Phase.INTEGRATION]
        last = _("Adoptée, retirée ou caduque")
    elif decision.kind == Decision.Kind.ADVICE:
        middle = [Phase.ADVICE]
        last = _("Décision enregistrée")
    else:
        middle = [Phase.VOTING]
        last = _("Résultat")
    order = [Phase.DRAFT, *middle, Phase.CLOSED]
    current = order.index(decision.phase) if decision.phase in order else 0
    steps = []
    for i, phase in enumerate(order):
        label = phase.label
        if phase == Phase.CLOSED:
            label = decision.get_outcome_display() if decision.is_closed else last
        elif phase == Phase.OBJECTIONS and round_number and round_number > 1:
            label = _("%(phase)s (tour %(number)s)") % {"phase": label, "number": round_number}
        state = "done" if i < current else "current" if i == current else "todo"
        steps.append({"label": label, "state": state})
    return steps


def _objections(request, decision: Decision, round, bound: dict) -> list[Objection]:
    """The decision's objections as `seen` builds them, with the page's labels and forms."""
    objections = seen.objections(decision, request.user, viewer_of(request), round)
    for objection in objections:
        objection.label = _("Objection de %(name)s : %(reason)s") % {
            "name": objection.author_name,
            "reason": objection.reason[:120],
        }
        key = f"dismiss-{objection.pk}"
        if "dismiss_objection" in objection.actions or key in bound:
            objection.dismiss_form = bound.get(key) or DismissForm(
                prefix=f"objection-{objection.pk}"
            )
    return objections


def _page_context(
    request: HttpRequest, decision: Decision, bound: dict | None = None, errors=()
) -> dict:
    """Everything the decision page shows, in a bounded number of queries.

    `bound` holds forms sent with errors, shown in place of fresh ones (even when the
    action is no longer allowed, so that the error is seen).
    """
    bound = bound or {}
    user = request.user
    viewer = viewer_of(request)
    versions = list(decision.versions.all())
    previous = None
    for version in versions:
        version.previous = previous
        previous = version
    current_version = versions[-1] if versions else None
    # A decision on a mission: its text is generated; the page shows how its terms changed.
    subject = subjects.of(decision)
    changes = subject.terms_changes(decision) if subject.owns_text else {}
    for version in versions:
        version.terms_changes = changes.get(version.pk, [])
    rounds = list(decision.rounds.select_related("version"))
    round = rounds[-1] if rounds else None
    options = list(decision.options.all()) if decision.kind in Decision.OPTION_KINDS else []
    actions = rules.allowed_actions(user, decision)
    context = {
        "decision": decision,
        "versions": versions,
        "current_version": current_version,
        "rounds": rounds,
        "round": round,
        "options": options,
        "actions": actions,
        "steps": _steps(decision, round.number if round else None),
        # Errors about no field in particular are said once, above everything.
        "errors": [*errors, *(e for form in bound.values() for e in form.non_field_errors())],
        "form_errors": any(key != "__all__" for form in bound.values() for key in form.errors),
        "viewer": viewer,
        "author_name": decision.author.name_for(viewer),
        "viewer_eligible": decision.opened_at is not None and rules.is_eligible(viewer, decision),
        "colleges": list(decision.colleges.all())
        if decision.scope == Decision.Scope.COLLEGES
        else [],
        "eligible_count": decision.count_eligible() if decision.opened_at else None,
        "subject_notice": subject.notice(decision),
        "subject_link": subject.link(decision),
        "subject_outcome": subject.outcome(decision) if decision.is_closed else "",
    }
    tally = decision.tally(round) if decision.opened_at else None
    context["tally"] = tally
    context["spoken_count"] = decision.spoken_count(round, tally) if round else None

    my_stance, has_voted = seen.own_ballot(decision, viewer, round)
    if viewer is not None and round is not None and not decision.is_secret:
        context["my_history"] = list(my_stance.history.all()) if my_stance else []
    context["my_stance"] = my_stance
    context["has_voted"] = has_voted
    if "stance" in bound or ("take_stance" in actions and not has_voted):
        context["stance_form"] = bound.get("stance") or StanceForm(
            decision=decision,
            options=options,
            initial=StanceForm.initial_from(decision, my_stance),
            prefix="stance",
        )

    objections = _objections(request, decision, round, bound)
    open_objections = [o for o in objections if o.is_open]
    context["objections"] = objections

    if subject.owns_text and "amend" in actions:
        # Amended through what it decides, never as free text.
        context["amend_url"] = subject.amend_url(decision)
        context["amend_label"] = subject.amend_label
    if "amend" in bound or ("amend" in actions and not subject.owns_text):
        context["amend_form"] = bound.get("amend") or AmendForm(
            initial={"title": current_version.title, "body": current_version.body},
            objections=open_objections,
            prefix="amend",
        )
    if "close" in bound or "close" in actions:
        context["close_form"] = bound.get("close") or CloseForm(prefix="close")
    if "withdraw" in bound or "withdraw" in actions:
        context["withdraw_form"] = bound.get("withdraw") or WithdrawForm(prefix="withdraw")

    if decision.kind == Decision.Kind.ADVICE:
        context.update(_advice_context(decision, viewer, actions, bound))

    if "casting" in bound or "cast_deciding_vote" in actions:
        context["casting_form"] = bound.get("casting") or CastingVoteForm(
            decision=decision, prefix="casting"
        )

    if round is not None and not decision.is_secret and decision.kind != Decision.Kind.ADVICE:
        context["positions"] = _positions(decision, round, options, viewer)
    return context


def _advice_context(decision: Decision, viewer, actions, bound: dict) -> dict:
    """The advice given so far, and the forms to give one's own or record the decision."""
    advice = seen.advice(decision, viewer)
    context = {"advice": advice}
    mine = next((a for a in advice if a.is_mine), None)
    if mine is not None and ("advice" in bound or "give_advice" in actions):
        context["advice_form"] = bound.get("advice") or AdviceForm(
            initial={"advice": mine.advice}, prefix="advice"
        )
    if "record" in bound or "record_advice_decision" in actions:
        context["record_form"] = bound.get("record") or AdviceDecisionForm(prefix="record")
    return context


def _positions(decision: Decision, round, options: list, viewer) -> list:
    """The latest public stances of the round, with names and ballots in words."""
    positions = list(
        round.stances.select_related("member").order_by("-updated_at", "-pk")[:POSITIONS_SHOWN]
    )
    labels = {str(o.pk): o.label for o in options}
    # Translated once, not by get_choice_display() for each of the fifty.
    choices = {value: str(label) for value, label in Stance.Choice.choices}
    for stance in positions:
        stance.member_name = stance.member.name_for(viewer)
        stance.choice_label = choices.get(stance.choice, stance.choice)
        stance.ballot_labels = _ballot_labels(decision, stance.ballot, labels)
    return positions


def _ballot_labels(decision: Decision, ballot, labels: dict) -> str:
    if not ballot:
        return ""
    if decision.kind == Decision.Kind.APPROVAL:
        return ", ".join(labels.get(str(pk), "?") for pk in ballot)
    if decision.kind == Decision.Kind.RANKED:
        return " > ".join(" = ".join(labels.get(str(pk), "?") for pk in group) for group in ballot)
    return ", ".join(f"{labels.get(str(pk), '?')} : {n}" for pk, n in ballot.items())


def _render_decision(request, decision, status=200, **extra) -> HttpResponse:
    context = _page_context(request, decision, **extra)
    if is_htmx(request):
        # htmx swaps only successful answers: input errors come back as 200 to be seen;
        # a refusal keeps its 403 (the page never offered that button).
        status = 200 if status == 400 else status
        return render(request, "decisions/detail.html#decision", context, status=status)
    return render(request, "decisions/detail.html", context, status=status)


@public_read
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision_for(request, pk)
    if decision is None:
        return _denied(request)
    viewer = viewer_of(request)
    if viewer is not None:
        # Seeing the decision reads what told of it; checked first, so that a page view
        # writes (and takes SQLite's write lock) only when there is something to mark.
        told = Notification.objects.filter(member=viewer, decision=decision).unread()
        if told.exists():
            told.mark_read()
    return _render_decision(request, decision)


@public_read
@require_GET
def tally(request: HttpRequest, pk: int) -> HttpResponse:
    """The live count, polled by htmx while a vote is open; a browser goes to the page."""
    decision = _decision_for(request, pk)
    if decision is None:
        return _denied(request)
    if not is_htmx(request):
        return redirect(decision.get_absolute_url() + "#tally")
    options = list(decision.options.all()) if decision.kind in Decision.OPTION_KINDS else []
    return render(
        request,
        "decisions/detail.html#tally",
        {
            "decision": decision,
            "options": options,
            "tally": decision.tally() if decision.opened_at else None,
        },
    )


# Acting on a decision --------------------------------------------------------------------


def _act(request, decision, action, run, form=None, form_key=None, objection=None):
    """Check who may take `action` now, validate `form`, run the model method, show the page.

    `run(cleaned_data)` returns the message saying what was done (or a response of its
    own). A refusal answers 403 with the page and the reason the rules give (the model
    checks again, under its lock); a ValidationError is shown on the form, or above the
    actions, with a 400.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(decision.get_absolute_url())
    try:
        rules.require(request.user, action, decision, objection)
        if form is not None and not form.is_valid():
            return _render_decision(request, decision, status=400, bound={form_key: form})
        done = run(form.cleaned_data if form is not None else {})
    except PermissionDenied as refusal:
        message = str(refusal) or _("Vous ne pouvez pas faire cela.")
        return _render_decision(request, decision, status=403, errors=[message])
    except ValidationError as error:
        if form is None:
            return _render_decision(request, decision, status=400, errors=error.messages)
        add_model_errors(form, error)
        return _render_decision(request, decision, status=400, bound={form_key: form})
    if isinstance(done, HttpResponse):
        return done
    fresh = _decision_for(request, decision.pk) if is_htmx(request) else None
    if fresh is not None:
        context = _page_context(request, fresh)
        context["done"] = done
        return render(request, "decisions/detail.html#decision", context)
    messages.success(request, done)
    return redirect(decision)


def _decision_action(action: str, form_class=None, form_key: str = ""):
    """A POST view acting on a readable decision: `do(request, decision, data)` → message."""

    def decorate(do):
        @require_POST
        def view(request: HttpRequest, pk: int) -> HttpResponse:
            decision = _decision_for(request, pk)
            if decision is None:
                return _denied(request)
            form = None
            if form_class is not None:
                about = {"decision": decision} if form_class is CastingVoteForm else {}
                form = form_class(request.POST, prefix=form_key, **about)
            return _act(
                request, decision, action, lambda data: do(request, decision, data), form, form_key
            )

        view.__name__ = view.__qualname__ = do.__name__
        view.__doc__ = do.__doc__
        return view

    return decorate


def _objection_action(action: str, with_note: bool = False):
    """A POST view acting on an objection of a readable decision."""

    def decorate(do):
        @require_POST
        def view(request: HttpRequest, pk: int) -> HttpResponse:
            if pk > MAX_ID:
                raise Http404
            objection = get_object_or_404(Objection.objects.select_related("round"), pk=pk)
            decision = _decision_for(request, objection.decision_id)
            if decision is None:
                return _denied(request)
            objection.decision = decision
            key = f"dismiss-{objection.pk}"
            form = DismissForm(request.POST, prefix=f"objection-{pk}") if with_note else None
            return _act(
                request,
                decision,
                action,
                lambda data: do(request, objection, data),
                form,
                key,
                objection,
            )

        view.__name__ = view.__qualname__ = do.__name__
        view.__doc__ = do.__doc__
        return view

    return decorate


@_decision_action("open")
def open_decision(request, decision, data):
    decision.open(by=request.user)
    return _("La décision est ouverte : les personnes appelées à se prononcer sont fixées.")


@_decision_action("advance")
def advance(request, decision, data):
    decision.advance(request.user)
    return _("Étape suivante : %(phase)s.") % {"phase": decision.get_phase_display()}


@require_POST
def amend(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision_for(request, pk)
    if decision is None:
        return _denied(request)
    form = AmendForm(request.POST, objections=decision.open_objections(), prefix="amend")

    def run(data):
        version = decision.amend(
            request.user,
            title=data["title"],
            body=data["body"],
            note=data["note"],
            integrates=data.get("integrates", []),
        )
        return _("La version %(number)s de la proposition est publiée.") % {
            "number": version.number
        }

    return _act(request, decision, "amend", run, form, "amend")


def _stance_form(request, decision) -> StanceForm:
    options = list(decision.options.all()) if decision.kind in Decision.OPTION_KINDS else []
    return StanceForm(request.POST, decision=decision, options=options, prefix="stance")


@require_POST
def take_stance(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision_for(request, pk)
    if decision is None:
        return _denied(request)
    form = _stance_form(request, decision)

    def run(_data):
        choice, reason, ballot = form.stance()
        try:  # the current round read under its lock, with the decision (one statement)
            Decision.objects.take_stance(decision.pk, request.user, choice, reason, ballot)
        except Decision.DoesNotExist:  # hidden since the page read it
            raise Http404 from None
        return _("Votre position est enregistrée.")

    return _act(request, decision, "take_stance", run, form, "stance")


@never_cache
@require_POST
def cast_secret_ballot(request: HttpRequest, pk: int) -> HttpResponse:
    """Vote once in secret; the receipt is shown in this answer only and stored nowhere."""
    decision = _decision_for(request, pk)
    if decision is None:
        return _denied(request)
    form = _stance_form(request, decision)

    def run(_data):
        receipt = decision.current_round.cast_secret_ballot(request.user, form.secret_content())
        return render(request, "decisions/receipt.html", {"decision": decision, "receipt": receipt})

    return _act(request, decision, "take_stance", run, form, "stance")


@_objection_action("begin_integration")
def begin_integration(request, objection, data):
    objection.begin_integration(request.user)
    return _("Vous intégrez cette objection : amendez la proposition pour y répondre.")


@_objection_action("dismiss_objection", with_note=True)
def dismiss_objection(request, objection, data):
    objection.dismiss(request.user, data["status_note"])
    return _("L'objection est jugée non bloquante ; la personne qui l'a soulevée en est avertie.")


@_objection_action("withdraw_objection")
def withdraw_objection(request, objection, data):
    objection.withdraw(request.user)
    return _("Votre objection est retirée.")


@_objection_action("resolve_objection")
def resolve_objection(request, objection, data):
    objection.resolve(request.user)
    return _("Votre objection est levée : la nouvelle version y répond.")


@_decision_action("start_new_round")
def start_new_round(request, decision, data):
    round = decision.start_new_round(request.user)
    return _("Le tour d'objections n°%(number)s est ouvert sur la dernière version.") % {
        "number": round.number
    }


@_decision_action("withdraw", WithdrawForm, "withdraw")
def withdraw(request, decision, data):
    decision.withdraw(request.user, statement=data["statement"])
    return _("La proposition est retirée.")


@_decision_action("close", CloseForm, "close")
def close(request, decision, data):
    decision.close(by=request.user, statement=data["statement"], review_on=data["review_on"])
    return _("La décision est close : %(outcome)s.") % {
        "outcome": decision.get_outcome_display().lower()
    }


@_decision_action("give_advice", AdviceForm, "advice")
def give_advice(request, decision, data):
    advice = decision.advice.get(advisor=rules.active_member(request.user))
    advice.give(request.user, data["advice"])
    return _("Votre avis est transmis.")


@_decision_action("record_advice_decision", AdviceDecisionForm, "record")
def record_advice_decision(request, decision, data):
    decision.record_advice_decision(request.user, data["statement"], review_on=data["review_on"])
    return _("Votre décision est enregistrée au registre.")


@_decision_action("cast_deciding_vote", CastingVoteForm, "casting")
def cast_deciding_vote(request, decision, data):
    decision.cast_deciding_vote(request.user, data["choice"], data["statement"])
    return _("L'égalité est départagée ; le registre le dit.")


# Proposing ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    """A new proposal from a thread, saved as a draft its author then opens."""
    if pk > MAX_ID:
        raise Http404
    thread = get_object_or_404(
        Thread.objects.select_related("space__college", "space__circle"), pk=pk
    )
    if not thread.can_read(request.user):
        return _denied(request)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    member = rules.active_member(request.user)
    if member is None or not thread.space.can_post(member):
        raise PermissionDenied(_("Vous ne pouvez pas proposer de décision dans cet espace."))
    form = ProposalForm(request.POST or None, space=thread.space)
    if request.method == "POST" and form.is_valid():
        try:
            decision = Decision.objects.propose(thread=thread, author=member, **form.proposal())
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(
                request,
                _("Le brouillon est enregistré. Relisez-le, puis ouvrez-le à la délibération."),
            )
            return redirect(decision)
    status = 400 if form.errors else 200
    return render(
        request,
        "decisions/propose.html",
        {"thread": thread, "space": thread.space, "form": form},
        status=status,
    )


# The register and the ballot box -------------------------------------------------------------


@public_read
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """Every decision the viewer may read, newest first: public ones for visitors."""
    spaces = list(
        Space.objects.readable_by(request.user)
        .select_related("college", "circle")
        .order_by("kind", "name")
    )
    filters = RegisterFilter(request.GET or None, spaces=spaces)
    decisions = (
        filters.filter(Decision.objects.readable_by(request.user))
        .exclude(phase=Decision.Phase.DRAFT)
        .select_related("space__college", "space__circle")
        .prefetch_related("options")
        .order_by(F("opened_at").desc(nulls_last=True), "-pk")
    )
    page = Paginator(decisions, REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "decisions/register.html",
        {"page": page, "filters": filters, "query_string": urlencode(query)},
    )


@require_GET
def box(request: HttpRequest, pk: int) -> HttpResponse:
    """A secret ballot's published box: receipts, hashes, the chain's head, and its check."""
    decision = _decision_for(request, pk)
    if decision is None:
        return _denied(request)
    round = decision.current_round
    if not decision.is_secret or round is None:
        raise Http404
    ballots = round.ballots.order_by("sequence").values(
        "sequence", "receipt", "content", "previous_hash", "hash"
    )
    # Receipts are letters and digits: anything else (a NUL answers 500 on PostgreSQL) goes.
    receipt = "".join(
        c for c in request.GET.get("recu", "") if c.isascii() and (c.isalnum() or c == "-")
    )
    receipt = receipt.upper()[:32]
    found = None
    page_number = request.GET.get("page")
    if receipt:
        found = round.ballots.filter(receipt=receipt).values_list("sequence", flat=True).first()
        if found is not None and not page_number:
            page_number = (found - 1) // BOX_PAGE_SIZE + 1
    verified = bad_sequence = None
    if request.GET.get("verifier"):
        verified, bad_sequence = round.verify_chain()
    paginator = Paginator(ballots, BOX_PAGE_SIZE)
    page = paginator.get_page(page_number)
    query = {k: v for k, v in request.GET.items() if k in ("recu", "verifier") and v}
    return render(
        request,
        "decisions/box.html",
        {
            "decision": decision,
            "round": round,
            "page": page,
            "head_hash": round.head_hash,
            "closed": decision.ballots_unsealed,
            "options": list(decision.options.all()),
            "receipt": receipt,
            "found": found,
            "verified": verified,
            "bad_sequence": bad_sequence,
            "query_string": urlencode(query),
        },
    )
