"""Web input for the webhooks' pages; the rules stay the model's (`Endpoint.clean()`)."""

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from commun.hooks import events
from commun.lib.controls import RefusesControlCharacters


class EndpointForm(RefusesControlCharacters, forms.Form):
    url = forms.URLField(
        label=_("Adresse qui reçoit"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Une adresse https:// sur Internet ; les réseaux privés sont refusés."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Événements envoyés"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Événement inconnu : %(value)s.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = events.choices()
        # http and https only (Django's own also takes ftp), said once.
        url = self.fields["url"]
        url.validators = [v for v in url.validators if not isinstance(v, URLValidator)]
        url.validators.append(URLValidator(schemes=["http", "https"]))
