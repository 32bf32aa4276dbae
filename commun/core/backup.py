"""One archive holding a whole cooperative: its database in a portable form, and its files.

The archive is a ZIP file (see docs/backup.md):

- `manifest.json`: format, Commun version, date, source engine, schema version (the latest
  applied migration of every app), and every part with its row count and SHA-256;
- `data/<table>.jsonl`: one JSON object per row, values by column, in primary key order;
- `media/<path>`: the uploaded files.

Values are written as the database stores them, in a form both SQLite and PostgreSQL read
back: dates in ISO 8601 (UTC), JSON re-encoded with sorted keys, UUIDs with dashes, bytes in
base64. A field that transforms its value (an encrypted field) is saved as stored, never
decoded. Restoring inserts rows and never updates one: the append-only triggers stay quiet.
"""

import base64
import contextlib
import datetime
import decimal
import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path, PurePosixPath
from zipfile import ZIP_DEFLATED, BadZipFile, ZipFile

from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

FORMAT = 1
MANIFEST = "manifest.json"
CHUNK = 2000  # rows fetched, then inserted, at a time: memory stays flat on any table

# Rebuilt by migrate in every database, with ids of their own: their rows are not saved, and
# a column pointing at one is saved by natural key ([app, model] or [app, model, codename]).
RECREATED_BY_MIGRATE = {"contenttypes.contenttype", "auth.permission"}
# Tables that data migrations fill (the standard chart of accounts, the cooperative's
# space). A database holding rows only there is still empty: restore clears them and loads
# the archive's own rows, ids included. test_backup checks that this list is complete.
FILLED_BY_MIGRATIONS = {"ledger_account", "deliberation_space"}


class ArchiveError(Exception):
    """An archive or a target database that restore refuses; the message says why, in the
    active language."""


# --- Schema versions ------------------------------------------------------------------------


