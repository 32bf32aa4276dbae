"""The budgets' forms: they parse what a person typed (euros, percentages) into what the
models take (cents, basis points); the models check the rest and name the field."""

import uuid
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from commun.budgets.models import (
    MAX_NOTE_LENGTH,
    MAX_REASON_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_TITLE_LENGTH,
    AmountBasis,
    BudgetSettings,
    Contract,
    Mission,
    MissionPayment,
    Need,
    PayForm,
    RecurringIncome,
)
from commun.ledger.models import check_booking_date
from commun.lib.controls import RefusesControlCharacters
from commun.lib.money import EurosField
from commun.members.models import College

# Form field name → the model field it fills (errors come back under the model's name).
MODEL_NAMES = {
    "monthly_amount": "monthly_amount_cents",
    "amount": "amount_cents",
    "vat_rate": "vat_rate_bp",
    "hourly_rate": "hourly_rate_cents",
    "employer_contributions": "employer_contributions_cents",
}
FORM_NAMES = {model: form for form, model in MODEL_NAMES.items()}


def _typed_euros(cents: int | None) -> str:
    """Cents as a person types euros: 2000 or 2000,50 (what EurosField reads back)."""
    if cents is None:
        return ""
    euros, rest = divmod(cents, 100)
    return f"{euros},{rest:02d}" if rest else str(euros)


def _typed_percent(basis_points: int | None) -> str:
    """Basis points as a person types a rate: 20, or 5,5 in French (what PercentField reads
    back in the same language)."""
    if basis_points is None:
        return ""
    typed = f"{(Decimal(basis_points) / 100).normalize():f}"
    return typed.replace(".", formats.get_format("DECIMAL_SEPARATOR"))


