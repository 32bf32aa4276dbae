"""Tasks imported from a CSV, as a forge's project board exports them: checked whole, with
the file's line numbers, then written whole in one transaction, or not at all.

Columns, named in the header (French or English, any case, accents or not): Title/Titre
(required), URL, Status/État, Assignees/Personnes, Labels/Étiquettes. Assignees are member
emails or numbers, comma-separated; someone on a task puts it en cours, as taking it does.

Importing the same file twice creates its tasks once: a line whose URL a task on the board
already links to, or (without a URL) whose title a task of the need already has, is skipped
and named in the answer.
"""

import csv
import dataclasses
import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commun.board import rules, signals
from commun.board.models import MAX_SLOTS, Assignment, Label, Task, TaskChange, _clean_details
from commun.budgets.models import Need
from commun.lib.controls import has_control
from commun.lib.csvimport import ImportRefused, LineError, plain
from commun.members.models import Member, number_searched

MAX_BYTES = 1024 * 1024
MAX_LINES = 2_000
HEADERS = {
    "title": ("title", "titre", "name", "nom"),
    "url": ("url", "lien", "link", "issue"),
    "status": ("status", "etat", "statut", "state"),
    "assignees": ("assignees", "assignee", "personnes", "assigne", "assignes", "assigne·es"),
    "labels": ("labels", "label", "etiquettes", "etiquette"),
}
STATES = {
    "todo": Task.State.TODO,
    "open": Task.State.TODO,
    "a faire": Task.State.TODO,
    "backlog": Task.State.TODO,
    "in progress": Task.State.DOING,
    "doing": Task.State.DOING,
    "en cours": Task.State.DOING,
    "done": Task.State.DONE,
    "closed": Task.State.DONE,
    "fait": Task.State.DONE,
    "faite": Task.State.DONE,
}
CONTROL = gettext_lazy("la ligne contient un caractère de contrôle interdit (NUL ou autre).")


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@dataclasses.dataclass
class ImportedTask:
    line: int
    title: str
    links: list
    state: str
    assignees: list  # Member
    labels: list


@dataclasses.dataclass
class Imported:
    """What an import did: the tasks it created, and the lines already on the board."""

    tasks: list  # Task
    skipped: list  # ImportedTask


def decode(raw: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM), else Windows-1252 as spreadsheets save."""
    if len(raw) > MAX_BYTES:
        raise ImportRefused([LineError(1, _("un fichier pèse 1 Mo au plus."))])
    if b"\x00" in raw:
        raise ImportRefused([LineError(1, _("ce fichier n'est pas un texte CSV."))])
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused([LineError(1, _("encodage illisible (UTF-8 ou Windows-1252)."))])


def _rows(text: str) -> list:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    if first.count("\t") > first.count(delimiter):
        delimiter = "\t"
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _columns(header: list) -> dict[str, int]:
    names_found = [plain(cell) for cell in header]
    columns = {}
    for field, names in HEADERS.items():
        index = next((i for i, name in enumerate(names_found) if name in names), None)
        if index is not None:
            columns[field] = index
    if "title" not in columns:
        found = " ; ".join(header)[:200] or "—"
        raise ImportRefused(
            [
                LineError(
                    1,
                    _(
                        "l'en-tête doit nommer au moins la colonne Title (ou Titre) "
                        "(trouvé : %(found)s)."
                    )
                    % {"found": found},
                )
            ]
        )
    return columns


def _key(name: str) -> str:
    """How the file names a member, as `_members` files them: a number without its
    leading zeros or « n° », or a lower-case email."""
    number = number_searched(name)
    return str(number) if number is not None else name.lower()


def _members(rows: list, column: int | None, importer: Member | None) -> dict[str, Member]:
    """Every active member the file names, by number and by lower-case email: one query.

    Emails are read for an officer (who sees them on the register), otherwise only the
    importer's own: a member must not learn from an import who is behind an address."""
    if column is None:
        return {}
    emails, numbers = set(), set()
    for row in rows:
        for name in _split(row[column] if column < len(row) else ""):
            number = number_searched(name)
            if number is not None:
                numbers.add(number)
            else:
                emails.add(name.lower())
    if importer is None or not importer.is_officer:
        own = importer.user.email.lower() if importer is not None else None
        emails = {email for email in emails if email == own}
    if not emails and not numbers:
        return {}
    found = (
        Member.objects.active().select_related("user").annotate(email_lower=Lower("user__email"))
    )
    found = found.filter(Q(email_lower__in=emails) | Q(number__in=numbers))
    known = {}
    for member in found:
        known[str(member.number)] = member
        if member.email_lower in emails:
            known[member.email_lower] = member
    return known


