"""Counsel's steps on a case file: track changes, court events, deadlines, sign-off,
overrides. Each calls one action; a refusal is shown on the case file with the form
kept (Post/Redirect/Get: the input and errors wait in the session for the case file's
next GET, so a reload of that page never posts the step again)."""

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cases import actions, workflow
from cases.forms import (
    AddDeadlineForm,
    AssignForm,
    CaseStepForm,
    CourtEventForm,
    OverrideForm,
    SignOffForm,
    TrackChangeForm,
    VersionedForm,
)
from cases.models import Case, Deadline
from cases.views.case_file import DEADLINE_STEPS, _analysis_context, _courts, _deadline_key, keep_refused_step
from cases.views.common import (
    REFUSALS,
    REVIEW_ROLES,
    HtmxHttpRequest,
    _form_errors,
    _get_case_for_user,
    show_refusal,
)


def _run_step(
    request: HttpRequest, case: Case, key: str, form: VersionedForm, action, success: str, *, panel: str = "tracks"
) -> HttpResponse:
    """Call the action with the form's input; on success back to the case file's
    `panel`. On a refusal, or a conflict (the case moved on: the form comes back at
    the fresh version, to look at what changed and send again), back to the case file
    too, where the form is shown open with what was typed and why it was refused."""
    anchor = f"{reverse('cases:detail', args=[case.pk])}#{panel}"
    if form.is_valid():
        try:
            action()
        except actions.StaleCase as exc:
            fresh = _get_case_for_user(request, case.pk, *REVIEW_ROLES)
            data = cast(QueryDict, form.data).copy()  # the step forms are bound to request.POST
            data[form.add_prefix("version")] = str(fresh.version)
            form.data = data
            keep_refused_step(request, case, key, form, conflict=str(exc))
            return redirect(anchor)
        except ValidationError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, success)
            return redirect(anchor)
    keep_refused_step(request, case, key, form)
    return redirect(anchor)


@require_POST
def change_track(request: HttpRequest, pk: int, track: str, to: str) -> HttpResponse:
    """One transition of the status, appeal or contempt track."""
    case = _get_case_for_user(request, pk, *REVIEW_ROLES)
    spec = workflow.TRACKS.get(track)
    if spec is None or to not in spec.states.values:
        raise Http404("No such track or state.")
    current = getattr(case, spec.field)
    form = TrackChangeForm(
        request.POST, request.FILES, prefix=f"{track}-{to}", courts=_courts(), track=spec, to=to, current=current
    )
    label = spec.states(to).label

    def act():
        actions.take_track_step(
            case=case,
            track=track,
            to=to,
            occurred_on=form.cleaned_data["occurred_on"],
            by=request.user,
            expected_version=form.cleaned_data["version"],
            place=actions.Place(**form.where()),
            details=actions.TrackDetails(**form.details()),
        )

    return _run_step(request, case, f"{track}:{to}", form, act, f"{spec.name.capitalize()}: {label}.")


@require_POST
def record_court_event(request: HttpRequest, pk: int) -> HttpResponse:
    """A court or world event that moves no track (a motion filed, a ruling, a statute)."""
    case = _get_case_for_user(request, pk, *REVIEW_ROLES)
    form = CourtEventForm(request.POST, request.FILES, prefix="event", courts=_courts())

    def act():
        actions.record_event(
            case=case,
            kind=form.cleaned_data["kind"],
            occurred_on=form.cleaned_data["occurred_on"],
            by=request.user,
            expected_version=form.cleaned_data["version"],
            motion_type=form.cleaned_data.get("motion_type") or "",
            **form.where(),
        )

    return _run_step(request, case, "event", form, act, "Event recorded.")


@require_POST
def contempt_stay(request: HttpRequest, pk: int) -> HttpResponse:
    """Stay a contempt finding, or lift its stay."""
    case = _get_case_for_user(request, pk, *REVIEW_ROLES)
    form = CaseStepForm(request.POST, request.FILES, prefix="stay", courts=_courts())
    lifting = case.contempt_stayed

    def act():
        data = form.cleaned_data
        step = actions.lift_contempt_stay if lifting else actions.stay_contempt
        date_arg = "lifted_on" if lifting else "stayed_on"
        step(
            case=case,
            by=request.user,
            expected_version=data["version"],
            **{date_arg: data["occurred_on"]},
            **form.where(),
        )

    message = "Stay of the contempt finding lifted." if lifting else "Contempt finding stayed."
    return _run_step(request, case, "stay", form, act, message)


@require_POST
def add_deadline(request: HttpRequest, pk: int) -> HttpResponse:
    """A manual deadline (objection, notice of appeal, custom), due when counsel says."""
    case = _get_case_for_user(request, pk, *REVIEW_ROLES)
    form = AddDeadlineForm(request.POST, prefix="deadline")

    def act():
        data = form.cleaned_data
        actions.add_deadline(
            case=case,
            kind=data["kind"],
            label=data["label"],
            due_at=data["due_at"],
            note=data["note"],
            by=request.user,
            expected_version=data["version"],
        )

    return _run_step(request, case, "deadline", form, act, "Deadline added.", panel="deadlines")


