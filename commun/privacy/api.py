from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from commun.api_auth import authenticated
from commun.api_input import Input
from commun.privacy import erasure
from commun.privacy.export import person_archive

router = Router(tags=["Données personnelles"])


@router.get(
    "/me/data",
    auth=authenticated,
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "ZIP: donnees.json and one CSV per table",
                "content": {"application/zip": {}},
            }
        }
    },
)
def my_data(request):
    """All the caller's personal data, as the web page gives it (right of access)."""
    response = HttpResponse(person_archive(request.auth), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="mes-donnees.zip"'
    return response


class EraseIn(Input):
    password: str = Field(..., max_length=200)


class ErasedOut(Schema):
    erased: bool
    member_number: int | None


@router.post("/me/erase", auth=authenticated, response={200: ErasedOut})
def erase_me(request, payload: EraseIn):
    """Delete the caller's account (right to erasure); an associate must resign first."""
    user = request.auth
    allowed, why = erasure.erasable(user)
    if not allowed:
        raise HttpError(409, str(why))
    if not user.check_password(payload.password):
        raise NinjaValidationError(
            [
                {
                    "loc": ["body", "password"],
                    "msg": _("Ce mot de passe n'est pas le bon."),
                    "type": "value_error",
                }
            ]
        )
    log = erasure.erase_account(user, by=user)
    return {"erased": True, "member_number": log.member_number}
