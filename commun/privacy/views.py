"""The record of processing (GDPR art. 30), generated from the fields' own declarations."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from commun.lib.controls import RefusesControlCharacters
from commun.lib.csvstream import csv_response
from commun.members import pdf
from commun.members.models import Member
from commun.members.rules import officer_required
from commun.privacy import erasure
from commun.privacy.declarations import record_rows
from commun.privacy.export import person_archive
from commun.privacy.models import PrivacyLog, RestrictedRecord


def _context() -> dict:
    return {"activities": record_rows(), "generated_on": timezone.localdate()}


@officer_required
def record(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/record.html", _context())


@officer_required
def record_pdf(request: HttpRequest) -> HttpResponse:
    html = render_to_string("privacy/record_pdf.html", _context(), request=request)
    document = pdf.render_pdf(html, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="registre-des-traitements.pdf"'
    return response


@officer_required
def record_csv(request: HttpRequest) -> StreamingHttpResponse:
    header = [
        _("Traitement"),
        _("Finalité"),
        _("Base légale"),
        _("Durée de conservation"),
        _("Destinataires"),
        _("Donnée"),
        _("Objet"),
        _("Qui la voit"),
        _("À l'effacement du compte"),
    ]
    rows = []
    for activity, items in record_rows():
        for row in items:
            rows.append(
                [
                    str(activity.name),
                    str(activity.purpose),
                    activity.basis.label,
                    str(activity.retention),
                    str(activity.recipients),
                    row["field"],
                    row["model"],
                    row["audience"],
                    row["erasure"],
                ]
            )
    return csv_response(header, rows, "registre-des-traitements.csv")


def _archive_response(user, filename: str) -> HttpResponse:
    response = HttpResponse(person_archive(user), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """Everything Commun keeps about the signed-in person, to keep or to take elsewhere."""
    return _archive_response(request.user, "mes-donnees.zip")


@officer_required
def member_data(request: HttpRequest, number: int) -> HttpResponse:
    """The same archive, produced by an officer for a member who asked for it."""
    member = get_object_or_404(Member.objects.select_related("user"), number=number)
    return _archive_response(member.user, f"donnees-associe-{member.number}.zip")


class EraseForm(RefusesControlCharacters, forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Votre mot de passe, pour confirmer"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    understood = forms.BooleanField(
        label=gettext_lazy("Je comprends que cette suppression est définitive."),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Ce mot de passe n'est pas le bon."))
        return password


@login_required
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest) -> HttpResponse:
    """A person deletes their account; what the law keeps is said before they confirm."""
    allowed, why = erasure.erasable(request.user)
    form = EraseForm(request.user, request.POST or None)
    if request.method == "POST" and allowed and form.is_valid():
        try:
            erasure.erase_account(request.user, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logout(request)
            messages.success(request, _("Votre compte est supprimé. Merci d'avoir pris part."))
            return redirect("core:home")
    status = 200 if request.method == "GET" or form.is_valid() else 422
    if request.method == "POST" and not allowed:
        status = 409
    kept = [field.verbose_name for field in erasure.restricted_fields()]
    return render(
        request,
        "privacy/erase.html",
        {"form": form, "allowed": allowed, "why": why, "kept": kept},
        status=status,
    )


@officer_required
def restricted_records(request: HttpRequest) -> HttpResponse:
    """The legally kept identities of people who erased their account, until their term."""
    records = []
    for record in RestrictedRecord.objects.order_by("keep_until", "pk")[:500]:
        record.data = json.loads(record.content)
        records.append(record)
    return render(
        request,
        "privacy/restricted.html",
        {"records": records, "log": PrivacyLog.objects.all()[:50]},
    )
