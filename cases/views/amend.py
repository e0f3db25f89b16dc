"""Correcting a demand's facts: the intake page's forms, prefilled with the facts on
file, and a reason; `cases.actions.amend_demand` does the rest (the timeline event,
the history, the re-analysis, the sign-off voided)."""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts import roles
from cases import actions
from cases.models import Case
from cases.views.common import _get_case_for_user
from requests_app.forms import DemandAmendment
from requests_app.models import Holding, NondisclosureOrder, TargetAccount
from requests_app.views import _operators

AMEND_ROLES = (roles.INTAKE, roles.COUNSEL)


def _refusal(request: HttpRequest, case: Case) -> str | None:
    """Intake corrects what it logged only until the first analysis; counsel, any open case."""
    return actions.amend_refusal(request.user, analysed=case.analyses.exists(), status=case.status)


def _facts_on_file(case: Case) -> dict:
    """The demand's accounts with their holdings and its nondisclosure orders (3 queries)."""
    accounts = list(TargetAccount.objects.filter(demand=case.demand).select_related("residence").order_by("pk"))
    holdings: dict[int, list[Holding]] = defaultdict(list)
    for holding in (
        Holding.objects.filter(account__demand=case.demand)
        .select_related("data_location", "controlled_by")
        .order_by("account_id", "pk")
    ):
        holdings[holding.account_id].append(holding)
    return {
        "accounts": [(account, holdings[account.pk]) for account in accounts],
        "orders": list(NondisclosureOrder.objects.filter(demand=case.demand).order_by("starts_on", "pk")),
    }


def _page(request: HttpRequest, case: Case, form: DemandAmendment, on_file: dict, *, status: int, **extra):
    context = {"case": case, "demand": case.demand, "form": form, "on_file": on_file, "operators": _operators()}
    return render(request, "cases/amend.html", {**context, **extra}, status=status)


@require_http_methods(["GET", "POST"])
def amend_demand(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case_for_user(request, pk, *AMEND_ROLES)
    if refusal := _refusal(request, case):
        # Intake, once the case is analysed: say why, and who corrects it now.
        context = {"case": case, "demand": case.demand, "refused": refusal}
        return render(request, "cases/amend.html", context, status=403)
    if case.is_closed:
        messages.error(request, "The case is closed: its facts no longer change.")
        return redirect("cases:detail", pk=case.pk)
    on_file = _facts_on_file(case)
    if request.method != "POST":
        form = DemandAmendment(case.demand, on_file["accounts"], on_file["orders"], version=case.version)
        return _page(request, case, form, on_file, status=200)

    form = DemandAmendment(
        case.demand,
        on_file["accounts"],
        on_file["orders"],
        version=case.version,
        data=request.POST,
        files=request.FILES,
    )
    if not form.is_valid():
        return _page(request, case, form, on_file, status=422)
    try:
        event = actions.amend_demand(
            case=case,
            **form.changes(),
            reason=form.reason.cleaned_data["reason"],
            by=request.user,
            expected_version=form.reason.cleaned_data["expected_version"],
        )
    except actions.StaleCase as exc:
        # What was typed stays, at the fresh version, beside the facts as they are now.
        fresh = _get_case_for_user(request, pk, *AMEND_ROLES)
        form.keep_typed_at(fresh.version)
        return _page(request, fresh, form, _facts_on_file(fresh), status=409, conflict=str(exc))
    except ValidationError as exc:
        form.add_refusal(exc)
        return _page(request, case, form, on_file, status=422)
    voided = (
        " The sign-off no longer stands: the analysis awaits counsel's review."
        if event.data.get("sign_off_voided")
        else ""
    )
    messages.success(request, f"Facts amended; the case was analysed again on them.{voided}")
    return redirect(f"{reverse('cases:detail', args=[case.pk])}#analysis")
