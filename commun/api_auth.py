"""Who calls the API: a personal token (`Authorization: Bearer …`) or the web's own session.

A presented token must be valid, even on a public endpoint: a revoked or expired token
answers 401 rather than silently reading as a visitor, and so does any other Authorization
header, even an empty one: the session never stands in for a token. The session is accepted
for the web's htmx calls, with Django's CSRF check on unsafe methods since a browser sends
the cookie itself. Either way an officer acts only with a credential that passed a second
factor (`accounts.second_factor`).
"""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security.http import HttpAuthBase
from ninja.utils import check_csrf

from commun.accounts.middleware import reason
from commun.accounts.models import ApiToken
from commun.accounts.second_factor import must_prove

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
_UNSET = object()


def caller(request: HttpRequest):
    """The authenticated user behind this request, or None for a visitor."""
    cached = getattr(request, "_commun_caller", _UNSET)
    if cached is not _UNSET:
        return cached
    if "Authorization" in request.headers:
        scheme, _space, secret = request.headers["Authorization"].partition(" ")
        secret = secret.strip()
        token = ApiToken.find(secret) if scheme.lower() == "bearer" and secret else None
        if token is None:
            raise AuthenticationError(message=_("Jeton d'API invalide ou révoqué."))
        if token.expired:
            raise AuthenticationError(
                message=_("Ce jeton d'API a expiré : créez-en un nouveau dans votre compte.")
            )
        token.touch()
        # Model methods and permission predicates read request.user, whatever the credential.
        request.user = user = token.user
        request.api_token = token
        if must_prove(request):
            raise HttpError(
                403,
                _(
                    "Ce jeton ne peut pas agir pour un·e responsable juridique : il n'a pas été "
                    "créé depuis une session passée par un second facteur. Protégez votre "
                    "compte par un second facteur, connectez-vous avec lui, puis créez un "
                    "nouveau jeton."
                ),
            )
    else:
        request.api_token = None
        user = request.user if request.user.is_authenticated else None
        if user is not None and must_prove(request):
            # The middleware already answers so; kept here so the API never relies on it.
            raise HttpError(403, reason(user))
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
