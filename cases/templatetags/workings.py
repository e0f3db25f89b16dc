"""A deadline's computation in words: `{{ d.computation|workings:label }}` (`cases.workings`)."""

from django import template

from cases import workings as words

register = template.Library()


@register.filter
def workings(computation, label: str = "Due") -> str:
    return words.in_words(computation, label=label or "Due")


@register.simple_tag
def deadline_subject(kind_label: str, label: str = "") -> str:
    return words.subject(kind_label or "", label or "")
