"""A model's ValidationError lands on the form field it is about, or above the form."""

from django import forms
from django.core.exceptions import ValidationError

from commun.lib.forms import add_model_errors


class PaymentForm(forms.Form):
    amount = forms.IntegerField(required=False)
    paid_on = forms.DateField(required=False)


def checked_form() -> PaymentForm:
    form = PaymentForm({})
    assert form.is_valid()
    return form


def test_an_error_on_a_field_the_form_has_lands_on_that_field():
    form = checked_form()

    add_model_errors(form, ValidationError({"paid_on": "Pas dans le futur."}))

    assert form.errors == {"paid_on": ["Pas dans le futur."]}


def test_a_model_field_lands_on_the_form_field_it_is_named_after():
    form = checked_form()

    add_model_errors(
        form, ValidationError({"amount_cents": ["Trop.", "Vraiment."]}), {"amount_cents": "amount"}
    )

    assert form.errors == {"amount": ["Trop.", "Vraiment."]}


def test_an_error_on_a_field_the_form_lacks_lands_above_the_form():
    form = checked_form()

    refused = ValidationError({"project": "Ce projet n'existe pas.", "__all__": "Non."})

    add_model_errors(form, refused)

    assert form.non_field_errors() == ["Ce projet n'existe pas.", "Non."]


def test_an_error_without_a_field_lands_above_the_form():
    form = checked_form()

    add_model_errors(form, ValidationError(["Refusé.", "Deux fois."]))

    assert form.non_field_errors() == ["Refusé.", "Deux fois."]
    assert not form.is_valid()


def test_the_error_keeps_its_code():
    form = checked_form()

    add_model_errors(form, ValidationError({"amount": ValidationError("Trop.", code="too_big")}))

    assert form.has_error("amount", code="too_big")
