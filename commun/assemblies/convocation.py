"""The convocation as members read it, printed or as a PDF: the page, the PDF view and the
API all render it from here."""

from django.template.loader import render_to_string
from django.urls import reverse

from commun.assemblies.documents import may_read
from commun.assemblies.models import Assembly
from commun.members import pdf as pdfs


def context(request, assembly: Assembly) -> dict:
    """What the convocation says: the agenda, the documents, and how to answer under the
    rules fixed at the convocation (the statutes' current ones while a draft)."""
    return {
        "assembly": assembly,
        "items": assembly.items.select_related("decision", "request__member"),
        "documents": assembly.documents.all() if may_read(request.user, assembly) else [],
        "terms": assembly.rules or assembly.statutes().snapshot(),
        "url": request.build_absolute_uri(reverse("assemblies:assembly", args=[assembly.pk])),
    }


def pdf(request, assembly: Assembly) -> bytes:
    """The convocation as a PDF, made without fetching anything from another host."""
    html = render_to_string(
        "assemblies/convocation_pdf.html", context(request, assembly), request=request
    )
    return pdfs.render_pdf(html, base_url=request.build_absolute_uri("/"))