def applied_migrations(connection) -> list[tuple[str, str]]:
    """The migrations applied to this database, refusing those this code does not know."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    unknown = sorted(set(loader.applied_migrations) - set(loader.disk_migrations))
    if unknown:
        app, name = unknown[0]
        raise ArchiveError(
            _(
                "La base a reçu la migration %(migration)s, que ce code ne connaît pas : "
                "elle vient d'une version plus récente de Commun. Mettez Commun à jour d'abord."
            )
            % {"migration": f"{app}.{name}"}
        )
    return sorted(key for key in loader.applied_migrations if key in loader.graph.nodes)


def latest_by_app(migrations: list[tuple[str, str]], loader: MigrationLoader) -> dict[str, str]:
    """For each app, its latest migration among `migrations` (the schema version)."""
    chosen = set(migrations)
    latest = {}
    for app, name in sorted(chosen):
        children = loader.graph.node_map[(app, name)].children
        if not any(child[0] == app and child in chosen for child in children):
            latest[app] = max(latest.get(app, name), name)
    return latest


def models_at(migrations: list[tuple[str, str]], loader: MigrationLoader) -> list:
    """The tables a database holds at this schema, as historical models, parents first."""
    if not migrations:
        return []
    return saved_models(loader.project_state(nodes=migrations, at_end=True).apps)


def saved_models(apps) -> list:
    """The models whose rows an archive holds, parents first."""
    saved = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and not model._meta.swapped
        and model._meta.label_lower not in RECREATED_BY_MIGRATE
    ]
    return in_dependency_order(saved)


def in_dependency_order(models: list) -> list:
    """Models ordered so that a row's foreign keys point at tables loaded before (cycles
    and self-references are left to deferred constraints)."""
    by_label = {model._meta.label_lower: model for model in models}
    ordered, seen = [], set()

    def visit(model):
        label = model._meta.label_lower
        if label in seen:
            return
        seen.add(label)
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is not None:
                target = by_label.get(field.related_model._meta.label_lower)
                if target is not None:
                    visit(target)
        ordered.append(model)

    for model in sorted(models, key=lambda model: model._meta.db_table):
        visit(model)
    return ordered


# --- Values: from the database to JSON and back ----------------------------------------------


def _stored_fields(model) -> list:
    return [
        field for field in model._meta.concrete_fields if not getattr(field, "generated", False)
    ]


def _kind(field) -> str:
    """The type a column is stored as (a foreign key is stored as its target)."""
    col = field.get_col(field.model._meta.db_table)
    return col.output_field.get_internal_type()


def _natural_key_kind(field) -> str | None:
    if field.is_relation and field.related_model is not None:
        label = field.related_model._meta.label_lower
        if label in RECREATED_BY_MIGRATE:
            return label
    return None


def _to_json(kind: str, value):
    if value is None:
        return None
    if kind == "DateTimeField":
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if kind in {"DateField", "TimeField"}:
        return value.isoformat()
    if kind == "DecimalField":
        return str(value)
    if kind == "UUIDField":
        return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
    if kind == "DurationField":
        if isinstance(value, datetime.timedelta):
            return value // datetime.timedelta(microseconds=1)
        return int(value)
    if kind == "BinaryField":
        return base64.b64encode(bytes(value)).decode("ascii")
    if kind == "JSONField":
        parsed = json.loads(value) if isinstance(value, str | bytes) else value
        return json.dumps(parsed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if kind == "BooleanField":
        return bool(value)
    if isinstance(value, memoryview | bytes):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _from_json(kind: str, value, connection):
    if value is None:
        return None
    ops = connection.ops
    if kind == "DateTimeField":
        parsed = datetime.datetime.fromisoformat(value)
        if timezone.is_naive(parsed) and settings.USE_TZ:
            parsed = parsed.replace(tzinfo=datetime.UTC)
        return ops.adapt_datetimefield_value(parsed)
    if kind == "DateField":
        return ops.adapt_datefield_value(datetime.date.fromisoformat(value))
    if kind == "TimeField":
        return ops.adapt_timefield_value(datetime.time.fromisoformat(value))
    if kind == "DecimalField":
        return ops.adapt_decimalfield_value(decimal.Decimal(value))
    if kind == "UUIDField":
        parsed = uuid.UUID(value)
        return parsed if connection.features.has_native_uuid_field else parsed.hex
    if kind == "DurationField":
        return ops.adapt_durationfield_value(datetime.timedelta(microseconds=value))
    if kind == "BinaryField":
        return connection.Database.Binary(base64.b64decode(value))
    if kind == "JSONField":
        return ops.adapt_json_value(json.loads(value), None)
    return value


class _Column:
    """How one column travels: its converters on the way out, its type on the way in."""

    def __init__(self, field, connection):
        self.name = field.column
        self.kind = _kind(field)
        self.natural = _natural_key_kind(field)
        col = field.get_col(field.model._meta.db_table)
        self.col = col
        # The backend's converters only (SQLite stores dates as text): a field's own
        # from_db_value would decode what must stay as stored (an encrypted value).
        self.converters = connection.ops.get_db_converters(col)

    def dump(self, value, connection, keys):
        for converter in self.converters:
            value = converter(value, self.col, connection)
        if self.natural and value is not None:
            return keys[self.natural][value]
        return _to_json(self.kind, value)


# --- Writing an archive ----------------------------------------------------------------------


@contextlib.contextmanager
def snapshot(connection):
    """Everything read inside sees the database at one instant, while others keep writing."""
    if connection.in_atomic_block:  # already inside a transaction (tests): that is the snapshot
        yield
        return
    if connection.vendor == "sqlite":
        # Django begins SQLite transactions IMMEDIATE, which would hold off every writer
        # for the whole backup; a deferred read transaction in WAL mode blocks nobody.
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
        return
    with transaction.atomic(using=connection.alias):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _natural_keys(connection) -> dict:
    """Ids of the rows migrate recreates, mapped to what names them in any database."""
    keys = {"contenttypes.contenttype": {}, "auth.permission": {}}
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        if "django_content_type" in tables:
            cursor.execute("SELECT id, app_label, model FROM django_content_type")
            for pk, app, model in cursor.fetchall():
                keys["contenttypes.contenttype"][pk] = [app, model]
        if "auth_permission" in tables:
            cursor.execute(
                "SELECT p.id, c.app_label, c.model, p.codename FROM auth_permission p "
                "JOIN django_content_type c ON c.id = p.content_type_id"
            )
            for pk, app, model, codename in cursor.fetchall():
                keys["auth.permission"][pk] = [app, model, codename]
    return keys


def _select(model, connection) -> str:
    qn = connection.ops.quote_name
    columns = ", ".join(qn(field.column) for field in _stored_fields(model))
    order = []
    for field in model._meta.pk_fields:
        text = field.get_internal_type() in {"CharField", "TextField", "SlugField"}
        # Byte order on both engines, so that a text key sorts the same everywhere.
        collate = ' COLLATE "C"' if text and connection.vendor == "postgresql" else ""
        order.append(qn(field.column) + collate)
    table = qn(model._meta.db_table)
    return f"SELECT {columns} FROM {table} ORDER BY {', '.join(order)}"  # noqa: S608 (names)


def table_lines(model, connection, keys) -> Iterator[bytes]:
    """One JSON line per row, in primary key order, fetched CHUNK rows at a time."""
    columns = [_Column(field, connection) for field in _stored_fields(model)]
    with connection.chunked_cursor() as cursor:
        cursor.execute(_select(model, connection))
        while rows := cursor.fetchmany(CHUNK):
            for row in rows:
                line = {
                    column.name: column.dump(value, connection, keys)
                    for column, value in zip(columns, row, strict=True)
                }
                yield (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def write_archive(path, *, using: str = DEFAULT_DB_ALIAS, media_root=None) -> dict:
    """Write the whole cooperative to `path` (atomically: a temporary file, then renamed)."""
    connection = connections[using]
    path = Path(path)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        # Readable by its owner only: the archive holds every member's personal data.
        raw = os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")
        with raw, ZipFile(raw, "w", compression=ZIP_DEFLATED, allowZip64=True) as archive:
            with snapshot(connection):
                migrations = applied_migrations(connection)
                loader = MigrationLoader(connection, ignore_no_migrations=True)
                keys = _natural_keys(connection)
                parts = []
                for model in models_at(migrations, loader):
                    name = f"data/{model._meta.db_table}.jsonl"
                    rows, digest = _write_member(
                        archive, name, table_lines(model, connection, keys)
                    )
                    parts.append(
                        {
                            "table": model._meta.db_table,
                            "model": model._meta.label_lower,
                            "file": name,
                            "rows": rows,
                            "sha256": digest,
                        }
                    )
            media = []
            for file in _media_files(media_root):
                relative = file.relative_to(media_root).as_posix()
                size, digest = _write_member(archive, f"media/{relative}", _file_chunks(file))
                media.append({"path": relative, "size": size, "sha256": digest})
            manifest = {
                "format": FORMAT,
                "commun_version": metadata.version("commun"),
                "created_at": timezone.now().astimezone(datetime.UTC).isoformat(),
                "engine": connection.vendor,
                "schema": latest_by_app(migrations, loader),
                "migrations": _by_app(migrations),
                "parts": parts,
                "media": media,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
            archive.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return manifest


def _by_app(migrations) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for app, name in migrations:
        grouped.setdefault(app, []).append(name)
    return grouped


def _archived_migrations(manifest: dict) -> list[tuple[str, str]]:
    return sorted((app, name) for app, names in manifest["migrations"].items() for name in names)


def _file_chunks(file: Path) -> Iterator[bytes]:
    with open(file, "rb") as source:
        while chunk := source.read(1 << 20):
            yield chunk


def _write_member(archive: ZipFile, name: str, chunks) -> tuple[int, str]:
    """Stream `chunks` into the archive; return how many (lines or bytes) and the SHA-256."""
    digest = hashlib.sha256()
    count = 0
    lines = name.startswith("data/")
    with archive.open(name, "w", force_zip64=True) as member:
        for chunk in chunks:
            member.write(chunk)
            digest.update(chunk)
            count += 1 if lines else len(chunk)
    return count, digest.hexdigest()


# --- Reading and checking an archive ---------------------------------------------------------


def _damaged(path, reason: str) -> ArchiveError:
    return ArchiveError(
        _(
            "Archive endommagée ou incomplète (%(path)s) : %(reason)s. Rien n'a été écrit. "
            "Reprenez une autre copie de la sauvegarde."
        )
        % {"path": path, "reason": reason}
    )


def open_archive(path) -> tuple[ZipFile, dict]:
    """Open the archive and read its manifest, refusing what this version cannot read."""
    try:
        archive = ZipFile(path)
    except FileNotFoundError:
        raise ArchiveError(_("Archive introuvable : %(path)s.") % {"path": path}) from None
    except (OSError, BadZipFile) as error:
        reason = _("ce n'est pas une archive ZIP lisible (%(error)s)") % {"error": error}
        raise _damaged(path, reason) from None
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        archive.close()
        raise _damaged(path, _("le manifeste manifest.json manque")) from None
    except Exception as error:
        archive.close()
        raise _damaged(path, _("manifeste illisible (%(error)s)") % {"error": error}) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        archive.close()
        raise ArchiveError(
            _(
                "Format d'archive %(found)s inconnu : cette version de Commun lit le format "
                "%(format)s. Restaurez avec la version de Commun qui a fait la sauvegarde, ou "
                "une plus récente."
            )
            % {
                "found": manifest.get("format") if isinstance(manifest, dict) else "?",
                "format": FORMAT,
            }
        )
    shape = {"schema": dict, "migrations": dict, "parts": list, "media": list}
    wrong = [key for key, kind in shape.items() if not isinstance(manifest.get(key), kind)]
    if wrong:
        archive.close()
        reason = _("le manifeste n'a pas de « %(key)s » valable") % {"key": wrong[0]}
        raise _damaged(path, reason)
    return archive, manifest


def _members(manifest: dict) -> list[tuple[str, str, str, int]]:
    """(name in the archive, expected SHA-256, 'rows' or 'bytes', expected count)."""
    members = []
    for part in manifest["parts"]:
        members.append((part["file"], part["sha256"], "rows", part["rows"]))
    for file in manifest["media"]:
        relative = PurePosixPath(file["path"])
        if relative.is_absolute() or ".." in relative.parts:
            raise ArchiveError(
                _("Chemin de fichier refusé dans l'archive : %(path)s.") % {"path": file["path"]}
            )
        members.append((f"media/{file['path']}", file["sha256"], "bytes", file["size"]))
    return members


def verify_archive(path) -> dict:
    """Read every part and check its checksum and size; return the manifest."""
    archive, manifest = open_archive(path)
    with archive:
        try:
            members = _members(manifest)
            expected = {name for name, *rest in members} | {MANIFEST}
            extra = sorted(set(archive.namelist()) - expected)
            if extra:
                raise _damaged(path, _("partie inattendue %(part)s") % {"part": extra[0]})
            for name, sha256, unit, count in members:
                digest, found = hashlib.sha256(), 0
                with archive.open(name) as member:
                    if unit == "rows":
                        for line in member:
                            digest.update(line)
                            found += 1
                    else:
                        while chunk := member.read(1 << 20):
                            digest.update(chunk)
                            found += len(chunk)
                if digest.hexdigest() != sha256:
                    reason = _("la somme de contrôle de %(part)s ne correspond pas")
                    raise _damaged(path, reason % {"part": name})
                if found != count:
                    found_count = (ROWS if unit == "rows" else BYTES) % {"count": found}
                    reason = _("%(part)s compte %(found)s, le manifeste %(count)s") % {
                        "part": name,
                        "found": found_count,
                        "count": count,
                    }
                    raise _damaged(path, reason)
        except ArchiveError:
            raise
        except KeyError as error:
            raise _damaged(path, _("partie manquante %(part)s") % {"part": error}) from None
        except Exception as error:  # BadZipFile (bad CRC), zlib.error, EOFError…
            raise _damaged(path, str(error) or type(error).__name__) from None
    return manifest


# The number is the "count" of the values they are formatted with.
TABLES = ngettext_lazy("%(count)s table", "%(count)s tables", "count")
ROWS = ngettext_lazy("%(count)s ligne", "%(count)s lignes", "count")
FILES = ngettext_lazy("%(count)s fichier", "%(count)s fichiers", "count")
BYTES = ngettext_lazy("%(count)s octet", "%(count)s octets", "count")


def archive_contents(manifest: dict) -> str:
    """« 3 tables, 1 ligne, 2 fichiers »: what an archive holds, for a person to read."""
    return ", ".join(
        (
            TABLES % {"count": len(manifest["parts"])},
            ROWS % {"count": sum(part["rows"] for part in manifest["parts"])},
            FILES % {"count": len(manifest["media"])},
        )
    )


# --- Restoring -------------------------------------------------------------------------------


def _check_schema(manifest: dict, loader: MigrationLoader) -> bool:
    """True when the archive has this code's schema; False when it is older (supported)."""
    archived = _archived_migrations(manifest)
    unknown = [key for key in archived if key not in loader.graph.nodes]
    if unknown:
        app, name = unknown[0]
        raise ArchiveError(
            _(
                "L'archive vient d'une version plus récente de Commun (sa migration "
                "%(migration)s est inconnue de ce code) : mettez Commun à jour, puis restaurez. "
                "Rien n'a été écrit."
            )
            % {"migration": f"{app}.{name}"}
        )
    current = {app: name for app, name in loader.graph.leaf_nodes()}
    return latest_by_app(archived, loader) == current


