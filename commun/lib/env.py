"""Small readers for settings given by environment variables."""

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse


def envbool(name: str, default: str = "False") -> bool:
    return truthy(os.getenv(name, default))


def truthy(text: str) -> bool:
    """A setting's yes: 1, true, yes or on, in any case."""
    return text.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: str) -> int:
    return int(os.getenv(name, default))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


def local_secret_key(path: Path) -> str:
    """A random key kept in `path` (0600), drawn the first time: the same after a restart."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(50) + "\n")
        # `serve` and its worker start together: linking fails for the second, which then
        # reads the first one's key, never a half-written file.
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def database_from_url(url: str) -> dict:
    """Turn `postgres://user:pw@host:port/name` or `sqlite:////abs/path` into a DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:////abs/path -> /abs/path ; sqlite:///rel/path -> rel/path
        path = unquote(parsed.path)
        path = "/" + path.lstrip("/") if url.startswith("sqlite:////") else path.lstrip("/")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(Path(path)) if path else ":memory:",
            # Kept open between requests: opening one and its PRAGMAs cost ~0.7 ms a request.
            # Django keeps a connection per thread, so threads never share one.
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                " PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;",
            },
        }
    if parsed.scheme in {"postgres", "postgresql"}:
        options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        host = unquote(parsed.hostname or "") or options.pop("host", "")
        # Bound on the server, so that psycopg may prepare a statement: one it has run five
        # times on a connection is then planned no more. Planning was almost half of a
        # stance's time (the round's read took 0.8 ms, prepared 0.35 ms). Behind a pooler in
        # transaction mode nothing is prepared (`behind_transaction_pooler`).
        binding = options.pop("server_side_binding", "on")
        threshold = options.pop("prepare_threshold", "5").lower()
        options = {
            **options,
            "server_side_binding": truthy(binding),
            "prepare_threshold": None if threshold == "none" else int(threshold),
        }
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "commun",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": host,
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ValueError(
        f"DATABASE_URL: unsupported scheme {parsed.scheme!r} (use postgres:// or sqlite://)"
    )


def behind_transaction_pooler(database: dict) -> dict:
    """The DATABASES entry for a pooler in transaction mode: nothing may outlive a transaction.

    SQLite has no pooler in front of it: its entry is returned as it is (a command given a
    SQLite DATABASE_URL in an environment set for PostgreSQL still runs)."""
    if database["ENGINE"] != "django.db.backends.postgresql":
        return database
    return {
        **database,
        # A cursor kept open across transactions (iterator() outside atomic) would be read
        # on a server connection that never opened it.
        "DISABLE_SERVER_SIDE_CURSORS": True,
        # A statement prepared on one server connection is unknown to the next one: still
        # bound on the server, in the unnamed statement each query sends with its values.
        "OPTIONS": {**database["OPTIONS"], "prepare_threshold": None},
    }
