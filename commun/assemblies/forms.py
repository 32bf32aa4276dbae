"""The assemblies' forms: the statutes' rules, a new assembly, its agenda, an answer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commun.assemblies.effects import CHANGEABLE_RULES
from commun.assemblies.elections import Method
from commun.assemblies.models import AgendaItem, Assembly, AssemblyRules, Kind, Participant
from commun.assemblies.picker import member_field
from commun.lib.controls import RefusesControlCharacters
from commun.lib.money import EurosField

# The adopted decisions offered for ratification: the most recent ones.
RECENT_DECISIONS = 100


# An election goes on the agenda with its seats and method (`ElectionForm`).
NEW_ITEM_KINDS = [(k, label) for k, label in AgendaItem.Kind.choices if k != "election"]


class NoLabelSuffix(RefusesControlCharacters, forms.Form):
    # Several forms share the assembly page: each names its fields' ids apart, so that no
    # two inputs there have the same id and each label leads to its own field.
    ids = "id_%s"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("auto_id", self.ids)
        super().__init__(*args, **kwargs)


class RulesForm(RefusesControlCharacters, forms.ModelForm):
    class Meta:
        model = AssemblyRules
        fields = [
            "notice_days",
            "requests_deadline_days",
            "quorum_first",
            "quorum_second",
            "majority",
            "proxies_allowed",
            "max_proxies",
            "advance_votes_count",
            "weighted_by_college",
            "minutes_public",
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
    kind = forms.ChoiceField(
        label=_("Nature"),
        choices=NEW_ITEM_KINDS,
    )
    title = forms.CharField(label=_("Intitulé"), max_length=300, required=False)
    text = forms.CharField(
        label=_("Texte"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )
    secret = forms.BooleanField(
        label=_("Vote à bulletin secret"),
        required=False,
        help_text=_("Les statuts demandent un vote secret pour cette résolution."),
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
    holder = member_field(
        _("Numéro d'associé·e qui portera votre pouvoir"),
        help_text=_(
            "Seulement si vous donnez votre pouvoir à un·e associé·e : tapez au moins deux "
            "lettres de son nom pour la chercher, ou son numéro."
        ),
        required=False,
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
    chair = member_field(_("Numéro d'associé·e de la présidence de séance"))
    secretary = member_field(_("Numéro d'associé·e du ou de la secrétaire de séance"))


class ConveneAgainForm(NoLabelSuffix):
    starts_at = forms.DateTimeField(
        label=_("Date et heure de la deuxième convocation"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class ElectionForm(NoLabelSuffix):
    ids = "election-field-%s"

    title = forms.CharField(label=_("Intitulé"), max_length=300)
    seats = forms.IntegerField(label=_("Postes à pourvoir"), min_value=1, max_value=50, initial=1)
    method = forms.ChoiceField(label=_("Mode de scrutin"), choices=Method.choices)
    secret = forms.BooleanField(
        label=_("Élection à bulletin secret"),
        required=False,
        initial=True,
        help_text=_(
            "Décochez pour une élection publique : chaque vote est inscrit au nom de la voix "
            "qui l'exprime, et la liste figure au procès-verbal. Gardez le secret si les "
            "statuts le demandent pour cette élection."
        ),
    )


class IncidentForm(NoLabelSuffix):
    ids = "incident-%s"

    text = forms.CharField(
        label=_("Incident"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Par exemple : une personne quitte la séance, la visioconférence coupe."),
    )


class ResolutionForm(ItemForm):
    """An agenda item, and for a resolution the effect it has once adopted (`effects.py`):
    the fields of the effect chosen are read, the others ignored."""

    effect = forms.ChoiceField(
        label=_("Effet une fois adoptée"),
        required=False,
        choices=[
            ("", _("Aucun")),
            ("approve_accounts", _("Approuver les comptes et clore l'exercice")),
            ("change_rule", _("Changer une règle des statuts")),
            ("admit", _("Admettre une candidature")),
            ("exclude", _("Exclure un·e associé·e")),
        ],
    )
    year = forms.IntegerField(
        label=_("Exercice dont les comptes sont approuvés"),
        required=False,
        min_value=1900,
        max_value=9999,
    )
    legal_reserve = EurosField(label=_("Réserve légale (1061)"), zero=True, required=False)
    available_reserve = EurosField(
        label=_("Réserve disponible pour les missions (1068-DISPO)"), zero=True, required=False
    )
    commons_fund = EurosField(
        label=_("Fonds pour les communs amont (1068-COMMUNS)"), zero=True, required=False
    )
    dividends = EurosField(label=_("Dividendes (457)"), zero=True, required=False)
    assembly_kind = forms.ChoiceField(
        label=_("Règles de quel type d'assemblée"),
        required=False,
        choices=[("", "—"), *Kind.choices],
    )
    rule = forms.ChoiceField(label=_("Règle à changer"), required=False)
    value = forms.CharField(label=_("Nouvelle valeur"), required=False, max_length=20)
    application = forms.IntegerField(
        label=_("Numéro de la candidature"), required=False, min_value=1, max_value=2**31 - 1
    )
    member_number = forms.IntegerField(
        label=_("Numéro de l'associé·e"), required=False, min_value=1, max_value=2**31 - 1
    )
    ALLOCATION = {
        "legal_reserve": "1061",
        "available_reserve": "1068-DISPO",
        "commons_fund": "1068-COMMUNS",
        "dividends": "457",
    }

    # Which effect reads each field: `effect-fields.js` shows only the chosen effect's.
    FIELDS_OF_EFFECT = {
        "approve_accounts": ("year", *ALLOCATION),
        "change_rule": ("assembly_kind", "rule", "value"),
        "admit": ("application",),
        "exclude": ("member_number",),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effect"].widget.attrs["data-effect-choice"] = ""
        for effect, names in self.FIELDS_OF_EFFECT.items():
            for name in names:
                self.fields[name].widget.attrs["data-effect"] = effect
        self.fields["rule"].choices = [("", "—")] + [
            (name, AssemblyRules._meta.get_field(name).verbose_name) for name in CHANGEABLE_RULES
        ]

    def item(self) -> dict:
        """What `Assembly.add_item` takes: the item, and the effect as `effects.check` reads it."""
        data = self.cleaned_data
        item = {key: data[key] for key in ("kind", "title", "text", "secret", "decision")}
        kind = data.get("effect")
        if kind == "approve_accounts":
            amounts = {code: data.get(field) for field, code in self.ALLOCATION.items()}
            given = any(cents is not None for cents in amounts.values())
            allocation = {code: cents or 0 for code, cents in amounts.items()} if given else None
            item["effect"] = {"kind": kind, "year": data.get("year"), "allocation": allocation}
            if allocation is None:
                del item["effect"]["allocation"]
        elif kind == "change_rule":
            item["effect"] = {
                "kind": kind,
                "assembly_kind": data.get("assembly_kind"),
                "rule": data.get("rule"),
                "value": data.get("value"),
            }
        elif kind == "admit":
            item["effect"] = {"kind": kind, "application": data.get("application")}
        elif kind == "exclude":
            item["effect"] = {"kind": kind, "member_number": data.get("member_number")}
        return item


# Documents sent with the convocation (`assemblies/documents.py`) ------------------------------


class DocumentForm(NoLabelSuffix):
    ids = "document-%s"

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
    ids = "accounts-%s"

    year = forms.TypedChoiceField(label=_("Exercice clos"), coerce=int)

    def __init__(self, *args, **kwargs):
        from commun.ledger.models import FiscalYear

        super().__init__(*args, **kwargs)
        years = FiscalYear.objects.order_by("-year").values_list("year", flat=True)[:20]
        self.fields["year"].choices = [(year, str(year)) for year in years]


# Members ask for an item (`assemblies/requests.py`) ----------------------------------------


class AmendmentForm(NoLabelSuffix):
    """A new text proposed from the floor for the resolution at `position` (its form is shown
    again under that resolution when refused)."""

    text = forms.CharField(
        label=_("Le texte que vous proposez pour cette résolution"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, position: int, **kwargs):
        self.position = position
        super().__init__(*args, **kwargs)


class AmendmentDecisionForm(NoLabelSuffix):
    """The chair's answer: a refusal is final, so only the refusal button's value refuses."""

    admit = forms.TypedChoiceField(
        choices=[("1", _("Admettre au vote")), ("0", _("Refuser l'amendement"))],
        coerce=lambda answer: answer == "1",
        error_messages={
            "required": _("Choisissez d'admettre l'amendement au vote ou de le refuser."),
            "invalid_choice": _("Choisissez d'admettre l'amendement au vote ou de le refuser."),
        },
    )


class ItemRequestForm(NoLabelSuffix):
    ids = "ask-%s"

    kind = forms.ChoiceField(label=_("Nature"), choices=NEW_ITEM_KINDS)
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
