"""A deadline's computation in words: `{{ d.computation|workings:label }}` (`cases.workings`)."""

from django import template
from django.utils import timezone

from cases import workings as words

register = template.Library()


@register.filter
def workings(computation, label: str = "Due") -> str:
    """In the reader's zone (the page's active one: the user's, else UTC)."""
    return words.in_words(computation, label=label or "Due", reader_zone=timezone.get_current_timezone_name())


@register.simple_tag
def deadline_subject(kind_label: str, label: str = "") -> str:
    return words.subject(kind_label or "", label or "")
