from django import template

from commun.notifications.models import Notice

register = template.Library()


@register.inclusion_tag("notifications/_nav_link.html", takes_context=True)
def awaits_link(context):
    """The header's link to « À faire », with how many notices are unread (one query)."""
    user = context.get("user")
    member = user.member if user is not None and user.is_authenticated else None
    count = 0
    if member is not None and member.is_active_member:
        count = Notice.objects.filter(member=member).unread().count()
    return {"member": member, "count": count}
