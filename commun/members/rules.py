"""Who may act on the cooperative and its register: declared once, asked by pages and the API.

The predicates every app asks (active member, officer) are `commun.lib.rules`. Associates
read the directory and the register; officers keep them (profile, structure, admissions,
share movements). `require()` raises PermissionDenied saying why not.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from commun.lib.rules import (
    OFFICERS_ONLY,
    Rulebook,
    anyone,
    as_member,
    is_active_member,
    is_officer,
    officer,
)

__all__ = [
    "can_see_certificate",
    "can_see_register",
    "is_active_member",
    "is_officer",
    "officer_required",
    "refusal",
    "may",
    "require",
]

ACTION_NAMES = {
    "read_directory": _("consulter l'annuaire"),
    "read_register": _("consulter le registre"),
    "edit_cooperative": _("modifier le profil de la coopérative"),
    "edit_structure": _("modifier les collèges et les catégories"),
    "decide_application": _("décider d'une candidature"),
    "record_movement": _("enregistrer un mouvement de parts"),
    "appoint_officer": _("nommer ou retirer un·e responsable"),
}

WHO_MAY = {
    "read_directory": (anyone, _("Réservé aux associé·es.")),
    "read_register": (anyone, _("Le registre est réservé aux associé·es.")),
    "edit_cooperative": (officer, OFFICERS_ONLY),
    "edit_structure": (officer, OFFICERS_ONLY),
    "decide_application": (officer, OFFICERS_ONLY),
    "record_movement": (officer, OFFICERS_ONLY),
    "appoint_officer": (officer, OFFICERS_ONLY),
}

# Visitors and accounts read the same refusal as members would.
RULES = Rulebook(WHO_MAY, ACTION_NAMES, members_only=None)
refusal, may, require = RULES.refusal, RULES.may, RULES.require


def can_see_register(user) -> bool:
    """The register of associates names people: only active members read it."""
    return may(user, "read_register")


def can_see_certificate(user, member) -> bool:
    """A share certificate is seen by the member it certifies and by the officers."""
    own = as_member(user)
    return bool(own and (own.pk == member.pk or is_officer(user)))


def officer_required(view):
    """Visitors go to the login page; everyone but an officer gets 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_officer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
