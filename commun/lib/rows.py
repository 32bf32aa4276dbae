"""Model instances from a hand-written SQL statement's rows, converted as the ORM would.

For the few hot paths where one statement reads several tables at once (a stance, the
API's token with its user and member) and the ORM's query would cost more to build than
to run.
"""

from django.db import connection


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def columns(model, alias: str) -> list[str]:
    """`alias.column` for each of the model's concrete fields, in their order."""
    return [f"{alias}.{connection.ops.quote_name(f.column)}" for f in model._meta.concrete_fields]


def width(model) -> int:
    return len(model._meta.concrete_fields)


def build(model, values):
    """The instance `values` (in `columns()` order) describe, or None for an outer join's
    missing row (its primary key is NULL)."""
    fields = model._meta.concrete_fields
    converted = []
    for field, value in zip(fields, values, strict=True):
        column = field.cached_col
        for convert in connection.ops.get_db_converters(column) + field.get_db_converters(
            connection
        ):
            value = convert(value, column, connection)
        converted.append(value)
    if converted[[f.primary_key for f in fields].index(True)] is None:
        return None
    return model.from_db(connection.alias, [field.attname for field in fields], converted)


def split(row, *models) -> list:
    """`row`, read as `columns()` of each of `models` in turn, as their instances."""
    found, start = [], 0
    for model in models:
        found.append(build(model, row[start : start + width(model)]))
        start += width(model)
    return found
