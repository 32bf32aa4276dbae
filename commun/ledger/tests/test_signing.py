"""The signed digest at a fixed URL, and `commun verify --digest` checking a journal against it."""

import datetime
import io
import json
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.urls import reverse

from commun.ledger import journal, signing
from commun.ledger.models import JournalEntry, Transaction

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _key_in_tmp(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("COMMUN_SIGNING_KEY", raising=False)
    settings.DATA_DIR = tmp_path / "data"


def sale(key: str, cents=900, day=datetime.date(2026, 3, 1)):
    return Transaction.objects.record(
        day, "Vente", [("512", cents), ("706", -cents)], idempotency_key=key
    )


@pytest.fixture
def books():
    for i in range(5):
        sale(f"s{i}", cents=100 + i)


def save_digest(client, tmp_path, name="empreinte.json"):
    response = client.get(reverse("exports:digest"))
    assert response.status_code == 200
    path = tmp_path / name
    path.write_bytes(response.content)
    return path


def save_key(client, tmp_path):
    response = client.get(reverse("exports:public_key"))
    assert response.status_code == 200
    path = tmp_path / "cle-publique.pem"
    path.write_bytes(response.content)
    return path


def export(tmp_path):
    path = tmp_path / "journal.jsonl"
    call_command("export", "journal", output=str(path))
    return path


def verify(*args):
    out = io.StringIO()
    call_command("verify", *map(str, args), stdout=out)
    return out.getvalue()


def test_the_key_is_generated_once_readable_by_its_owner_only(settings):
    first = signing.public_key_pem()

    path = settings.DATA_DIR / "signing-key.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert signing.public_key_pem() == first


def test_the_key_comes_from_the_environment_when_given(tmp_path, monkeypatch, settings):
    key = Ed25519PrivateKey.generate()
    path = tmp_path / "mine.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    monkeypatch.setenv("COMMUN_SIGNING_KEY", str(path))

    assert signing.public_key_pem() == signing.public_key_pem(key)
    assert not (settings.DATA_DIR / "signing-key.pem").exists()


def test_the_digest_names_the_journal_head_and_verifies(books, client, tmp_path):
    digest_path = save_digest(client, tmp_path)
    digest = json.loads(digest_path.read_text())
    head = JournalEntry.objects.order_by("sequence").last()

    assert digest["journal_length"] == head.sequence == 5
    assert digest["head_hash"] == head.hash
    assert digest["algorithm"] == "Ed25519"
    assert digest["instance"] == "http://testserver"
    out = verify(
        export(tmp_path), "--digest", digest_path, "--public-key", save_key(client, tmp_path)
    )
    assert "Conforme à l'empreinte signée" in out and "ajoutées" not in out


def test_the_api_serves_the_same_digest(books, client):
    digest = client.get("/api/v1/ledger/journal/digest").json()

    assert digest["journal_length"] == 5
    signing.check_signature(digest, signing.public_key_pem())


@pytest.mark.parametrize(
    ("field", "value"),
    [("journal_length", 4), ("head_hash", "0" * 64), ("signed_at", "2030-01-01T00:00:00+00:00")],
)
def test_a_tampered_digest_fails(books, client, tmp_path, field, value):
    digest_path = save_digest(client, tmp_path)
    digest = json.loads(digest_path.read_text())
    digest[field] = value
    digest_path.write_text(json.dumps(digest))

    with pytest.raises(CommandError, match="signature de l'empreinte est invalide") as refused:
        verify(export(tmp_path), "--digest", digest_path)
    assert refused.value.returncode == 1


def test_a_digest_signed_by_another_key_fails_against_the_published_key(books, client, tmp_path):
    key_path = save_key(client, tmp_path)
    forger = Ed25519PrivateKey.generate()
    digest = signing.sign_digest(
        5, JournalEntry.objects.last().hash, datetime.datetime.now(datetime.UTC)
    )
    raw = forger.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    import base64

    digest["public_key"] = base64.b64encode(raw).decode()
    digest["signature"] = base64.b64encode(forger.sign(signing.signed_text(digest))).decode()
    digest_path = tmp_path / "faux.json"
    digest_path.write_text(json.dumps(digest))

    assert "Conforme" in verify(export(tmp_path), "--digest", digest_path)  # self-consistent
    with pytest.raises(CommandError, match="pas signée par la clé publique donnée"):
        verify(export(tmp_path), "--digest", digest_path, "--public-key", key_path)


def test_a_journal_grown_since_the_digest_still_verifies(books, client, tmp_path):
    digest_path = save_digest(client, tmp_path)
    sale("later-1")
    sale("later-2")

    out = verify(
        export(tmp_path), "--digest", digest_path, "--public-key", save_key(client, tmp_path)
    )

    assert "7 entrées" in out
    assert "5 entrées, 2 ajoutées depuis" in out


def test_a_journal_rewritten_before_the_digest_fails_even_if_its_chain_holds(
    books, client, tmp_path
):
    """Someone recomputes every hash after changing entry 3: only the digest can tell."""
    digest_path = save_digest(client, tmp_path)
    path = export(tmp_path)
    entries = [json.loads(line) for line in path.read_text().splitlines()]
    entries[2]["payload"]["postings"][0][1] = 1
    entries[2]["payload"]["postings"][1][1] = -1
    previous = journal.GENESIS_HASH
    for entry in entries:
        entry["previous_hash"] = previous
        entry["hash"] = previous = journal.entry_hash(
            entry["sequence"], entry["kind"], entry["ref"], entry["payload"], previous
        )
    path.write_text("".join(journal.canonical_json(entry) + "\n" for entry in entries))

    assert "intègre" in verify(path)  # the chain alone is consistent
    with pytest.raises(CommandError, match="l'entrée n°5 n'a pas le hash signé") as refused:
        verify(path, "--digest", digest_path)
    assert refused.value.returncode == 1


def test_a_journal_shorter_than_the_digest_fails(books, client, tmp_path):
    digest_path = save_digest(client, tmp_path)
    path = export(tmp_path)
    path.write_text("".join(path.read_text().splitlines(keepends=True)[:3]))

    with pytest.raises(
        CommandError, match="l'empreinte signée compte 5 entrées, le journal seulement 3"
    ):
        verify(path, "--digest", digest_path)


def test_a_garbled_digest_is_refused_clearly(books, tmp_path):
    digest_path = tmp_path / "d.json"
    digest_path.write_text('{"journal_length": 5}')

    with pytest.raises(CommandError, match="champs manquants"):
        verify(export(tmp_path), "--digest", digest_path)
    digest_path.write_text("pas du json")
    with pytest.raises(CommandError, match="Empreinte illisible"):
        verify(export(tmp_path), "--digest", digest_path)


def test_an_empty_journal_has_a_digest_too(client, tmp_path):
    digest = json.loads(save_digest(client, tmp_path).read_text())

    assert digest["journal_length"] == 0 and digest["head_hash"] == journal.GENESIS_HASH
    signing.check_signature(digest)
