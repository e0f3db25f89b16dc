"""What every page shares: the role checks (a view checks the role itself: an htmx
partial can be requested on its own, so a template hiding a button is never the check)."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django_htmx.middleware import HtmxDetails

from accounts import roles
from accounts.api import ConflictingChange
from cases.models import Case

READ_ROLES = (roles.INTAKE, roles.COUNSEL, roles.VIEWER)
REVIEW_ROLES = (roles.COUNSEL,)
PAGE_SIZE = 50


class HtmxHttpRequest(HttpRequest):
    """For annotations only: a request django-htmx's middleware has given `request.htmx`."""

    htmx: HtmxDetails


def _require_role(request: HttpRequest, *allowed: str) -> None:
    if not roles.has_role(request.user, *allowed):
        raise PermissionDenied("Your role does not allow this page.")


def _get_case_for_user(request: HttpRequest, pk: int, *allowed: str) -> Case:
    """The case if the user's role may see it (or act on it, given `allowed`)."""
    _require_role(request, *(allowed or READ_ROLES))
    return get_object_or_404(
        Case.objects.select_related(
            "demand__instrument",
            "demand__issuing_jurisdiction",
            "demand__court",
            "demand__served_entity",
            "demand__created_by",
            "counsel",
        ),
        pk=pk,
    )


def _form_errors(form) -> list[str]:
    return [str(e) for errors in form.errors.values() for e in errors]


# What an action may refuse with: every step view catches exactly these and shows them
# on the form it came from (never a 500); the API maps the same two to 400 and 409.
REFUSALS = (ValidationError, ConflictingChange)


def show_refusal(form: forms.BaseForm, refusal: Exception) -> None:
    """An action's refusal on the form: next to the field it names when the form has
    it, above the form otherwise."""
    if isinstance(refusal, ValidationError) and hasattr(refusal, "error_dict"):
        for field, messages in refusal.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    elif isinstance(refusal, ValidationError):
        form.add_error(None, refusal.messages)
    else:
        form.add_error(None, str(refusal))
