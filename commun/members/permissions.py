"""Who may do what: small predicates shared by the web pages and the API, and one decorator."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def _membership(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.member


def is_active_member(user) -> bool:
    """An associate whose shares are paid and who has not left."""
    member = _membership(user)
    return bool(member and member.is_active_member)


def is_officer(user) -> bool:
    """An officer (responsable juridique) is an active member with the officer flag."""
    member = _membership(user)
    return bool(member and member.is_active_member and member.is_officer)


def can_see_register(user) -> bool:
    """The register of associates names people: only active members read it."""
    return is_active_member(user)


def can_see_certificate(user, member) -> bool:
    """A share certificate is seen by the member it certifies and by the officers."""
    own = _membership(user)
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
