"""Encryption at rest for the most sensitive fields (postal address, IBAN).

Values are sealed with AES-256-GCM under the instance's data key, which never enters the
database nor a backup. Keys come from `COMMUN_DATA_KEYS` (comma-separated, base64 of 32
bytes, the first one encrypts, all of them decrypt), else from the file
`DATA_DIR/data-key` created on first use. Rotating: put a new key first, keep the old
one after it, run `commun rotate_data_key`, then drop the old key (docs/self-hosting.md).

A sealed value reads `enc1:<key id>:<base64 nonce + ciphertext>`; the key id is the first
8 hex digits of the key's SHA-256, so decryption picks the right key without trying all.
"""

import base64
import binascii
import hashlib
import os
import secrets
import threading
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc1:"
_lock = threading.Lock()


class UndecryptableValue(Exception):
    """A sealed value whose key is not among the configured keys, or that was altered."""


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


def is_sealed(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def sealed_with_current_key(value: str) -> bool:
    return is_sealed(value) and value.split(":", 2)[1] == key_id(keys()[0])


def seal(plaintext: str) -> str:
    key = keys()[0]
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), None)
    return f"{PREFIX}{key_id(key)}:{base64.b64encode(nonce + sealed).decode()}"


def unseal(value: str) -> str:
    _prefix, wanted, body = value.split(":", 2)
    for key in keys():
        if key_id(key) == wanted:
            raw = base64.b64decode(body)
            try:
                return AESGCM(key).decrypt(raw[:12], raw[12:], None).decode()
            except InvalidTag:
                raise UndecryptableValue("altered value") from None
    raise UndecryptableValue(f"no configured key has id {wanted}")
