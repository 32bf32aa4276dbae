"""Settings for the test suite: the same as production but for speed and captured email."""

from commun.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; Argon2 is tested
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SITE_URL = "http://testserver"
# A fixed data key (base64 of 32 bytes), so tests never write a key file under DATA_DIR.
COMMUN_DATA_KEYS = ["dGVzdC1kYXRhLWtleS10ZXN0LWRhdGEta2V5LTAwMDA="]
COMMUN_COUNTS_SECONDS = 0  # counts of members recomputed on each request: tests see at once
