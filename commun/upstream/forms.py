"""Web input for the upstream pages; the rules stay the models' (`clean()`, `open()`, `pay()`)."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commun.ledger.models import MAX_AMOUNT_CENTS
from commun.lib.controls import RefusesControlCharacters
from commun.lib.money import parse_euros
from commun.upstream.models import DEFAULT_DAYS, MAX_DAYS, MAX_REFERENCE, UpstreamProject

AMOUNT_HELP = _("En euros, par exemple 1500 ou 249,90.")


class EurosField(forms.CharField):
    """An amount typed in euros, cleaned to a positive number of cents."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", AMOUNT_HELP)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return None
        try:
            cents = parse_euros(text)
        except ValueError:
            raise forms.ValidationError(
                _("Indiquez un montant en euros, par exemple 1500 ou 249,90.")
            ) from None
        if cents <= 0:
            raise forms.ValidationError(_("Le montant doit être supérieur à zéro."))
        if cents > MAX_AMOUNT_CENTS:
            raise forms.ValidationError(_("Ce montant dépasse la limite admise."))
        return cents


class ProjectForm(RefusesControlCharacters, forms.ModelForm):
    class Meta:
        model = UpstreamProject
        fields = ["name", "url", "used_for", "is_active"]
        widgets = {"used_for": forms.TextInput()}


class SplitForm(RefusesControlCharacters, forms.Form):
    amount = EurosField(
        label=_("Montant à répartir"),
        required=False,
        help_text=_("En euros. Laissez vide pour répartir tout le fonds."),
    )
    days = forms.IntegerField(
        label=_("Durée du vote (jours)"), min_value=1, max_value=MAX_DAYS, initial=DEFAULT_DAYS
    )


class DirectGiftForm(RefusesControlCharacters, forms.Form):
    project = forms.ModelChoiceField(
        label=_("Projet"),
        queryset=UpstreamProject.objects.order_by("name"),
        empty_label=_("Choisissez un projet"),
        error_messages={"invalid_choice": _("Ce projet n'existe pas.")},
    )
    amount = EurosField(label=_("Montant"))
    reference = forms.CharField(
        label=_("Décidé par"),
        max_length=MAX_REFERENCE,
        help_text=_("La décision ou l'assemblée qui a décidé ce don."),
    )


class PaymentForm(RefusesControlCharacters, forms.Form):
    paid_on = forms.DateField(
        label=_("Date du versement"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # Made when the form is shown: a double submission books the payment once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()
        self.fields["idempotency_key"].initial = f"upstream-pay-{uuid.uuid4()}"

    def clean_idempotency_key(self):
        # A form posted without its key (by hand) is still paid once, just not retry-safe.
        return self.cleaned_data["idempotency_key"] or f"upstream-pay-{uuid.uuid4()}"


def add_model_errors(form: forms.Form, error, rename: dict | None = None) -> None:
    """A model's ValidationError onto the form, on the form's field names."""
    rename = rename or {}
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            name = rename.get(field, field)
            for message in messages:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
