"""Counsel extends a preservation on a renewed request and decides on an emergency
disclosure request, from the case file (the sections: cases/views/preservation_section.py)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cases.actions import StaleCase
from cases.actions.disclosure import record_disclosure_decision
from cases.actions.preservation import extend_preservation
from cases.models import Case
from cases.views.case_file import _case_file
from cases.views.common import REFUSALS, REVIEW_ROLES, _get_case_for_user, show_refusal
from cases.views.preservation_section import DisclosureDecisionForm, ExtendPreservationForm, request_kind_context


def _page(request: HttpRequest, case: Case, *, status: int, conflict: str = "", **forms_given) -> HttpResponse:
    context = _case_file(request, case)
    context.update(request_kind_context(case, context, **forms_given))
    if conflict:
        context["conflict"] = conflict
    return render(request, "cases/detail.html", context, status=status)


def _retry(form_class, request: HttpRequest, case: Case):
    """The form as posted, with the case's current version (after a 409)."""
    posted = request.POST.copy()
    posted[form_class().add_prefix("version")] = str(case.version)
    form = form_class(posted)
    form.is_valid()
    return form


@require_POST
def extend_preservation_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Counsel records that the requester renewed the preservation request."""
    case = _get_case_for_user(request, pk, *REVIEW_ROLES)
    form = ExtendPreservationForm(request.POST)
    if not form.is_valid():
        return _page(request, case, status=422, extend_form=form)
    data = form.cleaned_data
    try:
        extend_preservation(
            case=case,
            received_on=data["received_on"],
            note=data["note"],
            by=request.user,
            expected_version=data["version"],
        )
    except StaleCase as exc:
        fresh = _get_case_for_user(request, case.pk, *REVIEW_ROLES)
        return _page(
            request, fresh, status=409, conflict=str(exc), extend_form=_retry(ExtendPreservationForm, request, fresh)
        )
    except REFUSALS as exc:
        case = _get_case_for_user(request, case.pk, *REVIEW_ROLES)
        show_refusal(form, exc)
        return _page(request, case, status=422, extend_form=form)
    messages.success(request, "Preservation extended.")
    return redirect(f"{reverse('cases:detail', args=[case.pk])}#preservation")


@require_POST
def disclosure_decision_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Counsel records the decision on an emergency disclosure request."""
    case = _get_case_for_user(request, pk, *REVIEW_ROLES)
    form = DisclosureDecisionForm(request.POST)
    if not form.is_valid():
        return _page(request, case, status=422, decision_form=form)
    data = form.cleaned_data
    try:
        row = record_disclosure_decision(
            case=case,
            decision=data["decision"],
            basis=data["basis"],
            verification=data["verification"],
            verification_detail=data["verification_detail"],
            by=request.user,
            expected_version=data["version"],
        )
    except StaleCase as exc:
        fresh = _get_case_for_user(request, case.pk, *REVIEW_ROLES)
        return _page(
            request, fresh, status=409, conflict=str(exc), decision_form=_retry(DisclosureDecisionForm, request, fresh)
        )
    except REFUSALS as exc:
        case = _get_case_for_user(request, case.pk, *REVIEW_ROLES)
        show_refusal(form, exc)
        return _page(request, case, status=422, decision_form=form)
    messages.success(request, f"Decision recorded: {row.get_decision_display().lower()}.")
    return redirect(f"{reverse('cases:detail', args=[case.pk])}#disclosure")
