"""Who calls the API: a personal token (`Authorization: Bearer …`) or the web's own session.

A presented token must be valid, even on a public endpoint: a revoked token answers 401
rather than silently reading as a visitor. The session is accepted for the web's htmx
calls, with Django's CSRF check on unsafe methods since a browser sends the cookie itself.
"""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security.http import HttpAuthBase
from ninja.utils import check_csrf

from commun.accounts.models import ApiToken

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
_UNSET = object()


def caller(request: HttpRequest):
    """The authenticated user behind this request, or None for a visitor."""
    cached = getattr(request, "_commun_caller", _UNSET)
    if cached is not _UNSET:
        return cached
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _space, secret = header.partition(" ")
        user = ApiToken.authenticate(secret.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise AuthenticationError(message=_("Jeton d'API invalide ou révoqué."))
        # Model methods and permission predicates read request.user, whatever the credential.
        request.user = user
    else:
        user = request.user if request.user.is_authenticated else None
        if user is not None and request.method not in SAFE_METHODS and check_csrf(request):
            raise HttpError(
                403,
                _(
                    "Vérification CSRF échouée : envoyez l'en-tête X-CSRFToken, "
                    "ou authentifiez-vous par jeton d'API."
                ),
            )
    request._commun_caller = user
    return user


class CommunAuth(HttpAuthBase):
    """Bearer token or session; `optional=True` lets visitors through as AnonymousUser."""

    openapi_scheme = "bearer"
    openapi_description = "Jeton d'API personnel (préfixe cmn_), ou la session du site web."
    # Tells ninja's Swagger page to send the CSRF token along with the session cookie.
    csrf = True

    def __init__(self, optional: bool = False):
        self.optional = optional
        super().__init__()

    def __call__(self, request: HttpRequest):
        user = caller(request)
        if user is None:
            return AnonymousUser() if self.optional else None
        return user


authenticated = CommunAuth()
public = CommunAuth(optional=True)
