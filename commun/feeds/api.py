"""The feeds' and calendars' addresses, and the caller's own calendar link (members)."""

import datetime

from django.urls import reverse
from ninja import Field, Router, Schema, Status

from commun.api_auth import authenticated, public
from commun.api_helpers import members_only
from commun.feeds.atom import FEEDS
from commun.feeds.models import CalendarLink

router = Router(tags=["Flux et calendriers"])


class FeedOut(Schema):
    slug: str
    title: str
    url: str = Field(..., description="L'adresse du flux Atom.")


class ChannelsOut(Schema):
    feeds: list[FeedOut]
    calendar: str = Field(
        ..., description="Le calendrier public (iCalendar) : échéances et missions."
    )


class CalendarLinkOut(Schema):
    url: str = Field(
        ...,
        description="L'adresse secrète de votre calendrier, montrée cette fois seulement : "
        "l'ancienne, s'il y en avait une, ne répond plus.",
    )
    created_at: datetime.datetime


@router.get("/channels", auth=public, response=ChannelsOut)
def channels(request):
    """The public Atom feeds and the public calendar, for a reader to subscribe to."""
    return {
        "feeds": [
            {
                "slug": slug,
                "title": str(feed.name),
                "url": request.build_absolute_uri(reverse(f"feeds:{slug}")),
            }
            for slug, feed in FEEDS.items()
        ],
        "calendar": request.build_absolute_uri(reverse("feeds:public_calendar")),
    }


@router.post("/me/calendar", auth=authenticated, response={201: CalendarLinkOut})
def create_calendar_link(request):
    """Create my calendar's secret address, or replace it: the URL is in this answer only."""
    members_only(request)
    link, secret = CalendarLink.objects.issue(request.user)
    url = request.build_absolute_uri(reverse("feeds:personal_calendar", args=[secret]))
    return Status(201, {"url": url, "created_at": link.created_at})


@router.delete("/me/calendar", auth=authenticated, response={204: None})
def revoke_calendar_link(request):
    """Revoke my calendar's address: it answers 404 from now on (and 204 here, had I none)."""
    members_only(request)
    CalendarLink.objects.revoke(request.user)
    return Status(204, None)
