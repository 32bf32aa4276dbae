"""The `date` filter every template uses (a built-in in settings.TEMPLATES, so it replaces
Django's without a `{% load %}`): Django's, written by `commun.lib.dates.date_format`."""

from django import template
from django.utils.dateformat import format as format_value

from commun.lib.dates import date_format

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """Django's `date` filter, the first of the month written « 1er » in French."""
    if value in (None, ""):
        return ""
    try:
        return date_format(value, arg)
    except AttributeError:
        try:
            return format_value(value, arg)
        except AttributeError:
            return ""
