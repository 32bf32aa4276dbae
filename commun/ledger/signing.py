"""The instance's Ed25519 key, and the signed digest of the journal that anyone may keep.

The digest (`/comptes/journal/empreinte.json`) says "on this date the journal had N entries
and its last hash was H", signed. Whoever saves one can later prove that the journal the
cooperative exports still starts with those N entries: `commun verify FILE --digest D`.

The key is the PEM file named by `COMMUN_SIGNING_KEY`, or else `DATA_DIR/signing-key.pem`,
created on first use, readable by its owner only. Losing it only means new digests are
signed by a new key: the journal itself does not depend on it.
"""

import base64
import contextlib
import datetime
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from commun.lib.hashing import canonical_json

ALGORITHM = "Ed25519"
KEY_FILE_NAME = "signing-key.pem"
SIGNED_FIELDS = ("instance", "journal_length", "head_hash", "signed_at", "algorithm", "public_key")


def key_path() -> Path:
    configured = os.environ.get("COMMUN_SIGNING_KEY") or getattr(settings, "COMMUN_SIGNING_KEY", "")
    return Path(configured) if configured else Path(settings.DATA_DIR) / KEY_FILE_NAME


def private_key() -> Ed25519PrivateKey:
    """The instance's key, generated into the data directory the first time it is needed."""
    path = key_path()
    if not path.exists():
        _generate(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} ne contient pas une clé Ed25519.")
    return key


def _generate(path: Path) -> None:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two processes starting at once keep the first key, never half of each.
    with contextlib.suppress(FileExistsError):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)


def public_key_pem(key: Ed25519PrivateKey | None = None) -> bytes:
    return (
        (key or private_key())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def _raw_public_key(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def signed_text(digest: dict) -> bytes:
    """What the signature covers: the canonical JSON of every field but the signature."""
    return canonical_json({field: digest.get(field) for field in SIGNED_FIELDS}).encode()


def sign_digest(journal_length: int, head_hash: str, now: datetime.datetime) -> dict:
    key = private_key()
    digest = {
        "instance": settings.SITE_URL,
        "journal_length": journal_length,
        "head_hash": head_hash,
        "signed_at": now.isoformat(timespec="seconds"),
        "algorithm": ALGORITHM,
        "public_key": _raw_public_key(key),
    }
    digest["signature"] = base64.b64encode(key.sign(signed_text(digest))).decode()
    return digest


class DigestInvalid(Exception):
    """A digest that does not hold; the message is French, for `commun verify`."""


def check_signature(digest: dict, public_key_pem_bytes: bytes | None = None) -> None:
    """The digest is well formed and signed by its key (and by the given key, if any)."""
    if not isinstance(digest, dict):
        raise DigestInvalid("empreinte illisible : un objet JSON est attendu.")
    missing = sorted({*SIGNED_FIELDS, "signature"} - digest.keys())
    if missing:
        raise DigestInvalid(f"empreinte incomplète (champs manquants : {', '.join(missing)}).")
    if digest["algorithm"] != ALGORITHM:
        raise DigestInvalid(f"algorithme inconnu : {digest['algorithm']} (attendu : Ed25519).")
    if type(digest["journal_length"]) is not int or digest["journal_length"] < 0:
        raise DigestInvalid("empreinte invalide : journal_length n'est pas un entier positif.")
    try:
        embedded = Ed25519PublicKey.from_public_bytes(base64.b64decode(digest["public_key"]))
        signature = base64.b64decode(digest["signature"])
    except (ValueError, TypeError) as error:
        raise DigestInvalid(f"clé publique ou signature illisible ({error}).") from None
    if public_key_pem_bytes is not None:
        try:
            given = serialization.load_pem_public_key(public_key_pem_bytes)
        except ValueError as error:
            raise DigestInvalid(f"clé publique PEM illisible ({error}).") from None
        raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
        if not isinstance(given, Ed25519PublicKey) or given.public_bytes(
            *raw
        ) != embedded.public_bytes(*raw):
            raise DigestInvalid(
                "l'empreinte n'est pas signée par la clé publique donnée "
                "(elle a pu être fabriquée par quelqu'un d'autre)."
            )
    try:
        embedded.verify(signature, signed_text(digest))
    except InvalidSignature:
        raise DigestInvalid(
            "la signature de l'empreinte est invalide : l'empreinte a été modifiée."
        ) from None
