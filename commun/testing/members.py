"""Building members' requests in tests: an application, a join form, the structure as
`PUT /structure` takes it, and the row counts that show a refused request wrote nothing.

Plain functions, so any test module may import them.
"""

from django.apps import apps
from django.test import Client

from commun.conftest import category
from commun.testing.api import call

NEW_PASSWORD = "Des-communs-pour-tous-2026"
# What every form and the API answer to a control character in a text.
CONTROL_CHARACTER_MESSAGE = "Ce texte contient un caractère de contrôle interdit."


def application_body(**overrides) -> dict:
    body = {
        "kind": "person",
        "first_name": "Zoé",
        "last_name": "Lambert",
        "email": "zoe@example.org",
        "password": NEW_PASSWORD,
        "phone": "06 12 34 56 78",
        "postal_address": "1 rue des Communs\n75011 Paris",
        "category": category("Partenaires").pk,
        "shares": 3,
        "motivation": "Je veux contribuer aux communs.",
        "consents_to_charter": True,
        "consents_to_privacy": True,
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def structure_body(client: Client) -> dict:
    """The current structure, in the shape `PUT /structure` takes."""
    structure = call(client, "GET", "/structure").json()
    for item in structure["categories"]:
        item["college"] = item.pop("college_name")
        item.pop("active_members")
    return structure


def join_data(**overrides) -> dict:
    data = {
        "kind": "person",
        "organisation_name": "",
        "first_name": "Zoé",
        "last_name": "Lambert",
        "email": "zoe@example.org",
        "phone": "06 12 34 56 78",
        "postal_address": "1 rue des Communs\n75011 Paris",
        "category": category("Partenaires").pk,
        "shares": "3",
        "motivation": "Je veux contribuer aux communs.",
        "consents_to_charter": "on",
        "consents_to_privacy": "on",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def every_row_count() -> dict[str, int]:
    """How many rows each table holds: a refused request writes none."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}
