"""What every page shares: the role checks (a view checks the role itself: an htmx
partial can be requested on its own, so a template hiding a button is never the check)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from accounts import roles
from cases.models import Case

READ_ROLES = (roles.INTAKE, roles.COUNSEL, roles.VIEWER)
REVIEW_ROLES = (roles.COUNSEL,)
PAGE_SIZE = 50


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
