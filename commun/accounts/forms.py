from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from commun.accounts.models import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, ApiToken
from commun.lib.controls import RefusesControlCharacters


class ApiTokenForm(RefusesControlCharacters, forms.Form):
    name = forms.CharField(
        label=_("Nom du jeton"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("Pour vous rappeler où il sert, par exemple « script de sauvegarde »."),
        error_messages={"required": _("Donnez un nom à ce jeton.")},
    )
    days = forms.IntegerField(
        label=_("Durée de validité, en jours"),
        required=False,
        min_value=1,
        max_value=MAX_TOKEN_DAYS,
        initial=DEFAULT_TOKEN_DAYS,
        error_messages={
            "min_value": _("Au moins un jour."),
            "max_value": _("Au plus %(limit_value)s jours."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].help_text = gettext(
            "%(default)s jours si vous ne dites rien, %(max)s au plus."
        ) % {"default": DEFAULT_TOKEN_DAYS, "max": MAX_TOKEN_DAYS}

    def clean_days(self) -> int:
        return self.cleaned_data["days"] or DEFAULT_TOKEN_DAYS
