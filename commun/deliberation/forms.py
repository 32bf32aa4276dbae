"""The deliberation forms: they parse and bound the input; the models hold the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commun.deliberation.models import (
    MAX_BODY_LENGTH,
    MAX_TITLE_LENGTH,
    NotificationPreference,
    Space,
)
from commun.lib.controls import RefusesControlCharacters

MARKDOWN_HELP = _(
    "Markdown accepté. Mentionnez quelqu'un par @numéro (ex. @12) ou @pseudonyme, "
    "un cercle par @nom-du-cercle."
)


class NoLabelSuffix(RefusesControlCharacters, forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def body_field(label):
    return forms.CharField(
        label=label,
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=MARKDOWN_HELP,
        error_messages={
            "required": _("Écrivez votre commentaire."),
            "max_length": _("Ce texte ne doit pas dépasser %(limit_value)s caractères."),
        },
    )


class CommentForm(NoLabelSuffix):
    body = body_field(_("Votre commentaire"))


class EditForm(NoLabelSuffix):
    body = body_field(_("Texte du commentaire"))


class ThreadForm(NoLabelSuffix):
    title = forms.CharField(
        label=_("Titre"),
        max_length=MAX_TITLE_LENGTH,
        error_messages={
            "required": _("Donnez un titre au fil."),
            "max_length": _("Un titre ne dépasse pas %(limit_value)s caractères."),
        },
    )
    body = body_field(_("Premier message"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].error_messages["required"] = _("Écrivez le premier message du fil.")


class CircleForm(NoLabelSuffix):
    name = forms.CharField(
        label=_("Nom du cercle"),
        max_length=120,
        error_messages={"required": _("Donnez un nom au cercle.")},
    )
    description = forms.CharField(
        label=_("À quoi sert ce cercle ?"),
        required=False,
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    visibility = forms.ChoiceField(
        label=_("Qui lit les fils du cercle ?"),
        choices=[
            (Space.Visibility.MEMBERS.value, _("Toutes et tous les associé·es")),
            (Space.Visibility.CIRCLE.value, _("Seulement les membres du cercle")),
        ],
        initial=Space.Visibility.MEMBERS,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choisissez parmi les options proposées.")},
    )


class VisibilityForm(NoLabelSuffix):
    visibility = forms.ChoiceField(
        label=_("Qui lit cet espace ?"),
        error_messages={"invalid_choice": _("Cette visibilité ne convient pas à cet espace.")},
    )

    def __init__(self, *args, space: Space, **kwargs):
        super().__init__(*args, initial={"visibility": space.visibility}, **kwargs)
        self.fields["visibility"].choices = space.visibility_choices()


class PreferenceForm(NoLabelSuffix):
    email = forms.ChoiceField(
        label=_("Recevoir les notifications par e-mail"),
        choices=NotificationPreference.Email.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choisissez parmi les options proposées.")},
    )


class SearchForm(NoLabelSuffix):
    q = forms.CharField(label=_("Rechercher dans les fils et les commentaires"), max_length=200)
