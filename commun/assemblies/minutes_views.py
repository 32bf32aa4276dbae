"""The minutes' pages (the draft, its confirmations, the frozen text and its PDF) and the
register of assemblies. Closing the session and noting incidents are on the assembly's
page (`views.py`).
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from commun.assemblies import minutes, rules
from commun.assemblies.models import Assembly, Minutes
from commun.members import pdf


def _readable_minutes(request, pk: int) -> Assembly:
    """The assembly whose minutes `request` may read (a visitor: frozen and public), or 404."""
    assembly = get_object_or_404(Assembly, pk=pk)
    if not rules.can_read_minutes(request.user, assembly):
        raise Http404
    return assembly


def _minutes_context(request, assembly: Assembly) -> dict:
    record = Minutes.objects.filter(assembly=assembly).first()
    text = assembly.minutes_text()
    return {
        "assembly": assembly,
        "record": record,
        "text": text,
        "draft_changed": bool(
            record and record.draft_sha256 and record.draft_sha256 != minutes.digest(text)
        ),
        "may_confirm": rules.may(request.user, "confirm_minutes", assembly),
    }


@require_GET
def minutes_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes: being confirmed once the session is closed, then frozen and published."""
    assembly = _readable_minutes(request, pk)
    return render(request, "assemblies/minutes.html", _minutes_context(request, assembly))


@require_GET
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The frozen minutes as a PDF, made without fetching anything from another host."""
    assembly = _readable_minutes(request, pk)
    if assembly.phase != Assembly.Phase.MINUTES_FROZEN:
        raise Http404
    html = render_to_string(
        "assemblies/minutes_pdf.html", _minutes_context(request, assembly), request=request
    )
    document = pdf.render_pdf(html, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="proces-verbal-{assembly.pk}.pdf"'
    return response


@require_POST
def confirm_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    assembly = get_object_or_404(Assembly, pk=pk)
    if not rules.can_read(request.user, assembly):
        raise Http404
    if message := rules.refusal(request.user, "confirm_minutes", assembly):
        raise PermissionDenied(message)
    try:
        record = assembly.confirm_minutes(request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        context = _minutes_context(request, assembly)
        status = 409 if isinstance(error, minutes.DraftChanged) else 422
        return render(request, "assemblies/minutes.html", context, status=status)
    if record.frozen_at:
        messages.success(request, _("Le procès-verbal est arrêté et publié."))
    else:
        messages.success(request, _("Votre confirmation est enregistrée."))
    return redirect("assemblies:minutes", pk=assembly.pk)


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """The register of assemblies: those held, with their frozen minutes."""
    found = rules.published_minutes(request.user).select_related("minutes")
    if rules.active_member(request.user) is None and not found.exists():
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied(_("Réservé aux associé·es."))
    return render(request, "assemblies/register.html", {"assemblies": found[:500]})
