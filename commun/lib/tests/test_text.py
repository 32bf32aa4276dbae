"""A person's text, as every model takes it: trimmed, required, and not too long."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from commun.lib.text import clean_text

REQUIRED = "Écrivez votre commentaire."


def test_it_returns_the_text_trimmed():
    assert clean_text("  Bonjour\n", "body", REQUIRED, 10) == "Bonjour"


@pytest.mark.parametrize("value", [None, "", "   \n\t "])
def test_an_empty_text_is_refused_on_its_field_with_the_message_given(value):
    with pytest.raises(ValidationError) as refused:
        clean_text(value, "body", REQUIRED, 10)

    assert refused.value.message_dict == {"body": [REQUIRED]}


def test_a_text_at_the_limit_passes_and_one_past_it_is_refused():
    assert clean_text(" " + "a" * 10 + " ", "body", REQUIRED, 10) == "a" * 10

    with pytest.raises(ValidationError) as refused:
        clean_text("a" * 11, "body", REQUIRED, 10)

    assert refused.value.message_dict == {"body": ["Ce texte ne doit pas dépasser 10 caractères."]}


def test_the_limit_is_written_with_the_reader_s_grouping(english):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        clean_text("a" * 10_001, "body", REQUIRED, 10_000)

    assert refused.value.message_dict == {"body": ["This text must not exceed 10,000 characters."]}


def test_given_errors_it_records_the_first_one_and_returns_the_text():
    errors = {"title": "Déjà là."}

    assert clean_text("  ", "title", "Donnez un titre.", 10, errors) == ""
    assert clean_text(" " + "a" * 11, "body", REQUIRED, 10, errors) == "a" * 11
    assert clean_text("ok", "note", REQUIRED, 10, errors) == "ok"

    assert errors == {"title": "Déjà là.", "body": "Ce texte ne doit pas dépasser 10 caractères."}


def test_an_optional_text_may_be_left_empty_but_not_too_long():
    assert clean_text("  ", "reason", None, 10) == ""
    with pytest.raises(ValidationError):
        clean_text("a" * 11, "reason", None, 10)
