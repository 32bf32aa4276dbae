"""What every app's pages (and API) ask of a request: who is reading, and is it htmx."""

from django.http import HttpRequest


def viewer_of(request: HttpRequest):
    """The member reading (a `Member`), or None for a visitor."""
    user = getattr(request, "user", None)
    return user.member if user is not None and user.is_authenticated else None


def is_htmx(request: HttpRequest) -> bool:
    """htmx asks for a fragment; anything else gets the whole page."""
    return request.headers.get("HX-Request") == "true"
