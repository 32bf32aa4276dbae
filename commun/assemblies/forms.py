"""The assemblies' forms: the statutes' rules, a new assembly, its agenda, an answer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commun.assemblies.models import AgendaItem, Assembly, AssemblyRules, Participant
from commun.lib.controls import RefusesControlCharacters


class NoLabelSuffix(RefusesControlCharacters, forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class RulesForm(RefusesControlCharacters, forms.ModelForm):
    class Meta:
        model = AssemblyRules
        fields = [
            "notice_days",
            "quorum_first",
            "quorum_second",
            "majority",
            "proxies_allowed",
            "max_proxies",
            "advance_votes_count",
            "weighted_by_college",
        ]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class AssemblyForm(RefusesControlCharacters, forms.ModelForm):
    class Meta:
        model = Assembly
        fields = ["kind", "convocation", "title", "starts_at", "place", "video_link"]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            )
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def _post_clean(self):
        """The model checks the date and the notice period itself (`Assembly.prepare`)."""


class ItemForm(NoLabelSuffix):
    kind = forms.ChoiceField(label=_("Nature"), choices=AgendaItem.Kind.choices)
    title = forms.CharField(label=_("Intitulé"), max_length=300)
    text = forms.CharField(
        label=_("Texte"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )


class AnswerForm(NoLabelSuffix):
    mode = forms.ChoiceField(label=_("Comment participez-vous ?"), widget=forms.RadioSelect)
    holder = forms.IntegerField(
        label=_("Numéro d'associé·e qui portera votre pouvoir"),
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text=_("Seulement si vous donnez votre pouvoir à un·e associé·e."),
    )

    def __init__(self, *args, rules: dict, **kwargs):
        super().__init__(*args, **kwargs)
        modes = [(value, label) for value, label in Participant.Mode.choices if value]
        if not rules.get("proxies_allowed"):
            modes = [m for m in modes if m[0] not in ("proxy", "chair")]
            del self.fields["holder"]
        if not rules.get("advance_votes_count"):
            modes = [m for m in modes if m[0] != "advance"]
        self.fields["mode"].choices = modes


class OpenForm(NoLabelSuffix):
    chair = forms.IntegerField(
        label=_("Numéro d'associé·e de la présidence de séance"), min_value=1, max_value=2**31 - 1
    )
    secretary = forms.IntegerField(
        label=_("Numéro d'associé·e du ou de la secrétaire de séance"),
        min_value=1,
        max_value=2**31 - 1,
    )


class ConveneAgainForm(NoLabelSuffix):
    starts_at = forms.DateTimeField(
        label=_("Date et heure de la deuxième convocation"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


# Documents sent with the convocation (`assemblies/documents.py`) ------------------------------


class DocumentForm(NoLabelSuffix):
    kind = forms.ChoiceField(
        label=_("Nature"),
        choices=[("file", _("Document")), ("report", _("Rapport de gestion"))],
    )
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    file = forms.FileField(
        label=_("Fichier (PDF, PNG, JPEG ou OpenDocument, 20 Mo au plus)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": "application/pdf,image/png,image/jpeg,.odt,.ods,.odp,"
                "application/vnd.oasis.opendocument.text,"
                "application/vnd.oasis.opendocument.spreadsheet,"
                "application/vnd.oasis.opendocument.presentation"
            }
        ),
    )


class AccountsForm(NoLabelSuffix):
    year = forms.TypedChoiceField(label=_("Exercice clos"), coerce=int)

    def __init__(self, *args, **kwargs):
        from commun.ledger.models import FiscalYear

        super().__init__(*args, **kwargs)
        years = FiscalYear.objects.order_by("-year").values_list("year", flat=True)[:20]
        self.fields["year"].choices = [(year, str(year)) for year in years]
