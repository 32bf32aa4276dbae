"""Whether the credential of a request passed a second factor: one rule for the web's
session, the API and the tokens (see `User.must_prove_second_factor`).

A session passed it when allauth recorded an "mfa" step in it: the login's TOTP code or
security key, a reauthentication by code, or the account's first factor activated in this
very session (`record_passed`, wired in `AccountsConfig.ready`). A token passed it when it
was created from such a session, or by such a token.
"""

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.core import context
from allauth.mfa.models import Authenticator
from django.http import HttpRequest

# What counts as a second factor: recovery codes are a spare for these, not one of their own.
FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def factors(user_id: int):
    """The user's authenticator apps and security keys."""
    return Authenticator.objects.filter(user_id=user_id, type__in=FACTORS)


def session_passed(request: HttpRequest) -> bool:
    """Whether this session's login went through a second factor (no query)."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def passed(request: HttpRequest) -> bool:
    """Whether the request's credential, its API token or else its session, passed one."""
    token = getattr(request, "api_token", None)
    if token is not None:
        return token.second_factor
    return session_passed(request)


def must_prove(request: HttpRequest) -> bool:
    """Whether the caller is an officer whose credential did not pass a second factor."""
    user = request.user
    return user.is_authenticated and user.must_prove_second_factor(passed(request))


def record_passed(request: HttpRequest, authenticator: Authenticator) -> None:
    """Note in the session, as allauth does at login, that its user proved this factor."""
    record_authentication(
        request, authenticator.user, "mfa", id=authenticator.pk, type=authenticator.type
    )


def activated(sender, instance: Authenticator, created: bool, **kwargs) -> None:
    """Activating the account's first factor proves it (its code was typed, its key
    touched): the session doing it counts as verified, as if it had logged in with it.

    Not so for a further factor: allauth lets a session that proved only the password add
    one, so counting it would let the password alone stand in for the factor the account
    already had.
    """
    request = context.request
    if not created or instance.type not in FACTORS or request is None:
        return
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.pk != instance.user_id:
        return
    if not factors(instance.user_id).exclude(pk=instance.pk).exists():
        record_passed(request, instance)
