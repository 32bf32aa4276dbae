"""What each phase of an assembly allows, and who may act: declared once, asked everywhere.

A phase lists the actions it allows; a small predicate per action says who may take it.
`may()` answers pages and the API (to show a button); the model methods call `require()`
under their locks, which raises PermissionDenied with a message a person can read.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from commun.assemblies.models import Assembly
from commun.lib.rules import (
    OFFICERS_ONLY,
    Rulebook,
    active_member,
    is_officer,
    officer,
)

Phase = Assembly.Phase

# The documents sent with the convocation: until the opening.
DOCUMENTS = frozenset({"attach_document"})
# Members ask for an item, the officers answer: between the convocation and the opening.
ITEM_REQUESTS = frozenset({"ask_item", "answer_item_request"})
# Actions about an assembly, by the phase that allows them.
ACTIONS_BY_PHASE: dict[str, frozenset[str]] = {
    Phase.DRAFT: frozenset({"edit_agenda", "convene", "add_candidate"} | DOCUMENTS),
    Phase.CONVENED: frozenset(
        {"answer", "open", "vote_in_advance", "add_candidate"} | DOCUMENTS | ITEM_REQUESTS
    ),
    Phase.OPEN: frozenset(
        {
            "check_in",
            "record_failure",
            "open_resolution",
            "close_resolution",
            "vote",
            "mark_secret",
            "propose_amendment",
            "admit_amendment",
            "add_candidate",
            "close_session",
            "record_incident",
        }
    ),
    Phase.CLOSED: frozenset({"convene_again", "confirm_minutes"}),
    # Frozen minutes: nothing about the assembly changes any more.
    Phase.MINUTES_FROZEN: frozenset(),
}
# Actions about no assembly in particular.
STANDING_ACTIONS = frozenset({"edit_rules", "prepare"})

ACTION_NAMES = {
    "edit_rules": _("modifier les règles des assemblées"),
    "prepare": _("préparer une assemblée"),
    "edit_agenda": _("modifier l'ordre du jour"),
    "convene": _("convoquer l'assemblée"),
    "answer": _("répondre à la convocation"),
    "open": _("ouvrir la séance"),
    "check_in": _("émarger"),
    "record_failure": _("constater l'absence de quorum"),
    "convene_again": _("convoquer à nouveau"),
    "open_resolution": _("ouvrir le vote d'une résolution"),
    "close_resolution": _("clore le vote d'une résolution"),
    "vote": _("voter"),
    "vote_in_advance": _("voter avant la séance"),
    "mark_secret": _("mettre une résolution au vote à bulletin secret"),
    "propose_amendment": _("proposer un amendement"),
    "admit_amendment": _("admettre ou refuser un amendement"),
    "add_candidate": _("ajouter une candidature"),
    "close_session": _("clore la séance"),
    "record_incident": _("noter un incident de séance"),
    "confirm_minutes": _("confirmer le procès-verbal"),
    "attach_document": _("joindre ou retirer un document"),
    "ask_item": _("demander l'inscription d'un point"),
    "answer_item_request": _("accepter ou refuser une demande d'inscription"),
}

CONVENED_ONLY = _("Vous n'êtes pas convoqué·e à cette assemblée.")
ADVANCE_VOTERS_ONLY = _(
    "Répondez d'abord « vote par correspondance ou en ligne » : seul·es les associé·es qui "
    "votent avant la séance le font ici."
)
CHAIR_OR_OFFICER = _("Seul·es la présidence de séance et les responsables peuvent %(action)s.")
CHAIR_OR_SECRETARY = _("Seul·es la présidence et le ou la secrétaire de séance peuvent %(action)s.")


def is_convened(member, assembly: Assembly) -> bool:
    """Convened when the assembly was (a snapshot), and still an associate with a voice."""
    return (
        member is not None and member.is_active_member and assembly.participant(member) is not None
    )


def is_chair(member, assembly: Assembly) -> bool:
    return member is not None and member.pk == assembly.chair_id


def is_secretary(member, assembly: Assembly) -> bool:
    return member is not None and member.pk == assembly.secretary_id


def keeps_the_sheet(member, assembly: Assembly) -> bool:
    """Who may tick others on the attendance sheet: the secretary, the chair, an officer."""
    return is_secretary(member, assembly) or is_chair(member, assembly) or is_officer(member)


def _convened(member, assembly):
    return is_convened(member, assembly)


def _votes_in_advance(member, assembly):
    """Convened, and answered « vote par correspondance ou en ligne »."""
    return is_convened(member, assembly) and assembly.participant(member).mode == "advance"


def runs_the_session(member, assembly: Assembly) -> bool:
    """The chair and officers: who add anyone as a candidate."""
    return is_chair(member, assembly) or is_officer(member)


def _adds_candidates(member, assembly):
    """Officers (a draft too), the chair, and members convened for themselves; only when the
    agenda holds an election."""
    if assembly.phase == Phase.DRAFT:
        allowed = is_officer(member)
    else:
        allowed = runs_the_session(member, assembly) or is_convened(member, assembly)
    return allowed and assembly.items.filter(kind="election").exists()


def _convened_or_keeper(member, assembly):
    return is_convened(member, assembly) or keeps_the_sheet(member, assembly)


def _chair_or_officer(member, assembly):
    return is_chair(member, assembly) or is_officer(member)


def _chair_or_secretary(member, assembly):
    return is_chair(member, assembly) or is_secretary(member, assembly)


WHO_MAY = {
    "edit_rules": (officer, OFFICERS_ONLY),
    "prepare": (officer, OFFICERS_ONLY),
    "edit_agenda": (officer, OFFICERS_ONLY),
    "convene": (officer, OFFICERS_ONLY),
    "answer": (_convened, CONVENED_ONLY),
    "open": (officer, OFFICERS_ONLY),
    "check_in": (_convened_or_keeper, CONVENED_ONLY),
    "record_failure": (_chair_or_officer, CHAIR_OR_OFFICER),
    "convene_again": (officer, OFFICERS_ONLY),
    "open_resolution": (_chair_or_officer, CHAIR_OR_OFFICER),
    "close_resolution": (_chair_or_officer, CHAIR_OR_OFFICER),
    "vote": (_convened, CONVENED_ONLY),
    "vote_in_advance": (_votes_in_advance, ADVANCE_VOTERS_ONLY),
    "mark_secret": (_chair_or_officer, CHAIR_OR_OFFICER),
    "propose_amendment": (_convened, CONVENED_ONLY),
    "admit_amendment": (_chair_or_officer, CHAIR_OR_OFFICER),
    "add_candidate": (_adds_candidates, CONVENED_ONLY),
    "close_session": (_chair_or_officer, CHAIR_OR_OFFICER),
    "record_incident": (_chair_or_secretary, CHAIR_OR_SECRETARY),
    "confirm_minutes": (_chair_or_secretary, CHAIR_OR_SECRETARY),
    "attach_document": (officer, OFFICERS_ONLY),
    "ask_item": (_convened, CONVENED_ONLY),
    "answer_item_request": (officer, OFFICERS_ONLY),
}
RULES = Rulebook(WHO_MAY, ACTION_NAMES)


def refusal(who, action: str, assembly: Assembly | None = None):
    """Why `who` may not take `action` now (a translated message), or None when they may."""
    if action in STANDING_ACTIONS:
        return RULES.refusal(who, action)
    if assembly is None:
        raise ValueError(f"{action!r} is about an assembly")
    if action not in ACTIONS_BY_PHASE[assembly.phase]:
        return _("On ne peut pas %(action)s à l'étape « %(phase)s ».") % {
            "action": ACTION_NAMES[action],
            "phase": assembly.get_phase_display(),
        }
    return RULES.refusal(who, action, assembly)


def may(who, action: str, assembly: Assembly | None = None) -> bool:
    return refusal(who, action, assembly) is None


def require(who, action: str, assembly: Assembly | None = None):
    """The acting member, or PermissionDenied saying why not."""
    message = refusal(who, action, assembly)
    if message is not None:
        raise PermissionDenied(message)
    return active_member(who)


def allowed_actions(who, assembly: Assembly) -> set[str]:
    """Every action `who` may take on `assembly` now: what a page shows as buttons."""
    return {a for a in ACTIONS_BY_PHASE[assembly.phase] if may(who, a, assembly)}


def can_read(who, assembly: Assembly) -> bool:
    """Drafts are the officers'; once convened, every active member reads the assembly."""
    if assembly.phase == Phase.DRAFT:
        return is_officer(who)
    return active_member(who) is not None


def can_read_minutes(who, assembly: Assembly) -> bool:
    """Frozen minutes are the members'; everyone's when the rules the assembly was convened
    under published them (a later change publishes nothing retroactively: those who took
    part did so under the rules of the day)."""
    if assembly.phase != Phase.MINUTES_FROZEN:
        return can_read(who, assembly) and assembly.phase == Phase.CLOSED
    return active_member(who) is not None or assembly.rules.get("minutes_public", False)


def published_minutes(who):
    """The assemblies whose frozen minutes `who` may read, latest first: all for members,
    for anyone else those convened under rules that publish them."""
    frozen = Assembly.objects.filter(phase=Phase.MINUTES_FROZEN).order_by("-starts_at")
    if active_member(who) is not None:
        return frozen
    return frozen.filter(rules__minutes_public=True)
