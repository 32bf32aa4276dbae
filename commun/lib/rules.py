"""Who may act: the few predicates every app asks, and the machinery of an app's `rules.py`.

Each app declares in its own `rules.py` who may take each of its actions (a small
predicate and the message a refused person reads). `Rulebook` answers from that table:
`may()` for pages and the API (to show a button), `refusal()` to say why not, and
`require()`, called by the model methods under their locks, which raises PermissionDenied.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

MEMBERS_ONLY = _("Seul·es les associé·es peuvent %(action)s.")
OFFICERS_ONLY = _("Seul·es les responsables peuvent %(action)s.")


# Who someone is ------------------------------------------------------------------------------


def as_member(who):
    """The Member behind a user or a member; None for a visitor or an account without one."""
    # Imported here: lib is loaded before the apps' models are.
    from commun.members.models import Member

    if who is None or isinstance(who, Member):
        return who
    if not getattr(who, "is_authenticated", False):
        return None
    return who.member


def active_member(who):
    """The active member behind a user or a member; None for visitors, accounts, leavers."""
    member = as_member(who)
    return member if member is not None and member.is_active_member else None


def is_active_member(who) -> bool:
    """An associate whose shares are paid and who has not left (a user or a member)."""
    return active_member(who) is not None


def is_officer(who) -> bool:
    """An officer (responsable juridique) is an active member with the officer flag."""
    member = active_member(who)
    return member is not None and member.is_officer


# Predicates ready for a WHO_MAY table: (active member, *what the action is about) -> bool.


def anyone(member, *about) -> bool:
    return True


def officer(member, *about) -> bool:
    return is_officer(member)


# Asking --------------------------------------------------------------------------------------


class Rulebook:
    """One app's table of who may take each action, and the names its refusals give them.

    `who_may` maps an action to (predicate, message): the predicate receives the active
    member and what the action is about; the message may name the action (`%(action)s`).
    Someone who is no active member reads `members_only`, or with None the action's message.
    """

    def __init__(self, who_may: dict, names: dict, *, members_only=MEMBERS_ONLY):
        assert who_may.keys() == names.keys(), "every action needs a name and a rule"
        self.who_may = who_may
        self.names = names
        self.members_only = members_only

    @property
    def actions(self) -> frozenset[str]:
        return frozenset(self.who_may)

    def refusal(self, who, action: str, *about):
        """Why `who` may not take `action` (a translated message), or None when they may."""
        if action not in self.who_may:
            raise ValueError(f"unknown action {action!r}")
        name = self.names[action]
        member = active_member(who)
        allowed, message = self.who_may[action]
        if member is None:
            return (self.members_only or message) % {"action": name}
        if not allowed(member, *about):
            return message % {"action": name}
        return None

    def may(self, who, action: str, *about) -> bool:
        """Whether `who` (a user, a member or None) may take `action` now."""
        return self.refusal(who, action, *about) is None

    def require(self, who, action: str, *about):
        """The acting member, or PermissionDenied saying why not."""
        message = self.refusal(who, action, *about)
        if message is not None:
            raise PermissionDenied(message)
        return active_member(who)
