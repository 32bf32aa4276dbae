"""What each step of a decision allows, and who may act: declared once, asked everywhere.

A step (phase) lists the actions it allows; a small predicate per action says who may take
it. `may()` answers both for pages and the API (to show or hide a button); the model
methods call `require()`, which raises PermissionDenied with a message a person can read.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from commun.decisions import subjects
from commun.decisions.models import AdviceRequest, Decision, Eligibility, Objection
from commun.lib.rules import Rulebook, active_member, is_officer
from commun.members.models import Member

Phase = Decision.Phase

ACTIONS_BY_PHASE: dict[str, frozenset[str]] = {
    Phase.DRAFT: frozenset({"open", "withdraw"}),
    Phase.CLARIFICATION: frozenset({"ask", "amend", "advance", "withdraw"}),
    Phase.REACTIONS: frozenset({"react", "amend", "advance", "withdraw"}),
    Phase.OBJECTIONS: frozenset(
        {
            "take_stance",
            "begin_integration",
            "dismiss_objection",
            "withdraw_objection",
            "resolve_objection",
            "close",
            "withdraw",
        }
    ),
    Phase.INTEGRATION: frozenset(
        {
            "amend",
            "begin_integration",
            "dismiss_objection",
            "withdraw_objection",
            "start_new_round",
            "withdraw",
        }
    ),
    Phase.ADVICE: frozenset({"give_advice", "record_advice_decision", "withdraw"}),
    Phase.VOTING: frozenset({"take_stance", "close", "withdraw"}),
    # A tie left to the chair waits for its casting vote (the model checks it is awaited).
    Phase.CLOSED: frozenset({"cast_deciding_vote"}),
}
ACTIONS = frozenset().union(*ACTIONS_BY_PHASE.values())

# What the refusal messages call each action.
ACTION_NAMES = {
    "open": _("ouvrir la décision"),
    "ask": _("poser une question de clarification"),
    "react": _("réagir à la proposition"),
    "amend": _("amender la proposition"),
    "advance": _("passer à l'étape suivante"),
    "take_stance": _("se prononcer"),
    "begin_integration": _("intégrer une objection"),
    "dismiss_objection": _("juger qu'une objection n'en est pas une"),
    "withdraw_objection": _("retirer une objection"),
    "resolve_objection": _("lever une objection"),
    "start_new_round": _("ouvrir un nouveau tour d'objections"),
    "close": _("clore la décision"),
    "withdraw": _("retirer la proposition"),
    "give_advice": _("donner un avis"),
    "record_advice_decision": _("enregistrer la décision"),
    "cast_deciding_vote": _("départager l'égalité"),
}


# Who someone is ------------------------------------------------------------------------------


def is_author(member: Member | None, decision: Decision) -> bool:
    return member is not None and member.pk == decision.author_id


def fixed_as_eligible(member: Member | None, decision: Decision) -> bool:
    """Whether the opening wrote the member's Eligibility row (cached on the decision)."""
    if member is None:
        return False
    cache = decision.__dict__.setdefault("_fixed_as_eligible", {})
    if member.pk not in cache:
        cache[member.pk] = Eligibility.objects.filter(
            decision_id=decision.pk, member_id=member.pk
        ).exists()
    return cache[member.pk]


def is_eligible(member: Member | None, decision: Decision) -> bool:
    """Fixed as eligible when the decision opened, and still an associate with a voice."""
    return member is not None and member.is_active_member and fixed_as_eligible(member, decision)


def is_advisor(member: Member | None, decision: Decision) -> bool:
    return (
        member is not None
        and AdviceRequest.objects.filter(decision_id=decision.pk, advisor_id=member.pk).exists()
    )


def is_objector(member: Member | None, objection: Objection | None) -> bool:
    """The objection's author (objection actions are asked about one objection)."""
    return member is not None and objection is not None and member.pk == objection.author_id


def _author(member, decision, objection):
    return is_author(member, decision)


def _author_or_officer(member, decision, objection):
    return is_author(member, decision) or is_officer(member)


def _eligible(member, decision, objection):
    return is_eligible(member, decision)


def _eligible_or_author(member, decision, objection):
    return is_author(member, decision) or is_eligible(member, decision)


def _objector(member, decision, objection):
    return is_objector(member, objection)


def _advisor(member, decision, objection):
    return is_advisor(member, decision)


def _officer(member, decision, objection):
    return is_officer(member)


