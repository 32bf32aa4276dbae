"""What every form shares: a model's refusal shown where the person typed."""

from django import forms
from django.core.exceptions import ValidationError


def add_model_errors(form: forms.Form, error: ValidationError, names: dict | None = None) -> None:
    """A model's ValidationError onto the form: on the field it names, or above the form.

    `names` maps a model field to the form field that reads it ({"amount_cents": "amount"}).
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        name = (names or {}).get(field, field)
        form.add_error(name if name in form.fields else None, errors)
