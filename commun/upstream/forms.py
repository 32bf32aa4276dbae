"""Web input for the upstream pages; the rules stay the models' (`clean()`, `open()`, `pay()`)."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commun.lib.controls import RefusesControlCharacters
from commun.lib.money import EurosField
from commun.upstream.models import DEFAULT_DAYS, MAX_DAYS, MAX_REFERENCE, UpstreamProject

AMOUNT_HELP = _("En euros, par exemple 1500 ou 249,90.")


class ProjectForm(RefusesControlCharacters, forms.ModelForm):
    class Meta:
        model = UpstreamProject
        fields = ["name", "url", "used_for", "is_active"]
        widgets = {"used_for": forms.TextInput()}


class SplitForm(RefusesControlCharacters, forms.Form):
    amount = EurosField(
        label=_("Montant à répartir"),
        required=False,
        help_text=_("En euros. Laissez vide pour répartir tout ce qui est disponible."),
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
    amount = EurosField(label=_("Montant"), help_text=AMOUNT_HELP)
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
