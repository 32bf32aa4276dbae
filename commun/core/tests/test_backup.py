"""`commun backup` / `commun restore`: a whole cooperative leaves and comes back unchanged.

Most tests drive the real `commun` command in subprocesses, each with its own data folder
(COMMUN_DATA_DIR: its SQLite file and media/), as a self-hoster would on a fresh machine.
"""

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone, translation

from commun.accounts.models import User
from commun.core import backup

# What a restored cooperative must still say: members, register, and every decision's count.
SUMMARY = """
import json
from commun.decisions.models import Decision
from commun.members.models import Member, ShareMovement
print(json.dumps({
    "members": Member.objects.count(),
    "register": [list(row) for row in ShareMovement.objects.order_by("number").values_list(
        "number", "kind", "member__number", "quantity")],
    "tallies": [[decision.pk, decision.tally()] for decision in Decision.objects.order_by("pk")],
}, default=str, sort_keys=True))
"""


# The counters of ids continue after the restored rows (PostgreSQL's sequences are reset).
NEW_USER = """
from django.db.models import Max
from commun.accounts.models import User
top = User.objects.aggregate(top=Max("pk"))["top"]
print(User.objects.create(email="nouvelle@example.org").pk == top + 1)
"""


def commun(*args, data_dir: Path, database_url: str | None = None, check: bool = True):
    env = {
        **os.environ,
        "COMMUN_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "commun.settings",
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    result = subprocess.run(
        [sys.executable, "-m", "commun.cli", *args], env=env, capture_output=True, text=True
    )
    if check and result.returncode:
        raise AssertionError(f"commun {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result


# These drive SQLite databases of their own: once is enough, in the SQLite pass of make test.
sqlite_pass = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SQLite in subprocesses: runs in the SQLite pass",
)


def checksums(archive: Path) -> dict:
    with zipfile.ZipFile(archive) as opened:
        manifest = json.loads(opened.read("manifest.json"))
    parts = {part["file"]: (part["rows"], part["sha256"]) for part in manifest["parts"]}
    media = {file["path"]: file["sha256"] for file in manifest["media"]}
    return {"parts": parts, "media": media}


def tables_of(sqlite_file: Path) -> dict:
    """Row count of every table of a SQLite file ({} when there is no file or no table)."""
    if not sqlite_file.exists():
        return {}
    with sqlite3.connect(sqlite_file) as db:
        names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {name: db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def rewrite(source: Path, target: Path, change) -> None:
    """Copy an archive, passing each (name, bytes) through `change` (CRCs stay valid)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, change(info.filename, old.read(info.filename)))


@pytest.fixture(scope="module")
def demo_archive(tmp_path_factory) -> Path:
    """The demo cooperative on SQLite, with one uploaded file, saved by `commun backup`."""
    folder = tmp_path_factory.mktemp("source")
    commun("migrate", data_dir=folder)
    commun("demo", data_dir=folder)
    (folder / "media" / "justificatifs").mkdir(parents=True)
    (folder / "media" / "justificatifs" / "facture-1.pdf").write_bytes(b"%PDF-1.4 facture\n" * 50)
    archive = folder.parent / "demo.zip"
    out = commun("backup", str(archive), data_dir=folder)
    assert "Sauvegarde écrite" in out.stdout
    return archive


def summary(data_dir: Path, database_url: str | None = None) -> dict:
    return json.loads(
        commun(
            "shell", "-v", "0", "-c", SUMMARY, data_dir=data_dir, database_url=database_url
        ).stdout
    )


def journal_verifies(data_dir: Path, database_url: str | None = None) -> str:
    journal = data_dir / "journal.jsonl"
    commun(
        "export", "journal", "--output", str(journal), data_dir=data_dir, database_url=database_url
    )
    return commun("verify", str(journal), data_dir=data_dir).stdout


# --- Round trips ------------------------------------------------------------------------------


@sqlite_pass
def test_a_restored_cooperative_backs_up_to_the_same_data(demo_archive, tmp_path):
    restored = tmp_path / "restored"
    out = commun("restore", str(demo_archive), data_dir=restored)
    assert "Restauration terminée" in out.stdout
    again = tmp_path / "again.zip"
    commun("backup", str(again), data_dir=restored)

    assert checksums(again) == checksums(demo_archive)
    receipt = restored / "media" / "justificatifs" / "facture-1.pdf"
    assert receipt.read_bytes().startswith(b"%PDF")
    for path in (receipt, receipt.parent, restored / "media"):  # private: the server's user only
        assert path.stat().st_mode & 0o077 == 0, path
    source = demo_archive.parent / "source0"
    assert summary(restored) == summary(source)
    assert summary(restored)["members"] >= 35
    assert "Journal intègre" in journal_verifies(restored)


@sqlite_pass
def test_a_database_only_migrated_counts_as_empty(demo_archive, tmp_path):
    commun("migrate", data_dir=tmp_path)
    # Migrate fills these tables itself (the chart of accounts, the cooperative's space…):
    # restore must know them all, or it would take this database for a used one.
    recreated = {"django_migrations", "django_content_type", "auth_permission", "sqlite_sequence"}
    filled = {table for table, rows in tables_of(tmp_path / "commun.sqlite3").items() if rows}
    assert filled - recreated == backup.FILLED_BY_MIGRATIONS
    commun("restore", str(demo_archive), data_dir=tmp_path)
    again = tmp_path / "again.zip"
    commun("backup", str(again), data_dir=tmp_path)
    assert checksums(again)["parts"] == checksums(demo_archive)["parts"]


@sqlite_pass
def test_new_rows_after_a_restore_get_fresh_ids(demo_archive, tmp_path):
    commun("restore", str(demo_archive), data_dir=tmp_path)
    assert commun("shell", "-v", "0", "-c", NEW_USER, data_dir=tmp_path).stdout.strip() == "True"


@sqlite_pass
def test_an_older_archive_is_restored_then_migrated(tmp_path):
    from django.db.migrations.loader import MigrationLoader

    leaves = dict(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())
    assert leaves["core"] == "0002_periodicrun", "pick another leaf migration to step back"
    source = tmp_path / "source"
    commun("migrate", data_dir=source)
    commun("migrate", "core", "0001_cache_table", data_dir=source)  # the schema of an older Commun
    archive = tmp_path / "old.zip"
    commun("backup", str(archive), data_dir=source)
    assert json.loads(zipfile.ZipFile(archive).read("manifest.json"))["schema"]["core"] == (
        "0001_cache_table"
    )

    target = tmp_path / "target"
    out = commun("restore", str(archive), data_dir=target)
    assert "plus ancien" in out.stdout
    pending = commun("migrate", "--check", data_dir=target, check=False)
    assert pending.returncode == 0, pending.stdout
    counts = tables_of(target / "commun.sqlite3")
    assert counts["ledger_account"] == tables_of(source / "commun.sqlite3")["ledger_account"]


# --- Refusals: nothing is written --------------------------------------------------------------


def assert_refused(archive: Path, target: Path, words: str) -> None:
    result = commun("restore", str(archive), data_dir=target, check=False)
    assert result.returncode != 0
    assert words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert all(count == 0 for count in tables_of(target / "commun.sqlite3").values())
    assert not list((target / "media").rglob("*")) if (target / "media").exists() else True


@sqlite_pass
def test_it_refuses_a_truncated_archive(demo_archive, tmp_path):
    truncated = tmp_path / "truncated.zip"
    data = demo_archive.read_bytes()
    truncated.write_bytes(data[: len(data) * 2 // 3])
    assert_refused(truncated, tmp_path / "target", "endommagée")
    assert tables_of(tmp_path / "target" / "commun.sqlite3") == {}


@sqlite_pass
def test_it_refuses_an_archive_with_one_byte_edited_in_a_data_part(demo_archive, tmp_path):
    def edit(name, content):
        if name == "data/members_sharemovement.jsonl":
            at = content.index(b'"quantity":') + len(b'"quantity":')
            return content[:at] + bytes([content[at] ^ 1]) + content[at + 1 :]
        return content

    edited = tmp_path / "edited.zip"
    rewrite(demo_archive, edited, edit)
    assert_refused(edited, tmp_path / "target", "somme de contrôle de data/members_sharemovement")


@sqlite_pass
def test_it_refuses_an_archive_damaged_inside_its_compressed_data(demo_archive, tmp_path):
    damaged = tmp_path / "damaged.zip"
    shutil.copy(demo_archive, damaged)
    with zipfile.ZipFile(damaged) as opened:
        info = opened.getinfo("data/ledger_posting.jsonl")
    raw = bytearray(damaged.read_bytes())
    raw[info.header_offset + 30 + len(info.filename) + info.compress_size // 2] ^= 0xFF
    damaged.write_bytes(raw)
    assert_refused(damaged, tmp_path / "target", "endommagée")


@sqlite_pass
def test_it_refuses_an_archive_from_a_newer_commun(demo_archive, tmp_path):
    def newer(name, content):
        if name == "manifest.json":
            manifest = json.loads(content)
            manifest["migrations"]["members"].append("9999_from_the_future")
            manifest["schema"]["members"] = "9999_from_the_future"
            return json.dumps(manifest).encode()
        return content

    future = tmp_path / "future.zip"
    rewrite(demo_archive, future, newer)
    assert_refused(future, tmp_path / "target", "version plus récente de Commun")


@sqlite_pass
def test_it_refuses_an_unknown_format(demo_archive, tmp_path):
    def other_format(name, content):
        if name == "manifest.json":
            return json.dumps({**json.loads(content), "format": 99}).encode()
        return content

    unknown = tmp_path / "format.zip"
    rewrite(demo_archive, unknown, other_format)
    assert_refused(unknown, tmp_path / "target", "Format d'archive 99 inconnu")


@sqlite_pass
def test_it_refuses_a_database_that_is_not_empty(demo_archive, tmp_path):
    commun("migrate", data_dir=tmp_path)
    commun(
        "shell",
        "-v",
        "0",
        "-c",
        "from commun.accounts.models import User; User.objects.create(email='deja@example.org')",
        data_dir=tmp_path,
    )
    before = tables_of(tmp_path / "commun.sqlite3")
    result = commun("restore", str(demo_archive), data_dir=tmp_path, check=False)
    assert result.returncode != 0
    assert "La base cible n'est pas vide (la table accounts_user" in result.stderr
    assert tables_of(tmp_path / "commun.sqlite3") == before


@sqlite_pass
def test_it_refuses_to_cover_an_uploaded_file(demo_archive, tmp_path):
    existing = tmp_path / "media" / "justificatifs" / "facture-1.pdf"
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b"autre chose")
    result = commun("restore", str(demo_archive), data_dir=tmp_path, check=False)
    assert result.returncode != 0
    assert "existe déjà" in result.stderr
    assert existing.read_bytes() == b"autre chose"
    assert tables_of(tmp_path / "commun.sqlite3") == {}


@sqlite_pass
def test_a_load_that_fails_halfway_leaves_nothing(demo_archive, tmp_path):
    """An archive that checks out but that the database refuses (the same member twice):
    all or nothing, and restore accepts the database again afterwards."""
    import hashlib

    doubled = tmp_path / "doubled.zip"
    with zipfile.ZipFile(demo_archive) as opened:
        members = opened.read("data/members_member.jsonl")
    members += members.splitlines(keepends=True)[0]

    def double(name, content):
        if name == "data/members_member.jsonl":
            return members
        if name == "manifest.json":
            manifest = json.loads(content)
            for part in manifest["parts"]:
                if part["file"] == "data/members_member.jsonl":
                    part["rows"] += 1
                    part["sha256"] = hashlib.sha256(members).hexdigest()
            return json.dumps(manifest).encode()
        return content

    rewrite(demo_archive, doubled, double)
    target = tmp_path / "target"
    result = commun("restore", str(doubled), data_dir=target, check=False)
    assert result.returncode != 0
    assert "Restauration annulée, aucune ligne chargée" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    counts = tables_of(target / "commun.sqlite3")
    assert counts["members_member"] == counts["accounts_user"] == counts["ledger_posting"] == 0
    assert not (target / "media" / "justificatifs" / "facture-1.pdf").exists()

    commun("restore", str(demo_archive), data_dir=target)
    assert tables_of(target / "commun.sqlite3")["members_member"] >= 35


@sqlite_pass
def test_check_verifies_an_archive_without_restoring(demo_archive, tmp_path):
    out = commun("restore", "--check", str(demo_archive), data_dir=tmp_path)
    assert "Archive intègre" in out.stdout
    assert tables_of(tmp_path / "commun.sqlite3") == {}


@sqlite_pass
def test_check_answers_in_the_language_of_the_person_running_it(demo_archive):
    with zipfile.ZipFile(demo_archive) as archive:
        manifest = json.loads(archive.read(backup.MANIFEST))
    rows = sum(part["rows"] for part in manifest["parts"])
    out = io.StringIO()
    with translation.override("en"):
        call_command("restore", str(demo_archive), check=True, stdout=out)
    assert (
        f"Archive intact: made on {manifest['created_at']} by Commun "
        f"{manifest['commun_version']} ({manifest['engine']}), {len(manifest['parts'])} tables, "
        f"{rows} rows, 1 file." in out.getvalue()
    )


def test_an_archive_s_contents_are_counted_in_the_right_number():
    one_of_each = {"parts": [{"rows": 1}], "media": [{"path": "a.pdf"}]}
    assert backup.archive_contents(one_of_each) == "1 table, 1 ligne, 1 fichier"
    several = {"parts": [{"rows": 2}, {"rows": 0}], "media": [{"path": "a"}, {"path": "b"}]}
    assert backup.archive_contents(several) == "2 tables, 2 lignes, 2 fichiers"


# --- PostgreSQL ----------------------------------------------------------------------------


@pytest.fixture
def empty_postgres():
    """A URL to a new, empty PostgreSQL database on the test cluster; dropped afterwards."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    names = []

    def create(name):
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
            admin.execute(f"CREATE DATABASE {name}")
        names.append(name)
        return url.rsplit("/", 1)[0] + "/" + name

    yield create
    with psycopg.connect(url, autocommit=True) as admin:
        for name in names:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.postgres
def test_it_moves_from_sqlite_to_postgresql_and_back(demo_archive, empty_postgres, tmp_path):
    postgres = empty_postgres("commun_restored")
    on_postgres = tmp_path / "postgres"
    commun("restore", str(demo_archive), data_dir=on_postgres, database_url=postgres)
    from_postgres = tmp_path / "from-postgres.zip"
    commun("backup", str(from_postgres), data_dir=on_postgres, database_url=postgres)
    assert checksums(from_postgres) == checksums(demo_archive)
    assert "Journal intègre" in journal_verifies(on_postgres, postgres)
    source = demo_archive.parent / "source0"
    assert summary(on_postgres, postgres) == summary(source)
    new_user = commun(
        "shell", "-v", "0", "-c", NEW_USER, data_dir=on_postgres, database_url=postgres
    )
    assert new_user.stdout.strip() == "True"

    back = tmp_path / "sqlite"
    commun("restore", str(from_postgres), data_dir=back)
    again = tmp_path / "again.zip"
    commun("backup", str(again), data_dir=back)
    assert checksums(again) == checksums(demo_archive)


@pytest.mark.postgres
def test_a_refused_archive_writes_nothing_to_postgresql(demo_archive, empty_postgres, tmp_path):
    import psycopg

    postgres = empty_postgres("commun_refused")
    truncated = tmp_path / "truncated.zip"
    data = demo_archive.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    result = commun(
        "restore", str(truncated), data_dir=tmp_path, database_url=postgres, check=False
    )
    assert result.returncode != 0
    assert "endommagée" in result.stderr
    with psycopg.connect(postgres) as db:
        tables = db.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()[0]
    assert tables == 0


# --- In process: what the archive holds ----------------------------------------------------------


@pytest.mark.django_db
def test_the_archive_keeps_rows_migrate_recreates_by_natural_key(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    user = User.objects.create(email="perm@example.org")
    user.user_permissions.add(Permission.objects.get(codename="view_user"))
    manifest = backup.write_archive(tmp_path / "a.zip")

    tables = {part["table"] for part in manifest["parts"]}
    assert "django_content_type" not in tables and "auth_permission" not in tables
    assert {"accounts_user_user_permissions", "django_session", "members_sharemovement"} <= tables
    with zipfile.ZipFile(tmp_path / "a.zip") as opened:
        rows = opened.read("data/accounts_user_user_permissions.jsonl").decode().splitlines()
    assert json.loads(rows[0])["permission_id"] == ["accounts", "user", "view_user"]
    assert manifest["schema"]["members"].startswith("00")
    assert manifest["engine"] == connection.vendor
    assert (tmp_path / "a.zip").stat().st_mode & 0o077 == 0  # personal data: owner only


@pytest.mark.django_db
def test_a_backup_streams_a_large_table(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    expires = timezone.now()
    padding = "x" * 1000
    Session.objects.bulk_create(
        [
            Session(session_key=f"k{n:08d}", session_data=padding, expire_date=expires)
            for n in range(20_000)
        ],
        batch_size=2000,
    )
    tracemalloc.start()
    try:
        manifest = backup.write_archive(tmp_path / "large.zip")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    sessions = next(part for part in manifest["parts"] if part["table"] == "django_session")
    assert sessions["rows"] == 20_000
    # The table is ~20 MB of text: a backup that loaded it whole would peak well above.
    assert peak < 12_000_000, f"peak {peak} bytes"


def test_sealed_values_stay_sealed_in_the_archive(alice, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    alice.postal_address = "12 rue des Lilas, 69001 Lyon"
    alice.save()
    backup.write_archive(tmp_path / "a.zip")
    with zipfile.ZipFile(tmp_path / "a.zip") as opened:
        members = opened.read("data/members_member.jsonl").decode()
    assert "rue des Lilas" not in members
    assert '"postal_address":""' not in members.splitlines()[0]  # sealed, not dropped
    assert alice.postal_address not in members


@pytest.mark.postgres
def test_a_row_pointing_nowhere_is_refused_by_postgresql_and_its_keys_stay(
    demo_archive, empty_postgres, tmp_path
):
    """The foreign keys are set aside while rows stream in, then checked whole: a dangling
    reference still fails the restore, writes nothing and leaves every key in place."""
    import hashlib

    import psycopg

    with zipfile.ZipFile(demo_archive) as opened:
        movements = opened.read("data/members_sharemovement.jsonl").splitlines(keepends=True)
    first = json.loads(movements[0])
    first["member_id"] = 999_999
    movements[0] = json.dumps(first).encode() + b"\n"
    dangling = b"".join(movements)

    def point_nowhere(name, content):
        if name == "data/members_sharemovement.jsonl":
            return dangling
        if name == "manifest.json":
            manifest = json.loads(content)
            for part in manifest["parts"]:
                if part["file"] == "data/members_sharemovement.jsonl":
                    part["sha256"] = hashlib.sha256(dangling).hexdigest()
            return json.dumps(manifest).encode()
        return content

    broken = tmp_path / "dangling.zip"
    rewrite(demo_archive, broken, point_nowhere)
    postgres = empty_postgres("commun_dangling")
    result = commun("restore", str(broken), data_dir=tmp_path, database_url=postgres, check=False)

    assert result.returncode != 0
    assert "Restauration annulée, aucune ligne chargée" in result.stderr, result.stderr
    keys = (
        "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' ORDER BY 1, 2"
    )
    with psycopg.connect(postgres) as db:
        assert db.execute("SELECT count(*) FROM members_member").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM members_sharemovement").fetchone()[0] == 0
        migrated = db.execute(keys).fetchall()
    assert (
        "members_sharemovement",
        "FOREIGN KEY (member_id) REFERENCES members_member(id) DEFERRABLE INITIALLY DEFERRED",
    ) in migrated
    commun("restore", str(demo_archive), data_dir=tmp_path, database_url=postgres)
    with psycopg.connect(postgres) as db:
        assert db.execute(keys).fetchall() == migrated
        assert db.execute("SELECT count(*) FROM members_sharemovement").fetchone()[0] > 0


def test_a_refusal_is_in_the_language_of_the_person_running_restore(tmp_path):
    with translation.override("en"), pytest.raises(CommandError, match="Archive not found"):
        call_command("restore", str(tmp_path / "absent.zip"), check=True)
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(b"not a zip")
    with translation.override("en"), pytest.raises(CommandError, match="Damaged or incomplete"):
        call_command("restore", str(damaged), check=True)
