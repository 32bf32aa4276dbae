"""Settings for the test suite: the same as production but for speed and captured email."""

import os
import secrets

# settings.py refuses to start without a key: the tests draw one per run, never a file. In
# the environment, so the `commun` commands that tests run in subprocesses share it.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

from commun.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; Argon2 is tested
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "estimates"],
    }
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SITE_URL = "http://testserver"
# A fixed data key (base64 of 32 bytes), so tests never write a key file under DATA_DIR.
COMMUN_DATA_KEYS = ["dGVzdC1kYXRhLWtleS10ZXN0LWRhdGEta2V5LTAwMDA="]
COMMUN_COUNTS_SECONDS = 0  # counts of members recomputed on each request: tests see at once
COMMUN_CALENDAR_SECONDS = 0  # the public calendar written anew on each request, likewise
# The PostgreSQL pass has a standby (DATABASE_REPLICA_URL), which only the replica's own tests
# route to (commun/core/tests/test_replica.py): elsewhere a visitor's page would read a standby
# that the test's last write may not have reached yet.
DATABASE_ROUTERS = []
