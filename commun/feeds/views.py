"""The calendars' addresses and the page where a member manages their personal one."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from commun.core.replica import public_read
from commun.feeds import calendars
from commun.feeds.models import CalendarLink
from commun.lib.rules import active_member


def _ics(request: HttpRequest, body: bytes) -> HttpResponse:
    """The calendar with its ETag; 304 when the reader already holds these bytes."""
    etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
    unchanged = get_conditional_response(request, etag=etag)
    response = unchanged or HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    response["Content-Disposition"] = 'inline; filename="calendrier.ics"'
    return response


@require_safe
@public_read
def public_calendar(request: HttpRequest) -> HttpResponse:
    return _ics(request, calendars.public_calendar())


@require_safe
def personal_calendar(request: HttpRequest, secret: str) -> HttpResponse:
    """A member's calendar, for whoever holds its secret address; anything else is a 404."""
    link = CalendarLink.objects.find(secret)
    if link is None:
        raise Http404
    # Read by a calendar application, which says no language: the member's own choice speaks.
    with translation.override(link.member.language):
        response = _ics(request, calendars.personal_calendar(link.member))
    patch_cache_control(response, private=True)
    response["X-Robots-Tag"] = "noindex"
    return response


def personal_url(request: HttpRequest, secret: str) -> str:
    return request.build_absolute_uri(reverse("feeds:personal_calendar", args=[secret]))


@never_cache  # the answer that shows a new address must not stay in any cache
@login_required
@require_http_methods(["GET", "POST"])
def calendar_link(request: HttpRequest) -> HttpResponse:
    """Create, replace or revoke my calendar's secret address; a new one is shown once."""
    member = active_member(request.user)
    if member is None:
        raise PermissionDenied(_("Réservé aux associé·es."))
    if request.method == "POST" and request.POST.get("action") == "revoke":
        if CalendarLink.objects.revoke(request.user):
            messages.success(
                request, _("Votre lien de calendrier est révoqué : il ne répond plus.")
            )
        return redirect("feeds:calendar_link")
    if request.method == "POST":
        _link, secret = CalendarLink.objects.issue(request.user)
        return render(
            request, "feeds/calendar_link_created.html", {"url": personal_url(request, secret)}
        )
    return render(
        request,
        "feeds/calendar_link.html",
        {
            "link": CalendarLink.objects.filter(member=member).first(),
            "public_url": request.build_absolute_uri(reverse("feeds:public_calendar")),
        },
    )
