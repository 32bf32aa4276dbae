"""A value kept a short while in this process, for figures too costly to compute per request."""

import time
from collections.abc import Callable, Hashable

from django.conf import settings


class Memo:
    """One value per process, recomputed when its key changes or after `setting` seconds.

    Per process rather than in Django's cache: reading the database cache is itself a
    query, while a dict read costs nothing; each worker computes the value once a while.
    Threads share it: a tuple is replaced whole, so a reader never sees half an update.
    """

    def __init__(self, setting: str, default: int):
        self.setting = setting
        self.default = default
        self._held: tuple | None = None

    def get(self, key: Hashable, compute: Callable):
        seconds = getattr(settings, self.setting, self.default)
        now = time.monotonic()
        held = self._held
        if held is not None and held[0] == key and now < held[1]:
            return held[2]
        value = compute()
        if seconds > 0:
            self._held = (key, now + seconds, value)
        return value

    def clear(self):
        self._held = None
