"""Tasks on the public board: the work that meets a need, taken by members themselves.

A task's life: à faire → en cours (someone took it) → fait (an assignee says so) → validée
(the mission's proposer, or the need's author, or an officer agrees); sent back from fait
to en cours with a reason; abandonnée from à faire or en cours. Every change is one
method that locks the task, checks the state it read, writes the task and its history row
in one transaction, and tells listeners (`signals`) inside it.
"""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commun.board import rules, signals
from commun.budgets.models import Mission, Need
from commun.lib import markdown
from commun.lib.appendonly import AppendOnlyModel, AppendOnlyQuerySet
from commun.lib.text import clean_text
from commun.lib.urls import address_by_id
from commun.members.models import Member
from commun.privacy.declarations import BUDGETS, Audience, Erasure, not_personal, personal

MAX_TITLE_LENGTH = 200
MAX_TEXT_LENGTH = 20_000
MAX_REASON_LENGTH = 2_000
MAX_LABEL_LENGTH = 40
MAX_LABELS = 10
MAX_LINKS = 10
MAX_LINK_LENGTH = 500
MAX_SLOTS = 20
MAX_ESTIMATE_HOURS = 10_000
MAX_DUE_YEARS = 10  # a due date further ahead is a typing slip (and no calendar takes 9999)


class Conflict(ValidationError):
    """The task is no longer in the state the request read: someone acted first."""


class Label(models.Model):
    name = models.CharField(gettext_lazy("nom"), max_length=MAX_LABEL_LENGTH, unique=True)

    class Meta:
        verbose_name = gettext_lazy("étiquette")
        verbose_name_plural = gettext_lazy("étiquettes")
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="label_has_a_name")]

    def __str__(self):
        return self.name


def _clean_labels(names, errors: dict) -> list[str]:
    cleaned = []
    for name in names or ():
        name = (name or "").strip()
        if not name or name in cleaned:
            continue
        if len(name) > MAX_LABEL_LENGTH:
            errors.setdefault(
                "labels",
                _("Une étiquette tient en %(max)s caractères.") % {"max": MAX_LABEL_LENGTH},
            )
        cleaned.append(name)
    if len(cleaned) > MAX_LABELS:
        errors.setdefault(
            "labels", _("Pas plus de %(max)s étiquettes par tâche.") % {"max": MAX_LABELS}
        )
    return cleaned


def _clean_links(links, errors: dict) -> list[str]:
    cleaned = []
    check = URLValidator(schemes=["http", "https"])
    for link in links or ():
        link = (link or "").strip()
        if not link or link in cleaned:
            continue
        try:
            if len(link) > MAX_LINK_LENGTH:
                raise ValidationError("too long")
            check(link)
        except ValidationError:
            errors.setdefault(
                "links",
                _("« %(link)s » n'est pas une adresse web (http ou https).") % {"link": link[:80]},
            )
        cleaned.append(link)
    if len(cleaned) > MAX_LINKS:
        errors.setdefault("links", _("Pas plus de %(max)s liens par tâche.") % {"max": MAX_LINKS})
    return cleaned


def _within_due_years(day) -> bool:
    today = timezone.localdate()
    return day <= today.replace(year=today.year + MAX_DUE_YEARS, day=min(today.day, 28))


def _clean_details(errors: dict, **values) -> dict:
    """What a member writes of a task, trimmed and checked; refusals gathered in `errors`,
    raised together (with the caller's own) as one ValidationError."""
    values["title"] = clean_text(
        values["title"], "title", _("Donnez un titre à la tâche."), MAX_TITLE_LENGTH, errors
    )
    values["description"] = clean_text(
        values["description"], "description", None, MAX_TEXT_LENGTH, errors
    )
    values["labels"] = _clean_labels(values["labels"], errors)
    values["links"] = _clean_links(values["links"], errors)
    slots, estimate = values["slots"], values["estimate_hours"]
    due_on = values.get("due_on")
    if due_on is not None and not _within_due_years(due_on):
        errors.setdefault(
            "due_on",
            _("L'échéance tombe dans les %(years)s prochaines années.") % {"years": MAX_DUE_YEARS},
        )
    if not isinstance(slots, int) or not 1 <= slots <= MAX_SLOTS:
        errors.setdefault(
            "slots",
            _("Entre 1 et %(max)s personnes peuvent prendre une tâche.") % {"max": MAX_SLOTS},
        )
    if estimate is not None and not 1 <= estimate <= MAX_ESTIMATE_HOURS:
        errors.setdefault(
            "estimate_hours",
            _("L'estimation est un nombre d'heures entre 1 et %(max)s.")
            % {"max": MAX_ESTIMATE_HOURS},
        )
    if errors:
        raise ValidationError(errors)
    return values


