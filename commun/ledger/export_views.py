"""Downloads of the books and of the journal, and the journal's signed digest.

Beancount and the FEC carry transaction labels, which may name people: officers only.
The journal, its digest and the public key carry no personal data: public.
"""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from commun.core.replica import public_read
from commun.ledger import exports, signing
from commun.ledger.models import Books
from commun.members.models import Cooperative
from commun.members.rules import is_officer, officer_required


def _download(lines, filename: str, content_type: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@public_read
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    books = Books.objects.filter(pk=1).first()
    return render(
        request,
        "ledger/exports/index.html",
        {
            "years": exports.years_with_transactions(),
            "may_download_books": is_officer(request.user),
            "journal_length": books.journal_length if books else 0,
        },
    )


@require_GET
@officer_required
def beancount(request: HttpRequest) -> StreamingHttpResponse:
    lines = exports.beancount_lines(title=Cooperative.get().name)
    return _download(lines, "commun.beancount", "text/plain; charset=utf-8")


@require_GET
@officer_required
def fec(request: HttpRequest, year: int) -> StreamingHttpResponse:
    if year not in exports.YEARS:
        raise Http404
    return _download(
        exports.fec_lines(year),
        exports.fec_filename(year),
        "text/tab-separated-values; charset=utf-8",
    )


@public_read
@require_GET
def journal(request: HttpRequest) -> StreamingHttpResponse:
    return _download(exports.journal_lines(), "journal.jsonl", "application/jsonl; charset=utf-8")


@public_read
@require_GET
def digest(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(exports.current_digest(), json_dumps_params={"indent": 2})
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def public_key(request: HttpRequest) -> HttpResponse:
    return HttpResponse(signing.public_key_pem(), content_type="application/x-pem-file")
