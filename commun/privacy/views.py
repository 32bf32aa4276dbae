"""The record of processing (GDPR art. 30), generated from the fields' own declarations."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from commun.members import pdf
from commun.members.models import Cooperative, Member
from commun.members.permissions import officer_required
from commun.privacy.declarations import record_of_processing
from commun.privacy.export import person_archive


def _context() -> dict:
    return {
        "activities": [(activity, _data_of(items)) for activity, items in record_of_processing()],
        "generated_on": timezone.localdate(),
    }


def _data_of(items) -> list[dict]:
    """One row per declared field, named as people read it."""
    return [
        {
            "model": str(item.model._meta.verbose_name),
            "field": str(item.field.verbose_name),
            "audience": item.declared.visibility.label,
            "erasure": item.declared.erasure.label,
            "label": item.label,
        }
        for item in items
    ]


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


class _Echo:
    def write(self, value):
        return value


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
    rows = [header]
    for activity, items in record_of_processing():
        for row in _data_of(items):
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
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="registre-des-traitements.csv"'
    return response


def privacy_context() -> dict:
    """What the public privacy page says, from the same declarations."""
    return {"activities": _context()["activities"], "cooperative": Cooperative.get()}


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
