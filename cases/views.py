"""The legal team's pages: dashboard, case list, case file, counsel's review.

Every view checks the role itself (`_require_role`, `_get_case_for_user`): an htmx
partial can be requested on its own, so a template hiding a button is never the check.
"""

import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cases import actions, roles, workflow
from cases.filters import CaseFilter, case_list_queryset
from cases.forms import (
    AddDeadlineForm,
    CancelDeadlineForm,
    CaseStepForm,
    CompleteDeadlineForm,
    CourtEventForm,
    MoveDeadlineForm,
    OverrideForm,
    SignOffForm,
    TrackChangeForm,
    VersionedForm,
)
from cases.models import AppealStatus, Case, CaseEvent, ContemptStatus, Deadline, Status
from jurisdictions.models import Court
from requests_app.models import Demand, Holding, NondisclosureOrder, TargetAccount

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


@require_GET
@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for the load balancer and compose."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# ------------------------------------------------------------------- dashboard


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: what is open, what is due, what is in court, where demands come from."""
    _require_role(request, *READ_ROLES)
    now = timezone.now()
    open_deadlines = Deadline.objects.filter(state=Deadline.State.OPEN).exclude(case__status=Status.CLOSED)
    due_soon = list(
        open_deadlines.filter(due_at__gte=now, due_at__lt=now + dt.timedelta(days=7))
        .select_related("case__demand")
        .order_by("due_at")[:50]
    )
    overdue = list(open_deadlines.filter(due_at__lt=now).select_related("case__demand").order_by("due_at")[:50])
    by_status = dict(
        Case.objects.exclude(status=Status.CLOSED).values_list("status").annotate(n=Count("pk")).order_by()
    )
    litigation = list(
        Case.objects.exclude(status=Status.CLOSED)
        .filter(~Q(appeal_status=AppealStatus.NONE) | ~Q(contempt_status=ContemptStatus.NONE))
        .select_related("demand")
        .order_by("-updated_at")[:50]
    )
    since = now - dt.timedelta(days=365)
    per_country = list(
        Demand.objects.annotate(on=Coalesce("received_at", "served_at", "created_at"))
        .filter(on__gte=since)
        .values("issuing_jurisdiction_id", "issuing_jurisdiction__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "issuing_jurisdiction_id")
    )
    return render(
        request,
        "cases/dashboard.html",
        {
            "statuses": [
                (value, label, by_status.get(value, 0)) for value, label in Status.choices if value != "closed"
            ],
            "open_total": sum(by_status.values()),
            "due_soon": due_soon,
            "overdue": overdue,
            "litigation": litigation,
            "chart": _bar_chart(per_country),
            "now": now,
        },
    )


def _bar_chart(rows: list[dict]) -> dict:
    """Geometry for a server-rendered SVG bar chart (no inline styles, no JS)."""
    top = max((r["n"] for r in rows), default=0)
    bar_height, gap, label_width, width = 22, 6, 150, 620
    bars = []
    for i, row in enumerate(rows):
        length = 0 if not top else max(2, round((width - label_width - 50) * row["n"] / top))
        y = i * (bar_height + gap)
        bars.append(
            {
                "code": row["issuing_jurisdiction_id"],
                "name": row["issuing_jurisdiction__name"],
                "n": row["n"],
                "y": y,
                "text_y": y + bar_height * 0.7,
                "length": length,
                "value_x": label_width + length + 6,
            }
        )
    return {
        "bars": bars,
        "width": width,
        "height": max(len(bars) * (bar_height + gap), bar_height),
        "label_width": label_width,
        "bar_height": bar_height,
        "total": sum(r["n"] for r in rows),
    }


# ------------------------------------------------------------------- case list


@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    _require_role(request, *READ_ROLES)
    filterset = CaseFilter(request.GET or None, queryset=case_list_queryset())
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # The page's rows in one query: the page's keys are picked in a subquery (which
    # computes the next deadline only when it filters or sorts by it), and the next
    # deadline is computed for those 50 rows alone, not for every case before sorting.
    ordering = filterset.qs.query.order_by
    page.object_list = list(case_list_queryset().filter(pk__in=page.object_list.values("pk")).order_by(*ordering))
    params = request.GET.copy()
    params.pop("page", None)
    sort = request.GET.get("sort", "")
    context = {
        "filter": filterset,
        "page": page,
        "query": params.urlencode(),
        "sort": sort,
        "sort_links": _sort_links(params, sort),
        "now": timezone.now(),
    }
    template = "cases/list.html#results" if request.htmx and not request.htmx.boosted else "cases/list.html"
    return render(request, template, context)


def _sort_links(params, current: str) -> dict[str, str]:
    """Each column's sort link: ascending first, descending when already ascending."""
    links = {}
    for key in ("reference", "created", "deadline", "status"):
        query = params.copy()
        query["sort"] = f"-{key}" if current == key else key
        links[key] = query.urlencode()
    return links


