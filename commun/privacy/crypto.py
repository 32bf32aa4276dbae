"""Encryption at rest for the most sensitive fields (postal address, IBAN).

Values are sealed with AES-256-GCM under the instance's data key, which never enters the
database nor a backup. Keys come from `COMMUN_DATA_KEYS` (comma-separated, base64 of 32
bytes, the first one encrypts, all of them decrypt), else from the file
`DATA_DIR/data-key` created on first use. Rotating: put a new key first, keep the old
one after it, run `commun rotate_data_key`, then drop the old key (docs/self-hosting.md).

A sealed value reads `enc2:<key id>:<base64 nonce + ciphertext>`; the key id is the first
8 hex digits of the key's SHA-256, so decryption picks the right key without trying all.
Each value is bound to its place (table, column and the row's seal id) as AES-GCM
associated data: copied to another row, column or table, it no longer opens.

The first format, `enc1:`, was bound to nothing; only `commun.privacy.resealing` still
opens it, to seal it again in the current format.
"""

import base64
import binascii
import hashlib
import os
import secrets
import threading
import uuid
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc2:"
LEGACY_PREFIX = "enc1:"
_lock = threading.Lock()


class UndecryptableValue(Exception):
    """A sealed value whose key is not among the configured keys, or altered, or moved."""


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def _decode_key(text: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ImproperlyConfigured(
            "COMMUN_DATA_KEYS: each key is 32 random bytes in base64 "
            "(python -c 'import os,base64; print(base64.b64encode(os.urandom(32)).decode())')."
        )
    return key


@cache
def keys() -> tuple[bytes, ...]:
    """The configured keys, the encrypting one first."""
    configured = getattr(settings, "COMMUN_DATA_KEYS", None) or os.getenv("COMMUN_DATA_KEYS", "")
    if isinstance(configured, str):
        configured = [part for part in configured.split(",") if part.strip()]
    if configured:
        return tuple(_decode_key(part) for part in configured)
    return (_key_from_file(),)


def _key_from_file() -> bytes:
    path = settings.DATA_DIR / "data-key"
    with _lock:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as file:
                file.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
        return _decode_key(path.read_text())


def place(table: str, column: str, seal_id) -> bytes:
    """The associated data that binds a sealed value to one column of one row."""
    # As a hex string: SQLite stores a UUID as 32 hex digits, PostgreSQL as a uuid.
    return f"{PREFIX}{table}\0{column}\0{uuid.UUID(str(seal_id)).hex}".encode()


def stored_key_id(stored: str) -> str | None:
    """The id of the key a stored value was sealed with (either format), if it has one."""
    parts = stored.split(":", 2) if isinstance(stored, str) else []
    if len(parts) == 3 and f"{parts[0]}:" in (PREFIX, LEGACY_PREFIX):
        return parts[1]
    return None


def seal(plaintext: str, bound_to: bytes) -> str:
    key = keys()[0]
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), bound_to)
    return f"{PREFIX}{key_id(key)}:{base64.b64encode(nonce + sealed).decode()}"


def unseal(stored: str, bound_to: bytes) -> str:
    """The clear text of a value sealed at `bound_to`; UndecryptableValue for anything else."""
    if not stored.startswith(PREFIX):
        raise UndecryptableValue("not in the current sealed format")
    return _open(stored, bound_to)


def unseal_legacy(stored: str) -> str:
    """The clear text of a first-format value (no associated data): for resealing only."""
    if not stored.startswith(LEGACY_PREFIX):
        raise UndecryptableValue("not in the first sealed format")
    return _open(stored, None)


def _open(stored: str, bound_to: bytes | None) -> str:
    wanted = stored_key_id(stored)
    for key in keys():
        if key_id(key) == wanted:
            try:
                raw = base64.b64decode(stored.split(":", 2)[2], validate=True)
                return AESGCM(key).decrypt(raw[:12], raw[12:], bound_to).decode()
            except (InvalidTag, binascii.Error, ValueError):
                raise UndecryptableValue("altered, or sealed for another place") from None
    raise UndecryptableValue(f"no configured key has id {wanted}")
