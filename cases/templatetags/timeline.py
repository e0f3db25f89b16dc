"""Timeline entries in words: `{{ e.kind|event_label }}`, `{{ e|event_title }}` (with
what its data says), `{{ e.to_state|state_label:e.track }}`."""

from django import template

from cases import workflow

register = template.Library()


@register.filter
def event_label(kind: str) -> str:
    return workflow.event_label(kind or "")


@register.filter
def event_title(event) -> str:
    """`{{ e|event_title }}`: an event (a row or the export's dict) in words, with its data."""
    if isinstance(event, dict):
        return workflow.event_title(event.get("kind") or "", event.get("data"))
    return workflow.event_title(event.kind or "", event.data)


@register.filter
def state_label(state: str, track: str) -> str:
    return workflow.state_label(track or "", state or "")