AUTHOR_ONLY = _("Seul·e l'auteur·ice de la proposition peut %(action)s.")
AUTHOR_OR_OFFICER = _("Seul·e l'auteur·ice de la proposition ou un·e responsable peut %(action)s.")
ELIGIBLE_ONLY = _("Vous n'êtes pas appelé·e à vous prononcer sur cette décision.")
OBJECTOR_ONLY = _("Seule la personne qui a soulevé l'objection peut %(action)s.")
ADVISOR_ONLY = _("Votre avis n'a pas été sollicité pour cette décision.")
OFFICER_ONLY = _("Seul·e un·e responsable (la présidence) peut %(action)s.")

WHO_MAY = {
    "open": (_author, AUTHOR_ONLY),
    "ask": (_eligible_or_author, ELIGIBLE_ONLY),
    "react": (_eligible_or_author, ELIGIBLE_ONLY),
    "amend": (_author, AUTHOR_ONLY),
    "advance": (_author, AUTHOR_ONLY),
    "take_stance": (_eligible, ELIGIBLE_ONLY),
    "begin_integration": (_author, AUTHOR_ONLY),
    "dismiss_objection": (_author_or_officer, AUTHOR_OR_OFFICER),
    "withdraw_objection": (_objector, OBJECTOR_ONLY),
    "resolve_objection": (_objector, OBJECTOR_ONLY),
    "start_new_round": (_author, AUTHOR_ONLY),
    "close": (_author_or_officer, AUTHOR_OR_OFFICER),
    "withdraw": (_author, AUTHOR_ONLY),
    "give_advice": (_advisor, ADVISOR_ONLY),
    "record_advice_decision": (_author, AUTHOR_ONLY),
    "cast_deciding_vote": (_officer, OFFICER_ONLY),
}
RULES = Rulebook(WHO_MAY, ACTION_NAMES)


# Asking --------------------------------------------------------------------------------------


def refusal(who, action: str, decision: Decision, objection: Objection | None = None):
    """Why `who` may not take `action` now (a translated message), or None when they may."""
    if action not in ACTIONS:
        raise ValueError(f"unknown decision action {action!r}")
    name = ACTION_NAMES[action]
    if action not in ACTIONS_BY_PHASE[decision.phase]:
        return _("On ne peut pas %(action)s à l'étape « %(phase)s ».") % {
            "action": name,
            "phase": decision.get_phase_display(),
        }
    if action == "cast_deciding_vote" and not decision.awaits_casting_vote:
        return _("Cette décision n'attend pas de voix prépondérante.")
    return RULES.refusal(who, action, decision, objection)


def objection_allows(action: str, objection: Objection) -> bool:
    """Whether the objection's own state still leaves room for `action` (to show buttons;
    the model refuses the others with a ValidationError under its lock)."""
    if not objection.is_open:
        return False
    return action != "begin_integration" or objection.status == Objection.Status.RAISED


def may(who, action: str, decision: Decision, objection: Objection | None = None) -> bool:
    """Whether `who` (a user, a member or None) may take `action` on `decision` now."""
    return refusal(who, action, decision, objection) is None


def require(who, action: str, decision: Decision, objection: Objection | None = None) -> Member:
    """The acting member, or PermissionDenied saying why not."""
    message = refusal(who, action, decision, objection)
    if message is not None:
        raise PermissionDenied(message)
    return active_member(who)


def allowed_actions(who, decision: Decision, objection: Objection | None = None) -> set[str]:
    """Every action `who` may take now: what a page shows as buttons."""
    return {a for a in ACTIONS_BY_PHASE[decision.phase] if may(who, a, decision, objection)}


def text_refusal(decision: Decision) -> str | None:
    """Why the decision's text is never amended by hand (its subject generates it), or None."""
    subject = subjects.of(decision)
    return subject.refusal if subject.owns_text else None


def offered_actions(who, decision: Decision) -> set[str]:
    """What the decision's own endpoints accept from `who` now (the API's `actions`).

    A generated text is amended through its subject (the page links there), so `amend` is
    offered only where `Decision.amend()` takes a text typed by hand.
    """
    actions = allowed_actions(who, decision)
    if text_refusal(decision) is not None:
        actions.discard("amend")
    return actions


def require_author_in(who, space) -> Member:
    """The active member proposing in `space`, or PermissionDenied."""
    member = active_member(who)
    if member is None or not space.can_post(member):
        raise PermissionDenied(_("Vous ne pouvez pas proposer de décision dans cet espace."))
    return member


def can_read(who, decision: Decision) -> bool:
    """Drafts are their author's; then the space must be readable, and members-only
    decisions need an active member."""
    if decision.phase == Phase.DRAFT:
        return is_author(active_member(who), decision)
    if not decision.space.can_read(who):
        return False
    return decision.visibility == Decision.Visibility.PUBLIC or active_member(who) is not None
