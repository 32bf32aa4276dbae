"""The API's shapes for tasks and their history. The model checks every rule again and
answers on the field it is about."""

import datetime
from typing import Literal

from ninja import Field, Schema

from commun.api_input import Input, Text
from commun.board.models import (
    MAX_ESTIMATE_HOURS,
    MAX_LABEL_LENGTH,
    MAX_LABELS,
    MAX_LINKS,
    MAX_REASON_LENGTH,
    MAX_SLOTS,
    MAX_TEXT_LENGTH,
    MAX_TITLE_LENGTH,
    Task,
    TaskChange,
)
from commun.lib.ids import MAX_API_ID

TaskState = Literal[tuple(Task.State.values)]
ChangeKind = Literal[tuple(TaskChange.Kind.values)]


class TaskMoveIn(Input):
    expected_state: TaskState | None = Field(
        None,
        description="L'état que l'appelant·e a lu : si la tâche a changé depuis, 409 et rien "
        "n'est fait.",
    )


class TaskFields(Input):
    """What a member writes of a task, at its creation and when rewriting it."""

    title: str = Field(..., max_length=MAX_TITLE_LENGTH)
    description: str = Field("", max_length=MAX_TEXT_LENGTH)
    labels: list[Text] = Field([], max_length=MAX_LABELS * 2)
    due_on: datetime.date | None = None
    estimate_hours: int | None = Field(None, ge=1, le=MAX_ESTIMATE_HOURS)
    links: list[Text] = Field([], max_length=MAX_LINKS * 2)
    slots: int = Field(1, ge=1, le=MAX_SLOTS)


class TaskIn(TaskFields):
    need_id: int = Field(..., ge=1, le=MAX_API_ID)
    mission_id: int | None = Field(None, ge=1, le=MAX_API_ID)


class TaskEditIn(TaskFields, TaskMoveIn):
    pass


class TaskPlaceIn(TaskMoveIn):
    need_id: int = Field(..., ge=1, le=MAX_API_ID, description="Le besoin où va la tâche.")
    mission_id: int | None = Field(
        None, ge=1, le=MAX_API_ID, description="La mission qui la finance là, ou aucune."
    )


class TaskReasonIn(TaskMoveIn):
    reason: str = Field(..., max_length=MAX_REASON_LENGTH)


class TaskQuery(Schema):
    state: TaskState | None = None
    need: int | None = Field(None, ge=1, le=MAX_API_ID)
    mission: int | None = Field(None, ge=1, le=MAX_API_ID)
    label: str | None = Field(None, max_length=MAX_LABEL_LENGTH)
    assignee: int | None = Field(None, ge=1, le=2**31 - 1, description="Numéro d'associé·e.")
    after: int | None = Field(
        None, ge=1, le=MAX_API_ID, description="Les tâches d'id inférieur à celui-ci."
    )
    limit: int = Field(50, ge=1, le=100)


class ChangeOut(Schema):
    id: int
    at: datetime.datetime
    by: str = Field(..., description="Le nom de la personne, tel qu'elle a choisi d'être vue.")
    kind: ChangeKind
    from_state: TaskState | Literal[""]
    to_state: TaskState
    reason: str


class TaskOut(Schema):
    id: int
    title: str
    state: TaskState
    need: int
    mission: int | None
    labels: list[str]
    due_on: datetime.date | None
    estimate_hours: int | None
    links: list[str]
    slots: int
    assignees: list[str] = Field(
        ..., description="Les noms des personnes qui l'ont prise, tels qu'elles ont choisi."
    )
    created_at: datetime.datetime
    changed_at: datetime.datetime
    url: str


class TaskDetail(TaskOut):
    description: str
    description_html: str
    history: list[ChangeOut]


class TaskPage(Schema):
    items: list[TaskOut]
    next_after: int | None = Field(
        None, description="À passer en `after` pour la page suivante ; null à la dernière."
    )


class TaskImportOut(Schema):
    count: int
    tasks: list[int] = Field(description="The created tasks' ids, in the file's order.")
    skipped: list[int] = Field(
        description="The lines already on the board (same forge URL, else same title on the "
        "need), not imported again; the header is line 1."
    )
