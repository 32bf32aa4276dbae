"""Officers must protect their account with a second factor before acting."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from commun.accounts.second_factor import must_prove

API_PREFIX = "/api/"


def reason(user) -> str:
    if user.has_second_factor:
        return _(
            "En tant que responsable juridique, vous agissez au nom de la coopérative : "
            "confirmez d’abord votre second facteur pour cette session."
        )
    return _(
        "En tant que responsable juridique, vous agissez au nom de la coopérative : "
        "protégez d’abord votre compte par un second facteur (application "
        "d’authentification ou clé de sécurité)."
    )


class OfficersNeedSecondFactorMiddleware:
    """Hold an officer whose session did not pass a second factor: to the TOTP setup page
    without one, to the second factor's confirmation with one.

    Costs no query for visitors and members beyond reading `user.member`, which the
    layout reads anyway (the user object caches it); one query for officers.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_prefixes = None

    def open_prefixes(self) -> tuple[str, ...]:
        """Where an officer may still go: setting up the factor, leaving, the assets."""
        if self._open_prefixes is None:
            self._open_prefixes = (
                reverse("mfa_index"),  # TOTP, security keys, recovery codes, 2FA login
                reverse("account_reauthenticate"),  # allauth asks it before adding a factor
                reverse("account_logout"),
                reverse("set_language"),
                settings.STATIC_URL,
                settings.MEDIA_URL,
            )
        return self._open_prefixes

    def __call__(self, request):
        path = request.path
        if path.startswith(self.open_prefixes()):
            return self.get_response(request)
        if path.startswith(API_PREFIX) and "Authorization" in request.headers:
            # Token clients: the API authenticates them and applies the same rule
            # (`api_auth.caller`). Whatever that header holds, even nothing, the session
            # never stands in for the token.
            request.user = AnonymousUser()
            return self.get_response(request)
        if must_prove(request):
            if path.startswith(API_PREFIX):
                # The web's session reaches the API too: no way around the factor there.
                return JsonResponse({"detail": reason(request.user)}, status=403)
            return self.redirect_to_second_factor(request)
        return self.get_response(request)

    def redirect_to_second_factor(self, request):
        user = request.user
        messages.warning(request, reason(user))
        if user.has_second_factor:
            url = reverse("mfa_reauthenticate") + "?" + urlencode({"next": request.get_full_path()})
        else:
            url = reverse("mfa_activate_totp")
        if request.headers.get("HX-Request"):
            # An htmx swap would paste the whole setup page into a fragment.
            return HttpResponse(headers={"HX-Redirect": url})
        return HttpResponseRedirect(url)