class NoLabelSuffix(RefusesControlCharacters, forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class PercentField(forms.DecimalField):
    """A VAT rate typed in percent as the reader's language writes it (20, 5,5, « 20 % »),
    given back in basis points (2000, 550); anything else is this field's one error."""

    def __init__(self, **kwargs):
        # Localized: « 5,5 » in French. Bounded before any arithmetic, so « 9e999999 » is
        # refused as too many digits rather than overflowing.
        super().__init__(
            localize=True, min_value=0, max_value=100, max_digits=5, decimal_places=2, **kwargs
        )
        self.error_messages["invalid"] = _(
            "Saisissez un taux de TVA en pourcentage, de 0 à 100 (par exemple 20 ou 5,5)."
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("%", "").strip()
        return super().to_python(value)

    def run_validators(self, value):
        # Out of range, too many digits or decimals: one error, in the same words.
        try:
            super().run_validators(value)
        except ValidationError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def clean(self, value):
        rate = super().clean(value)
        return None if rate is None else int(rate * 100)


class NeedForm(NoLabelSuffix):
    title = forms.CharField(label=_("Titre"), max_length=MAX_TITLE_LENGTH)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_TEXT_LENGTH,
        help_text=_("En Markdown. Qu'est-ce qui manque, à qui, et pourquoi maintenant ?"),
    )


class NeedStatusForm(NoLabelSuffix):
    status = forms.ChoiceField(
        label=_("Nouvel état"),
        choices=[
            (Need.Status.MET, Need.Status.MET.label),
            (Need.Status.DROPPED, Need.Status.DROPPED.label),
        ],
    )
    reason = forms.CharField(
        label=_("Pourquoi"), max_length=MAX_REASON_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )


class NeedFilter(NoLabelSuffix):
    status = forms.ChoiceField(
        label=_("État"), required=False, choices=[("", _("Tous"))] + list(Need.Status.choices)
    )


class MissionFilter(NoLabelSuffix):
    status = forms.ChoiceField(
        label=_("État"),
        required=False,
        choices=[("", _("Tous"))] + [c for c in Mission.Status.choices if c[0] != "draft"],
    )
    pay_form = forms.ChoiceField(
        label=_("Rémunération"), required=False, choices=[("", _("Toutes"))] + list(PayForm.choices)
    )


class MissionForm(NoLabelSuffix):
    title = forms.CharField(label=_("Titre de la mission"), max_length=MAX_TITLE_LENGTH)
    scope = forms.CharField(
        label=_("Périmètre"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_TEXT_LENGTH,
        help_text=_("En Markdown : ce que vous ferez, et ce que vous ne ferez pas."),
    )
    deliverables = forms.CharField(
        label=_("Livrables"), widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_TEXT_LENGTH
    )
    start_on = forms.DateField(
        label=_("Début"), widget=forms.DateInput(attrs={"type": "date"}), help_text=_("AAAA-MM-JJ")
    )
    duration_months = forms.IntegerField(label=_("Durée (mois)"), min_value=1, max_value=120)
    pay_form = forms.ChoiceField(label=_("Forme de rémunération"), choices=PayForm.choices)
    contract = forms.ChoiceField(
        label=_("Contrat (salariat)"), required=False, choices=[("", "—"), *Contract.choices]
    )
    working_time_percent = forms.IntegerField(
        label=_("Temps de travail, en % (salariat)"), required=False, initial=100
    )
    # Zero is the model's to refuse: it says only a volunteer mission goes unpaid.
    monthly_amount = EurosField(
        label=_("Salaire mensuel en euros (salariat)"), zero=True, required=False
    )
    amount_basis = forms.ChoiceField(
        label=_("Ce salaire est (salariat)"),
        required=False,
        choices=[("", "—"), *AmountBasis.choices],
    )
    cadre = forms.BooleanField(label=_("Poste de cadre (salariat)"), required=False)
    paid_leave_taken = forms.BooleanField(
        label=_("Congés pris pendant le contrat, non payés en indemnité (CDD)"), required=False
    )
    # Unticked by default, as an absent checkbox reads: the indemnity is due unless waived.
    end_of_contract_waived = forms.BooleanField(
        label=_("Sans indemnité de fin de contrat : le CDD se poursuit en CDI"), required=False
    )
    amount = EurosField(
        label=_("Montant en euros (HT pour une facture, estimé pour des frais)"),
        zero=True,
        required=False,
    )
    vat_rate = PercentField(label=_("TVA en % (facture)"), required=False)
    estimated_hours = forms.IntegerField(
        label=_("Heures prévues (co-rémunération)"), required=False
    )
    hourly_rate = EurosField(
        label=_("Taux horaire en euros (co-rémunération)"), zero=True, required=False
    )

    @staticmethod
    def initial_from(mission: Mission) -> dict:
        """A mission's terms as the form shows them: euros and percents, typed as a person would."""
        initial = {name: getattr(mission, name) for name in ("title", "scope", "deliverables")}
        initial |= {
            "start_on": mission.start_on.isoformat() if mission.start_on else "",
            "duration_months": mission.duration_months,
        }
        return initial | _pay_initial(mission)

    def mission_values(self) -> dict:
        """The cleaned data under the model's names, in cents and basis points."""
        data = self.cleaned_data
        values = {name: data.get(name) for name in ("title", "scope", "deliverables", "start_on")}
        values["duration_months"] = data.get("duration_months")
        return values | pay_values(data)


def pay_values(data: dict) -> dict:
    """A form's cleaned pay fields under the model's names, in cents and basis points."""
    values = {
        "pay_form": data.get("pay_form"),
        "contract": data.get("contract") or "",
        "working_time_percent": data.get("working_time_percent"),
        "amount_basis": data.get("amount_basis") or "",
        "estimated_hours": data.get("estimated_hours"),
        "cadre": bool(data.get("cadre")),
        "paid_leave_taken": bool(data.get("paid_leave_taken")),
        "end_of_contract_due": not data.get("end_of_contract_waived"),
    }
    for form_name, model_name in MODEL_NAMES.items():
        if form_name in data:
            values[model_name] = data[form_name]
    return values


def _pay_initial(terms) -> dict:
    """Someone's pay as the form shows it: euros and percents, typed as a person would."""
    initial = {
        name: getattr(terms, name)
        for name in (
            "pay_form",
            "contract",
            "working_time_percent",
            "amount_basis",
            "estimated_hours",
            "cadre",
            "paid_leave_taken",
        )
    }
    initial["vat_rate"] = _typed_percent(terms.vat_rate_bp)
    initial["end_of_contract_waived"] = not terms.end_of_contract_due
    for form_name in ("monthly_amount", "amount", "hourly_rate"):
        initial[form_name] = _typed_euros(getattr(terms, MODEL_NAMES[form_name]))
    return initial


def _pay_field(name: str) -> forms.Field:
    return MissionForm.base_fields[name]


class ContributorForm(NoLabelSuffix):
    """Another member paid on a draft mission, and their own pay (the mission's pay fields)."""

    member_number = forms.IntegerField(
        label=_("Numéro d'associé·e de la personne qui contribue"),
        min_value=1,
        max_value=2**31 - 1,
        error_messages={"invalid": _("Saisissez un numéro d'associé·e.")},
    )
    pay_form = _pay_field("pay_form")
    contract = _pay_field("contract")
    working_time_percent = _pay_field("working_time_percent")
    monthly_amount = _pay_field("monthly_amount")
    amount_basis = _pay_field("amount_basis")
    cadre = _pay_field("cadre")
    paid_leave_taken = _pay_field("paid_leave_taken")
    end_of_contract_waived = _pay_field("end_of_contract_waived")
    amount = _pay_field("amount")
    vat_rate = _pay_field("vat_rate")
    estimated_hours = _pay_field("estimated_hours")
    hourly_rate = _pay_field("hourly_rate")

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # who contributes stays; only their pay changes
            del self.fields["member_number"]

    @staticmethod
    def initial_from(share) -> dict:
        return _pay_initial(share)


class MissionAmendForm(MissionForm):
    """New terms for a submitted mission, answering the objections it integrates."""

    note = forms.CharField(
        label=_("Ce qui change"),
        required=False,
        max_length=MAX_NOTE_LENGTH,
        help_text=_("Une phrase pour les personnes qui ont lu la version précédente."),
        error_messages={"max_length": _("Résumez le changement en 500 caractères au plus.")},
    )
    integrates = forms.TypedMultipleChoiceField(
        label=_("Objections que cette version intègre"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _(
                "Seules les objections encore ouvertes de cette décision s'intègrent."
            )
        },
    )

    def __init__(self, *args, objections=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Kept without choices too: a forged objection id is then refused, not ignored.
        self.fields["integrates"].choices = [
            (o.pk, getattr(o, "label", None) or o.reason[:120]) for o in objections
        ]


class PaymentForm(NoLabelSuffix):
    kind = forms.ChoiceField(label=_("Nature"), choices=MissionPayment.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    label = forms.CharField(label=_("Libellé"), max_length=300)
    amount = EurosField(
        label=_("Montant en euros"),
        required=False,
        help_text=_("Salaire brut pour une paie ; calculé des heures pour une co-rémunération."),
    )
    employer_contributions = EurosField(
        label=_("Charges patronales en euros"), zero=True, required=False
    )
    account = forms.ChoiceField(
        label=_("Compte de charge"),
        required=False,
        choices=[
            ("", _("Par défaut")),
            ("604", _("604 Études et prestations")),
            ("622", _("622 Honoraires")),
            ("641", _("641 Rémunérations")),
            ("625", _("625 Déplacements")),
        ],
    )
    hours = forms.IntegerField(
        label=_("Heures réellement faites (co-rémunération)"), required=False
    )
    contributor_number = forms.TypedChoiceField(
        label=_("Personne payée"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("La personne qui propose la mission, ou une autre personne payée sur elle."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, people=(), **kwargs):
        """`people`: (member number, shown name) of each person paid on the mission, the
        proposer first; a payment names one of them, none else."""
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["contributor_number"].choices = list(people)
        if people:
            self.initial.setdefault("contributor_number", people[0][0])
        if not self.is_bound:
            # One key per form shown: sent twice (a double click, a retry), it books once.
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def clean_date(self):
        # The ledger's own rule, told on the field before the mission is even locked.
        day = self.cleaned_data["date"]
        try:
            check_booking_date(day)
        except ValidationError as error:
            raise ValidationError(error.message_dict["date"]) from None
        return day


class CancelPaymentForm(NoLabelSuffix):
    reason = forms.CharField(label=_("Motif de l'annulation"), max_length=MAX_REASON_LENGTH)


class ReviewForm(NoLabelSuffix):
    report = forms.CharField(
        label=_("Compte rendu de ce qui a été livré"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_TEXT_LENGTH,
    )
    mark_need_met = forms.BooleanField(label=_("Le besoin sera alors satisfait"), required=False)


class TopUpForm(NoLabelSuffix):
    amount = EurosField(label=_("Complément demandé en euros"))
    reason = forms.CharField(
        label=_("Pourquoi"), widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_TEXT_LENGTH
    )


class WithdrawForm(NoLabelSuffix):
    reason = forms.CharField(
        label=_("Raison (facultative)"), required=False, max_length=MAX_REASON_LENGTH
    )


class SettingsForm(RefusesControlCharacters, forms.ModelForm):
    college = forms.ModelChoiceField(
        label=_("Collège qui décide"), queryset=College.objects.all(), required=False
    )

    class Meta:
        model = BudgetSettings
        fields = [
            "deciders",
            "college",
            "min_deliberation_days",
            "deadline_days",
            "country",
            "net_ratio",
            "employer_ratio",
            "headcount",
            "accident_rate_percent",
            "commune",
            "prevoyance_rate_percent",
            "end_of_contract_rate_percent",
        ]

    # Typed in euros, as every amount on our forms; the model keeps cents.
    mutuelle = EurosField(
        label=_("Part employeur de la mutuelle en euros par mois"),
        zero=True,
        required=False,
        maximum=100_000,
    )
    field_order = [*Meta.fields[: Meta.fields.index("commune") + 1], "mutuelle"]
    MODEL_NAMES = {"mutuelle_cents": "mutuelle"}  # a model's error, on the form's field

    # An employer's figure left empty takes the law's default (no mutuelle or prévoyance
    # share, the 10 % indemnity), as the API does when it is left out.
    DEFAULTS_WHEN_EMPTY = (
        "prevoyance_rate_percent",
        "end_of_contract_rate_percent",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.initial.setdefault("mutuelle", _typed_euros(self.instance.mutuelle_cents))
        for name in self.DEFAULTS_WHEN_EMPTY:
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        for name in self.DEFAULTS_WHEN_EMPTY:
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = BudgetSettings._meta.get_field(name).default
        if "mutuelle" in cleaned:
            cleaned["mutuelle_cents"] = cleaned.pop("mutuelle") or 0
        return cleaned


class RecurringIncomeForm(NoLabelSuffix):
    label = forms.CharField(label=_("Libellé"), max_length=MAX_TITLE_LENGTH)
    amount = EurosField(label=_("Montant de chaque échéance en euros"))
    frequency = forms.ChoiceField(label=_("Fréquence"), choices=RecurringIncome.Frequency.choices)
    starts_on = forms.DateField(
        label=_("Première échéance"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Dernière échéance au plus tard (facultative)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    @classmethod
    def of(cls, income: RecurringIncome) -> "RecurringIncomeForm":
        """The form filled with an income as a person would type it."""
        return cls(
            initial={
                "label": income.label,
                "amount": _typed_euros(income.amount_cents),
                "frequency": income.frequency,
                "starts_on": income.starts_on,
                "ends_on": income.ends_on,
            }
        )

    def values(self) -> dict:
        """What the model takes: cents for euros."""
        data = dict(self.cleaned_data)
        return data | {"amount_cents": data.pop("amount")}