def _deadline_step(request: HttpRequest, pk: int, deadline: int, step: str, call) -> HttpResponse:
    """One step on one of the case's deadlines; another case's deadline is 404."""
    case = _get_case_for_user(request, pk, *REVIEW_ROLES)
    target = get_object_or_404(Deadline, pk=deadline, case=case)
    form_class, _, _, success = DEADLINE_STEPS[step]
    key = _deadline_key(target.pk, step)
    form = form_class(request.POST, prefix=key)

    def act():
        call(target, form.cleaned_data)

    return _run_step(request, case, key, form, act, success, panel="deadlines")


@require_POST
def move_deadline(request: HttpRequest, pk: int, deadline: int) -> HttpResponse:
    """A manual deadline moves to a new due time (a court's extension), with the reason."""

    def call(target: Deadline, data: dict) -> None:
        actions.move_deadline(
            deadline=target,
            due_at=data["due_at"],
            reason=data["reason"],
            by=request.user,
            expected_version=data["version"],
        )

    return _deadline_step(request, pk, deadline, "move", call)


@require_POST
def complete_deadline(request: HttpRequest, pk: int, deadline: int) -> HttpResponse:
    """The deadline was met on a day."""

    def call(target: Deadline, data: dict) -> None:
        actions.complete_deadline(
            deadline=target,
            occurred_on=data["occurred_on"],
            note=data["note"],
            by=request.user,
            expected_version=data["version"],
        )

    return _deadline_step(request, pk, deadline, "complete", call)


@require_POST
def cancel_deadline(request: HttpRequest, pk: int, deadline: int) -> HttpResponse:
    """A manual deadline no longer applies, from a day, with the reason."""

    def call(target: Deadline, data: dict) -> None:
        actions.cancel_deadline(
            deadline=target,
            occurred_on=data["occurred_on"],
            reason=data["reason"],
            by=request.user,
            expected_version=data["version"],
        )

    return _deadline_step(request, pk, deadline, "cancel", call)


@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Counsel assigns the case to a member of counsel, or unassigns it."""
    case = _get_case_for_user(request, pk, *REVIEW_ROLES)
    form = AssignForm(request.POST, prefix="assign")
    counsel = form.cleaned_data.get("counsel") if form.is_valid() else None

    def act():
        actions.assign(case=case, counsel=counsel, by=request.user, expected_version=form.cleaned_data["version"])

    done = f"Assigned to {counsel.get_username()}." if counsel is not None else "Unassigned."
    return _run_step(request, case, "assign", form, act, done, panel="facts")


@require_POST
def sign_off(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Counsel signs off the latest analysis, with a note. The action refuses an older
    analysis, one already signed off and a closed case; the refusal is shown."""
    case = _get_case_for_user(request, pk, *REVIEW_ROLES)
    form = SignOffForm(request.POST)
    if form.is_valid():
        try:
            actions.sign_off_analysis(
                case=case, analysis_id=form.cleaned_data["analysis"], note=form.cleaned_data["note"], by=request.user
            )
        except REFUSALS as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, "Analysis signed off.")
            return redirect("cases:detail", pk=case.pk)
    case.refresh_from_db()
    context = _analysis_context(request, case)
    context["sign_off_form"] = form
    context["refusal"] = "; ".join(_form_errors(form))
    if request.htmx:
        return render(request, "cases/detail.html#analysis", context, status=422)
    messages.error(request, "The sign-off was not saved: " + "; ".join(_form_errors(form)))
    return redirect("cases:detail", pk=case.pk)


@require_POST
def override_holding(request: HttpRequest, pk: int, analysis: int) -> HttpResponse:
    """Counsel replaces the engine's answer for one holding of the latest analysis, with
    a reason. A refusal (a closed case, an answer that changes nothing) keeps the form."""
    case = _get_case_for_user(request, pk, *REVIEW_ROLES)
    latest = case.latest_analysis
    if latest is None or latest.pk != analysis:
        messages.error(request, "A newer analysis exists: review it and override there.")
        return redirect(f"{reverse('cases:detail', args=[case.pk])}#analysis")
    form = OverrideForm(request.POST, analysis=latest)
    if form.is_valid():
        try:
            override = form.save(by=request.user)
        except REFUSALS as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, f"Override recorded for {override.account} {override.category}.")
            return redirect(f"{reverse('cases:detail', args=[case.pk])}#analysis")
    # Back to the case file (not a page at this POST URL), the form open with its errors.
    keep_refused_step(
        request, case, "override", form, override="1", analysis=latest.pk, refusal="; ".join(_form_errors(form))
    )
    return redirect(f"{reverse('cases:detail', args=[case.pk])}#analysis")
