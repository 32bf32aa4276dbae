"""Every field that looks personal declares how it is treated, or says why it is not personal."""

import re

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from commun.privacy import declarations
from commun.privacy.declarations import ACTIVITIES, Audience, Declared, Erasure

# Names that hold who someone is or how to reach them, wherever they appear.
PERSONAL_NAME = re.compile(
    r"(^|_)(first_name|last_name|full_name|email|e_mail|phone|mobile|address|birth|iban|bic"
    r"|pseudonym|bio|motivation|ip|ip_address|user_agent)($|_)"
)
# On a row about a person, any name is theirs (a place's or a group's name is not).
NAME = re.compile(r"(^|_)name$")


def person_models() -> set:
    """Models whose rows are about one person: the person, or anything pointing at them."""
    people = {apps.get_model(settings.AUTH_USER_MODEL), apps.get_model("members", "Member")}
    found = set(people)
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in people:
                found.add(model)
    return found


def looks_personal(model, field) -> bool:
    if field.is_relation or field.primary_key:
        return False
    if isinstance(field, models.EmailField) or PERSONAL_NAME.search(field.name):
        return True
    if model not in person_models():
        return False
    # Free text next to a person is text by or about them.
    return bool(NAME.search(field.name)) or isinstance(field, (models.TextField, models.JSONField))


def undeclared() -> list[str]:
    missing = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not looks_personal(model, field):
                continue
            if declarations.declaration(field) or getattr(field, "not_personal", None):
                continue
            if f"{model._meta.label}.{field.name}" in declarations.THIRD_PARTY_NOT_PERSONAL:
                continue
            missing.append(f"{model._meta.label}.{field.name}")
    return sorted(missing)


def test_every_field_that_looks_personal_is_declared():
    missing = undeclared()
    assert not missing, (
        "Declare these fields with commun.privacy.declarations.personal() (or not_personal() "
        f"saying why): {missing}"
    )


def test_the_check_catches_a_new_undeclared_field(monkeypatch):
    """A field added without a declaration is reported by name."""
    member = apps.get_model("members", "Member")
    field = models.CharField("IBAN", max_length=34, blank=True)
    field.set_attributes_from_name("iban")
    field.model = member
    monkeypatch.setattr(
        member._meta, "concrete_fields", (*member._meta.concrete_fields, field), raising=False
    )
    assert "members.Member.iban" in undeclared()


def test_every_declaration_names_a_known_activity_audience_and_erasure():
    for item in declarations.declared_fields():
        assert isinstance(item.declared, Declared), item.label
        assert item.declared.activity in ACTIVITIES, item.label
        assert item.declared.visibility in Audience, item.label
        assert item.declared.erasure in Erasure, item.label


def test_third_party_declarations_name_real_fields():
    for label in [*declarations.THIRD_PARTY, *declarations.THIRD_PARTY_NOT_PERSONAL]:
        app_model, _, field_name = label.rpartition(".")
        model = apps.get_model(app_model)
        assert model._meta.get_field(field_name), label


@pytest.mark.parametrize(
    "label",
    [
        "members.Member.first_name",
        "members.Member.postal_address",
        "members.Application.email",
        "accounts.User.email",
        "deliberation.Comment.body",
        "account.EmailAddress.email",
    ],
)
def test_the_register_of_processing_lists_the_core_personal_fields(label):
    listed = {
        item.label for _activity, items in declarations.record_of_processing() for item in items
    }
    assert label in listed
