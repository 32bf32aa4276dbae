"""Commun's settings: one file, driven by environment variables (see docs/self-hosting.md)."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from commun.lib.env import (
    behind_transaction_pooler,
    database_from_url,
    envbool,
    envint,
    envlist,
    local_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.getenv("COMMUN_DATA_DIR", BASE_DIR / "var"))

DEBUG = envbool("DEBUG", "False")
# Signs sessions, CSRF tokens and password-reset links: a key anyone can read would let
# anyone forge them, so there is no default. In development (DEBUG, as `make run` sets) a
# random key is drawn once into DATA_DIR, so logins survive a restart; the tests bring
# their own (settings_test.py).
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = local_secret_key(DATA_DIR / "secret-key")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY n'est pas défini : Commun refuse de démarrer sans clé secrète. Tirez-en "
        'une (python3 -c "import secrets; print(secrets.token_urlsafe(50))") et mettez-la '
        "dans SECRET_KEY (docs/self-hosting.md, section 4), ou mettez DEBUG=1 pour un essai. "
        "/ SECRET_KEY is not set: set it to a long random string, or DEBUG=1 to try Commun."
    )
# Keys that encrypt addresses and IBANs at rest (commun/privacy/crypto.py): the first
# encrypts, all decrypt. Unset: a key file DATA_DIR/data-key is created on first use.
COMMUN_DATA_KEYS = envlist("COMMUN_DATA_KEYS")
# The instance's Ed25519 key that signs the journal's digest (a PEM file; else created in
# DATA_DIR/signing-key.pem), and the share of a profit the year close proposes for the
# upstream commons fund (the assembly decides; this is only the form's first figure).
COMMUN_SIGNING_KEY = os.getenv("COMMUN_SIGNING_KEY", "")
COMMUN_COMMONS_PERCENT = envint("COMMUN_COMMONS_PERCENT", "10")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
# Links in emails and the signed digest: by default where `commun serve` listens (PORT).
SITE_URL = (os.getenv("SITE_URL") or f"http://127.0.0.1:{os.getenv('PORT', '8000')}").rstrip("/")

INSTALLED_APPS = [
    "commun.core",
    "commun.accounts",
    "commun.members",
    "commun.deliberation",
    "commun.decisions",
    "commun.ledger",
    "commun.budgets",
    "commun.upstream",
    "commun.board",
    "commun.privacy",
    "commun.notifications",
    "commun.feeds",
    "commun.hooks",
    "commun.assemblies",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks_db",
    "ninja",  # its bundled Swagger UI, served from our own static files
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Static files from STATIC_ROOT (collectstatic), answered before sessions and the
    # database, after the security and CSP headers are set on the response.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "commun.accounts.middleware.OfficersNeedSecondFactorMiddleware",
    # A write SQLite could not take in time: 503 and Retry-After (commun/core/busy.py).
    "commun.core.busy.BusyDatabaseMiddleware",
]

ROOT_URLCONF = os.getenv("COMMUN_URLCONF", "commun.urls")  # bench/ adds a bare view
WSGI_APPLICATION = "commun.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "commun" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "commun.core.context_processors.cooperative",
            ],
            # Django's `date` filter, with French's « 1er » for the first of the month.
            "builtins": ["commun.core.templatetags.dates"],
        },
    },
]

# SQLite in DATA_DIR by default so a checkout runs at once; PostgreSQL by DATABASE_URL.
DATABASE_URL = os.getenv("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'commun.sqlite3'}"
if DATABASE_URL.startswith("sqlite:///") and not DATABASE_URL.startswith("sqlite:////"):
    DATABASE_URL = "sqlite:////" + DATABASE_URL.removeprefix("sqlite:///").lstrip("/")
DATABASES = {"default": database_from_url(DATABASE_URL)}
# DATABASE_URL may lead to PgBouncer in transaction pooling (docs/self-hosting.md, "Quand une
# machine ne suffit plus"): each transaction may then run on another server connection.
DATABASE_POOLING = os.getenv("DATABASE_POOLING", "")
if DATABASE_POOLING == "transaction":
    DATABASES["default"] = behind_transaction_pooler(DATABASES["default"])
elif DATABASE_POOLING:
    raise ImproperlyConfigured("DATABASE_POOLING: only 'transaction' is known (or leave it unset).")
# A read replica (a streaming standby): visitors' public pages, downloads and the API's public
# reads may read from it; everything else stays on the primary (commun/core/replica.py).
# Unset: no router, one database. SQLite has no standby: with a SQLite DATABASE_URL the
# replica is ignored, so a command run so in an environment set for PostgreSQL runs as before.
DATABASE_REPLICA_URL = os.getenv("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["replica"] = {
        **database_from_url(DATABASE_REPLICA_URL),
        "TEST": {"MIRROR": "default"},  # tests read their database on the standby
    }
    if DATABASE_POOLING == "transaction":
        DATABASES["replica"] = behind_transaction_pooler(DATABASES["replica"])
    DATABASE_ROUTERS = ["commun.core.replica.ReplicaRouter"]
if not os.getenv("DATABASE_URL"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Accounts: email login, mandatory verification, TOTP and WebAuthn second factors.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "20/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_ADAPTER = "commun.accounts.adapter.AccountAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_ADAPTER = "commun.accounts.adapter.MFAAdapter"  # apps show the cooperative's name
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
LOGIN_REDIRECT_URL = "notifications:awaits"
LOGIN_URL = "account_login"

# Login rate limits live in the cache: the database cache is shared by every process.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "commun_cache",
    }
}

# Outgoing webhooks (docs/webhooks.md). Private and loopback destinations are refused unless
# allowed here (a receiver on the same machine or network); each attempt waits this long,
# retries wait WEBHOOKS_BACKOFF_SECONDS × 4ⁿ, and so many failures in a row disable an endpoint.
WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = envbool("WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS", "False")
WEBHOOKS_TIMEOUT_SECONDS = envint("WEBHOOKS_TIMEOUT_SECONDS", "10")
WEBHOOKS_BACKOFF_SECONDS = envint("WEBHOOKS_BACKOFF_SECONDS", "30")
WEBHOOKS_MAX_ATTEMPTS = envint("WEBHOOKS_MAX_ATTEMPTS", "6")
WEBHOOKS_DISABLE_AFTER = envint("WEBHOOKS_DISABLE_AFTER", "20")
WEBHOOKS_LOG_DAYS = envint("WEBHOOKS_LOG_DAYS", "90")  # the deliveries' log, then forgotten

# Incoming forge webhooks (docs/board.md): the secret shared with GitHub, GitLab and
# Forgejo/Gitea; unset, /tableau/forge/<forge>/ answers 404.
BOARD_FORGE_SECRET = os.getenv("BOARD_FORGE_SECRET", "")
BOARD_FORGE_LOG_DAYS = envint("BOARD_FORGE_LOG_DAYS", "90")  # forges' delivery ids, then forgotten

# Background work (emails, reminders) through Django's tasks API.
TASKS = {
    "default": {
        "BACKEND": os.getenv("COMMUN_TASKS_BACKEND", "django_tasks_db.backend.DatabaseBackend"),
        # Estimates have their own worker (commun serve): a person waits for them.
        "QUEUES": ["default", "estimates"],
    }
}

# Email: console in development, SMTP when EMAIL_HOST is set (Django's MAILERS setting).
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "Commun <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.getenv("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.getenv("EMAIL_HOST"),
                "port": envint("EMAIL_PORT", "587"),
                "username": os.getenv("EMAIL_HOST_USER", ""),
                "password": os.getenv("EMAIL_HOST_PASSWORD", ""),
                # STARTTLS by default; EMAIL_USE_SSL=1 alone switches to implicit TLS (465).
                "use_ssl": envbool("EMAIL_USE_SSL", "False"),
                "use_tls": envbool(
                    "EMAIL_USE_TLS", "False" if envbool("EMAIL_USE_SSL") else "True"
                ),
                "timeout": envint("EMAIL_TIMEOUT", "30"),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("Anglais"))]
LOCALE_PATHS = [BASE_DIR / "commun" / "locale"]
FORMAT_MODULE_PATH = ["commun.formats"]
TIME_ZONE = os.getenv("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Project-wide assets (commun.css, vendor/ filled by `make vendor`) live outside any app.
STATICFILES_DIRS = [BASE_DIR / "commun" / "static"]
# WhiteNoise serves what collectstatic wrote, with DEBUG too, as production does; the
# development server (`commun serve --dev`) serves the sources.
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
# Uploads are private (receipts name suppliers and people): only the server's user reads
# them, and the application hands them out to whoever may see them.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Only necessary cookies: session, CSRF and language.
# Only three cookies, all necessary (listed on the privacy page): messages live in the
# session rather than in a fourth cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = SITE_URL.startswith("https")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto (docs/self-hosting.md).
BEHIND_HTTPS_PROXY = envbool("BEHIND_HTTPS_PROXY", "False")
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# allauth limits login attempts per client address. Behind the proxy every request comes from
# it: the client is the address the trusted proxies appended last to X-Forwarded-For (what
# the client itself wrote there is ignored). One proxy (nginx) when BEHIND_HTTPS_PROXY.
ALLAUTH_TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "1" if BEHIND_HTTPS_PROXY else "0")
# An https:// site that knows each request's scheme sends plain HTTP to HTTPS and tells
# browsers to stay there (HSTS, a year). Only then: without the proxy's header every request
# would look insecure and be redirected forever. Subdomains and the browsers' preload list
# are the cooperative's choice, off by default (docs/self-hosting.md, `check --deploy`).
HTTPS_ONLY = SESSION_COOKIE_SECURE and BEHIND_HTTPS_PROXY
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", str(HTTPS_ONLY))
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000" if HTTPS_ONLY else "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "False")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "False")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Nothing is ever loaded from another host.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
