"""The board's forms: a new task, a reason, the filters. The model checks everything again."""

from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from commun.board.models import (
    MAX_ESTIMATE_HOURS,
    MAX_LABEL_LENGTH,
    MAX_REASON_LENGTH,
    MAX_SLOTS,
    MAX_TEXT_LENGTH,
    MAX_TITLE_LENGTH,
    Task,
)
from commun.lib.controls import RefusesControlCharacters
from commun.lib.ids import MAX_ID
from commun.members.models import Visibility


class NoLabelSuffix(RefusesControlCharacters, forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


class TaskForm(NoLabelSuffix):
    title = forms.CharField(label=_("Titre"), max_length=MAX_TITLE_LENGTH)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_TEXT_LENGTH,
        help_text=_("En Markdown. Ce qu'il faut faire, et comment savoir que c'est fait."),
    )
    mission = forms.TypedChoiceField(
        label=_("Mission qui la finance"), required=False, coerce=int, empty_value=None
    )
    labels = forms.CharField(
        label=_("Étiquettes"),
        required=False,
        max_length=1_000,
        help_text=_("Séparées par des virgules."),
    )
    due_on = forms.DateField(
        label=_("Échéance"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    estimate_hours = forms.IntegerField(
        label=_("Estimation (heures)"), required=False, min_value=1, max_value=MAX_ESTIMATE_HOURS
    )
    slots = forms.IntegerField(
        label=_("Nombre de personnes"), initial=1, min_value=1, max_value=MAX_SLOTS
    )
    links = forms.CharField(
        label=_("Liens vers la forge"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Tickets ou demandes de fusion : une adresse par ligne."),
    )

    def __init__(self, *args, missions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mission"].choices = [("", _("Aucune"))] + [(m.pk, str(m)) for m in missions]

    def clean_labels(self):
        return _lines(self.cleaned_data["labels"])

    def clean_links(self):
        return _lines(self.cleaned_data["links"])


class TaskEditForm(TaskForm):
    """The same fields but the mission: a task keeps the need and mission it was written for."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["mission"]


class ReasonForm(NoLabelSuffix):
    reason = forms.CharField(
        label=_("Pourquoi"),
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PlaceForm(NoLabelSuffix):
    """Where a task goes: a live need (« 12 »), or one of its adopted missions (« 12-5 »)."""

    place = forms.ChoiceField(label=_("Déplacer vers"))

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = places

    def need_and_mission(self) -> tuple[int, int | None]:
        need, _dash, mission = self.cleaned_data["place"].partition("-")
        return int(need), int(mission) if mission else None


class TaskFilter(NoLabelSuffix):
    state = forms.ChoiceField(
        label=_("État"), required=False, choices=[("", _("Tous"))] + list(Task.State.choices)
    )
    label = forms.CharField(label=_("Étiquette"), required=False, max_length=MAX_LABEL_LENGTH)
    need = forms.IntegerField(label=_("Besoin n°"), required=False, min_value=1, max_value=MAX_ID)
    mission = forms.IntegerField(
        label=_("Mission n°"), required=False, min_value=1, max_value=MAX_ID
    )
    assignee = forms.IntegerField(
        label=_("Pris par l'associé·e n°"), required=False, min_value=1, max_value=2**31 - 1
    )

    def apply(self, tasks, viewer):
        """The tasks these filters keep (all of them when the filters are not valid)."""
        if not self.is_valid():
            return tasks
        data = self.cleaned_data
        if data["state"]:
            tasks = tasks.filter(state=data["state"])
        if data["label"]:
            tasks = labelled(tasks, data["label"])
        if data["need"]:
            tasks = tasks.filter(need=data["need"])
        if data["mission"]:
            tasks = tasks.filter(mission=data["mission"])
        if data["assignee"]:
            tasks = assigned_to_number(tasks, data["assignee"], viewer)
        return tasks


# A label on more tasks than this is found by walking the latest tasks (see `labelled`).
# Where the two ways cost the same on SQLite at 100,000 tasks (docs/benchmarks.md).
FEW_LABELLED = 1_000


def labelled(tasks, name: str):
    """Tasks bearing the label `name`, asked the way that stops soonest for its size.

    A label on few tasks: « id in (the label's tasks) », each of them looked up, which
    costs what the label holds. A label on many: « a label row exists for this task », read
    while walking the latest tasks (a column's `(state, -id)` index), which stops at a
    page; asked the first way, SQLite looked up and sorted thousands of tasks per column
    for a page of 20 (docs/benchmarks.md)."""
    bearing = Task.labels.through.objects.filter(label__name=name.strip())
    if bearing[: FEW_LABELLED + 1].count() <= FEW_LABELLED:
        return tasks.filter(pk__in=bearing.values("task_id"))
    return tasks.filter(Exists(bearing.filter(task_id=OuterRef("pk"))))


def assigned_to_number(tasks, number: int, viewer):
    """Tasks taken by member `number`, as far as `viewer` may know who that is.

    Associates see numbers beside names in the register; the public sees a number only for
    a member who chose to show nothing else: filtering a pseudonym's tasks by number would
    tell a visitor which number the pseudonym hides."""
    tasks = tasks.filter(assignments__member__number=number)
    if viewer is None or not viewer.is_active_member:
        tasks = tasks.filter(assignments__member__public_visibility=Visibility.HIDDEN)
    return tasks


class ImportForm(forms.Form):
    """A CSV exported from a forge's project board: its lines become tasks on the need."""

    file = forms.FileField(
        label=_("Fichier CSV"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
        help_text=_(
            "Colonnes Title (ou Titre), URL, Status (Todo, In Progress, Done), Assignees "
            "(e-mails ou numéros d'associé·e, séparés par des virgules), Labels. "
            "1 Mo et 2 000 lignes au plus."
        ),
    )
