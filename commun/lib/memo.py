"""A value kept a short while in this process, for figures too costly to compute per request."""

import time
from collections.abc import Callable

from django.conf import settings


class Memo:
    """One value per process, computed again once it is older than the `setting`'s seconds.

    Per process rather than in Django's cache: reading the database cache is itself a query,
    while this costs a dict read; each worker computes the value once in a while. Threads
    share it: the held tuple is replaced whole, so no reader sees half an update.
    """

    def __init__(self, setting: str, default: int):
        self.setting = setting
        self.default = default
        self._held: tuple[float, object] | None = None

    def get(self, compute: Callable):
        now = time.monotonic()
        held = self._held
        if held is not None and now < held[0]:
            return held[1]
        value = compute()
        seconds = getattr(settings, self.setting, self.default)
        self._held = (now + seconds, value) if seconds > 0 else None
        return value

    def clear(self):
        self._held = None