# What a card, a list's row and the rules on their buttons read (`rules.answers_for`).
CARD_FIELDS = (
    *("title", "state", "need", "mission", "due_on", "estimate_hours", "slots", "created_by"),
    *("need__title", "need__raised_by", "mission__ref", "mission__title", "mission__proposer"),
)


class TaskQuerySet(models.QuerySet):
    def for_cards(self):
        """What a card shows, in a fixed number of queries whatever the number of tasks."""
        return self.select_related("need", "mission").prefetch_related("labels", "assignees")

    def for_board(self):
        """Only the columns a card shows: a hundred cards read no description (up to
        20,000 characters each), links, nor a need's or a mission's text."""
        return self.select_related("need", "mission").only(*CARD_FIELDS)

    def create_task(
        self,
        by,
        need: Need,
        *,
        title: str,
        description: str = "",
        mission: Mission | None = None,
        labels=(),
        due_on=None,
        estimate_hours=None,
        links=(),
        slots: int = 1,
    ) -> "Task":
        """A member writes a task on a live need, optionally funded by one of its missions."""
        member = rules.require(by, "create_task")
        errors = {}
        if need is None or not need.is_live:
            errors["need"] = _("Une tâche se crée sur un besoin ouvert ou en cours.")
        if mission is not None and (need is None or mission.need_id != need.pk):
            errors["mission"] = _("Cette mission ne répond pas à ce besoin.")
        elif mission is not None and mission.status not in Mission.FUNDED:
            errors["mission"] = _("Seule une mission adoptée finance des tâches.")
        details = _clean_details(
            errors,
            title=title,
            description=description,
            labels=labels,
            due_on=due_on,
            estimate_hours=estimate_hours,
            links=links,
            slots=slots,
        )
        labels = details.pop("labels")
        with transaction.atomic():
            task = self.create(
                need=need,
                mission=mission,
                **details,
                created_by=member,
                created_at=timezone.now(),
                changed_at=timezone.now(),
            )
            task._set_labels(labels)
            change = task._record(member, TaskChange.Kind.CREATED, "", task.state)
            signals.task_created.send(sender=Task, task=task, change=change)
        return task

    def mine(self, member: Member):
        """What `member` took and is not yet validated nor abandoned, the latest first."""
        return (
            self.filter(assignments__member=member, state__in=[*Task.OPEN, Task.State.DONE])
            .select_related("need", "mission")
            .order_by("-pk")
        )


def with_addresses(tasks: list["Task"]) -> list["Task"]:
    """Give each task its `url`, `need_url` and `mission_url` (None without a mission),
    from one `reverse()` each for the whole list rather than three per task."""
    task_url = address_by_id("board:task")
    need_url = address_by_id("budgets:need")
    mission_url = address_by_id("budgets:mission")
    for task in tasks:
        task.url = task_url(task.pk)
        task.need_url = need_url(task.need_id)
        task.mission_url = mission_url(task.mission_id) if task.mission_id else None
    return tasks


