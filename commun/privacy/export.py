"""Right of access and portability: all of one person's data, as a ZIP of JSON and CSV.

A row is the person's when one of its *owner* foreign keys points at them (their account,
their membership, what they wrote, voted or asked for). Of that row the export keeps every
field except secrets (password hash, second-factor keys, token hashes) and links to other
people, so it holds nothing about anyone else.
"""

import csv
import datetime
import io
import json
import uuid
import zipfile
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.duration import duration_iso_string

# Foreign keys that make a row someone's own; others (recorded_by, decided_by…) say who
# acted on a row that belongs to someone else, and are not followed.
OWNER_FIELDS = frozenset(
    {
        "user",
        "member",
        "author",
        "voter",
        "advisor",
        "supporter",
        "raised_by",
        "proposer",
        "contributor",
        "subscriber",
    }
)
# Values that would let someone take over the account if the archive leaked.
SECRET_FIELDS = frozenset(
    {
        "accounts.User.password",
        "accounts.ApiToken.key_hash",
        "mfa.Authenticator.data",
    }
)
README = """Vos données, exportées par Commun le {date}.

donnees.json contient tout, par table ; chaque fichier CSV contient une table.
Les secrets (empreinte du mot de passe, clés du second facteur, jetons d'API) n'y sont pas :
ils ne servent qu'à vous protéger. Les liens vers d'autres personnes en sont retirés.

Your data, exported by Commun on {date}: donnees.json holds everything by table, each CSV
file holds one table. Secrets and links to other people are left out.
"""


def _people_models():
    return apps.get_model(settings.AUTH_USER_MODEL), apps.get_model("members", "Member")


def owned_querysets(user) -> list[tuple[type[models.Model], models.QuerySet]]:
    """Every model's rows that belong to `user` (and to their membership, if any)."""
    User, Member = _people_models()
    member = Member.objects.filter(user=user).first()
    owners = {User: user, Member: member}
    found = [(User, User.objects.filter(pk=user.pk))]
    if member is not None:
        found.append((Member, Member.objects.filter(pk=member.pk)))
    for model in apps.get_models():
        if model in owners or model._meta.proxy:
            continue
        conditions = models.Q()
        for field in model._meta.concrete_fields:
            if (
                field.is_relation
                and field.name in OWNER_FIELDS
                and field.related_model in owners
                and owners[field.related_model] is not None
            ):
                conditions |= models.Q(**{field.name: owners[field.related_model]})
        if conditions:
            found.append((model, model._default_manager.filter(conditions).order_by("pk")))
    return found


def _exported_fields(model) -> list[models.Field]:
    User, Member = _people_models()
    fields = []
    for field in model._meta.concrete_fields:
        if f"{model._meta.label}.{field.name}" in SECRET_FIELDS:
            continue
        someone = field.is_relation and field.related_model in (User, Member)
        if someone and field.name not in OWNER_FIELDS:
            continue  # someone else: a counterpart, the officer who recorded it
        fields.append(field)
    return fields


def _value(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    return value


def person_data(user) -> dict[str, list[dict]]:
    """{"app.Model": [row, …]} for everything that is `user`'s."""
    data = {}
    for model, queryset in owned_querysets(user):
        fields = _exported_fields(model)
        rows = [
            {field.attname: _value(getattr(row, field.attname)) for field in fields}
            for row in queryset.iterator()
        ]
        if rows:
            data[model._meta.label] = rows
    return data


def person_archive(user) -> bytes:
    """The ZIP a person downloads: a README, donnees.json, and one CSV per table."""
    data = person_data(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("LISEZMOI.txt", README.format(date=timezone.localdate().isoformat()))
        archive.writestr(
            "donnees.json", json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
        )
        for label, rows in data.items():
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            for row in rows:
                writer.writerow(
                    {k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in row.items()}
                )
            archive.writestr(f"{label}.csv", out.getvalue())
    return buffer.getvalue()
