"""Reading and writing sealed columns behind the models, for the privacy tests.

Plain functions (not fixtures), so any privacy test module may import them.
"""

import base64
import os

from django.db import connection


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def put_raw(table: str, column: str, pk: int, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608
