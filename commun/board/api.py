"""API of the board: tasks and their history, through the same model methods as the pages.

Reading is public; names follow each member's choice (`Member.name_for`). Each change asks
`rules` first (403 with the reason), then calls the model, which checks again under the
task's lock: a state that moved since the caller read it (`expected_state`) answers 409.
"""

from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Path, Query, Router, Status, UploadedFile
from ninja.decorators import decorate_view
from ninja.errors import ValidationError as NinjaValidationError

from commun.api_auth import authenticated, public
from commun.api_helpers import conflict
from commun.board import imports, rules
from commun.board.forms import assigned_to_number, labelled
from commun.board.models import Conflict, Task
from commun.board.schemas import (
    ChangeOut,
    TaskDetail,
    TaskEditIn,
    TaskImportOut,
    TaskIn,
    TaskMoveIn,
    TaskPage,
    TaskPlaceIn,
    TaskQuery,
    TaskReasonIn,
)
from commun.budgets.models import Mission, Need
from commun.core.replica import public_read
from commun.lib.ids import MAX_API_ID

router = Router(tags=["Tableau des tâches"])
Id = Path(..., ge=1, le=MAX_API_ID)
HISTORY_SHOWN = 500


def _viewer(request):
    return rules.active_member(request.user)


def _task_out(task: Task, viewer) -> dict:
    return {
        "id": task.pk,
        "title": task.title,
        "state": task.state,
        "need": task.need_id,
        "mission": task.mission_id,
        "labels": [label.name for label in task.labels.all()],
        "due_on": task.due_on,
        "estimate_hours": task.estimate_hours,
        "links": task.links,
        "slots": task.slots,
        "assignees": [member.name_for(viewer) for member in task.assignees.all()],
        "created_at": task.created_at,
        "changed_at": task.changed_at,
        "url": task.get_absolute_url(),
    }


def _history(task: Task, viewer) -> list[dict]:
    changes = task.changes.select_related("by").order_by("at", "pk")[:HISTORY_SHOWN]
    return [
        {
            "id": change.pk,
            "at": change.at,
            "by": change.by.name_for(viewer),
            "kind": change.kind,
            "from_state": change.from_state,
            "to_state": change.to_state,
            "reason": change.reason,
        }
        for change in changes
    ]


def _task(pk: int) -> Task:
    return get_object_or_404(Task.objects.for_cards(), pk=pk)


def _detail(request, pk: int) -> dict:
    task, viewer = _task(pk), _viewer(request)
    return _task_out(task, viewer) | {
        "description": task.description,
        "description_html": task.description_html,
        "history": _history(task, viewer),
    }


@router.get("/tasks", auth=public, response=TaskPage)
@decorate_view(public_read)
def list_tasks(request, filters: Query[TaskQuery]):
    """Tasks, the latest first, `limit` at a time: pass `next_after` as `after` for the next
    ones (the cost is the same on the last page as on the first)."""
    tasks = Task.objects.select_related("need", "mission").order_by("-pk")
    if filters.state:
        tasks = tasks.filter(state=filters.state)
    if filters.need:
        tasks = tasks.filter(need=filters.need)
    if filters.mission:
        tasks = tasks.filter(mission=filters.mission)
    if filters.label:
        tasks = labelled(tasks, filters.label)
    if filters.assignee:
        tasks = assigned_to_number(tasks, filters.assignee, _viewer(request))
    if filters.after:
        tasks = tasks.filter(pk__lt=filters.after)
    rows = list(tasks[: filters.limit + 1])
    page = rows[: filters.limit]
    prefetch_related_objects(page, "labels", "assignees")
    viewer = _viewer(request)
    return {
        "items": [_task_out(task, viewer) for task in page],
        "next_after": page[-1].pk if len(rows) > filters.limit else None,
    }


@router.get("/tasks/{task_id}", auth=public, response=TaskDetail)
@decorate_view(public_read)
def get_task(request, task_id: int = Id):
    """A task, its description (Markdown, and HTML cleaned) and its whole history."""
    return _detail(request, task_id)


@router.get("/tasks/{task_id}/history", auth=public, response=list[ChangeOut])
@decorate_view(public_read)
def task_history(request, task_id: int = Id):
    """Who changed the task, when, from which state to which, and why."""
    return _history(get_object_or_404(Task, pk=task_id), _viewer(request))


@router.post("/tasks", auth=authenticated, response={201: TaskDetail})
def create_task(request, payload: TaskIn):
    """Write a task on a live need, optionally funded by one of its adopted missions."""
    rules.require(request.user, "create_task")
    need = Need.objects.filter(pk=payload.need_id).first()
    if need is None:
        raise ValidationError({"need_id": _("Ce besoin n'existe pas.")})
    mission = None
    if payload.mission_id is not None:
        mission = Mission.objects.filter(pk=payload.mission_id).first()
        if mission is None:
            raise ValidationError({"mission_id": _("Cette mission n'existe pas.")})
    values = payload.dict(exclude={"need_id", "mission_id"})
    try:
        task = Task.objects.create_task(request.user, need, mission=mission, **values)
    except ValidationError as error:
        renamed = {"need": "need_id", "mission": "mission_id"}
        raise ValidationError(
            {renamed.get(field, field): messages for field, messages in error.message_dict.items()}
        ) from None
    return Status(201, _detail(request, task.pk))


