"""Who may act on the board's tasks: small predicates, asked by pages, the API and models.

Whether the task's state allows the action is the model's to say, under its lock; here
only who may. Validating belongs to whoever answers for the work: the mission's proposer,
or the need's author for a task without a mission, and officers always.
"""

from django.utils.translation import gettext_lazy as _

from commun.lib.rules import MEMBERS_ONLY, Rulebook, active_member, anyone, is_officer

ASSIGNEES_ONLY = _("Seules les personnes qui ont pris cette tâche peuvent %(action)s.")
ANSWERABLE_ONLY = _(
    "Seul·e la personne qui propose la mission (ou a soulevé le besoin) ou un·e responsable "
    "peut %(action)s."
)
CREATOR_OR_OFFICER = _(
    "Seul·e la personne qui a créé cette tâche ou un·e responsable peut %(action)s."
)

MOVER_OR_OFFICER = _(
    "Seul·e la personne qui a créé cette tâche, celle qui a soulevé son besoin ou un·e "
    "responsable peut %(action)s."
)
INVOLVED_OR_OFFICER = _(
    "Seules les personnes qui ont créé, pris ou validé cette tâche, ou un·e responsable, "
    "peuvent %(action)s."
)

ACTION_NAMES = {
    "create_task": _("créer une tâche"),
    "take_task": _("prendre une tâche"),
    "leave_task": _("laisser cette tâche"),
    "finish_task": _("marquer cette tâche faite"),
    "validate_task": _("valider cette tâche"),
    "send_back_task": _("renvoyer cette tâche"),
    "abandon_task": _("abandonner cette tâche"),
    "edit_task": _("modifier cette tâche"),
    "move_task": _("déplacer cette tâche"),
}


def is_assignee(member, task) -> bool:
    return member is not None and task is not None and task.is_assignee(member)


def answers_for(member, task) -> bool:
    """The mission's proposer, or the need's author when no mission funds the task."""
    if member is None or task is None:
        return False
    if task.mission_id is not None:
        return member.pk == task.mission.proposer_id
    return member.pk == task.need.raised_by_id


def _answerable_or_officer(member, task) -> bool:
    return answers_for(member, task) or is_officer(member)


def _creator_or_officer(member, task) -> bool:
    return (member is not None and member.pk == task.created_by_id) or is_officer(member)


def _mover_or_officer(member, task) -> bool:
    """Whoever wrote the task or raised its need reorganises it, and officers always."""
    return _creator_or_officer(member, task) or (
        member is not None and member.pk == task.need.raised_by_id
    )


def _involved_or_officer(member, task) -> bool:
    return (
        _creator_or_officer(member, task) or is_assignee(member, task) or answers_for(member, task)
    )


WHO_MAY = {
    "create_task": (anyone, MEMBERS_ONLY),
    "take_task": (anyone, MEMBERS_ONLY),
    "leave_task": (is_assignee, ASSIGNEES_ONLY),
    "finish_task": (is_assignee, ASSIGNEES_ONLY),
    "validate_task": (_answerable_or_officer, ANSWERABLE_ONLY),
    "send_back_task": (_answerable_or_officer, ANSWERABLE_ONLY),
    "abandon_task": (_creator_or_officer, CREATOR_OR_OFFICER),
    "edit_task": (_involved_or_officer, INVOLVED_OR_OFFICER),
    "move_task": (_mover_or_officer, MOVER_OR_OFFICER),
}


RULES = Rulebook(WHO_MAY, ACTION_NAMES)
refusal, may, require = RULES.refusal, RULES.may, RULES.require

__all__ = ["active_member", "is_officer", "refusal", "may", "require"]