def _check_target(connection, manifest, loader, same_schema: bool, media_root: Path) -> None:
    """Refuse a target that holds anything of its own; nothing is written before this."""
    existing = set(connection.introspection.table_names())
    tables = {part["table"] for part in manifest["parts"]}
    tables |= {model._meta.db_table for model in saved_models(django_apps)}
    qn = connection.ops.quote_name
    busy = []
    with connection.cursor() as cursor:
        for table in sorted(tables & existing - FILLED_BY_MIGRATIONS):
            cursor.execute(f"SELECT 1 FROM {qn(table)} LIMIT 1")  # noqa: S608 (a table name)
            if cursor.fetchone():
                busy.append(table)
    if busy:
        others = len(busy) - 1
        busy_tables = (
            ngettext(
                "la table %(table)s a des lignes, et %(others)s autre table",
                "la table %(table)s a des lignes, et %(others)s autres tables",
                others,
            )
            if others
            else _("la table %(table)s a des lignes")
        ) % {"table": busy[0], "others": others}
        raise ArchiveError(
            _(
                "La base cible n'est pas vide (%(busy)s) : restore ne remplace jamais des "
                "données. Restaurez dans une base vide (PostgreSQL : une base neuve, créée par "
                "createdb ; SQLite : un fichier qui n'existe pas encore). Rien n'a été écrit."
            )
            % {"busy": busy_tables}
        )
    if not same_schema and "django_migrations" in existing:
        archived = set(_archived_migrations(manifest))
        ahead = sorted(set(MigrationRecorder(connection).applied_migrations()) - archived)
        if ahead:
            raise ArchiveError(
                _(
                    "L'archive a un schéma plus ancien que ce code, et la base cible a déjà "
                    "reçu des migrations plus récentes (%(migration)s) : restaurez dans une base "
                    "neuve, sur laquelle `commun migrate` n'a pas été lancé. Rien n'a été écrit."
                )
                % {"migration": f"{ahead[0][0]}.{ahead[0][1]}"}
            )
    for file in manifest["media"]:
        if (media_root / file["path"]).exists():
            raise ArchiveError(
                _(
                    "Le fichier %(path)s existe déjà : restaurez dans un dossier de fichiers "
                    "(MEDIA_ROOT) vide. Rien n'a été écrit."
                )
                % {"path": media_root / file["path"]}
            )