def _read_line(row: list, columns: dict, known: dict) -> tuple[dict, list]:
    def cell(field):
        index = columns.get(field)
        return row[index] if index is not None and index < len(row) else ""

    reasons = []
    status = plain(cell("status"))
    state = STATES.get(status or "todo")
    if state is None:
        reasons.append(
            _("état inconnu « %(value)s » (Todo, In Progress ou Done).")
            % {"value": cell("status")[:40]}
        )
    assignees = []
    for name in _split(cell("assignees")):
        member = known.get(_key(name))
        if member is None:
            reasons.append(
                _(
                    "« %(name)s » n'est pas un·e associé·e actif·ve : donnez son numéro "
                    "(seul·es les responsables nomment par e-mail, et chacun·e soi-même)."
                )
                % {"name": name[:80]}
            )
        elif member not in assignees:
            assignees.append(member)
    if len(assignees) > MAX_SLOTS:
        reasons.append(_("%(max)s personnes au plus par tâche.") % {"max": MAX_SLOTS})
    if state in (Task.State.DOING, Task.State.DONE) and not assignees:
        reasons.append(_("une tâche en cours ou faite a au moins une personne (Assignees)."))
    elif state == Task.State.TODO and assignees:
        state = Task.State.DOING  # someone on it: it is en cours, as taking it makes it
    try:
        details = _clean_details(
            {},
            title=cell("title"),
            description="",
            labels=_split(cell("labels")),
            links=[cell("url")],
            due_on=None,
            estimate_hours=None,
            slots=max(1, min(len(assignees), MAX_SLOTS)),
        )
    except ValidationError as refused:
        details = None
        reasons.extend(_lower(m) for messages in refused.message_dict.values() for m in messages)
    return {"details": details, "state": state, "assignees": assignees}, reasons


def _lower(message) -> str:
    text = str(message)
    return text[:1].lower() + text[1:]


def parse(raw: bytes, importer: Member | None = None) -> list[ImportedTask]:
    """Every line checked, or ImportRefused listing every error found."""
    text = decode(raw)
    if not text.strip():
        raise ImportRefused([LineError(1, _("le fichier est vide."))])
    try:
        rows = _rows(text.lstrip("\ufeff"))
    except csv.Error as error:
        message = _("CSV illisible (%(error)s).") % {"error": error}
        raise ImportRefused([LineError(1, message)]) from None
    if has_control(rows[0]):
        raise ImportRefused([LineError(1, str(CONTROL))])
    columns = _columns(rows[0])
    if len(rows) - 1 > MAX_LINES:
        raise ImportRefused(
            [LineError(1, _("%(max)s lignes au plus par import.") % {"max": MAX_LINES})]
        )
    known = _members(rows[1:], columns.get("assignees"), importer)
    errors, tasks = [], []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if has_control(row):
            errors.append(LineError(number, str(CONTROL)))
            continue
        read, reasons = _read_line(row, columns, known)
        if reasons:
            errors.extend(LineError(number, reason) for reason in reasons)
            continue
        details = read["details"]
        tasks.append(
            ImportedTask(
                number,
                details["title"],
                details["links"],
                read["state"],
                read["assignees"],
                details["labels"],
            )
        )
    if not tasks and not errors:
        errors.append(LineError(1, _("aucune tâche à importer.")))
    if errors:
        raise ImportRefused(errors)
    return tasks


def _address(link: str) -> str:
    return link.rstrip("/").lower()


def already_there(need: Need, lines: list[ImportedTask]) -> set[int]:
    """The file's lines that are on the board already: by their forge address anywhere on
    it, else by their title (whatever its case) among the need's tasks. Two queries."""
    addresses = {_address(link) for line in lines for link in line.links}
    linked = set()
    if addresses:
        for links in Task.objects.exclude(links=[]).values_list("links", flat=True).iterator():
            linked.update(_address(link) for link in links if _address(link) in addresses)
    titles = {title.casefold() for title in need.tasks.values_list("title", flat=True)}
    return {
        line.line
        for line in lines
        if (line.links and _address(line.links[0]) in linked)
        or (not line.links and line.title.casefold() in titles)
    }


def import_tasks(by, need: Need, raw: bytes) -> Imported:
    """Check the file whole, then write every task not already there, its labels,
    assignments and history row in one transaction; a refused file writes nothing."""
    member = rules.require(by, "create_task")
    if need is None or not need.is_live:
        raise ImportRefused(
            [LineError(1, _("une tâche se crée sur un besoin ouvert ou en cours."))]
        )
    lines = parse(raw, member)
    now = timezone.now()
    with transaction.atomic():
        # The need may have been met or dropped while the file was read: asked again under
        # its lock.
        if not Need.objects.select_for_update().get(pk=need.pk).is_live:
            raise ImportRefused(
                [LineError(1, _("une tâche se crée sur un besoin ouvert ou en cours."))]
            )
        there = already_there(need, lines)
        skipped = [line for line in lines if line.line in there]
        lines = [line for line in lines if line.line not in there]
        tasks = Task.objects.bulk_create(
            Task(
                need=need,
                title=line.title,
                links=line.links,
                state=line.state,
                slots=max(1, len(line.assignees)),
                created_by=member,
                created_at=now,
                changed_at=now,
            )
            for line in lines
        )
        names = {name for line in lines for name in line.labels}
        Label.objects.bulk_create([Label(name=name) for name in names], ignore_conflicts=True)
        labels = {label.name: label for label in Label.objects.filter(name__in=names)}
        Task.labels.through.objects.bulk_create(
            Task.labels.through(task=task, label=labels[name])
            for task, line in zip(tasks, lines, strict=True)
            for name in line.labels
        )
        Assignment.objects.bulk_create(
            Assignment(task=task, member=person, taken_at=now)
            for task, line in zip(tasks, lines, strict=True)
            for person in line.assignees
        )
        changes = TaskChange.objects.bulk_create(
            TaskChange(
                task=task,
                by=member,
                at=now,
                kind=TaskChange.Kind.CREATED,
                from_state="",
                to_state=task.state,
                reason=_("Importée d'un fichier CSV (ligne %(line)s).") % {"line": line.line},
            )
            for task, line in zip(tasks, lines, strict=True)
        )
        for task, change in zip(tasks, changes, strict=True):
            signals.task_created.send(sender=Task, task=task, change=change)
    return Imported(tasks, skipped)
