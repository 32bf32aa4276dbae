"""The public board: columns by state, a list that pages through any number of tasks, a
task's page and history, and each member's own tasks.

Reading is public and needs no JavaScript. Every change is a POST form: without htmx it
redirects back; with htmx (a card's button on the board) it answers the board's columns,
so the card moves. The form carries the state the page showed (`etat`): a change read
from a stale page is refused (409) rather than applied to a task that moved since.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commun.board import forge as forges
from commun.board import imports, rules
from commun.board.forms import (
    ImportForm,
    PlaceForm,
    ReasonForm,
    TaskEditForm,
    TaskFilter,
    TaskForm,
)
from commun.board.models import Conflict, Task, with_addresses
from commun.budgets.models import Mission, Need
from commun.core.replica import public_read
from commun.lib.forms import add_model_errors
from commun.lib.ids import MAX_ID
from commun.lib.urls import address_by_id
from commun.members.models import Member
from commun.web import is_htmx

# A card costs about half a millisecond to render: five columns of 20 keep the board under
# its 100 ms (docs/benchmarks.md); the rest of a column is one link away, in the list.
COLUMN_SIZE = 20
LIST_SIZE = 50
MINE_SHOWN = 100
HISTORY_SHOWN = 200

# What a card's or a task page's buttons do: (rule, model method, asks a reason, message).
ACTIONS = {
    "prendre": ("take_task", "take", False, gettext_lazy("Vous avez pris la tâche.")),
    "laisser": ("leave_task", "leave", False, gettext_lazy("Vous avez laissé la tâche.")),
    "faite": ("finish_task", "finish", False, gettext_lazy("La tâche est marquée faite.")),
    "valider": ("validate_task", "validate", False, gettext_lazy("La tâche est validée.")),
    "renvoyer": ("send_back_task", "send_back", True, gettext_lazy("La tâche est renvoyée.")),
    "abandonner": ("abandon_task", "abandon", True, gettext_lazy("La tâche est abandonnée.")),
}


def _viewer(request):
    return rules.active_member(request.user)


def _query_string(request) -> str:
    return urlencode({k: v for k, v in request.GET.items() if k not in ("apres", "page")})


def _task(pk: int) -> Task:
    if pk > MAX_ID:
        raise Http404
    return get_object_or_404(Task.objects.for_cards(), pk=pk)


def dress(cards: list, request) -> list:
    """Give each card what the page shows: its addresses, its assignees' names as the reader
    may see them (the members' one rule, `Member.name_for`), and the buttons the reader may
    press."""
    viewer, user = _viewer(request), request.user
    with_addresses(cards)
    labels, assignees_of = _labels_and_assignees([task.pk for task in cards])
    button_urls = {}
    if viewer is not None:  # a visitor has no buttons
        button_urls = {action: address_by_id("board:action", action) for action in ACTIONS}
    for task in cards:
        task.label_names = labels.get(task.pk, [])
        assignees = assignees_of.get(task.pk, [])
        task.assignee_names = [member.name_for(viewer) for member in assignees]
        task.buttons = []
        if viewer is None:
            continue
        mine = any(member.pk == viewer.pk for member in assignees)
        if task.is_open and not mine and len(assignees) < task.slots:
            task.buttons.append(("prendre", _("Prendre")))
        if task.is_open and mine:
            task.buttons.append(("laisser", _("Laisser")))
        if task.state == Task.State.DOING and mine:
            task.buttons.append(("faite", _("Marquer faite")))
        if task.state == Task.State.DONE and rules.may(user, "validate_task", task):
            task.buttons.append(("valider", _("Valider")))
        task.buttons = [
            (action, label, button_urls[action](task.pk)) for action, label in task.buttons
        ]
    return cards


def _labels_and_assignees(task_ids: list[int]) -> tuple[dict, dict]:
    """Each task's label names and assignees, in two queries for any number of cards.

    Plain rows rather than `prefetch_related`: a card needs names, not a related manager per
    task, and of each assignee only what a name needs (no address nor IBAN is decrypted)."""
    labels, assignees = {}, {}
    rows = Task.labels.through.objects.filter(task_id__in=task_ids)
    for task_id, name in rows.order_by("label__name").values_list("task_id", "label__name"):
        labels.setdefault(task_id, []).append(name)
    members = Member.objects.for_names().filter(assignments__task_id__in=task_ids)
    for member in members.annotate(task_id=F("assignments__task_id")).order_by("number"):
        assignees.setdefault(member.task_id, []).append(member)
    return labels, assignees


def _columns(request, filters: TaskFilter) -> list[dict]:
    tasks = filters.apply(Task.objects.for_board(), _viewer(request))
    wanted = filters.cleaned_data.get("state") if filters.is_valid() else ""
    columns, cards = [], []
    for state, label in Task.State.choices:
        if wanted and state != wanted:
            continue
        rows = list(tasks.filter(state=state).order_by("-pk")[: COLUMN_SIZE + 1])
        column = {"state": state, "label": label, "tasks": rows[:COLUMN_SIZE]}
        column["more"] = len(rows) > COLUMN_SIZE
        columns.append(column)
        cards += column["tasks"]
    dress(cards, request)
    return columns


def _filters(request) -> TaskFilter:
    return TaskFilter(request.GET or None)


@require_GET
@public_read
def board(request: HttpRequest) -> HttpResponse:
    """The tasks by state, the latest first in each column."""
    filters = _filters(request)
    context = {
        "columns": _columns(request, filters),
        "filters": filters,
        "query_string": _query_string(request),
        "may_create": rules.may(request.user, "create_task"),
    }
    return render(request, "board/board.html", context, status=400 if filters.errors else 200)


@require_GET
@public_read
def task_list(request: HttpRequest) -> HttpResponse:
    """Every task, the latest first, read by pages after a task's id (not by an offset)."""
    filters = _filters(request)
    tasks = filters.apply(Task.objects.for_board(), _viewer(request))
    tasks = tasks.order_by("-pk")
    after = request.GET.get("apres", "")
    if after.isdigit() and 0 < int(after) <= MAX_ID:
        tasks = tasks.filter(pk__lt=int(after))
    rows = list(tasks[: LIST_SIZE + 1])
    page = dress(rows[:LIST_SIZE], request)
    query_string = _query_string(request)
    next_url = ""
    if len(rows) > LIST_SIZE:
        next_url = "?" + "&".join(p for p in (query_string, f"apres={page[-1].pk}") if p)
    return render(
        request,
        "board/list.html",
        {"tasks": page, "filters": filters, "next_url": next_url, "query_string": query_string},
        status=400 if filters.errors else 200,
    )


@require_GET
@public_read
def task(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_page(request, _task(pk))


def _task_page(request, task: Task, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    viewer, user = _viewer(request), request.user
    dress([task], request)
    changes = list(task.changes.select_related("by").order_by("-at", "-pk")[:HISTORY_SHOWN])
    for change in changes:
        change.by_name = change.by.name_for(viewer)
    context = {
        "task": task,
        "changes": changes,
        "errors": bound.get("errors"),
        "next": task.get_absolute_url(),
    }
    if task.state == Task.State.DONE and rules.may(user, "send_back_task", task):
        context["send_back_form"] = bound.get("renvoyer") or ReasonForm(prefix="renvoyer")
    if task.is_open and rules.may(user, "edit_task", task):
        context["may_edit"] = True
    if task.is_open and rules.may(user, "move_task", task):
        context["place_form"] = bound.get("place") or PlaceForm(
            initial={"place": _place_of(task)}, places=_places()
        )
    if task.is_open and rules.may(user, "abandon_task", task):
        context["abandon_form"] = bound.get("abandonner") or ReasonForm(prefix="abandonner")
    return render(request, "board/task.html", context, status=status)


PLACES_SHOWN = 200


def _place_of(task: Task) -> str:
    return f"{task.need_id}-{task.mission_id}" if task.mission_id else str(task.need_id)


def _places() -> list[tuple[str, str]]:
    """Where a task may go: the latest live needs, each followed by its adopted missions."""
    needs = list(Need.objects.filter(status__in=Need.LIVE).order_by("-pk")[:PLACES_SHOWN])
    missions = Mission.objects.filter(need__in=needs, status__in=Mission.FUNDED).order_by("pk")
    by_need = {}
    for mission in missions:
        by_need.setdefault(mission.need_id, []).append(mission)
    places = []
    for need in needs:
        places.append((str(need.pk), _("Besoin « %(need)s »") % {"need": need.title}))
        places += [
            (
                f"{need.pk}-{mission.pk}",
                _("Besoin « %(need)s », mission « %(mission)s »")
                % {"need": need.title, "mission": mission},
            )
            for mission in by_need.get(need.pk, [])
        ]
    return places


@require_POST
def task_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Put the task on another need or mission (its creator, its need's author, an officer)."""
    if not request.user.is_authenticated:
        return redirect_to_login(_task(pk).get_absolute_url())
    task = _task(pk)
    message = rules.refusal(request.user, "move_task", task)
    if message is not None:
        raise PermissionDenied(message)
    form = PlaceForm(request.POST, places=_places())
    status, errors = 422, None
    if form.is_valid():
        need_pk, mission_pk = form.need_and_mission()
        need = Need.objects.get(pk=need_pk)
        mission = Mission.objects.get(pk=mission_pk) if mission_pk else None
        expected = request.POST.get("etat") or None
        if expected is not None and expected not in Task.State.values:
            expected = ""  # a forged state matches no task: refused as stale
        try:
            task.move(request.user, need, mission, expected=expected)
        except Conflict as error:
            status, errors = 409, error.messages
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("La tâche est déplacée."))
            return redirect(task)
    return _task_page(request, _task(pk), {"errors": errors, "place": form}, status)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


@require_POST
def task_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take, leave, finish, validate, send back or abandon a task: one POST each."""
    if action not in ACTIONS:
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(_task(pk).get_absolute_url())
    rule, method, asks_reason, done = ACTIONS[action]
    task = _task(pk)
    message = rules.refusal(request.user, rule, task)
    if message is not None:
        raise PermissionDenied(message)  # before reading the form; the model checks again
    expected = request.POST.get("etat") or None
    if expected is not None and expected not in Task.State.values:
        expected = ""  # a forged state matches no task: refused as stale
    form = ReasonForm(request.POST, prefix=action) if asks_reason else None
    status, errors = 200, None
    if form is None or form.is_valid():
        args = (form.cleaned_data["reason"],) if form else ()
        try:
            getattr(task, method)(request.user, *args, expected=expected)
        except Conflict as error:
            status, errors = 409, error.messages
        except ValidationError as error:
            status = 422
            if form is None:
                errors = error.messages
            else:
                add_model_errors(form, error)
    else:
        status = 422
    if is_htmx(request):
        # The board asked: its columns again, with the card where it now is.
        filters = _filters(request)
        context = {
            "columns": _columns(request, filters),
            "query_string": _query_string(request),
            "errors": errors or (form.errors.get("reason") if form and form.errors else None),
        }
        return render(request, "board/board.html#columns", context)
    if status == 200:
        messages.success(request, done)
        return redirect(_safe_next(request, task.get_absolute_url()))
    bound = {"errors": errors}
    if form is not None:
        bound[action] = form
    return _task_page(request, _task(pk), bound, status)


def _need_for_new_tasks(request, need_pk: int) -> Need:
    message = rules.refusal(request.user, "create_task")
    if message is not None:
        raise PermissionDenied(message)
    if need_pk > MAX_ID:
        raise Http404
    return get_object_or_404(Need, pk=need_pk)


@require_http_methods(["GET", "POST"])
def task_new(request: HttpRequest, need_pk: int) -> HttpResponse:
    """A member writes a task on a need, optionally funded by one of its adopted missions."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    need = _need_for_new_tasks(request, need_pk)
    missions = list(need.missions.filter(status__in=Mission.FUNDED).order_by("-pk")[:100])
    form = TaskForm(request.POST or None, missions=missions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        mission = next((m for m in missions if m.pk == data.pop("mission")), None)
        try:
            task = Task.objects.create_task(request.user, need, mission=mission, **data)
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(
                request, _("La tâche est sur le tableau : elle attend qui la prendra.")
            )
            return redirect(task)
    status = 422 if form.errors else 200
    return render(request, "board/task_form.html", {"form": form, "need": need}, status=status)


def _imported_message(imported: imports.Imported) -> str:
    count = len(imported.tasks)
    if count:
        message = ngettext(
            "%(count)s tâche importée sur le tableau.",
            "%(count)s tâches importées sur le tableau.",
            count,
        ) % {"count": count}
    else:
        message = _("Aucune tâche importée.")
    if imported.skipped:
        lines = ", ".join(str(line.line) for line in imported.skipped)
        message += " " + ngettext(
            "Déjà sur le tableau, ligne %(lines)s : laissée de côté.",
            "Déjà sur le tableau, lignes %(lines)s : laissées de côté.",
            len(imported.skipped),
        ) % {"lines": lines}
    return message


@require_http_methods(["GET", "POST"])
def task_import(request: HttpRequest, need_pk: int) -> HttpResponse:
    """A member brings a forge's tasks onto a need from a CSV, checked whole first."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    need = _need_for_new_tasks(request, need_pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            raw = upload.read(imports.MAX_BYTES + 1)
            imported = imports.import_tasks(request.user, need, raw)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _imported_message(imported))
            return redirect(f"{reverse('board:list')}?{urlencode({'need': need.pk})}")
    status = 422 if form.errors else 200
    return render(request, "board/import.html", {"form": form, "need": need}, status=status)


@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rewrite what a task asks while it is not done (kept in its history)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    task = _task(pk)
    message = rules.refusal(request.user, "edit_task", task)
    if message is not None:
        raise PermissionDenied(message)
    initial = {
        "title": task.title,
        "description": task.description,
        "labels": ", ".join(label.name for label in task.labels.all()),
        "due_on": task.due_on,
        "estimate_hours": task.estimate_hours,
        "slots": task.slots,
        "links": "\n".join(task.links),
    }
    form = TaskEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        expected = request.POST.get("etat") or None
        try:
            task.edit(request.user, expected=expected, **form.cleaned_data)
        except Conflict as error:
            form.add_error(None, error.messages)
            status = 409
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, _("La tâche est modifiée."))
            return redirect(task)
    if form.errors and status == 200:
        status = 422
    context = {"form": form, "need": task.need, "task": task}
    return render(request, "board/task_form.html", context, status=status)


@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    """« Mes tâches »: what I took and have not seen validated or abandoned yet."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    member = _viewer(request)
    if member is None:
        return redirect("members:me")
    tasks = with_addresses(list(Task.objects.mine(member).for_board()[:MINE_SHOWN]))
    return render(request, "board/mine.html", {"tasks": tasks})


@csrf_exempt  # a forge has no session: its signature or token is the proof
@require_POST
def forge_hook(request: HttpRequest, forge: str) -> JsonResponse:
    """A forge's issue event (docs/board.md): 401 when its signature is wrong, nothing
    written; 200 with what it did, even when it did nothing, since forges retry errors."""
    if not settings.BOARD_FORGE_SECRET or forge not in forges.READERS:
        raise Http404
    try:
        body = _forge_body(request)
        event = forges.read(forge, request.headers, body, settings.BOARD_FORGE_SECRET)
    except forges.Refused as refusal:
        return JsonResponse({"detail": str(refusal)}, status=refusal.status)
    outcome, moved = forges.receive(forge, event)
    return JsonResponse({"outcome": outcome, "tasks": moved})


def _forge_body(request: HttpRequest) -> bytes:
    """The body, or 413 when it is over `forges.MAX_BODY_BYTES`: told by its length before
    reading it, else (a chunked body) by reading one byte more than the maximum."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > forges.MAX_BODY_BYTES:
        raise forges.Refused(413, _("Le corps de la requête est trop volumineux."))
    body = request.read(forges.MAX_BODY_BYTES + 1)
    if len(body) > forges.MAX_BODY_BYTES:
        raise forges.Refused(413, _("Le corps de la requête est trop volumineux."))
    return body
