"""Who may act on needs and missions: small predicates, asked by pages, the API and models.

`refusal()` says why not (a message a person can read) or None; `require()` raises
PermissionDenied with that message. The models call `require()` inside their locks; the
pages and the API ask `may()` to show a button or answer 403 before reading the input.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from commun.deliberation.models import as_member

MEMBERS_ONLY = _("Seul·es les associé·es peuvent %(action)s.")
PROPOSER_ONLY = _("Seule la personne qui propose la mission peut %(action)s.")
PROPOSER_OR_OFFICER = _(
    "Seul·e la personne qui propose la mission ou un·e responsable peut %(action)s."
)
AUTHOR_OR_OFFICER = _(
    "Seul·e la personne qui a soulevé ce besoin ou un·e responsable peut %(action)s."
)
OFFICERS_ONLY = _("Seul·es les responsables peuvent %(action)s.")
DRAFT_ONLY = _(
    "Seule la personne qui propose la mission peut %(action)s, tant qu'elle n'est pas soumise : "
    "ensuite, elle s'amende par sa décision."
)

ACTION_NAMES = {
    "raise_need": _("soulever un besoin"),
    "support_need": _("soutenir un besoin"),
    "set_need_status": _("clore ce besoin"),
    "propose_mission": _("proposer une mission"),
    "edit_mission": _("modifier ce brouillon"),
    "submit_mission": _("soumettre cette mission à décision"),
    "amend_mission": _("amender cette mission"),
    "withdraw_mission": _("retirer cette mission"),
    "ask_review": _("demander la revue de cette mission"),
    "ask_top_up": _("demander un complément de budget"),
    "record_payment": _("enregistrer un paiement"),
    "cancel_payment": _("annuler un paiement"),
    "edit_settings": _("régler les budgets"),
}


def active_member(who):
    """The active member behind a user or a member; None for visitors, accounts, leavers."""
    member = as_member(who)
    return member if member is not None and member.is_active_member else None


def is_officer(member) -> bool:
    return member is not None and member.is_officer and member.is_active_member


def _is_proposer(member, mission) -> bool:
    return member is not None and mission is not None and member.pk == mission.proposer_id


def _is_need_author(member, need) -> bool:
    return member is not None and need is not None and member.pk == need.raised_by_id


def _anyone(member, obj) -> bool:
    return True


def _proposer(member, obj) -> bool:
    return _is_proposer(member, obj)


def _proposer_of_draft(member, obj) -> bool:
    return _is_proposer(member, obj) and obj.status == "draft"


def _proposer_or_officer(member, obj) -> bool:
    return _is_proposer(member, obj) or is_officer(member)


def _need_author_or_officer(member, obj) -> bool:
    return _is_need_author(member, obj) or is_officer(member)


def _officer(member, obj) -> bool:
    return is_officer(member)


WHO_MAY = {
    "raise_need": (_anyone, MEMBERS_ONLY),
    "support_need": (_anyone, MEMBERS_ONLY),
    "set_need_status": (_need_author_or_officer, AUTHOR_OR_OFFICER),
    "propose_mission": (_anyone, MEMBERS_ONLY),
    "edit_mission": (_proposer_of_draft, DRAFT_ONLY),
    "submit_mission": (_proposer, PROPOSER_ONLY),
    "amend_mission": (_proposer, PROPOSER_ONLY),
    "withdraw_mission": (_proposer, PROPOSER_ONLY),
    "ask_review": (_proposer_or_officer, PROPOSER_OR_OFFICER),
    "ask_top_up": (_proposer_or_officer, PROPOSER_OR_OFFICER),
    "record_payment": (_officer, OFFICERS_ONLY),
    "cancel_payment": (_officer, OFFICERS_ONLY),
    "edit_settings": (_officer, OFFICERS_ONLY),
}


def refusal(who, action: str, obj=None):
    """Why `who` may not take `action` on `obj` (a need or a mission), or None."""
    allowed, message = WHO_MAY[action]
    member = active_member(who)
    if member is None:
        return MEMBERS_ONLY % {"action": ACTION_NAMES[action]}
    if not allowed(member, obj):
        return message % {"action": ACTION_NAMES[action]}
    return None


def may(who, action: str, obj=None) -> bool:
    return refusal(who, action, obj) is None


def require(who, action: str, obj=None):
    """The acting member, or PermissionDenied saying why not."""
    message = refusal(who, action, obj)
    if message is not None:
        raise PermissionDenied(message)
    return active_member(who)