class _TargetKeys:
    """Ids in the target of the rows migrate recreated, found (or added) by natural key."""

    def __init__(self, state_apps, using):
        self.using = using
        self.content_types = state_apps.get_model("contenttypes", "ContentType")
        self.permissions = state_apps.get_model("auth", "Permission")
        self.cache = {}

    def __call__(self, label: str, key: list) -> int:
        cached = self.cache.get((label, *key))
        if cached is not None:
            return cached
        content_type, _ = self.content_types.objects.using(self.using).get_or_create(
            app_label=key[0], model=key[1]
        )
        pk = content_type.pk
        if label == "auth.permission":
            permission, _ = self.permissions.objects.using(self.using).get_or_create(
                content_type=content_type, codename=key[2], defaults={"name": key[2][:255]}
            )
            pk = permission.pk
        self.cache[(label, *key)] = pk
        return pk


@contextlib.contextmanager
def _rows_writer(cursor, table: str, names: list[str], connection, *, stream: bool):
    """A function that writes one row of `names` into `table`: with `stream`, on
    PostgreSQL, through COPY, which takes rows as a stream (several times faster than
    INSERTs, but no other statement may run on the connection meanwhile); else INSERTs by
    `CHUNK`."""
    qn = connection.ops.quote_name
    into = f"{qn(table)} ({', '.join(qn(name) for name in names)})"
    if stream and connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {into} FROM STDIN") as copy:
            yield copy.write_row
        return
    sql = f"INSERT INTO {into} VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
    batch = []

    def write(values):
        batch.append(values)
        if len(batch) >= CHUNK:
            cursor.executemany(sql, batch)
            batch.clear()

    yield write
    if batch:
        cursor.executemany(sql, batch)