class Task(models.Model):
    """A piece of work on a need: written by a member, taken by members themselves."""

    class State(models.TextChoices):
        TODO = "todo", gettext_lazy("À faire")
        DOING = "doing", gettext_lazy("En cours")
        DONE = "done", gettext_lazy("Fait")
        VALIDATED = "validated", gettext_lazy("Validée")
        ABANDONED = "abandoned", gettext_lazy("Abandonnée")

    OPEN = (State.TODO, State.DOING)
    FINISHED = (State.DONE, State.VALIDATED)

    title = models.CharField(gettext_lazy("titre"), max_length=MAX_TITLE_LENGTH)
    description = personal(
        models.TextField(gettext_lazy("description (Markdown)"), blank=True),
        BUDGETS,
        Audience.PUBLIC,
        Erasure.PSEUDONYMISE,
    )
    state = models.CharField(gettext_lazy("état"), max_length=20, choices=State, default=State.TODO)
    need = models.ForeignKey(
        Need, on_delete=models.PROTECT, related_name="tasks", verbose_name=gettext_lazy("besoin")
    )
    mission = models.ForeignKey(
        Mission,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=gettext_lazy("mission"),
    )
    labels = models.ManyToManyField(
        Label, blank=True, related_name="tasks", verbose_name=gettext_lazy("étiquettes")
    )
    due_on = models.DateField(gettext_lazy("échéance"), null=True, blank=True)
    estimate_hours = models.PositiveIntegerField(
        gettext_lazy("estimation (heures)"), null=True, blank=True
    )
    # Addresses of forge issues or merge requests: public links, not personal data.
    links = not_personal(
        models.JSONField(gettext_lazy("liens"), default=list, blank=True),
        "addresses of forge issues and merge requests",
    )
    slots = models.PositiveSmallIntegerField(gettext_lazy("places"), default=1)
    assignees = models.ManyToManyField(
        Member,
        through="Assignment",
        related_name="tasks_taken",
        verbose_name=gettext_lazy("personnes qui la prennent"),
    )
    created_by = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        related_name="tasks_created",
        verbose_name=gettext_lazy("créée par"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    changed_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("tâche")
        verbose_name_plural = gettext_lazy("tâches")
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["todo", "doing", "done", "validated", "abandoned"]),
                name="task_state_known",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="task_has_a_title"),
            models.CheckConstraint(
                condition=Q(slots__gte=1) & Q(slots__lte=MAX_SLOTS), name="task_slots_1_to_20"
            ),
        ]
        # The board's columns and the list page through tasks by decreasing id, per state.
        indexes = [models.Index(fields=["state", "-id"], name="task_state_id")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("board:task", args=[self.pk])

    @property
    def description_html(self) -> str:
        return markdown.render(self.description)

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN

    def is_assignee(self, member) -> bool:
        if member is None:
            return False
        if "assignees" in getattr(self, "_prefetched_objects_cache", {}):
            return any(a.pk == member.pk for a in self.assignees.all())
        return self.assignments.filter(member=member).exists()

    # Changes -----------------------------------------------------------------------------

    def take(self, by, expected: str | None = None) -> "TaskChange":
        """`by` takes the task on: it is en cours, and one of its places is theirs."""
        member = rules.require(by, "take_task", self)
        with transaction.atomic():
            # Two members taking the last place at once: the lock makes one of them wait
            # and then count the other's assignment.
            task = self._locked(expected)
            if not task.is_open:
                raise Conflict({"state": _("Cette tâche n'est plus à prendre.")})
            if task.assignments.filter(member=member).exists():
                raise Conflict({"state": _("Vous avez déjà pris cette tâche.")})
            if task.assignments.count() >= task.slots:
                raise Conflict({"state": _("Toutes les places de cette tâche sont prises.")})
            Assignment.objects.create(task=task, member=member)
            return task._move(member, TaskChange.Kind.TOOK, self.State.DOING)

    def leave(self, by, expected: str | None = None) -> "TaskChange":
        """An assignee leaves the task; with nobody left on it, it is à faire again."""
        member = rules.require(by, "leave_task", self)
        with transaction.atomic():
            task = self._locked(expected)  # a stale leave must not reopen a finished task
            if not task.is_open:
                raise Conflict({"state": _("Une tâche faite ne se laisse plus.")})
            task.assignments.filter(member=member).delete()
            to = self.State.DOING if task.assignments.exists() else self.State.TODO
            return task._move(member, TaskChange.Kind.LEFT, to)

    def finish(self, by, expected: str | None = None) -> "TaskChange":
        member = rules.require(by, "finish_task", self)
        with transaction.atomic():
            task = self._locked(expected)
            if task.state != self.State.DOING:
                raise Conflict({"state": _("Seule une tâche en cours se marque faite.")})
            return task._move(member, TaskChange.Kind.FINISHED, self.State.DONE)

    def validate(self, by, expected: str | None = None) -> "TaskChange":
        member = rules.require(by, "validate_task", self)
        with transaction.atomic():
            task = self._locked(expected)
            if task.state != self.State.DONE:
                raise Conflict({"state": _("Seule une tâche faite se valide.")})
            return task._move(member, TaskChange.Kind.VALIDATED, self.State.VALIDATED)

    def send_back(self, by, reason: str, expected: str | None = None) -> "TaskChange":
        """The work is not what was asked: back to en cours, saying why."""
        member = rules.require(by, "send_back_task", self)
        reason = clean_text(reason, "reason", _("Dites ce qui manque."), MAX_REASON_LENGTH)
        with transaction.atomic():
            task = self._locked(expected)
            if task.state != self.State.DONE:
                raise Conflict({"state": _("Seule une tâche faite se renvoie.")})
            return task._move(member, TaskChange.Kind.SENT_BACK, self.State.DOING, reason)

    def abandon(self, by, reason: str, expected: str | None = None) -> "TaskChange":
        member = rules.require(by, "abandon_task", self)
        reason = clean_text(
            reason, "reason", _("Dites en quelques mots pourquoi."), MAX_REASON_LENGTH
        )
        with transaction.atomic():
            task = self._locked(expected)
            if not task.is_open:
                raise Conflict({"state": _("Une tâche faite ne s'abandonne plus.")})
            return task._move(member, TaskChange.Kind.ABANDONED, self.State.ABANDONED, reason)

    def close_from_forge(self) -> "TaskChange | None":
        """Its issue was closed on the forge: an en cours task is fait, awaiting validation,
        in the name of its first assignee (a history line needs a member); else None."""
        with transaction.atomic():
            task = self._locked(None)  # a forge's retry and a member's click may cross
            first = task._first_assignee()
            if task.state != self.State.DOING or first is None:
                return None
            reason = _("Fermée sur la forge")
            return task._move(first, TaskChange.Kind.FINISHED, self.State.DONE, reason)

    def reopen_from_forge(self) -> "TaskChange | None":
        """Its issue was reopened on the forge: a fait task is en cours again; else None."""
        with transaction.atomic():
            task = self._locked(None)
            first = task._first_assignee()
            if task.state != self.State.DONE or first is None:
                return None
            reason = _("Rouverte sur la forge")
            return task._move(first, TaskChange.Kind.SENT_BACK, self.State.DOING, reason)

    def _first_assignee(self) -> Member | None:
        assignment = self.assignments.select_related("member").order_by("pk").first()
        return assignment.member if assignment else None

    def edit(self, by, expected: str | None = None, **values) -> "TaskChange | None":
        """Its creator, an assignee, whoever validates it or an officer rewrites what the
        task asks (not its need nor its mission) while it is not done; None if unchanged."""
        member = rules.require(by, "edit_task", self)
        details = _clean_details({}, **values)
        labels = details.pop("labels")
        with transaction.atomic():
            task = self._locked(expected)  # a stale form must not rewrite a finished task
            if not task.is_open:
                raise Conflict({"state": _("Une tâche faite ne se modifie plus.")})
            if details["slots"] < task.assignments.count():
                raise ValidationError(
                    {"slots": _("Plus de personnes l'ont déjà prise : laissez-leur leur place.")}
                )
            before = {name: getattr(task, name) for name in details}
            before_labels = sorted(task.labels.values_list("name", flat=True))
            changed = [name for name in details if before[name] != details[name]]
            if before_labels != sorted(labels):
                changed.append("labels")
            if not changed:
                return None
            for name, value in details.items():
                setattr(task, name, value)
            task.changed_at = timezone.now()
            task.save(update_fields=[*details, "changed_at"])
            task._set_labels(labels)
            fields = ", ".join(str(Task._meta.get_field(name).verbose_name) for name in changed)
            change = task._record(member, TaskChange.Kind.EDITED, task.state, task.state, fields)
            signals.task_changed.send(sender=Task, task=task, change=change)
            return change

    def move(self, by, need: Need, mission: Mission | None = None, expected: str | None = None):
        """Whoever wrote the task, raised its need, or an officer puts it on another need
        (and mission, or none) while it is open; the history says from where to where.
        None when it is already there."""
        member = rules.require(by, "move_task", self)
        errors = {}
        if need is None or not need.is_live:
            errors["need"] = _("Une tâche se déplace vers un besoin ouvert ou en cours.")
        elif mission is not None and mission.need_id != need.pk:
            errors["mission"] = _("Cette mission ne répond pas à ce besoin.")
        elif mission is not None and mission.status not in Mission.FUNDED:
            errors["mission"] = _("Seule une mission adoptée finance des tâches.")
        if errors:
            raise ValidationError(errors)
        with transaction.atomic():
            task = self._locked(expected)  # a stale form must not move a finished task
            if not task.is_open:
                raise Conflict({"state": _("Une tâche faite reste sur son besoin.")})
            before_need, before_mission = task.need, task.mission
            if (before_need.pk, getattr(before_mission, "pk", None)) == (
                need.pk,
                getattr(mission, "pk", None),
            ):
                return None
            task.need, task.mission, task.changed_at = need, mission, timezone.now()
            task.save(update_fields=["need", "mission", "changed_at"])
            reason = _moved_from_to(before_need, before_mission, need, mission)
            change = task._record(member, TaskChange.Kind.MOVED, task.state, task.state, reason)
            signals.task_changed.send(sender=Task, task=task, change=change)
            return change

    def _set_labels(self, names: list[str]) -> None:
        for name in names:
            Label.objects.get_or_create(name=name)
        self.labels.set(Label.objects.filter(name__in=names))

    def _locked(self, expected: str | None) -> "Task":
        task = Task.objects.select_for_update().get(pk=self.pk)
        if expected is not None and task.state != expected:
            raise Conflict(
                {
                    "state": _(
                        "Cette tâche est passée « %(state)s » entre-temps : rechargez la page."
                    )
                    % {"state": task.get_state_display()}
                }
            )
        return task

    def _move(self, member, kind, to: str, reason: str = "") -> "TaskChange":
        """Write the new state and its history row (called under the task's lock)."""
        before = self.state
        self.state, self.changed_at = to, timezone.now()
        self.save(update_fields=["state", "changed_at"])
        change = self._record(member, kind, before, to, reason)
        signals.task_changed.send(sender=Task, task=self, change=change)
        return change

    def _record(self, member, kind, before: str, after: str, reason: str = "") -> "TaskChange":
        return TaskChange.objects.create(
            task=self,
            by=member,
            at=timezone.now(),  # read now, not at import: the demo replays a past clock
            kind=kind,
            from_state=before,
            to_state=after,
            reason=reason,
        )


def _moved_from_to(need_before, mission_before, need_after, mission_after) -> str:
    """« Besoin « A » → « B ». Mission : aucune → « M ». », what changed only."""
    parts = []
    if need_before.pk != need_after.pk:
        parts.append(
            _("Besoin « %(before)s » → « %(after)s ».")
            % {"before": need_before.title, "after": need_after.title}
        )
    if getattr(mission_before, "pk", None) != getattr(mission_after, "pk", None):
        none = _("aucune")
        parts.append(
            _("Mission : %(before)s → %(after)s.")
            % {
                "before": f"« {mission_before} »" if mission_before else none,
                "after": f"« {mission_after} »" if mission_after else none,
            }
        )
    return " ".join(parts)


class Assignment(models.Model):
    """A member on a task: one place of its `slots`."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="assignments")
    taken_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "member"], name="assignment_once_per_task")
        ]

    def __str__(self):
        return f"{self.member_id} → {self.task_id}"


class TaskChange(AppendOnlyModel):
    """One line of a task's history: who changed it, when, from which state to which."""

    append_only_refusal = "A task's history is append-only: a new change is a new row."

    class Kind(models.TextChoices):
        CREATED = "created", gettext_lazy("a créé la tâche")
        TOOK = "took", gettext_lazy("a pris la tâche")
        LEFT = "left", gettext_lazy("a laissé la tâche")
        FINISHED = "finished", gettext_lazy("a marqué la tâche faite")
        VALIDATED = "validated", gettext_lazy("a validé la tâche")
        SENT_BACK = "sent_back", gettext_lazy("a renvoyé la tâche")
        ABANDONED = "abandoned", gettext_lazy("a abandonné la tâche")
        EDITED = "edited", gettext_lazy("a modifié la tâche")
        MOVED = "moved", gettext_lazy("a déplacé la tâche")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="changes")
    by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="task_changes")
    at = models.DateTimeField(default=timezone.now, editable=False)
    kind = models.CharField(max_length=20, choices=Kind)
    from_state = models.CharField(max_length=20, choices=Task.State, blank=True)
    to_state = models.CharField(max_length=20, choices=Task.State)
    reason = personal(
        models.TextField(gettext_lazy("raison"), blank=True),
        BUDGETS,
        Audience.PUBLIC,
        Erasure.PSEUDONYMISE,
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("changement de tâche")
        verbose_name_plural = gettext_lazy("historique des tâches")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.task_id}: {self.from_state} → {self.to_state}"


class ForgeDelivery(models.Model):
    """An issue event a forge sent, kept so that its retries change nothing twice."""

    class Forge(models.TextChoices):
        GITHUB = "github", "GitHub"
        GITLAB = "gitlab", "GitLab"
        FORGEJO = "forgejo", "Forgejo / Gitea"

    forge = models.CharField(max_length=10, choices=Forge)
    delivery_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(default=timezone.now, editable=False)
    # What it did, for whoever configures the webhook: "moved 3, 4", "ignored: …".
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["forge", "delivery_id"], name="forge_delivery_once"),
            models.CheckConstraint(condition=~Q(delivery_id=""), name="forge_delivery_has_id"),
        ]

    def __str__(self):
        return f"{self.forge} {self.delivery_id}"
