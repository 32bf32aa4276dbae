from django import template
from django.utils.safestring import mark_safe

from commun.lib import markdown, money, rules

register = template.Library()


@register.filter
def euros(cents):
    """Cents as a localised amount: 123450 → « 1 234,50 € »."""
    return money.format_cents(cents)


@register.filter(name="markdown")
def markdown_filter(text):
    return mark_safe(markdown.render(text))  # noqa: S308 — nh3 has cleaned it


@register.simple_tag(takes_context=True)
def name_of(context, member) -> str:
    """`{% name_of member as name %}`: the name this page's reader may see of `member`, as
    that member chose (`Member.name_for`, the one privacy rule for names)."""
    request = context.get("request")
    return member.name_for(rules.active_member(getattr(request, "user", None)))
