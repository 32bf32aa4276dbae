"""The assemblies' forms: the statutes' rules, a new assembly, its agenda, an answer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commun.assemblies.models import AgendaItem, Assembly, AssemblyRules, Participant
from commun.lib.controls import RefusesControlCharacters

# The adopted decisions offered for ratification: the most recent ones.
RECENT_DECISIONS = 100


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
    title = forms.CharField(label=_("Intitulé"), max_length=300, required=False)
    text = forms.CharField(
        label=_("Texte"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )
    decision = forms.IntegerField(
        label=_("Ratifier une décision adoptée en ligne"),
        required=False,
        widget=forms.Select,
        help_text=_("L'intitulé et le texte vides reprennent ceux de la décision."),
    )

    def __init__(self, *args, **kwargs):
        from commun.decisions.models import Decision

        super().__init__(*args, **kwargs)
        adopted = Decision.objects.filter(outcome=Decision.Outcome.ADOPTED).order_by("-closed_at")[
            :RECENT_DECISIONS
        ]
        self.fields["decision"].widget.choices = [("", _("Aucune"))] + [
            (d.pk, d.title) for d in adopted.only("pk", "title")
        ]

    def clean_decision(self):
        from commun.decisions.models import Decision

        number = self.cleaned_data["decision"]
        if number is None:
            return None
        decision = Decision.objects.filter(pk=number).first()
        if decision is None:
            raise forms.ValidationError(_("Cette décision n'existe pas."))
        return decision

    def clean(self):
        data = super().clean()
        if not (data.get("title") or "").strip() and not data.get("decision"):
            self.add_error("title", forms.Field.default_error_messages["required"])
        return data


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


# Members ask for an item (`assemblies/requests.py`) ----------------------------------------


class ItemRequestForm(NoLabelSuffix):
    kind = forms.ChoiceField(label=_("Nature"), choices=AgendaItem.Kind.choices)
    title = forms.CharField(label=_("Intitulé"), max_length=300)
    text = forms.CharField(
        label=_("Texte"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Pour une résolution, le texte qui sera voté."),
    )


class RefuseRequestForm(NoLabelSuffix):
    reason = forms.CharField(
        label=_("Motif du refus"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
