"""Model instances from a hand-written SQL statement's rows, converted as the ORM would,
and a row written with one plain INSERT.

For the few hot paths where one statement reads several tables at once (a stance, the
API's token with its user and member) and the ORM's query would cost more to build than
to run. What depends only on the model and the database (column lists, converters, the
statements' text) is worked out once per process.
"""

import functools

from django.db import connection


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def columns(model, alias: str) -> list[str]:
    """`alias.column` for each of the model's concrete fields, in their order."""
    return [f"{alias}.{connection.ops.quote_name(f.column)}" for f in model._meta.concrete_fields]


def width(model) -> int:
    return len(model._meta.concrete_fields)


@functools.cache
def _plan(model, vendor: str):
    """(attribute names, [(position, column, converters)] for the fields that convert,
    position of the primary key): what `build` needs, the same for every row."""
    fields = model._meta.concrete_fields
    converting = []
    for position, field in enumerate(fields):
        column = field.cached_col
        converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if converters:
            converting.append((position, column, tuple(converters)))
    primary = [field.primary_key for field in fields].index(True)
    return [field.attname for field in fields], converting, primary


def build(model, values):
    """The instance `values` (in `columns()` order) describe, or None for an outer join's
    missing row (its primary key is NULL)."""
    names, converting, primary = _plan(model, connection.vendor)
    if values[primary] is None:
        return None
    if len(values) != len(names):
        raise ValueError(f"{model.__name__}: {len(values)} values for {len(names)} fields")
    values = list(values)
    for position, column, converters in converting:
        value = values[position]
        for convert in converters:
            value = convert(value, column, connection)
        values[position] = value
    return model.from_db(connection.alias, names, values)


def split(row, *models) -> list:
    """`row`, read as `columns()` of each of `models` in turn, as their instances."""
    found, start = [], 0
    for model in models:
        found.append(build(model, row[start : start + width(model)]))
        start += width(model)
    return found


@functools.cache
def _insert_sql(model, vendor: str) -> tuple[str, tuple]:
    fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    primary = connection.ops.quote_name(model._meta.pk.column)
    sql = f"INSERT INTO {table(model)} ({names}) VALUES ({marks}) RETURNING {primary}"  # noqa: S608
    return sql, fields


def insert(instance) -> None:
    """Write `instance` as a new row with one INSERT, and give it its key.

    No signals and no `save()` override run: for history rows that have neither.
    """
    sql, fields = _insert_sql(type(instance), connection.vendor)
    values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        instance.pk = cursor.fetchone()[0]
    instance._state.adding, instance._state.db = False, connection.alias
