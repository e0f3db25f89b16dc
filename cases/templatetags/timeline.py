"""Timeline entries in words: `{{ e.kind|event_label }}`, `{{ e.to_state|state_label:e.track }}`."""

from django import template

from cases import workflow

register = template.Library()


@register.filter
def event_label(kind: str) -> str:
    return workflow.event_label(kind or "")


@register.filter
def state_label(state: str, track: str) -> str:
    return workflow.state_label(track or "", state or "")