@router.post("/needs/{need_id}/tasks/import", auth=authenticated, response={201: TaskImportOut})
def import_tasks(request, file: File[UploadedFile], need_id: int = Id):
    """Import tasks onto a need from a forge's CSV (multipart field `file`; columns Title,
        URL, Status, Assignees, Labels), all lines or none. Every error is listed with its line
        (`loc`: ["body", "file", line], the header being line 1). A line already on the board
    (the same forge URL anywhere, else the same title on the need) is skipped and listed in
    `skipped`: importing a file twice creates its tasks once."""
    rules.require(request.user, "create_task")  # 403 before the file is read
    need = get_object_or_404(Need, pk=need_id)
    try:
        imported = imports.import_tasks(request.user, need, file.read(imports.MAX_BYTES + 1))
    except imports.ImportRefused as refused:
        raise NinjaValidationError(
            [
                {"loc": ["body", "file", error.line], "msg": error.message, "type": "task_line"}
                for error in refused.line_errors
            ]
        ) from None
    return Status(
        201,
        {
            "count": len(imported.tasks),
            "tasks": [task.pk for task in imported.tasks],
            "skipped": [line.line for line in imported.skipped],
        },
    )


@router.put("/tasks/{task_id}", auth=authenticated, response=TaskDetail)
def edit_task(request, payload: TaskEditIn, task_id: int = Id):
    """Rewrite what the task asks, all its fields at once, while it is not done (its
    creator, an assignee, whoever validates it, or an officer); kept in its history."""
    task = _task(task_id)
    rules.require(request.user, "edit_task", task)
    values = payload.dict(exclude={"expected_state"})
    try:
        task.edit(request.user, expected=payload.expected_state, **values)
    except Conflict as error:
        raise conflict(" ".join(error.messages)) from None
    return _detail(request, task.pk)


@router.post("/tasks/{task_id}/move", auth=authenticated, response=TaskDetail)
def move_task(request, payload: TaskPlaceIn, task_id: int = Id):
    """Put an open task on another live need, and one of its adopted missions or none (the
    task's creator, the need's author, or an officer); kept in its history, from → to."""
    task = _task(task_id)
    rules.require(request.user, "move_task", task)
    need = Need.objects.filter(pk=payload.need_id).first()
    if need is None:
        raise ValidationError({"need_id": _("Ce besoin n'existe pas.")})
    mission = None
    if payload.mission_id is not None:
        mission = Mission.objects.filter(pk=payload.mission_id).first()
        if mission is None:
            raise ValidationError({"mission_id": _("Cette mission n'existe pas.")})
    try:
        task.move(request.user, need, mission, expected=payload.expected_state)
    except Conflict as error:
        raise conflict(" ".join(error.messages)) from None
    except ValidationError as error:
        renamed = {"need": "need_id", "mission": "mission_id"}
        raise ValidationError(
            {renamed.get(field, field): messages for field, messages in error.message_dict.items()}
        ) from None
    return _detail(request, task.pk)


def _change(request, task_id: int, rule: str, method: str, *args, expected=None) -> dict:
    task = _task(task_id)
    rules.require(request.user, rule, task)
    try:
        getattr(task, method)(request.user, *args, expected=expected)
    except Conflict as error:
        raise conflict(" ".join(error.messages)) from None
    return _detail(request, task.pk)


@router.post("/tasks/{task_id}/take", auth=authenticated, response=TaskDetail)
def take_task(request, task_id: int = Id, payload: TaskMoveIn | None = None):
    """Take the task yourself (a free place): it is then en cours."""
    expected = payload.expected_state if payload else None
    return _change(request, task_id, "take_task", "take", expected=expected)


@router.post("/tasks/{task_id}/leave", auth=authenticated, response=TaskDetail)
def leave_task(request, task_id: int = Id, payload: TaskMoveIn | None = None):
    """Leave a task you took; with nobody left on it, it is à faire again."""
    expected = payload.expected_state if payload else None
    return _change(request, task_id, "leave_task", "leave", expected=expected)


@router.post("/tasks/{task_id}/finish", auth=authenticated, response=TaskDetail)
def finish_task(request, task_id: int = Id, payload: TaskMoveIn | None = None):
    """Mark a task you took as done."""
    expected = payload.expected_state if payload else None
    return _change(request, task_id, "finish_task", "finish", expected=expected)


@router.post("/tasks/{task_id}/validate", auth=authenticated, response=TaskDetail)
def validate_task(request, task_id: int = Id, payload: TaskMoveIn | None = None):
    """Validate a done task (the mission's proposer, or the need's author, or an officer)."""
    expected = payload.expected_state if payload else None
    return _change(request, task_id, "validate_task", "validate", expected=expected)


@router.post("/tasks/{task_id}/send-back", auth=authenticated, response=TaskDetail)
def send_back_task(request, payload: TaskReasonIn, task_id: int = Id):
    """Send a done task back to en cours, saying what is missing."""
    return _change(
        request,
        task_id,
        "send_back_task",
        "send_back",
        payload.reason,
        expected=payload.expected_state,
    )


@router.post("/tasks/{task_id}/abandon", auth=authenticated, response=TaskDetail)
def abandon_task(request, payload: TaskReasonIn, task_id: int = Id):
    """Abandon a task not yet done, saying why (its creator or an officer)."""
    return _change(
        request,
        task_id,
        "abandon_task",
        "abandon",
        payload.reason,
        expected=payload.expected_state,
    )
