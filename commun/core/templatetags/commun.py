from django import template
from django.utils.safestring import mark_safe

from commun.lib import markdown, money

register = template.Library()


@register.filter
def euros(cents):
    """Cents as a localised amount: 123450 → « 1 234,50 € »."""
    return money.format_cents(cents)


@register.filter(name="markdown")
def markdown_filter(text):
    return mark_safe(markdown.render(text))  # noqa: S308 — nh3 has cleaned it
