"""The members' pages: joining, my space, the directory, the register and share certificates."""

import functools

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_http_methods

from commun.lib.csvstream import csv_response, plain_euros
from commun.lib.dates import date_format
from commun.lib.forms import add_model_errors
from commun.lib.money import format_cents
from commun.lib.paging import Listing, Pager
from commun.members import pdf, rules
from commun.members.forms import (
    SEARCH_COUNT_LIMIT,
    DirectoryFilter,
    JoinForm,
    ProfileForm,
    register_movements,
)
from commun.members.models import (
    Application,
    Cooperative,
    Member,
    Repayment,
    ShareMovement,
    active_counts,
)
from commun.members.search import search_shown_names
from commun.web import is_htmx, viewer_of

DIRECTORY_PAGE_SIZE = 50
REGISTER_PAGE_SIZE = 100
JOINED_SESSION_KEY = "members_joined"


def _cooperative(request: HttpRequest) -> Cooperative:
    """The cooperative's row, read once per request: the layout reads it too."""
    if not hasattr(request, "_cooperative"):
        request._cooperative = Cooperative.get()
    return request._cooperative


def _active_member(request: HttpRequest) -> Member:
    """The logged-in active member: the directory and the register are for associates only."""
    if not rules.can_see_register(request.user):
        raise PermissionDenied(_("Cette page est réservée aux associé·es."))
    return request.user.member


def _name(member: Member | None, viewer: Member | None, *, own_record: bool = False) -> str:
    """A movement's counterpart is optional: no counterpart, no name."""
    return member.name_for(viewer, own_record=own_record) if member else ""


def _movements_of(member: Member):
    return (
        ShareMovement.objects.filter(Q(member=member) | Q(counterpart=member))
        .select_related("member", "counterpart", "corrects")
        .order_by("number")
    )


# Joining ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """The public application form; a visitor creates their account with it."""
    user = request.user if request.user.is_authenticated else None
    if user is not None:
        member = user.member
        if member is not None and not member.has_left:
            return render(request, "members/join.html", {"member": member})
        pending = user.applications.filter(status=Application.Status.PENDING).first()
        if pending is not None:
            return render(request, "members/join.html", {"pending": pending})
    form = JoinForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        # Creating an account here counts against allauth's signup rate limit.
        if form.creates_account and not ratelimit.consume(request, action="signup"):
            form.add_error(
                None, _("Trop de comptes créés depuis votre adresse : réessayez plus tard.")
            )
            return render(request, "members/join.html", {"form": form}, status=429)
        try:
            # One transaction: a refusal anywhere leaves no account and no application.
            with transaction.atomic():
                application = form.save(request)
        except ValidationError as error:
            add_model_errors(form, error)
        except IntegrityError:
            # Two submissions at once: the database kept a single pending application.
            form.add_error(None, _("Vous avez déjà une candidature en attente."))
        else:
            request.session[JOINED_SESSION_KEY] = {
                "application": application.pk,
                "new_account": form.creates_account,
            }
            return redirect("members:join_done")
    status = 400 if form.errors else 200
    return render(request, "members/join.html", {"form": form}, status=status)


def join_done(request: HttpRequest) -> HttpResponse:
    """What happens next: verify the email, admission, payment."""
    joined = request.session.get(JOINED_SESSION_KEY) or {}
    application = (
        Application.objects.select_related("category", "member")
        .filter(pk=joined.get("application"))
        .first()
    )
    amount = None
    if application is not None:
        amount = application.shares * _cooperative(request).share_value_cents
    return render(
        request,
        "members/join_done.html",
        {
            "application": application,
            "new_account": joined.get("new_account", False),
            "amount_cents": amount,
        },
    )


