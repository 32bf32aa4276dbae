"""The pages of an assembly's documents: attach a file or a closed year's accounts, take
one off, and download one (officers and the members convened, nobody else)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from commun.assemblies.documents import Document, may_read
from commun.assemblies.forms import AccountsForm, DocumentForm
from commun.assemblies.views import _assembly, _login_first, _page, _require
from commun.lib.forms import add_model_errors


@require_POST
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    if response := _login_first(request):
        return response
    assembly = _assembly(request, pk)
    _require(request, "attach_document", assembly)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            Document.attach(assembly, request.user, **form.cleaned_data)
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, _("Le document est joint à la convocation."))
            return redirect("assemblies:assembly", pk=assembly.pk)
    return _page(request, assembly, {"document": form}, 422)


@require_POST
def attach_accounts(request: HttpRequest, pk: int) -> HttpResponse:
    if response := _login_first(request):
        return response
    assembly = _assembly(request, pk)
    _require(request, "attach_document", assembly)
    form = AccountsForm(request.POST)
    if form.is_valid():
        try:
            Document.attach_accounts(assembly, request.user, form.cleaned_data["year"])
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, _("Les comptes de l'exercice sont joints à la convocation."))
            return redirect("assemblies:assembly", pk=assembly.pk)
    return _page(request, assembly, {"accounts": form}, 422)


@require_POST
def remove(request: HttpRequest, pk: int, document: int) -> HttpResponse:
    if response := _login_first(request):
        return response
    assembly = _assembly(request, pk)
    _require(request, "attach_document", assembly)
    get_object_or_404(Document, pk=document, assembly=assembly).remove(request.user)
    messages.success(request, _("Le document est retiré de la convocation."))
    return redirect("assemblies:assembly", pk=assembly.pk)


@require_GET
def download(request: HttpRequest, pk: int, document: int) -> FileResponse:
    """A document, by its number within the assembly: to anyone who may not read it, it
    does not exist."""
    if response := _login_first(request):
        return response
    assembly = _assembly(request, pk)
    if not may_read(request.user, assembly):
        raise Http404
    found = get_object_or_404(Document, pk=document, assembly=assembly)
    return file_response(found)


def file_response(found: Document) -> FileResponse:
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=found.download_name, content_type=found.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
