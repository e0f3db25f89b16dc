from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from cases import roles
from cases.models import Case

READ_ROLES = (roles.INTAKE, roles.COUNSEL, roles.VIEWER)


def _require_role(request: HttpRequest, *allowed: str) -> None:
    if not roles.has_role(request.user, *allowed):
        raise PermissionDenied("Your role does not allow this page.")


def _get_case_for_user(request: HttpRequest, pk: int) -> Case:
    _require_role(request, *READ_ROLES)
    return get_object_or_404(Case.objects.select_related("demand__instrument", "demand__issuing_jurisdiction"), pk=pk)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if roles.has_role(request.user, *READ_ROLES):
        return redirect("cases:list")
    return render(request, "home.html")


@require_GET
@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for the load balancer and compose."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    _require_role(request, *READ_ROLES)
    cases = Case.objects.select_related(
        "demand__instrument", "demand__issuing_jurisdiction", "demand__served_entity"
    ).order_by("-created_at")[:200]
    return render(request, "cases/list.html", {"cases": cases})


@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case_for_user(request, pk)
    return render(request, "cases/detail.html", {"case": case})
