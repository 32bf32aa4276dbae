"""Who may act on needs and missions: small predicates, asked by pages, the API and models.

`refusal()` says why not (a message a person can read) or None; `require()` raises
PermissionDenied with that message (the machinery is `commun.lib.rules.Rulebook`). The
models call `require()` inside their locks; the pages and the API ask `may()` to show a
button or answer 403 before reading the input.
"""

from django.utils.translation import gettext_lazy as _

from commun.lib.rules import (
    MEMBERS_ONLY,
    OFFICERS_ONLY,
    Rulebook,
    active_member,
    anyone,
    is_officer,
    officer,
)

PROPOSER_ONLY = _("Seule la personne qui propose la mission peut %(action)s.")
PROPOSER_OR_OFFICER = _(
    "Seul·e la personne qui propose la mission ou un·e responsable peut %(action)s."
)
AUTHOR_OR_OFFICER = _(
    "Seul·e la personne qui a soulevé ce besoin ou un·e responsable peut %(action)s."
)
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
    "manage_contributors": _("choisir qui contribue à ce brouillon"),
    "submit_mission": _("soumettre cette mission à décision"),
    "amend_mission": _("amender cette mission"),
    "withdraw_mission": _("retirer cette mission"),
    "ask_review": _("demander la revue de cette mission"),
    "ask_top_up": _("demander un complément de budget"),
    "recompute_cost": _("recalculer le coût de cette mission"),
    "record_payment": _("enregistrer un paiement"),
    "cancel_payment": _("annuler un paiement"),
    "edit_settings": _("régler les budgets"),
    "manage_income": _("gérer les recettes prévues"),
}


def _is_proposer(member, mission) -> bool:
    return member is not None and mission is not None and member.pk == mission.proposer_id


def _is_need_author(member, need) -> bool:
    return member is not None and need is not None and member.pk == need.raised_by_id


def _proposer(member, obj) -> bool:
    return _is_proposer(member, obj)


def _proposer_of_draft(member, obj) -> bool:
    return _is_proposer(member, obj) and obj.status == "draft"


def _proposer_or_officer(member, obj) -> bool:
    return _is_proposer(member, obj) or is_officer(member)


def _need_author_or_officer(member, obj) -> bool:
    return _is_need_author(member, obj) or is_officer(member)


WHO_MAY = {
    "raise_need": (anyone, MEMBERS_ONLY),
    "support_need": (anyone, MEMBERS_ONLY),
    "set_need_status": (_need_author_or_officer, AUTHOR_OR_OFFICER),
    "propose_mission": (anyone, MEMBERS_ONLY),
    "edit_mission": (_proposer_of_draft, DRAFT_ONLY),
    "manage_contributors": (_proposer_of_draft, DRAFT_ONLY),
    "submit_mission": (_proposer, PROPOSER_ONLY),
    "amend_mission": (_proposer, PROPOSER_ONLY),
    "withdraw_mission": (_proposer, PROPOSER_ONLY),
    "ask_review": (_proposer_or_officer, PROPOSER_OR_OFFICER),
    "ask_top_up": (_proposer_or_officer, PROPOSER_OR_OFFICER),
    "recompute_cost": (_proposer_or_officer, PROPOSER_OR_OFFICER),
    "record_payment": (officer, OFFICERS_ONLY),
    "cancel_payment": (officer, OFFICERS_ONLY),
    "edit_settings": (officer, OFFICERS_ONLY),
    "manage_income": (officer, OFFICERS_ONLY),
}


RULES = Rulebook(WHO_MAY, ACTION_NAMES)
refusal, may, require = RULES.refusal, RULES.may, RULES.require

__all__ = ["active_member", "is_officer", "refusal", "may", "require"]
