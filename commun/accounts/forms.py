from django import forms
from django.utils.translation import gettext_lazy as _

from commun.accounts.models import ApiToken
from commun.lib.controls import RefusesControlCharacters


class ApiTokenForm(RefusesControlCharacters, forms.Form):
    name = forms.CharField(
        label=_("Nom du jeton"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("Pour vous rappeler où il sert, par exemple « script de sauvegarde »."),
        error_messages={"required": _("Donnez un nom à ce jeton.")},
    )
