"""Which characters count as control characters, wherever the text hides."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from commun.lib.controls import RefusesControlCharacters, has_control, refuse_control_characters


@pytest.mark.parametrize(
    "char", ["\x00", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f"]
)
def test_c0_del_and_c1_are_control_characters(char):
    assert has_control(f"a{char}b")


@pytest.mark.parametrize(
    "text", ["a\tb", "a\nb", "a\r\nb", "Zoé · « € » 🌱", "\xa0espace insécable"]
)
def test_tab_newlines_and_printable_unicode_are_not(text):
    assert not has_control(text)


def test_it_looks_into_lists_dicts_and_their_keys():
    assert has_control(["ok", ["a\x00"]])
    assert has_control({"a\x07": 1})
    assert has_control({"k": ("ok", "b\x1b")})
    assert not has_control({"k": [1, None, "ok"]})
    assert not has_control(12)


def test_the_validator_says_why_in_french():
    with pytest.raises(ValidationError) as refused:
        refuse_control_characters("a\x07b")
    assert refused.value.messages == ["Ce texte contient un caractère de contrôle interdit."]
    assert refused.value.code == "control_character"


class Named(RefusesControlCharacters, forms.Form):
    name = forms.CharField()
    kind = forms.ChoiceField(choices=[("a", "A")])


def test_a_form_gives_one_error_for_a_nul_on_its_field():
    form = Named({"name": "a\x00b", "kind": "a"})
    assert form.errors == {"name": ["Ce texte contient un caractère de contrôle interdit."]}
    assert Named({"name": "a\tb", "kind": "a"}).is_valid()