# ------------------------------------------------------------------- case file


@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case_for_user(request, pk)
    return render(request, "cases/detail.html", _case_file(request, case))


# ------------------------------------------------------------------- workflow


def _run_step(
    request: HttpRequest, case: Case, key: str, form: VersionedForm, action, success: str, *, panel: str = "tracks"
) -> HttpResponse:
    """Call the action with the form's input; show the form again on a refusal and the
    fresh case on a conflict. The action checks the transition table and the version.
    On success, back to the case file's `panel`."""
    if form.is_valid():
        try:
            action()
        except actions.StaleCase as exc:
            # The fresh case, with what was typed kept in the form (at the fresh version):
            # a look at what changed, then the step can be sent again.
            fresh = _get_case_for_user(request, case.pk, *REVIEW_ROLES)
            form.data = form.data.copy()
            form.data[form.add_prefix("version")] = str(fresh.version)
            context = _case_file(request, fresh, bound={key: form})
            context["conflict"] = str(exc)
            return render(request, "cases/detail.html", context, status=409)
        except ValidationError as exc:
            case.refresh_from_db()  # an action may refuse after updating this copy; nothing was saved
            form.add_action_error(exc)
        else:
            messages.success(request, success)
            return redirect(f"{reverse('cases:detail', args=[case.pk])}#{panel}")
    return render(request, "cases/detail.html", _case_file(request, case, bound={key: form}), status=422)


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
        common = {
            "case": case,
            "to": to,
            "occurred_on": form.cleaned_data["occurred_on"],
            "by": request.user,
            "expected_version": form.cleaned_data["version"],
            **form.where(),
            **form.details(),
        }
        {"status": actions.change_status, "appeal": actions.advance_appeal, "contempt": actions.change_contempt}[track](
            **common
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
            **form.where(),
        )

    return _run_step(request, case, "event", form, act, "Event recorded.")


