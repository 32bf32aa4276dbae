"""A database too busy to take a write in time answers 503 and Retry-After, never a 500.

SQLite has one writer: under a burst of writes, a transaction that waited its whole
`busy_timeout` (commun/lib/env.py) for the lock fails with « database is locked » and is
rolled back, so nothing was half written and asking again is safe. The API answers it in
`commun/api.py`; every other page through `BusyDatabaseMiddleware`."""

from django.db import OperationalError
from django.shortcuts import render
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 2


def is_busy(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


def busy_message() -> str:
    return _("Commun est très sollicité et n'a rien enregistré : réessayez dans un instant.")


class BusyDatabaseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_busy(exception):
            return None
        response = render(request, "core/busy.html", {"message": busy_message()}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
