"""What every app's API uses: page numbers, a form's errors as 422, a conflict, a guard."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination

from commun.lib.paging import Listing
from commun.web import viewer_of


class Pages(PageNumberPagination):
    """Ninja's page numbers, bounded so that no page turns into an out-of-range SQL offset."""

    class Input(PageNumberPagination.Input):
        page: int = Field(1, ge=1, le=10_000_000)
        page_size: int | None = Field(None, ge=1, le=100)


class ListingPages(Pages):
    """Pages read like the web pages' (commun.lib.paging): an endpoint may return a
    `Listing` that knows its count and how to reach a deep page cheaply."""

    class Output(PageNumberPagination.Output):
        more: bool = Field(
            False,
            description="Vrai quand une recherche a plus de résultats que `count` : seuls les "
            "`count` premiers sont listés, précisez-la pour trouver les autres.",
        )

    def paginate_queryset(self, queryset, pagination, request, **params):
        listing = queryset if isinstance(queryset, Listing) else Listing(queryset)
        size = self._get_page_size(pagination.page_size)
        bottom = (pagination.page - 1) * size
        items = listing.rows(bottom, bottom + size)
        return {self.items_attribute: items, "count": listing.total, "more": listing.more}


def form_invalid(form, loc=("body",), rename=None) -> NinjaValidationError:
    """A web form's errors as ninja's 422, each on the API's name for the field."""
    rename = rename or {}
    return NinjaValidationError(
        [
            {
                "loc": list(loc) + ([] if field == "__all__" else [rename.get(field, field)]),
                "msg": str(message),
                "type": "validation_error",
            }
            for field, messages in form.errors.items()
            for message in messages
        ]
    )


def members_only(request):
    """The calling active member; anyone else is refused (403)."""
    member = viewer_of(request)
    if member is None or not member.is_active_member:
        raise PermissionDenied(_("Réservé aux associé·es."))
    return member


def conflict(message) -> HttpError:
    return HttpError(409, str(message))
