"""Forms of the officers' pages: they parse and check input, the models record."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from commun.lib.controls import RefusesControlCharacters
from commun.lib.forms import add_model_errors
from commun.lib.money import AmountError, parse_euros
from commun.members.models import (
    MAX_SHARES_PER_MOVEMENT,
    Category,
    College,
    Cooperative,
    Member,
    ShareMovement,
)

# A date input only understands ISO dates, whatever the page's language.
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RefusalForm(RefusesControlCharacters, forms.Form):
    reason = forms.CharField(
        label=_("Motif du refus"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("La personne reçoit ce motif par e-mail."),
        error_messages={"required": _("Un refus doit être motivé.")},
    )


def _shares_field(required=True):
    return forms.IntegerField(
        label=_("Nombre de parts"),
        min_value=1,
        max_value=MAX_SHARES_PER_MOVEMENT,
        required=required,
    )


class MemberNumberField(forms.IntegerField):
    """A member chosen by number: a list of 100,000 names would not fit in a page."""

    statuses = (Member.Status.ADMITTED, Member.Status.ACTIVE)

    def __init__(self, *, statuses=None, **kwargs):
        kwargs.setdefault("label", _("Numéro d'associé·e"))
        super().__init__(min_value=1, **kwargs)
        if statuses is not None:
            self.statuses = statuses

    def clean(self, value):
        number = super().clean(value)
        if number is None:
            return None
        member = Member.objects.select_related("category").filter(number=number).first()
        if member is None:
            raise ValidationError(_("Aucun·e associé·e ne porte le numéro %(n)s.") % {"n": number})
        if member.status not in self.statuses:
            raise ValidationError(
                _("%(member)s est « %(status)s » : ce mouvement n'est pas possible.")
                % {"member": member, "status": member.get_status_display()}
            )
        return member


class MovementForm(RefusesControlCharacters, forms.Form):
    """What every register movement states: when, why, and which decision authorised it."""

    kind: str
    title = ""
    # The model's field names, where the form calls them otherwise.
    error_fields: dict[str, str] = {}
    date = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Motif"), max_length=300, required=False)
    authorised_by = forms.CharField(
        label=_("Autorisé par"),
        max_length=300,
        required=False,
        help_text=_("La décision ou la personne qui a autorisé ce mouvement."),
    )

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise ValidationError(_("Un mouvement ne peut pas être daté dans le futur."))
        return date

    def movement_arguments(self) -> dict:
        """kind, member, quantity and extra keywords for `ShareMovement.objects.record`."""
        raise NotImplementedError

    def record(self, by) -> ShareMovement | None:
        """Record the movement; on an impossible one, the model's reasons become form errors."""
        data = self.cleaned_data
        arguments = self.movement_arguments()
        try:
            return ShareMovement.objects.record(
                arguments.pop("kind", self.kind),
                arguments.pop("member"),
                arguments.pop("quantity"),
                on=data["date"],
                reason=data["reason"],
                authorised_by=data["authorised_by"],
                by=by,
                **arguments,
            )
        except ValidationError as error:
            add_model_errors(self, error, self.error_fields)
            return None


class SubscriptionForm(MovementForm):
    kind = ShareMovement.Kind.SUBSCRIPTION
    title = _("Souscription de parts supplémentaires")
    member = MemberNumberField()
    quantity = _shares_field()
    field_order = ["member", "quantity", "date", "reason", "authorised_by"]

    def movement_arguments(self):
        return {"member": self.cleaned_data["member"], "quantity": self.cleaned_data["quantity"]}


class PaymentForm(MovementForm):
    kind = ShareMovement.Kind.PAYMENT
    title = _("Libération (paiement de parts)")
    member = MemberNumberField()
    quantity = _shares_field(required=False)
    field_order = ["member", "quantity", "date", "reason", "authorised_by"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"].help_text = _(
            "Laisser vide pour libérer toutes les parts souscrites restantes."
        )

    def clean(self):
        data = super().clean()
        member = data.get("member")
        if member is None or "quantity" in self.errors:
            return data
        unpaid = member.shares_subscribed - member.shares_paid
        if unpaid <= 0:
            self.add_error("quantity", _("%(m)s n'a aucune part à libérer.") % {"m": member})
        elif not data.get("quantity"):
            data["quantity"] = unpaid
        elif data["quantity"] > unpaid:
            self.add_error(
                "quantity",
                ngettext(
                    "%(m)s n'a que %(n)s part souscrite à libérer : souscrivez d'abord.",
                    "%(m)s n'a que %(n)s parts souscrites à libérer : souscrivez d'abord.",
                    unpaid,
                )
                % {"m": member, "n": unpaid},
            )
        return data

    def movement_arguments(self):
        return {"member": self.cleaned_data["member"], "quantity": self.cleaned_data["quantity"]}


