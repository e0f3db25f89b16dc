"""Intake: one page to log a demand with its accounts, holdings and nondisclosure order."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts import roles
from accounts.models import Profile
from jurisdictions.models import DataLocation
from requests_app.documents import document_response
from requests_app.forms import (
    COURT_ZONE,
    MAX_ACCOUNTS,
    MAX_HOLDINGS,
    AccountForm,
    AccountFormSet,
    DemandIntake,
    HoldingForm,
    HoldingFormSet,
    holdings_prefix,
    known_zone,
)
from requests_app.models import Demand

INTAKE_ROLES = (roles.INTAKE, roles.COUNSEL)
READ_ROLES = (roles.INTAKE, roles.COUNSEL, roles.VIEWER)


def _require_role(request: HttpRequest, *allowed: str) -> None:
    if not roles.has_role(request.user, *allowed):
        raise PermissionDenied("Your role does not allow this page.")


def _operators() -> dict[str, dict]:
    """Each data location's operating entity: the page suggests it as the controller."""
    return {
        str(pk): {"entity": str(entity_id), "name": name}
        for pk, entity_id, name in DataLocation.objects.values_list("pk", "operated_by_id", "operated_by__name")
    }


def _starting_zone(profile: Profile) -> str:
    """Where the form's time zone starts: the user's last intake zone, else their own
    zone, else the issuing court's (the blank choice: UTC without a court)."""
    for zone in (profile.intake_time_zone, profile.time_zone):
        if known_zone(zone):
            return zone
    return COURT_ZONE


def _remember_zone(profile: Profile, zone: str) -> None:
    """The zone picked on a logged intake is the next one's default (blank: the court's)."""
    zone = zone if known_zone(zone) else ""
    if profile.intake_time_zone != zone:
        profile.intake_time_zone = zone
        profile.save(update_fields=["intake_time_zone", "updated_at"])


@require_http_methods(["GET", "POST"])
def demand_new(request: HttpRequest) -> HttpResponse:
    _require_role(request, *INTAKE_ROLES)
    profile, _ = Profile.objects.get_or_create(user=cast(User, request.user))  # signed in: _require_role
    if request.method == "POST":
        intake = DemandIntake(request.POST, request.FILES, user=request.user)
        case = None
        if intake.is_valid():
            try:
                case = intake.save(by=request.user)
            except ValidationError as refusal:
                intake.add_refusal(refusal)
        if case is not None:
            _remember_zone(profile, intake.demand.cleaned_data.get("time_zone") or "")
            # In-process tasks have analysed it by now; with workers it may still be running.
            reference = case.demand.reference
            if case.analyses.exists():
                messages.success(request, f"Demand {reference} logged and analysed.")
            else:
                messages.success(request, f"Demand {reference} logged; its analysis appears below when it is done.")
            return redirect("cases:detail", pk=case.pk)
        # Browsers do not keep a chosen file across a refused form: the server does.
        intake.keep_document()
        status = 422
    else:
        intake = DemandIntake(user=request.user, zone=_starting_zone(profile))
        status = 200
    return render(
        request,
        "requests_app/demand_form.html",
        {"intake": intake, "operators": _operators()},
        status=status,
    )


def _index(request: HttpRequest, name: str, limit: int) -> int:
    try:
        index = int(request.GET.get(name, ""))
    except ValueError:
        raise Http404("Bad form index.") from None
    if not 0 <= index < limit:
        raise Http404("Too many forms.")
    return index


@require_GET
def account_form(request: HttpRequest) -> HttpResponse:
    """An empty account (with one empty holding) for the intake page's "add account" button."""
    _require_role(request, *INTAKE_ROLES)
    index = _index(request, "accounts-TOTAL_FORMS", MAX_ACCOUNTS)
    form = AccountForm(prefix=f"accounts-{index}", empty_permitted=True, use_required_attribute=False)
    AccountFormSet(prefix="accounts").add_fields(form, index)  # its "Remove" box, as in the formset
    row = {"index": index, "form": form, "holdings": HoldingFormSet(prefix=holdings_prefix(index))}
    return render(
        request,
        "requests_app/demand_form.html#new_account",
        {"account": row, "total": index + 1},
    )


@require_GET
def holding_form(request: HttpRequest, account: int) -> HttpResponse:
    """An empty holding for one account: the "add holding" button."""
    _require_role(request, *INTAKE_ROLES)
    if not 0 <= account < MAX_ACCOUNTS:
        raise Http404("Bad account index.")
    prefix = holdings_prefix(account)
    index = _index(request, f"{prefix}-TOTAL_FORMS", MAX_HOLDINGS)
    form = HoldingForm(prefix=f"{prefix}-{index}", empty_permitted=True, use_required_attribute=False)
    HoldingFormSet(prefix=prefix).add_fields(form, index)
    return render(
        request,
        "requests_app/demand_form.html#new_holding",
        {"holding": form, "account_index": account, "holding_number": index + 1, "prefix": prefix, "total": index + 1},
    )


@require_GET
def demand_document(request: HttpRequest, pk: int) -> FileResponse:
    """The demand's document, only to the legal team (never served from MEDIA_URL)."""
    _require_role(request, *READ_ROLES)
    demand = get_object_or_404(Demand.objects.only("pk", "reference", "document"), pk=pk)
    if not demand.document:
        raise Http404("This demand has no document.")
    try:
        handle = demand.document.open("rb")
    except FileNotFoundError:
        raise Http404("The document file is missing.") from None
    return document_response(handle, filename=f"{demand.reference}.pdf")