# My space --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def me(request: HttpRequest) -> HttpResponse:
    """An applicant's application, or a member's holdings, movements and profile."""
    member = request.user.member
    context: dict = {"member": member}
    if member is None:
        context["application"] = (
            request.user.applications.select_related("category").order_by("-created_at").first()
        )
        if request.method == "POST":
            raise PermissionDenied(_("Seul·es les associé·es ont un profil à modifier."))
        return render(request, "members/me.html", context)

    member = Member.objects.select_related("category__college").get(pk=member.pk)
    form = ProfileForm(request.POST or None, instance=member, prefix="profile")
    status = 200
    if request.method == "POST":
        saved = form.is_valid()
        if saved:
            form.save()
            if not is_htmx(request):
                messages.success(request, _("Votre profil est enregistré."))
                return redirect("members:me")
        if is_htmx(request):
            # htmx swaps only successful responses: errors come back as a 200 fragment.
            return render(request, "members/me.html#profile-form", {"form": form, "saved": saved})
        status = 400
    coop = _cooperative(request)
    movements = list(_movements_of(member))
    for movement in movements:
        movement.member_name = movement.member.name_for(member, own_record=True)
        movement.counterpart_name = _name(movement.counterpart, member, own_record=True)
    context.update(
        member=member,
        form=form,
        movements=movements,
        paid_value_cents=member.shares_paid * coop.share_value_cents,
        subscribed_value_cents=member.shares_subscribed * coop.share_value_cents,
        repayment=Repayment.objects.filter(member=member).first(),
        can_resign=member.status in (Member.Status.ACTIVE, Member.Status.ADMITTED),
    )
    return render(request, "members/me.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def resign(request: HttpRequest) -> HttpResponse:
    """Confirm, then record the resignation; the model refuses what the statutes forbid."""
    member = request.user.member
    if member is None:
        raise PermissionDenied(_("Seul·es les associé·es peuvent démissionner."))
    coop = _cooperative(request)
    context = {
        "member": member,
        "coop_delay": coop.repayment_delay_months,
        "amount_cents": member.shares_paid * coop.share_value_cents,
    }
    if member.status not in (Member.Status.ACTIVE, Member.Status.ADMITTED):
        context["error"] = _("Votre démission est déjà enregistrée.")
        return render(request, "members/resign.html", context, status=409)
    if request.method == "POST":
        try:
            member.resign(by=request.user)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
            return render(request, "members/resign.html", context, status=409)
        messages.success(request, _("Votre démission est enregistrée."))
        return redirect("members:me")
    return render(request, "members/resign.html", context)


# Directory -------------------------------------------------------------------------------


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    """Active members, searchable; a hidden member shows only a pseudonym or a number."""
    viewer = _active_member(request)
    filters = DirectoryFilter(request.GET or None)
    members = Member.objects.active().select_related("category__college").order_by("number")
    counts = active_counts()
    count, count_at_most = sum(counts.values()), None
    if filters.is_bound:
        filters.is_valid()
        data = filters.cleaned_data
        if data.get("category"):
            members = members.filter(category=data["category"])
            count = counts.get(data["category"].pk, 0)
        if query := (data.get("q") or "").strip():
            # Searching a name hidden from the viewer must not reveal whose it is.
            members = search_shown_names(members, viewer, query, min_letters=1)
            count, count_at_most = None, SEARCH_COUNT_LIMIT
    listing = Listing(members, count=count, count_at_most=count_at_most)
    page = Pager(listing, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    for member in page:
        member.shown_name = member.name_for(viewer)
    return render(
        request,
        "members/directory.html",
        {"page": page, "filters": filters, "query_string": _without_page(request)},
    )


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# Register --------------------------------------------------------------------------------


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """The numbered register of share movements, newest first, with the capital summary."""
    viewer = _active_member(request)
    coop = _cooperative(request)
    filters, movements, filtered = register_movements(request.GET)
    movements = movements.select_related(
        "member", "counterpart", "corrects", "corrected_by"
    ).order_by("-number")
    # Numbers run 1..N, never removed: the last one is the count, and a page is a range.
    known = None if filtered else coop.last_movement_number
    listing = Listing(movements, count=known, numbered="-number")
    page = Pager(listing, REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    _prepare_rows(viewer, page)
    return render(
        request,
        "members/register.html",
        {
            "page": page,
            "filters": filters,
            "query_string": _without_page(request),
            "export_query": request.GET.urlencode(),
        },
    )


def _prepare_rows(viewer: Member, movements) -> None:
    """Each row's names and formatted cells, formatting each distinct value once.

    Formatting in the template cost half a millisecond a row (docs/benchmarks.md).
    """
    kinds = {kind: str(label) for kind, label in ShareMovement.Kind.choices}
    euros = functools.cache(format_cents)
    day = functools.cache(lambda date: date_format(date, "SHORT_DATE_FORMAT"))
    for movement in movements:
        movement.member_name = movement.member.name_for(viewer)
        movement.counterpart_name = _name(movement.counterpart, viewer)
        movement.kind_shown = kinds.get(movement.kind, movement.kind)
        movement.date_shown = day(movement.date)
        movement.value_shown = euros(movement.share_value_cents)
        movement.amount_shown = euros(movement.quantity * movement.share_value_cents)
        movement.corrects_number = movement.corrects.number if movement.corrects_id else None
        try:
            movement.corrected_by_number = movement.corrected_by.number
        except ShareMovement.DoesNotExist:
            # Caught here once rather than by the template in every cell that asks.
            movement.corrected_by_number = None


# A person's columns in the CSV, read as plain values for speed, in `Member`'s field names.
PERSON_COLUMNS = (
    "number",
    "kind",
    "first_name",
    "last_name",
    "organisation_name",
    "pseudonym",
    "public_visibility",
    "members_visibility",
)


def _shown(viewer: Member | None, values: tuple) -> str:
    """The same privacy rule as everywhere, on an unsaved copy holding the row's values."""
    return Member(**dict(zip(PERSON_COLUMNS, values, strict=True))).name_for(viewer)


REGISTER_CSV_COLUMNS = (
    "number",
    "date",
    "kind",
    "quantity",
    "share_value_cents",
    "reason",
    "authorised_by",
    "corrects__number",
    "member__number",
    "member__kind",
    "member__first_name",
    "member__last_name",
    "member__organisation_name",
    "member__pseudonym",
    "member__public_visibility",
    "member__members_visibility",
    "counterpart__number",
    "counterpart__kind",
    "counterpart__first_name",
    "counterpart__last_name",
    "counterpart__organisation_name",
    "counterpart__pseudonym",
    "counterpart__public_visibility",
    "counterpart__members_visibility",
)


@login_required
def register_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The register as CSV, streamed row by row in constant memory."""
    viewer = _active_member(request)
    _filters, movements, _filtered = register_movements(request.GET)
    rows = movements.order_by("number").values_list(*REGISTER_CSV_COLUMNS)
    kinds = dict(ShareMovement.Kind.choices)
    header = [
        _("N°"),
        _("Date"),
        _("Nature"),
        _("N° d'associé·e"),
        _("Associé·e"),
        _("Nombre de parts"),
        _("Valeur nominale (€)"),
        _("Montant (€)"),
        _("N° de la contrepartie"),
        _("Contrepartie"),
        _("Motif"),
        _("Autorisé par"),
        _("Corrige le mouvement n°"),
    ]

    def lines():
        for row in rows.iterator(chunk_size=2000):
            number, date, kind, quantity, value, reason, authorised_by, corrects = row[:8]
            member, counterpart = row[8:16], row[16:24]
            yield [
                number,
                date.isoformat(),
                kinds.get(kind, kind),
                member[0],
                _shown(viewer, member),
                quantity,
                plain_euros(value),
                plain_euros(value * quantity),
                counterpart[0] or "",
                _shown(viewer, counterpart) if counterpart[0] else "",
                reason,
                authorised_by,
                corrects or "",
            ]

    stamp = timezone.localdate().isoformat()
    return csv_response(header, lines(), f"registre-{stamp}.csv")


# Share certificate -----------------------------------------------------------------------


def _certificate_context(request: HttpRequest, number: int) -> dict:
    """A member sees their own certificate, officers anyone's."""
    viewer = viewer_of(request)
    if viewer is None:
        raise PermissionDenied(_("Un certificat n'est visible que de son ou sa titulaire."))
    member = get_object_or_404(Member.objects.select_related("category__college"), number=number)
    if not rules.can_see_certificate(request.user, member):
        raise PermissionDenied(_("Un certificat n'est visible que de son ou sa titulaire."))
    coop = _cooperative(request)
    movements = list(_movements_of(member))
    for movement in movements:
        movement.member_name = movement.member.name_for(viewer)
        movement.counterpart_name = _name(movement.counterpart, viewer)
    return {
        "member": member,
        "member_name": member.full_name,
        "movements": movements,
        "share_value_cents": coop.share_value_cents,
        "paid_value_cents": member.shares_paid * coop.share_value_cents,
        "today": timezone.localdate(),
    }


@login_required
def certificate(request: HttpRequest, number: int) -> HttpResponse:
    """The printable share certificate."""
    return render(request, "members/certificate.html", _certificate_context(request, number))


@login_required
def certificate_pdf(request: HttpRequest, number: int) -> HttpResponse:
    """The same certificate as a PDF, made without fetching anything from another host."""
    context = _certificate_context(request, number)
    html = render_to_string("members/certificate_pdf.html", context, request=request)
    document = pdf.render_pdf(html, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificat-{number}.pdf"'
    return response


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, and a member's choice kept for the emails sent to them."""
    response = i18n.set_language(request)
    language = request.POST.get("language")
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and language in dict(settings.LANGUAGES)
    ):
        Member.objects.filter(user=request.user).update(language=language)
    return response
