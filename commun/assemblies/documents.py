"""Documents attached to an assembly's convocation: any file the officers send, the
management report, and the accounts of a closed year printed from the ledger.

A file's type is read from its first bytes, never from its name; it is stored under a
random name, so nothing a person typed ever becomes a path. The accounts are printed once,
when attached: the members read what the officers sent, even if the books move later.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.http import FileResponse, Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from commun.assemblies.minutes import of_record
from commun.assemblies.models import Assembly, rules
from commun.lib import uploads
from commun.members.models import Member

MAX_BYTES = 20 * 1024 * 1024
MAX_DOCUMENTS = 30
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp",
}
WRONG_TYPE = _("Un document est un PDF, une image PNG ou JPEG, ou un fichier OpenDocument.")
TOO_BIG = _("Un document pèse 20 Mo au plus.")


def document_path(instance, filename) -> str:
    # A random name: the uploaded name is a person's words and never reaches the disk.
    return f"assemblies/{uuid.uuid4().hex}{EXTENSIONS.get(instance.content_type, '')}"


class Document(models.Model):
    """A document sent with the convocation, read by the officers and the members convened."""

    class Kind(models.TextChoices):
        FILE = "file", _("Document")
        REPORT = "report", _("Rapport de gestion")
        ACCOUNTS = "accounts", _("Comptes de l'exercice clos")

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("nature"), max_length=20, choices=Kind, default=Kind.FILE)
    title = models.CharField(_("intitulé"), max_length=200)
    file = models.FileField(_("fichier"), upload_to=document_path)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    fiscal_year = models.ForeignKey(
        "ledger.FiscalYear",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("exercice"),
    )
    added_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("document d'assemblée")
        verbose_name_plural = _("documents d'assemblée")
        ordering = ["assembly", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(size__lte=MAX_BYTES), name="assembly_document_at_most_20_mb"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="accounts") | models.Q(fiscal_year__isnull=False),
                name="assembly_accounts_name_their_year",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def download_name(self) -> str:
        return f"{self.title}{EXTENSIONS.get(self.content_type, '')}"

    @classmethod
    def attach(cls, assembly: Assembly, by, file, title: str, kind: str = Kind.FILE):
        """An officer attaches a file to a draft or convened assembly."""
        rules().require(by, "attach_document", assembly)
        if kind not in (cls.Kind.FILE, cls.Kind.REPORT):
            raise ValidationError({"kind": _("Choisissez un document ou le rapport de gestion.")})
        if file is None:
            raise ValidationError({"file": _("Choisissez un fichier.")})
        if file.size > MAX_BYTES:
            raise ValidationError({"file": TOO_BIG})
        content_type = uploads.content_type(file)
        if content_type is None:
            raise ValidationError({"file": WRONG_TYPE})
        return cls._add(assembly, by, kind, title, file, content_type, file.size)

    @classmethod
    def attach_accounts(cls, assembly: Assembly, by, year: int):
        """An officer attaches a closed year's accounts, printed from the ledger now."""
        from commun.ledger.models import FiscalYear

        # Asked first: printing the accounts is work done for an officer only.
        rules().require(by, "attach_document", assembly)
        closed = FiscalYear.objects.filter(year=year).first()
        if closed is None:
            raise ValidationError({"year": _("Cet exercice n'est pas clos.")})
        document = accounts_pdf(closed)
        with of_record():  # the record's language, whoever attaches them
            title = gettext("Comptes de l'exercice %(year)s") % {"year": year}
        return cls._add(
            assembly,
            by,
            cls.Kind.ACCOUNTS,
            title,
            ContentFile(document),
            "application/pdf",
            len(document),
            fiscal_year=closed,
        )

    @classmethod
    def _add(cls, assembly, by, kind, title, content, content_type, size, **values):
        title = (title or "").strip()
        if not title:
            raise ValidationError({"title": _("Donnez un intitulé au document.")})
        with transaction.atomic():
            # Locked: a document never lands on an assembly that has just opened.
            locked = Assembly.objects.select_for_update().get(pk=assembly.pk)
            officer = rules().require(by, "attach_document", locked)
            if locked.documents.count() >= MAX_DOCUMENTS:
                raise ValidationError(
                    _("%(max)s documents au plus par assemblée.") % {"max": MAX_DOCUMENTS}
                )
            document = cls(
                assembly=locked,
                kind=kind,
                title=title,
                content_type=content_type,
                size=size,
                added_by=officer,
                **values,
            )
            document.full_clean(exclude=["file"])
            document.file.save("document", content, save=False)
            try:
                document.save()
            except Exception:
                # A failed insert must not leave the file behind.
                document.file.delete(save=False)
                raise
        return document

    def remove(self, by) -> None:
        """An officer takes a document off the convocation (before the opening)."""
        with transaction.atomic():
            locked = Assembly.objects.select_for_update().get(pk=self.assembly_id)
            rules().require(by, "attach_document", locked)
            Document.objects.filter(pk=self.pk).delete()
            name = self.file.name
            transaction.on_commit(lambda: self.file.storage.delete(name))


def may_read(who, assembly: Assembly) -> bool:
    """The officers, and the members convened to this assembly (not the other members)."""
    from commun.assemblies.rules import is_convened, is_officer

    return is_officer(who) or (
        assembly.phase != Assembly.Phase.DRAFT and is_convened(rules().active_member(who), assembly)
    )


def accounts_pdf(closed) -> bytes:
    """The closed year's accounts as a PDF: each income and expense account of the year (as
    the closing entry settled them), the result, and the allocation the close recorded."""
    from commun.ledger import chart
    from commun.ledger.models import Account, Posting
    from commun.members.models import Cooperative
    from commun.members.pdf import render_pdf

    names = {
        code: chart.readable_name(code, name)
        for code, name in Account.objects.values_list("code", "name")
    }
    # The closing entry posts each account's balance back: the year's balance is its opposite.
    settled = Posting.objects.filter(transaction_id=closed.closing_transaction_id).values_list(
        "account__code", "amount_cents"
    )
    balances = sorted((code, names.get(code, code), -cents) for code, cents in settled)
    context = {
        "cooperative": Cooperative.get(),
        "closed": closed,
        "income": [(c, n, -cents) for c, n, cents in balances if c.startswith("7")],
        "expenses": [(c, n, cents) for c, n, cents in balances if c.startswith("6")],
        "allocation": [
            (code, names.get(code, code), cents)
            for code, cents in sorted(closed.allocation.items())
            if cents
        ],
    }
    html = render_to_string("assemblies/accounts_pdf.html", context)
    return render_pdf(html, base_url=settings.SITE_URL + "/")


def file_response(found: Document) -> FileResponse:
    """The document as a download: never shown inline, never cached."""
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
