from django.http import HttpResponse
from ninja import Router

from commun.api_auth import authenticated
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
