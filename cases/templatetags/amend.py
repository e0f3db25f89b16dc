"""`{% may_amend user case latest as amendable %}`: whether the case file offers "Correct
the facts" (the edit page checks it again)."""

from django import template

from accounts import roles
from cases.actions import amend_refusal
from cases.models import Case

register = template.Library()


@register.simple_tag
def may_amend(user, case: Case, latest) -> bool:
    """Intake until the first analysis (`latest`), counsel on any open case."""
    return (
        roles.has_role(user, roles.INTAKE, roles.COUNSEL)
        and not case.is_closed
        and amend_refusal(user, analysed=latest is not None, status=case.status) is None
    )
