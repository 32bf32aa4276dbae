"""An optional read replica (DATABASE_REPLICA_URL): which reads may go to it, and which not.

A streaming standby lags its primary by a few milliseconds. That is harmless for what a
visitor reads — the public accounts, the published decisions, the downloads — since a
visitor has written nothing they could miss; it is not for a member who has just taken a
stance and expects to see it. So the rule is explicit and narrow:

- a view opts in with `@public_read` (a web view, or an API endpoint through
  `decorate_view(public_read)`);
- and even then, only a visitor's GET or HEAD reads from the replica: no session user, no
  `Authorization` header;
- never inside a transaction, never once the request has written, never the session or
  the cache (what a visitor just wrote: a login, a rate-limit count).

Everything else reads and writes the primary, and migrations run only there. Without
DATABASE_REPLICA_URL there is no router (settings.py): `public_read` then only sets a flag
that nothing reads, and every query goes to the one database, as before.
"""

import contextlib
import contextvars
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import wraps

from django.db import DEFAULT_DB_ALIAS, connections
from django.http import FileResponse

REPLICA = "replica"
# What a visitor may just have written, hence always read where it was written.
ALWAYS_PRIMARY = {"sessions", "django_cache"}
READING_METHODS = {"GET", "HEAD"}


@dataclass
class _PublicRead:
    wrote: bool = False

    def note_writes(self, execute, sql, params, many, context):
        """Any statement on the primary but a SELECT counts as a write (get_or_create
        asks the router for the primary even when it only finds the row)."""
        if sql.lstrip()[:6].upper() != "SELECT":
            self.wrote = True
        return execute(sql, params, many, context)


_public_read: contextvars.ContextVar[_PublicRead | None] = contextvars.ContextVar(
    "public_read", default=None
)


def _is_visitor(request) -> bool:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return not signed_in and "Authorization" not in request.headers


def public_read(view):
    """Mark a view as a public read: a visitor's GET may read from the replica."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in READING_METHODS or not _is_visitor(request):
            return view(request, *args, **kwargs)
        reading = _PublicRead()
        with _reading_publicly(reading):
            response = view(request, *args, **kwargs)
        if getattr(response, "streaming", False) and not isinstance(response, FileResponse):
            # A download is read from the database while it is sent, after the view returned.
            response.streaming_content = _read_publicly(response.streaming_content, reading)
        return response

    return wrapper


@contextlib.contextmanager
def _reading_publicly(reading: _PublicRead):
    token = _public_read.set(reading)
    try:
        with connections[DEFAULT_DB_ALIAS].execute_wrapper(reading.note_writes):
            yield
    finally:
        _public_read.reset(token)


def _read_publicly(chunks: Iterable, reading: _PublicRead) -> Iterator:
    iterator, done = iter(chunks), object()
    while True:
        with _reading_publicly(reading):
            chunk = next(iterator, done)
        if chunk is done:
            return
        yield chunk


class ReplicaRouter:
    """Reads inside a visitor's public read go to the replica; everything else to the primary."""

    def db_for_read(self, model, **hints) -> str:
        reading = _public_read.get()
        if (
            reading is None
            or reading.wrote
            or model._meta.app_label in ALWAYS_PRIMARY
            # A transaction reads what it is about to write: only the primary has it.
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS  # a standby is read-only: it follows the primary
