"""API of personal tokens: list, create (the secret is shown once), revoke.

A token may create other tokens: it already carries its owner's full rights, so this grants
nothing new. A token made by a token expires no later than its parent, keeps its parent's
second factor, and is revoked with it: revoking a token revokes all it made.
"""

import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status
from ninja.errors import AuthenticationError

from commun.accounts.forms import ApiTokenForm
from commun.accounts.models import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, ApiToken
from commun.accounts.second_factor import passed
from commun.api_auth import authenticated
from commun.api_helpers import form_invalid
from commun.api_input import Input
from commun.lib.ids import MAX_API_ID

router = Router(tags=["Jetons d'API"])


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    expires_at: datetime.datetime
    parent_id: int | None = Field(..., description="Le jeton qui l'a créé, s'il y en a un.")
    second_factor: bool = Field(
        ...,
        description="Créé depuis une session passée par un second facteur (ou par un tel "
        "jeton) : seul un tel jeton agit pour un·e responsable juridique.",
    )


class TokenCreated(TokenOut):
    secret: str = Field(..., description="Montré cette fois seulement : conservez-le.")


class TokenIn(Input):
    name: str = Field(..., max_length=100)
    days: int | None = Field(
        None,
        description=f"Durée de validité en jours : {DEFAULT_TOKEN_DAYS} par défaut, "
        f"{MAX_TOKEN_DAYS} au plus.",
    )


@router.get("/tokens", auth=authenticated, response=list[TokenOut])
def tokens(request):
    """The caller's tokens, revoked ones included."""
    return request.user.api_tokens.all()


@router.post("/tokens", auth=authenticated, response={201: TokenCreated})
def create_token(request, payload: TokenIn):
    """Create a token; its secret is in this answer only (the database keeps its hash)."""
    form = ApiTokenForm({"name": payload.name, "days": payload.days})
    if not form.is_valid():
        raise form_invalid(form)
    try:
        token, secret = ApiToken.issue(
            request.user,
            form.cleaned_data["name"],
            days=form.cleaned_data["days"],
            parent=request.api_token,
            second_factor=passed(request),
        )
    except ApiToken.Unusable:
        # Revoked between authenticating this request and creating the token.
        raise AuthenticationError(message=_("Jeton d'API invalide ou révoqué.")) from None
    token.secret = secret
    return Status(201, token)


@router.delete("/tokens/{token_id}", auth=authenticated, response={204: None})
def revoke_token(request, token_id: int = Path(..., ge=1, le=MAX_API_ID)):
    """Revoke one of the caller's tokens and those it made; someone else's answers 404."""
    get_object_or_404(request.user.api_tokens, pk=token_id).revoke()
    return Status(204, None)
