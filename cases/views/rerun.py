"""Re-run a case as of another date: counsel picks a day, the engine answers on the
case's demand as the catalogue stood that day, and the answer is kept as a what-if run
on the case file, compared with the analysis in force (which it never replaces)."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts import roles
from cases.actions.what_if import EARLIEST, LATEST, compared, rerun_as_of
from cases.models import Case, WhatIfRun
from cases.views.common import REVIEW_ROLES, _get_case_for_user, show_refusal

# The case file lists this many runs, newest first (each is compared with the analysis).
SHOWN_RUNS = 50


class RerunForm(forms.Form):
    as_of = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date", "min": EARLIEST.isoformat(), "max": LATEST.isoformat()}),
        label="Re-run as of",
        help_text="The catalogue as it stood that day: doctrine, memberships, agreements. The demand's facts "
        "are as they stand now. The answer is kept here; the case's analysis, sign-off and deadlines stay.",
        error_messages={"required": "Pick the day to re-run the case as of.", "invalid": "Enter a date, YYYY-MM-DD."},
    )


def _context(request: HttpRequest, case: Case, form: RerunForm | None, run: WhatIfRun | None = None) -> dict:
    current = case.latest_analysis  # 1 query
    runs = list(case.what_if_runs.select_related("created_by", "catalogue_version")[:SHOWN_RUNS])  # 1 query
    for each in runs:
        each.comparison = compared(each, current)  # type: ignore[attr-defined]  # for the template
    if run is not None:
        run.comparison = compared(run, current)  # type: ignore[attr-defined]
    return {
        "case": case,
        "demand": case.demand,
        "current": current,
        "runs": runs,
        "shown_runs": SHOWN_RUNS,
        "run": run,
        "form": form,
        "can_rerun": roles.has_role(request.user, *REVIEW_ROLES),
    }


@require_http_methods(["GET", "POST"])
def rerun(request: HttpRequest, pk: int) -> HttpResponse:
    """The re-runs of a case (every reader); a new one (counsel: it is kept on the file)."""
    if request.method == "POST":
        case = _get_case_for_user(request, pk, *REVIEW_ROLES)
        form = RerunForm(request.POST)
        if form.is_valid():
            try:
                run = rerun_as_of(case=case, as_of=form.cleaned_data["as_of"], by=request.user)
            except ValidationError as refusal:
                show_refusal(form, refusal)
            else:
                return redirect("cases:what_if_run", pk=case.pk, run=run.pk)
        return render(request, "cases/rerun.html", _context(request, case, form), status=400)
    case = _get_case_for_user(request, pk)
    can_rerun = roles.has_role(request.user, *REVIEW_ROLES)
    return render(request, "cases/rerun.html", _context(request, case, RerunForm() if can_rerun else None))


@require_GET
def rerun_detail(request: HttpRequest, pk: int, run: int) -> HttpResponse:
    """One stored re-run: its answer as the what-if page shows one, and how it differs."""
    case = _get_case_for_user(request, pk)
    found = get_object_or_404(case.what_if_runs.select_related("created_by", "catalogue_version"), pk=run)
    can_rerun = roles.has_role(request.user, *REVIEW_ROLES)
    return render(request, "cases/rerun.html", _context(request, case, RerunForm() if can_rerun else None, run=found))
