"""The officers' webhook pages: the endpoints, one endpoint with its deliveries' log.

Every page is the officers' (`officer_required`: visitors log in, others get 403); each
action is a POST form that works without JavaScript and calls the same model methods as
the API. A secret is shown once, in the answer to the form that made it, and never again.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commun.hooks.events import CATALOGUE
from commun.hooks.forms import EndpointForm
from commun.hooks.models import Delivery, Endpoint
from commun.lib.forms import add_model_errors
from commun.lib.ids import MAX_ID
from commun.members.rules import officer_required

DELIVERIES_PER_PAGE = 50


def _endpoint(pk: int) -> Endpoint:
    if pk > MAX_ID:
        raise Http404
    return get_object_or_404(Endpoint, pk=pk)


def _with_secret(request, endpoint: Endpoint, secret: str, status: int = 200) -> HttpResponse:
    response = render(
        request, "hooks/secret.html", {"endpoint": endpoint, "secret": secret}, status=status
    )
    response["Cache-Control"] = "private, no-store"  # no copy of the secret kept anywhere
    return response


@officer_required
def endpoints(request: HttpRequest) -> HttpResponse:
    listed = Endpoint.objects.annotate(
        delivered=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.SUCCEEDED)),
        failed=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
        last_sent_at=Max("deliveries__last_attempt_at"),
    ).order_by("pk")
    return render(request, "hooks/endpoints.html", {"endpoints": listed, "catalogue": CATALOGUE})


@officer_required
def create(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            endpoint = Endpoint.register(request.user, **form.cleaned_data)
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            return _with_secret(request, endpoint, endpoint.secret, status=201)
    return render(request, "hooks/endpoint_form.html", {"form": form}, status=_status(form))


def _status(form) -> int:
    return 422 if form.is_bound and form.errors else 200


@officer_required
def endpoint(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(pk)
    initial = {"url": endpoint.url, "description": endpoint.description, "events": endpoint.events}
    form = EndpointForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        try:
            endpoint.change(request.user, **form.cleaned_data)
        except ValidationError as error:
            endpoint.refresh_from_db()
            add_model_errors(form, error)
        else:
            messages.success(request, _("Le webhook est modifié."))
            return redirect("hooks:endpoint", endpoint.pk)
    deliveries = (
        endpoint.deliveries.select_related("event")
        .defer("event__data")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "hooks/endpoint.html",
        {"endpoint": endpoint, "form": form, "page": page, "catalogue": CATALOGUE},
        status=_status(form),
    )


@officer_required
@require_POST
def toggle(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(pk)
    if endpoint.is_active:
        endpoint.disable(request.user)
        messages.success(request, _("Le webhook est désactivé : il ne reçoit plus rien."))
    else:
        endpoint.enable(request.user)
        messages.success(request, _("Le webhook est réactivé."))
    return redirect("hooks:endpoint", endpoint.pk)


@officer_required
@require_POST
def rotate_secret(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(pk)
    return _with_secret(request, endpoint, endpoint.rotate_secret(request.user))


@officer_required
@require_POST
def replay(request: HttpRequest, pk: int, delivery: int) -> HttpResponse:
    endpoint = _endpoint(pk)
    if delivery > MAX_ID:
        raise Http404
    sent = get_object_or_404(endpoint.deliveries.select_related("event", "endpoint"), pk=delivery)
    try:
        sent.replay(request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("L'événement est renvoyé : son envoi apparaît en tête du journal.")
        )
    return redirect("hooks:endpoint", endpoint.pk)
