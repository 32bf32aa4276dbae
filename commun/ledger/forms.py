"""The treasury's forms: income and expenses, bank statements, the year close, list filters."""

import datetime
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commun.ledger import chart, closing
from commun.ledger.models import RECEIPT_MAX_BYTES, Account, check_booking_date, receipt_type
from commun.lib.controls import RefusesControlCharacters
from commun.lib.money import EurosField

VAT_CHOICES = [
    ("", _("Sans TVA")),
    ("2.1", "2,1 %"),
    ("5.5", "5,5 %"),
    ("10", "10 %"),
    ("20", "20 %"),
]
VIA_CHOICES = [(chart.BANK, _("Banque (512)")), ("530", _("Caisse (530)"))]


def nature_choices(direction: str) -> list:
    """Income (7) or expense (6) accounts, with their names; not the reserve's reprise."""
    prefix = "7" if direction == "income" else "6"
    taken_back = chart.RESERVE_TAKEN_BACK
    accounts = Account.objects.filter(code__startswith=prefix).exclude(code=taken_back)
    listed = list(accounts)
    standard = {code for code, *_rest in chart.STANDARD_CHART if code.startswith(prefix)}
    if not standard - {taken_back} <= {a.code for a in listed}:
        Account.objects.load_chart()  # a flushed database: the standard chart comes back
        listed = list(accounts.all())
    return [(a.code, f"{a.code} — {a.name}") for a in listed]


class EntryForm(RefusesControlCharacters, forms.Form):
    """One income or one expense, as the bank or the cash box saw it."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    label = forms.CharField(label=_("Libellé"), max_length=300)
    nature = forms.ChoiceField(label=_("Nature (compte)"))
    amount = EurosField(
        label=_("Montant TTC (€)"),
        help_text=_("Ce que la banque ou la caisse a vu passer, TVA comprise."),
    )
    vat_rate = forms.ChoiceField(label=_("TVA"), choices=VAT_CHOICES, required=False)
    via = forms.ChoiceField(label=_("Payé par"), choices=VIA_CHOICES, initial=chart.BANK)
    receipt = forms.FileField(
        label=_("Justificatif (PDF, PNG ou JPEG, 10 Mo au plus)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, direction: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.direction = direction
        self.fields["nature"].choices = nature_choices(direction)
        if direction == "income":
            self.fields["via"].label = _("Encaissé sur")
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", f"form-{uuid.uuid4()}")
            self.initial.setdefault("date", timezone.localdate())
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_date(self):
        # The ledger's own rule, told on the field before anything is booked.
        day = self.cleaned_data["date"]
        try:
            check_booking_date(day)
        except ValidationError as error:
            raise ValidationError(error.message_dict["date"]) from None
        return day

    def clean_receipt(self):
        upload = self.cleaned_data.get("receipt")
        if not upload:
            return None
        if upload.size > RECEIPT_MAX_BYTES:
            raise ValidationError(_("Un justificatif pèse 10 Mo au plus."))
        if receipt_type(upload) is None:
            raise ValidationError(_("Un justificatif est un fichier PDF, PNG ou JPEG."))
        return upload


class ImportForm(forms.Form):
    """A bank statement, pasted or sent as a file; previewed before it is booked."""

    file = forms.FileField(
        label=_("Relevé bancaire (CSV)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )
    text = forms.CharField(
        label=_("… ou collez ses lignes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_(
            "Colonnes date;libellé;montant;compte — ex. 05/03/2026;Facture 12;1250,00;706. "
            "Un montant négatif est une dépense ; le compte est celui de la nature (6…, 7…)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # imports.parse refuses a control character, NUL included, and names its line.
        self.fields["text"].validators = []

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            if upload.size > 5 * 1024 * 1024:
                raise ValidationError(_("Un relevé pèse 5 Mo au plus."))
            raw = upload.read()
            for encoding in ("utf-8-sig", "cp1252"):
                try:
                    cleaned["csv"] = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
        else:
            cleaned["csv"] = cleaned.get("text") or ""
        if not cleaned["csv"].strip():
            raise ValidationError(_("Envoyez un fichier CSV ou collez ses lignes."))
        return cleaned


class CloseForm(RefusesControlCharacters, forms.Form):
    """The assembly's allocation of a profit, in euros, and where it was decided."""

    legal_reserve = EurosField(label=_("Réserve légale (1061)"), zero=True, required=False)
    available_reserve = EurosField(
        label=_("Réserve disponible pour les missions (1068-DISPO)"), zero=True, required=False
    )
    commons_fund = EurosField(
        label=_("Fonds pour les communs amont (1068-COMMUNS)"), zero=True, required=False
    )
    dividends = EurosField(
        label=_("Dividendes (457), si les statuts le permettent"), zero=True, required=False
    )
    # The year the officer saw: a form for a year closed meanwhile must close nothing else.
    year = forms.IntegerField(widget=forms.HiddenInput, required=False)
    decision_reference = forms.CharField(
        label=_("Décision d'affectation"),
        max_length=300,
        help_text=_("Ex. Assemblée générale du 12 juin 2026, résolution n°3."),
    )

    FIELDS = {
        "legal_reserve": chart.LEGAL_RESERVE,
        "available_reserve": chart.RESERVE_AVAILABLE,
        "commons_fund": chart.COMMONS_FUND,
        "dividends": chart.DIVIDENDS_PAYABLE,
    }

    def __init__(self, numbers: closing.YearFigures, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.numbers = numbers
        self.initial.setdefault("year", numbers.year)
        default = numbers.default_allocation()
        for field, code in self.FIELDS.items():
            cents = default.get(code, 0)
            self.initial.setdefault(field, f"{cents // 100},{cents % 100:02d}")
        if numbers.result_cents <= 0:
            for field in self.FIELDS:
                self.fields[field].disabled = True

    def clean(self):
        cleaned = super().clean()
        allocation = {code: cleaned.get(field) or 0 for field, code in self.FIELDS.items()}
        if self.numbers.result_cents <= 0:
            allocation = {}
        try:
            cleaned["allocation"] = closing.check_allocation(self.numbers, allocation)
        except ValidationError as error:
            fields = {code: field for field, code in self.FIELDS.items()}
            for key, messages in (
                error.error_dict if hasattr(error, "error_dict") else {None: error.messages}
            ).items():
                self.add_error(fields.get(key), messages)
        return cleaned


KIND_CHOICES = [
    ("", _("Toutes")),
    ("income", _("Recettes")),
    ("expense", _("Dépenses")),
    ("reversal", _("Contrepassations")),
]


class TransactionFilter(RefusesControlCharacters, forms.Form):
    account = forms.CharField(label=_("Compte"), required=False, max_length=40)
    month = forms.CharField(
        label=_("Mois"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}),
        help_text=_("AAAA-MM"),
    )
    kind = forms.ChoiceField(label=_("Nature"), choices=KIND_CHOICES, required=False)

    def clean_account(self):
        code = (self.cleaned_data.get("account") or "").strip().upper()
        if code and not Account.objects.filter(code=code).exists():
            raise ValidationError(_("Compte inconnu : %(code)s.") % {"code": code})
        return code

    def clean_month(self):
        text = (self.cleaned_data.get("month") or "").strip()
        if not text:
            return None
        try:
            return datetime.datetime.strptime(text, "%Y-%m").date()
        except ValueError:
            raise ValidationError(_("Saisissez un mois au format AAAA-MM.")) from None
