"""Right of access and portability: all of one person's data, as a ZIP of JSON and CSV.

A row is the person's when one of its *owner* foreign keys points at them (their account,
their membership, what they wrote, voted or asked for). Of that row the export keeps every
field except secrets (password hash, second-factor keys, token hashes) and links to other
people, so it holds nothing about anyone else.
"""

import csv
import io
import json
import zipfile
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.duration import duration_iso_string

from commun.lib.csvstream import spreadsheet_row

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
        "accounts.ApiToken.digest",
        "feeds.CalendarLink.digest",
        "mfa.Authenticator.data",
    }
)
README = """Vos données, exportées par Commun le {date}.

donnees.json contient tout, par table ; chaque fichier CSV contient une table.
Les secrets (empreinte du mot de passe, clés du second facteur, jetons d'API) n'y sont pas :
ils ne servent qu'à vous protéger. Les liens vers d'autres personnes en sont retirés.
Dans les CSV, un texte qui commence par = + - ou @ est précédé d'une apostrophe, pour
qu'un tableur ne l'exécute pas comme une formule ; donnees.json le garde tel quel.

Your data, exported by Commun on {date}: donnees.json holds everything by table, each CSV
file holds one table. Secrets and links to other people are left out. In the CSV files,
text starting with = + - or @ is preceded by an apostrophe so that no spreadsheet runs it
as a formula; donnees.json keeps it as it is.
"""


def _people_models():
    return apps.get_model(settings.AUTH_USER_MODEL), apps.get_model("members", "Member")


def owned_querysets(user) -> list[tuple[type[models.Model], models.QuerySet]]:
    """Every model's rows that belong to `user` (and to their memberships, if any)."""
    User, Member = _people_models()
    # A former member who joined again has a row per membership: all of them are theirs.
    memberships = list(
        Member.objects.filter(user=user).order_by("number").values_list("pk", flat=True)
    )
    owners = {User: [user.pk], Member: memberships}
    found = [(User, User.objects.filter(pk=user.pk))]
    if memberships:
        found.append((Member, Member.objects.filter(pk__in=memberships).order_by("number")))
    for model in apps.get_models():
        if model in owners or model._meta.proxy:
            continue
        conditions = models.Q()
        for field in model._meta.concrete_fields:
            if (
                field.is_relation
                and field.name in OWNER_FIELDS
                and field.related_model in owners
                and owners[field.related_model]
            ):
                conditions |= models.Q(**{f"{field.name}__in": owners[field.related_model]})
        if conditions:
            found.append((model, model._default_manager.filter(conditions).order_by("pk")))
    return found


def _exported_fields(model) -> list[models.Field]:
    User, Member = _people_models()
    fields = []
    for field in model._meta.concrete_fields:
        if f"{model._meta.label}.{field.name}" in SECRET_FIELDS:
            continue
        if field.name == "seal_id":
            continue  # binds a sealed value to its row (privacy/fields.py): nothing of theirs
        someone = field.is_relation and field.related_model in (User, Member)
        if someone and field.name not in OWNER_FIELDS:
            continue  # someone else: a counterpart, the officer who recorded it
        fields.append(field)
    return fields


def exported_value(field: models.Field, row: models.Model):
    """`row`'s value of `field` as JSON carries it, and as the field reads it back.

    Plain values and JSON stay as they are; every other type (dates, durations, decimals,
    UUIDs, files, bytes…) takes the text form its own field serialises it to, so a new
    field type cannot break the archive.
    """
    value = field.value_from_object(row)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(field, models.JSONField):
        return value
    if isinstance(field, models.DurationField):
        return duration_iso_string(value)  # "P1DT00H00M00S": ISO 8601, read by other tools too
    return field.value_to_string(row)


def person_data(user) -> dict[str, list[dict]]:
    """{"app.Model": [row, …]} for everything that is `user`'s."""
    data = {}
    for model, queryset in owned_querysets(user):
        fields = _exported_fields(model)
        rows = [
            {field.attname: exported_value(field, row) for field in fields}
            for row in queryset.iterator()
        ]
        if rows:
            data[model._meta.label] = rows
    return data


def _csv_table(label: str, rows: list[dict]) -> str:
    """One table for a spreadsheet: its text defused (csvstream), its numbers kept numbers."""
    # `exported_value` made decimals strings for JSON: read back, -1.5 stays a number.
    decimals = {
        field.attname
        for field in apps.get_model(label)._meta.concrete_fields
        if isinstance(field, models.DecimalField)
    }
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(rows[0]))
    for row in rows:
        cells = []
        for name, value in row.items():
            if name in decimals and value is not None:
                value = Decimal(value)
            elif isinstance(value, (dict, list)):
                value = json.dumps(value)
            cells.append(value)
        writer.writerow(spreadsheet_row(cells))
    return out.getvalue()


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
            archive.writestr(f"{label}.csv", _csv_table(label, rows))
    return buffer.getvalue()