def _load_part(archive, part, model, connection, target_keys) -> None:
    columns = [_Column(field, connection) for field in _stored_fields(model)]
    names = [column.name for column in columns]
    expected = set(names)
    digest, rows = hashlib.sha256(), 0
    with (
        archive.open(part["file"]) as member,
        connection.cursor() as cursor,
        # A natural key may need a query to find its id in the target: no stream then
        # (only tables of logins' permissions and the admin's log hold one).
        _rows_writer(
            cursor,
            model._meta.db_table,
            names,
            connection,
            stream=not any(column.natural for column in columns),
        ) as write,
    ):
        for line in member:
            digest.update(line)
            row = json.loads(line)
            if set(row) != expected:
                raise ArchiveError(
                    _(
                        "Les colonnes de %(part)s ne sont pas celles de la table %(table)s à ce "
                        "schéma : archive incompatible."
                    )
                    % {"part": part["file"], "table": model._meta.db_table}
                )
            values = []
            for column in columns:
                value = row[column.name]
                if column.natural and value is not None:
                    values.append(target_keys(column.natural, value))
                else:
                    values.append(_from_json(column.kind, value, connection))
            write(values)
            rows += 1
    if digest.hexdigest() != part["sha256"] or rows != part["rows"]:
        raise ArchiveError(
            _("%(part)s a changé pendant la restauration : rien n'a été écrit.")
            % {"part": part["file"]}
        )