class TransferForm(MovementForm):
    kind = ShareMovement.Kind.TRANSFER
    title = _("Cession de parts entre associé·es")
    member = MemberNumberField(
        label=_("Numéro de l'associé·e qui cède"),
        statuses=(Member.Status.ADMITTED, Member.Status.ACTIVE, Member.Status.LEAVING),
    )
    counterpart = MemberNumberField(label=_("Numéro de l'associé·e qui reçoit"))
    quantity = _shares_field()
    field_order = ["member", "counterpart", "quantity", "date", "reason", "authorised_by"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authorised_by"].required = True
        self.fields["authorised_by"].error_messages["required"] = _(
            "Une cession doit être autorisée : indiquez la décision qui l'agrée."
        )

    def clean(self):
        data = super().clean()
        member, counterpart = data.get("member"), data.get("counterpart")
        if member and counterpart and member.pk == counterpart.pk:
            self.add_error("counterpart", _("On ne cède pas de parts à soi-même."))
        return data

    def movement_arguments(self):
        data = self.cleaned_data
        return {
            "member": data["member"],
            "quantity": data["quantity"],
            "counterpart": data["counterpart"],
        }


class CancellationForm(MovementForm):
    kind = ShareMovement.Kind.CANCELLATION
    title = _("Annulation de parts non libérées")
    member = MemberNumberField(
        statuses=(Member.Status.ADMITTED, Member.Status.ACTIVE, Member.Status.LEAVING)
    )
    quantity = _shares_field()
    field_order = ["member", "quantity", "date", "reason", "authorised_by"]

    def clean(self):
        data = super().clean()
        member, quantity = data.get("member"), data.get("quantity")
        if member and quantity and quantity > member.shares_subscribed - member.shares_paid:
            self.add_error(
                "quantity",
                ngettext(
                    "%(m)s n'a que %(n)s part souscrite non libérée.",
                    "%(m)s n'a que %(n)s parts souscrites non libérées.",
                    member.shares_subscribed - member.shares_paid,
                )
                % {"m": member, "n": member.shares_subscribed - member.shares_paid},
            )
        return data

    def movement_arguments(self):
        return {"member": self.cleaned_data["member"], "quantity": self.cleaned_data["quantity"]}


class CorrectionForm(MovementForm):
    kind = ShareMovement.Kind.CORRECTION
    title = _("Correction d'un mouvement")
    movement = forms.IntegerField(
        label=_("Numéro du mouvement à corriger"),
        min_value=1,
        help_text=_("La correction annule ses effets ; enregistrez ensuite le bon mouvement."),
    )
    field_order = ["movement", "date", "reason", "authorised_by"]
    error_fields = {"corrects": "movement"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = True
        self.fields["reason"].error_messages["required"] = _("Une correction doit être motivée.")

    def clean_movement(self):
        number = self.cleaned_data["movement"]
        movement = (
            ShareMovement.objects.select_related("member", "corrects").filter(number=number).first()
        )
        if movement is None:
            raise ValidationError(_("Le registre n'a pas de mouvement n°%(n)s.") % {"n": number})
        return movement

    def movement_arguments(self):
        target = self.cleaned_data["movement"]
        return {"member": target.member, "quantity": target.quantity, "corrects": target}


MOVEMENT_FORMS = {
    form.kind: form
    for form in (PaymentForm, SubscriptionForm, TransferForm, CancellationForm, CorrectionForm)
}


class ResignationForm(RefusesControlCharacters, forms.Form):
    member = MemberNumberField(label=_("Numéro de l'associé·e qui démissionne"))
    date = forms.DateField(
        label=_("Date de la démission"),
        initial=timezone.localdate,
        widget=DATE_WIDGET,
    )

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise ValidationError(_("Une démission ne peut pas être datée dans le futur."))
        return date

    def record(self, by):
        try:
            return self.cleaned_data["member"].resign(on=self.cleaned_data["date"], by=by)
        except ValidationError as error:
            add_model_errors(self, error)
            return None


class ProfileForm(RefusesControlCharacters, forms.ModelForm):
    share_value = forms.CharField(
        label=_("Valeur nominale d'une part (€)"),
        max_length=20,
        help_text=_("Par exemple 50 ou 12,50."),
    )

    class Meta:
        model = Cooperative
        fields = [
            "name",
            "legal_form",
            "charter",
            "statutes",
            "admission_rule",
            "repayment_delay_months",
            "contact_email",
            "silence_is_consent",
            "consent_quorum_percent",
            "admission_college",
            "profit_allocation",
            "tmo_average_percent",
        ]
        widgets = {
            "charter": forms.Textarea(attrs={"rows": 14}),
            "statutes": forms.Textarea(attrs={"rows": 14}),
        }

    field_order = ["name", "legal_form", "share_value"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cents = self.instance.share_value_cents
        # No thousands separator: "1,000" would read back as one euro in English.
        self.fields["share_value"].initial = number_format(
            Decimal(cents) / 100, decimal_pos=0 if cents % 100 == 0 else 2
        )
        delay = self.fields["repayment_delay_months"]
        delay.validators.append(MaxValueValidator(120))
        delay.widget.attrs["max"] = 120
        quorum = self.fields["consent_quorum_percent"]
        quorum.validators.append(MaxValueValidator(100))
        quorum.widget.attrs["max"] = 100
        tmo = self.fields["tmo_average_percent"]
        tmo.validators += [MinValueValidator(0), MaxValueValidator(100)]
        tmo.widget.attrs.update(min=0, max=100)

    def clean_share_value(self):
        try:
            cents = parse_euros(self.cleaned_data["share_value"], negative=True, zero=True)
        except AmountError as refused:
            raise ValidationError(refused.message) from None
        if cents <= 0 or cents > 100_000_000:
            raise ValidationError(
                _("La valeur d'une part est comprise entre 0,01 € et 1 000 000 €.")
            )
        return cents

    def clean(self):
        data = super().clean()
        if "share_value" in data:
            self.instance.share_value_cents = data["share_value"]
        interest = data.get("profit_allocation") == Cooperative.ProfitAllocation.INTEREST_ON_SHARES
        if interest and data.get("tmo_average_percent") is None and "tmo_average_percent" in data:
            self.add_error(
                "tmo_average_percent",
                _(
                    "Les statuts permettent un intérêt aux parts : renseignez la moyenne du TMO, "
                    "qui le plafonne (art. 14 de la loi n° 47-1775 du 10 septembre 1947)."
                ),
            )
        return data


class CollegeForm(RefusesControlCharacters, forms.ModelForm):
    class Meta:
        model = College
        fields = ["name", "description", "weight_percent", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        labels = {"position": _("Ordre d'affichage")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        weight = self.fields["weight_percent"]
        weight.validators += [MinValueValidator(1), MaxValueValidator(100)]
        weight.widget.attrs.update(min=1, max=100)


class CategoryForm(RefusesControlCharacters, forms.ModelForm):
    class Meta:
        model = Category
        fields = [
            "name",
            "description",
            "college",
            "min_shares",
            "mandatory",
            "open_to_applications",
            "position",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        labels = {"position": _("Ordre d'affichage")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        min_shares = self.fields["min_shares"]
        min_shares.validators += [MinValueValidator(1), MaxValueValidator(MAX_SHARES_PER_MOVEMENT)]
        min_shares.widget.attrs.update(min=1, max=MAX_SHARES_PER_MOVEMENT)


CollegeFormSet = inlineformset_factory(
    Cooperative, College, form=CollegeForm, extra=1, can_delete=True
)
CategoryFormSet = inlineformset_factory(
    Cooperative, Category, form=CategoryForm, extra=1, can_delete=True
)


def kept_and_removed(formset) -> tuple[list, list]:
    """A valid formset's unsaved instances: those kept (blank extra rows left out), removed."""
    removed = [form.instance for form in formset.deleted_forms if form.instance.pk]
    kept = [
        form.instance
        for form in formset.forms
        if form not in formset.deleted_forms and (form.instance.pk or form.has_changed())
    ]
    return kept, removed
