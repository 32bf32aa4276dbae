from django import template

from commun.deliberation.models import Notification

register = template.Library()


@register.inclusion_tag("deliberation/_bell.html", takes_context=True)
def notification_bell(context):
    """The header's link to the notifications, with how many are unread (one query)."""
    user = context.get("user")
    member = user.member if user is not None and user.is_authenticated else None
    count = 0
    if member is not None and member.is_active_member:
        count = Notification.objects.for_member(member).unread().count()
    return {"member": member, "count": count}
