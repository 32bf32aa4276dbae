"""People with every kind of personal data, and sealed columns read and written behind the
models, for the privacy tests.

Plain functions (not fixtures), so any test module may import them.
"""

import base64
import os

from django.db import connection

from commun.conftest import make_member
from commun.members.models import Category, Member


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def put_raw(table: str, column: str, pk: int, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608


def member_with_every_field(values: dict, category: Category, **choices) -> Member:
    """An admitted associate with `values` in every personal field of their membership and
    account (email, names, phone, address, IBAN, pseudonym, bio, motivation), and `choices`
    (what others see of them) set too."""
    member = make_member(
        values["email"],
        values["first_name"],
        values["last_name"],
        category,
        phone=values["phone"],
        postal_address=values["postal_address"],
        motivation=values["motivation"],
    )
    for name in ("pseudonym", "bio", "iban"):
        setattr(member, name, values[name])
    for name, value in choices.items():
        setattr(member, name, value)
    member.save()
    return member
