"""`{% feed_link "slug" %}`: a page advertises its feed in its head (base.html's `feeds` block)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from commun.feeds.atom import FEEDS

register = template.Library()


@register.simple_tag
def feed_link(slug: str) -> str:
    feed = FEEDS[slug]
    return format_html(
        '<link rel="alternate" type="application/atom+xml" title="{}" href="{}">',
        feed.name,
        reverse(f"feeds:{slug}"),
    )


@register.simple_tag
def calendar_link() -> str:
    return format_html(
        '<link rel="alternate" type="text/calendar" title="{}" href="{}">',
        _("Calendrier public"),
        reverse("feeds:public_calendar"),
    )


@register.inclusion_tag("feeds/_follow.html")
def follow(slug: str, calendar: bool = False) -> dict:
    """A visible line under a page's title: its feed, and the public calendar if asked."""
    return {
        "feed_url": reverse(f"feeds:{FEEDS[slug].slug}"),
        "calendar_url": reverse("feeds:public_calendar") if calendar else None,
    }
