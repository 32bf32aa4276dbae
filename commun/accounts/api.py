"""API of personal tokens: list, create (the secret is shown once), revoke.

A token may create other tokens: it already carries its owner's full rights, so this grants
nothing new, and scripts can rotate their own credentials. Revoking a token does not
revoke those it created; each is listed here and revoked on its own.
"""

import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Path, Router, Schema, Status

from commun.accounts.forms import ApiTokenForm
from commun.accounts.models import ApiToken
from commun.api_auth import authenticated
from commun.members.api import form_invalid
from commun.members.schemas import MAX_ID, Input

router = Router(tags=["Jetons d'API"])


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


class TokenCreated(TokenOut):
    secret: str = Field(..., description="Montré cette fois seulement : conservez-le.")


class TokenIn(Input):
    name: str = Field(..., max_length=100)


@router.get("/tokens", auth=authenticated, response=list[TokenOut])
def tokens(request):
    """The caller's tokens, revoked ones included."""
    return request.user.api_tokens.all()


@router.post("/tokens", auth=authenticated, response={201: TokenCreated})
def create_token(request, payload: TokenIn):
    """Create a token; its secret is in this answer only (the database keeps its hash)."""
    form = ApiTokenForm({"name": payload.name})
    if not form.is_valid():
        raise form_invalid(form)
    token, secret = ApiToken.issue(request.user, form.cleaned_data["name"])
    token.secret = secret
    return Status(201, token)


@router.delete("/tokens/{token_id}", auth=authenticated, response={204: None})
def revoke_token(request, token_id: int = Path(..., ge=1, le=MAX_ID)):
    """Revoke one of the caller's tokens; someone else's answers 404."""
    get_object_or_404(request.user.api_tokens, pk=token_id).revoke()
    return Status(204, None)