@require_GET
def event_document(request: HttpRequest, pk: int, event: int) -> FileResponse:
    """A timeline event's document, only to the legal team (never served from MEDIA_URL)."""
    _require_role(request, *READ_ROLES)
    record = get_object_or_404(CaseEvent.objects.only("pk", "case_id", "kind", "document"), pk=event, case_id=pk)
    if not record.document:
        raise Http404("This event has no document.")
    try:
        handle = record.document.open("rb")
    except FileNotFoundError:
        raise Http404("The document file is missing.") from None
    response = FileResponse(handle, content_type="application/pdf", filename=f"case-{pk}-{record.kind}-{event}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


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


# ------------------------------------------------------------------- deadlines

# What counsel may do with an open deadline: step -> (form, summary, button, success).
DEADLINE_STEPS = {
    "move": (MoveDeadlineForm, "Move", "Move the deadline", "Deadline moved."),
    "complete": (CompleteDeadlineForm, "Mark met", "Mark met", "Deadline marked met."),
    "cancel": (CancelDeadlineForm, "Cancel", "Cancel the deadline", "Deadline cancelled."),
}


def _deadline_steps(deadline: Deadline, case: Case) -> tuple[str, ...]:
    """The steps offered for a deadline. Any open deadline can be met; a computed one
    follows the analysis, so only a manual one is moved or cancelled by hand, and on a
    closed case none is moved (the actions refuse the rest whatever the page offers)."""
    if deadline.state != Deadline.State.OPEN:
        return ()
    if deadline.source == Deadline.Source.MANUAL and case.status == Status.CLOSED:
        return ("complete", "cancel")
    if deadline.source == Deadline.Source.MANUAL:
        return ("move", "complete", "cancel")
    return ("complete",)


def _deadline_key(deadline_pk: int, step: str) -> str:
    """A deadline step form's prefix, and its key in `bound`."""
    return f"deadline-{deadline_pk}-{step}"


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


def _deadline_context(case: Case, deadlines: list[Deadline], *, can_review: bool, bound: dict) -> dict:
    """Counsel's deadline forms: one to add, and on each open deadline its steps (set
    as `deadline.steps`). `bound` holds a refused form, shown again open with its errors."""
    for deadline in deadlines:
        deadline.steps = []
    if not can_review:
        return {"deadline_form": None, "deadline_steps": False}
    initial = {"version": case.version}
    shown = {"deadline"}
    for deadline in deadlines:
        for step in _deadline_steps(deadline, case):
            form_class, label, button, _ = DEADLINE_STEPS[step]
            key = _deadline_key(deadline.pk, step)
            shown.add(key)
            step_initial = {**initial, "due_at": deadline.due_at} if step == "move" else initial
            deadline.steps.append(
                {
                    "key": key,
                    "label": label,
                    "button": button,
                    "action": reverse(f"cases:{step}_deadline", args=[case.pk, deadline.pk]),
                    "form": bound.get(key) or form_class(prefix=key, initial=step_initial),
                    "open": key in bound,
                }
            )
    # A refused step on a deadline no longer offered (posted from a stale page): say why.
    errors = [e for key, form in bound.items() if key not in shown for errs in form.errors.values() for e in errs]
    if case.status == Status.CLOSED:
        return {"deadline_form": None, "deadline_steps": True, "deadline_errors": errors}
    return {
        "deadline_steps": True,
        "deadline_form": bound.get("deadline") or AddDeadlineForm(prefix="deadline", initial=initial),
        "deadline_open": "deadline" in bound,
        "deadline_errors": errors,
    }


def _courts() -> list[Court]:
    return list(Court.objects.only("pk", "name").order_by("name"))


def _last_court(events: list, track: str) -> dict:
    """The court of the track's latest step, offered again for its next one."""
    last = next((e for e in reversed(events) if e.track == track and (e.court_id or e.court_name)), None)
    if last is None:
        return {}
    return {"court": str(last.court_id)} if last.court_id else {"court_name": last.court_name}


def _workflow_context(case: Case, *, can_review: bool, bound: dict, events: list) -> dict:
    """The track buttons: only the changes the transition tables allow from here, and
    only for counsel. Each form carries the case's version (optimistic locking), and a
    court step starts from the court of the track's previous step."""
    tracks = _tracks(case)
    if not can_review:
        return {"tracks": tracks, "event_form": None, "stay_form": None}
    courts = _courts()
    initial = {"version": case.version}
    allowed = workflow.available_changes(case)
    for t in tracks:
        spec = workflow.TRACKS[t["name"]]
        current = getattr(case, spec.field)
        step_initial = {**initial, **_last_court(events, t["name"])} if t["name"] != "status" else initial
        steps = []
        for to in allowed[t["name"]]:
            key = f"{t['name']}:{to}"
            form = bound.get(key) or TrackChangeForm(
                prefix=f"{t['name']}-{to}", initial=step_initial, courts=courts, track=spec, to=to, current=current
            )
            steps.append(
                {
                    "key": key,
                    "label": spec.states(to).label,
                    "button": f"{'Move to' if t['name'] == 'status' else 'Record'}: {spec.states(to).label}",
                    "action": reverse("cases:change_track", args=[case.pk, t["name"], to]),
                    "form": form,
                    "open": key in bound,
                }
            )
        t["steps"] = steps
    shown = {step["key"] for t in tracks for step in t["steps"]} | {"event", "stay"}
    # A refused step that is not on offer (posted from a stale page): say why, above the tracks.
    step_errors = [e for key, form in bound.items() if key not in shown for errs in form.errors.values() for e in errs]
    stay_form = None
    if case.contempt_status == ContemptStatus.HELD:
        stay_form = bound.get("stay") or CaseStepForm(prefix="stay", initial=initial, courts=courts)
    return {
        "tracks": tracks,
        "event_form": bound.get("event") or CourtEventForm(prefix="event", initial=initial, courts=courts),
        "event_open": "event" in bound,
        "stay_form": stay_form,
        "stay_open": "stay" in bound,
        "step_errors": step_errors,
    }


@require_GET
def case_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    """The analysis panel alone: the case file polls it until the first analysis exists."""
    case = _get_case_for_user(request, pk)
    return render(request, "cases/detail.html#analysis", _analysis_context(request, case))


@require_POST
def sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    """Counsel signs off the latest analysis, with a note."""
    case = _get_case_for_user(request, pk, *REVIEW_ROLES)
    form = SignOffForm(request.POST)
    latest = case.analyses.order_by("-created_at", "-pk").first()
    if form.is_valid():
        if latest is None or latest.pk != form.cleaned_data["analysis"]:
            form.add_error(None, "A newer analysis exists: review it before signing off.")
        elif latest.signed_off_at is not None:
            form.add_error(None, "This analysis is already signed off.")
    if not form.is_valid():
        context = _analysis_context(request, case)
        context["sign_off_form"] = form
        if request.htmx:
            return render(request, "cases/detail.html#analysis", context, status=422)
        messages.error(request, "The sign-off was not saved: " + "; ".join(_form_errors(form)))
        return redirect("cases:detail", pk=case.pk)
    actions.sign_off_analysis(case=case, analysis_id=latest.pk, note=form.cleaned_data["note"], by=request.user)
    messages.success(request, "Analysis signed off.")
    return redirect("cases:detail", pk=case.pk)


@require_POST
def override_holding(request: HttpRequest, pk: int, analysis: int) -> HttpResponse:
    """Counsel replaces the engine's answer for one holding of the latest analysis, with a reason."""
    case = _get_case_for_user(request, pk, *REVIEW_ROLES)
    latest = case.analyses.order_by("-created_at", "-pk").first()
    if latest is None or latest.pk != analysis:
        messages.error(request, "A newer analysis exists: review it and override there.")
        return redirect(f"{reverse('cases:detail', args=[case.pk])}#analysis")
    form = OverrideForm(request.POST, analysis=latest)
    if form.is_valid():
        override = form.save(by=request.user)
        messages.success(request, f"Override recorded for {override.account} {override.category}.")
        return redirect(f"{reverse('cases:detail', args=[case.pk])}#analysis")
    return render(request, "cases/detail.html", _case_file(request, case, override_form=form), status=422)


def _form_errors(form) -> list[str]:
    return [str(e) for errors in form.errors.values() for e in errors]


def _analysis_context(request: HttpRequest, case: Case, *, override_form: OverrideForm | None = None) -> dict:
    analyses = list(case.analyses.select_related("catalogue_version", "signed_off_by").order_by("-created_at", "-pk"))
    latest = analyses[0] if analyses else None
    can_review = roles.has_role(request.user, *REVIEW_ROLES)
    # A closed case's analysis is final: no sign-off or override is offered (nor accepted).
    may_change = can_review and case.status != Status.CLOSED
    form = None
    if latest is not None and latest.signed_off_at is None and may_change:
        form = SignOffForm(initial={"analysis": latest.pk})
    rows = []
    if latest is not None:
        # The latest override of each holding applies; earlier ones stay on record.
        overrides = {}
        for override in latest.overrides.select_related("by").order_by("created_at", "pk"):
            overrides[override.item] = override
        for index, item in enumerate(latest.result.get("items", [])):
            bound = override_form is not None and override_form.data.get("item") == str(index)
            rows.append(
                {
                    "index": index,
                    "item": item,
                    "override": overrides.get(index),
                    "form": (override_form if bound else OverrideForm(initial={"item": index}, analysis=latest))
                    if may_change
                    else None,
                    "open": bound,
                }
            )
    return {
        "case": case,
        "latest": latest,
        "rows": rows,
        "earlier": analyses[1:],
        "can_review": can_review,
        "sign_off_form": form,
    }


def _case_file(
    request: HttpRequest, case: Case, *, bound: dict | None = None, override_form: OverrideForm | None = None
) -> dict:
    """Everything the case file shows, in a fixed number of queries (see the tests).

    `bound` holds a step form that failed (keyed like the step), to show it again
    with its errors, open.
    """
    demand = case.demand
    accounts = list(TargetAccount.objects.filter(demand=demand).select_related("residence").order_by("pk"))
    holdings = defaultdict(list)
    for holding in (
        Holding.objects.filter(account__demand=demand)
        .select_related("data_location__country", "data_location__operated_by", "controlled_by")
        .order_by("account_id", "pk")
    ):
        holdings[holding.account_id].append(holding)
    for account in accounts:
        account.holding_rows = holdings.get(account.pk, [])
    events = list(case.events.select_related("by", "court").order_by("occurred_on", "recorded_at", "pk"))
    deadlines = list(case.deadlines.select_related("created_by").order_by("state", "due_at", "pk"))
    ndos = list(NondisclosureOrder.objects.filter(demand=demand).order_by("starts_on", "pk"))
    context = _analysis_context(request, case, override_form=override_form)
    context.update(
        {
            "demand": demand,
            "accounts": accounts,
            "events": events,
            "deadlines": deadlines,
            "ndos": ndos,
            "history": _audit_history(case, accounts, holdings),
            "now": timezone.now(),
        }
    )
    bound = bound or {}
    tracks_bound = {key: form for key, form in bound.items() if not key.startswith("deadline")}
    deadlines_bound = {key: form for key, form in bound.items() if key.startswith("deadline")}
    context.update(_workflow_context(case, can_review=context["can_review"], bound=tracks_bound, events=events))
    context.update(_deadline_context(case, deadlines, can_review=context["can_review"], bound=deadlines_bound))
    return context


def _tracks(case: Case) -> list[dict]:
    details = []
    if case.contempt_kind:
        details.append(case.get_contempt_kind_display())
    if case.contempt_by_stipulation:
        details.append("by stipulation")
    if case.contempt_sanctions_amount is not None:
        details.append(f"sanctions {case.contempt_sanctions_amount}")
    if case.contempt_sanctions_period:
        details.append(case.contempt_sanctions_period)
    if case.contempt_stayed:
        details.append("stayed")
    return [
        {
            "name": "status",
            "label": "Status",
            "state": case.status,
            "display": case.get_status_display(),
            "detail": case.get_outcome_display() if case.outcome else "",
        },
        {
            "name": "appeal",
            "label": "Appeal",
            "state": case.appeal_status,
            "display": case.get_appeal_status_display(),
            "detail": case.get_appeal_disposition_display() if case.appeal_disposition else "",
        },
        {
            "name": "contempt",
            "label": "Contempt",
            "state": case.contempt_status,
            "display": case.get_contempt_status_display(),
            "detail": ", ".join(details),
        },
    ]


# ---------------------------------------------------------------- audit history

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _audit_history(case: Case, accounts: list[TargetAccount], holdings: dict) -> list[dict]:
    """Who changed what and when, across the demand, its accounts and holdings, and the case.

    Four queries, one per history table. Each record is compared with the previous
    record of the same row, in memory.
    """
    names = {}
    for rows in holdings.values():
        for h in rows:
            names[("data_location", h.data_location_id)] = str(h.data_location) if h.data_location else None
            names[("controlled_by", h.controlled_by_id)] = h.controlled_by.name
    account_ids = TargetAccount.history.filter(demand_id=case.demand_id).values("id")
    sources = [
        ("Demand", Demand.history.filter(id=case.demand_id), lambda r: r.reference),
        ("Account", TargetAccount.history.filter(demand_id=case.demand_id), lambda r: r.identifier),
        (
            "Holding",
            Holding.history.filter(account_id__in=account_ids),
            lambda r: f"{r.category} @ {names.get(('data_location', r.data_location_id)) or 'unknown'}",
        ),
        ("Case", Case.history.filter(id=case.pk), lambda r: f"case {r.id}"),
    ]
    entries = []
    for label, queryset, describe in sources:
        previous = {}
        for record in queryset.select_related("history_user").order_by("history_date", "history_id"):
            fields = [f for f in record.tracked_fields if f.editable and f.name not in ("id", "updated_at", "version")]
            before = previous.get(record.id)
            changes = []
            if before is not None:
                for f in fields:
                    old, new = getattr(before, f.attname), getattr(record, f.attname)
                    if old != new:
                        changes.append(f"{f.verbose_name}: {_shown(names, f.name, old)} → {_shown(names, f.name, new)}")
            previous[record.id] = record
            if record.history_type == "~" and not changes:
                continue
            entries.append(
                {
                    "when": record.history_date,
                    "who": record.history_user,
                    "what": f"{label} {describe(record)}",
                    "action": HISTORY_TYPES.get(record.history_type, record.history_type),
                    "changes": changes,
                }
            )
    entries.sort(key=lambda e: e["when"], reverse=True)
    return entries


def _shown(names: dict, field: str, value) -> str:
    if value is None or value == "":
        return "—"
    return str(names.get((field, value), value))


# ------------------------------------------------------------ transparency report


def _report_for(request: HttpRequest):
    """The period the request asks for and its report; (None, errors) on bad input."""
    from cases import report

    try:
        period = report.period_from(request.GET, today=timezone.localdate())
    except ValidationError as exc:
        return None, exc.message_dict
    return report.transparency_report(period), {}


@require_GET
def transparency_report(request: HttpRequest) -> HttpResponse:
    """The transparency report for a half year or a range of days, with a chart."""
    from cases import report as reports

    _require_role(request, *READ_ROLES)
    result, errors = _report_for(request)
    today = timezone.localdate()
    halves = [reports.half_year(y, h) for y in range(today.year, today.year - 3, -1) for h in (2, 1)]
    context = {
        "report": result,
        "errors": errors,
        "halves": [h for h in halves if h.start <= today],
        "params": request.GET,
        "buckets": reports.BUCKETS,
    }
    if result is not None:
        context["chart"] = reports.chart(result)
    return render(request, "reports/transparency.html", context, status=400 if errors else 200)


@require_GET
def transparency_report_csv(request: HttpRequest) -> HttpResponse:
    from cases import report as reports

    _require_role(request, *READ_ROLES)
    result, errors = _report_for(request)
    if result is None:
        text = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(reports.as_csv(result), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="transparency-{_slug(result.period.label)}.csv"'
    return response


@require_GET
def transparency_report_json(request: HttpRequest) -> HttpResponse:
    from cases import report as reports

    _require_role(request, *READ_ROLES)
    result, errors = _report_for(request)
    if result is None:
        first = next(iter(errors.items()))
        body = {"error": {"status": 400, "code": "invalid", "message": f"{first[0]}: {first[1][0]}", "fields": errors}}
        return JsonResponse(body, status=400)
    response = JsonResponse(reports.as_dict(result))
    response["Content-Disposition"] = f'attachment; filename="transparency-{_slug(result.period.label)}.json"'
    return response


def _slug(label: str) -> str:
    return label.replace(" to ", "_").replace(" ", "")


# ------------------------------------------------------------- case file export


@require_GET
def case_export_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The case's complete record as a JSON download."""
    from cases import export

    case = _get_case_for_user(request, pk)
    record = export.case_record(case.pk)
    response = HttpResponse(export.to_json(record), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename(record, "json")}"'
    return response


@require_GET
def case_memo_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Counsel's memo on the case as a PDF: facts, the analysis table, deadlines, timeline."""
    from cases import export

    case = _get_case_for_user(request, pk)
    record = export.case_record(case.pk)
    response = HttpResponse(export.memo_pdf(record), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{export.filename(record, "pdf")}"'
    return response