@contextlib.contextmanager
def _foreign_keys_checked_at_the_end(connection, tables):
    """On PostgreSQL, the foreign keys of `tables` set aside while their rows stream in,
    then added back, each checked by one query over its whole table (as `pg_restore` does)
    instead of one lookup per row. All inside the restore's transaction: a failure rolls
    the keys back with the rows, and a row pointing nowhere fails the restore."""
    if connection.vendor != "postgresql":
        yield
        return
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE c.contype = 'f' AND t.relname = ANY(%s) "
            "AND t.relnamespace = current_schema()::regnamespace ORDER BY 1, 2",
            [sorted(tables)],
        )
        keys = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {qn(name)}")
    yield
    with connection.cursor() as cursor:
        # The deferred checks that remain (a transaction's balance) run now: PostgreSQL
        # alters no table with such checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {qn(name)} {definition}")


def _migrate_to_archive(connection, manifest) -> None:
    """Bring an empty database to the archive's (older) schema, not further."""
    executor = MigrationExecutor(connection)
    targets = [tuple(key) for key in manifest["schema"].items()]
    plan = executor.migration_plan(targets)
    state = executor.migrate(targets, plan=plan)
    emit_post_migrate_signal(0, False, connection.alias, apps=state.apps, plan=plan)


def restore_archive(path, *, using: str = DEFAULT_DB_ALIAS, media_root=None, log=None) -> dict:
    """Bring a whole cooperative back into an empty database, all or nothing."""
    log = log or (lambda message, detail=False: None)
    connection = connections[using]
    media_root = Path(media_root or settings.MEDIA_ROOT)
    manifest = verify_archive(path)
    log(
        _("Archive intègre : %(tables)s, %(files)s.")
        % {
            "tables": TABLES % {"count": len(manifest["parts"])},
            "files": FILES % {"count": len(manifest["media"])},
        }
    )
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    same_schema = _check_schema(manifest, loader)
    _check_target(connection, manifest, loader, same_schema, media_root)

    # From here on the target is written to.
    if same_schema:
        call_command("migrate", database=using, interactive=False, verbosity=0)
    else:
        log(_("Archive d'un schéma plus ancien : migration de la base à ce schéma d'abord."))
        _migrate_to_archive(connection, manifest)
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    archived = _archived_migrations(manifest)
    state = loader.project_state(nodes=archived, at_end=True)
    models = {model._meta.db_table: model for model in saved_models(state.apps)}
    parts = {part["table"]: part for part in manifest["parts"]}
    if set(parts) != set(models):
        missing = sorted(set(parts) ^ set(models))
        raise ArchiveError(
            _(
                "L'archive ne correspond pas à son propre schéma (table %(table)s) : archive "
                "incompatible."
            )
            % {"table": missing[0]}
        )
    written: list[Path] = []
    try:
        with ZipFile(path) as archive, transaction.atomic(using=using):
            target_keys = _TargetKeys(state.apps, using)
            with _foreign_keys_checked_at_the_end(connection, models):
                with connection.cursor() as cursor:
                    # What migrate put there is in the archive too, with the source's ids.
                    for table in sorted(FILLED_BY_MIGRATIONS & set(models)):
                        cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
                for table, model in models.items():
                    _load_part(archive, parts[table], model, connection, target_keys)
                    if parts[table]["rows"]:
                        rows = ROWS % {"count": parts[table]["rows"]}
                        log(f"  {table} : {rows}", detail=True)
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), list(models.values())):
                    cursor.execute(sql)
            for file in manifest["media"]:
                written.append(_extract(archive, file, media_root))
    except BaseException as error:
        for file in written:
            file.unlink(missing_ok=True)
        if isinstance(error, DatabaseError | ValueError):
            raise ArchiveError(
                _(
                    "Restauration annulée, aucune ligne chargée : la base a refusé l'archive "
                    "(%(error)s). Les migrations, elles, ont été appliquées : la base reste "
                    "vide et restore l'acceptera de nouveau."
                )
                % {"error": error}
            ) from error
        raise
    if not same_schema:
        log(_("Migrations restantes jusqu'au schéma de ce code."))
        call_command("migrate", database=using, interactive=False, verbosity=0)
    return manifest


def _private_folders(folder: Path) -> None:
    """Create `folder` and the folders missing above it, for the server's user only."""
    mode = settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS or 0o700
    for path in reversed([path for path in (folder, *folder.parents) if not path.exists()]):
        path.mkdir(mode, exist_ok=True)
        path.chmod(mode)  # mkdir's mode goes through the umask


def _extract(archive: ZipFile, file: dict, media_root: Path) -> Path:
    target = media_root / file["path"]
    _private_folders(target.parent)
    temporary = target.with_name(f".{target.name}.partial")
    digest = hashlib.sha256()
    # Private like an upload (settings.FILE_UPLOAD_PERMISSIONS): receipts name people.
    mode = settings.FILE_UPLOAD_PERMISSIONS or 0o600
    out = os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode), "wb")
    with archive.open(f"media/{file['path']}") as source, out:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != file["sha256"]:
        temporary.unlink(missing_ok=True)
        raise ArchiveError(
            _("Le fichier %(path)s a changé pendant la restauration.") % {"path": file["path"]}
        )
    os.replace(temporary, target)
    return target
