"""The case file: facts, analysis, tracks, deadlines, timeline and audit history."""

from collections import defaultdict
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.utils import ErrorDict
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts import roles
from cases import sign_off, workflow
from cases.analysis import answer_extras
from cases.forms import (
    AddDeadlineForm,
    AssignForm,
    CancelDeadlineForm,
    CaseStepForm,
    CompleteDeadlineForm,
    CourtEventForm,
    MoveDeadlineForm,
    OverrideForm,
    SignOffForm,
    TrackChangeForm,
)
from cases.history import Names, audit_history
from cases.models import Case, CaseEvent, ContemptStatus, Deadline, TrackName
from cases.views.common import READ_ROLES, REVIEW_ROLES, _get_case_for_user, _require_role
from cases.views.documents import documents_context
from cases.views.orders import orders_context
from cases.views.preservation_section import request_kind_context
from cases.views.production_section import productions_context
from jurisdictions.models import Court
from requests_app.documents import document_response
from requests_app.models import Holding, NondisclosureOrder, TargetAccount

# What a deadline offers: its form, the link's label, the button, the message when done.
DEADLINE_STEPS = {
    "move": (MoveDeadlineForm, "Move", "Move the deadline", "Deadline moved."),
    "complete": (CompleteDeadlineForm, "Mark met", "Mark met", "Deadline marked met."),
    "cancel": (CancelDeadlineForm, "Cancel", "Cancel the deadline", "Deadline cancelled."),
}


# The session key of a refused step: its form's input and errors, kept for the one
# page the refusal redirects to (Post/Redirect/Get: a reload never posts it again).
REFUSED_STEP = "case_step_refused"


@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case_for_user(request, pk)
    refused = request.session.get(REFUSED_STEP)
    if not refused or refused.get("case") != case.pk:  # another case's waits for its own page
        return render(request, "cases/detail.html", _case_file(request, case))
    del request.session[REFUSED_STEP]  # shown once
    form = _refused_form(case, refused)
    if refused.get("override"):
        context = _case_file(request, case, override_form=form)
    else:
        context = _case_file(request, case, bound={refused["key"]: form} if form is not None else {})
    if refused.get("conflict"):
        context["conflict"] = refused["conflict"]
    if refused.get("refusal"):
        context["refusal"] = refused["refusal"]
    return render(request, "cases/detail.html", context)


def keep_refused_step(request: HttpRequest, case: Case, key: str, form, **extra: object) -> None:
    """Keep a refused step's input and errors for the case file's next GET (shown
    once, open, as it was sent; a file input cannot be kept and must be chosen again)."""
    data = [(name, value) for name, values in form.data.lists() if name != "csrfmiddlewaretoken" for value in values]
    errors = {field: [e["message"] for e in errs] for field, errs in form.errors.get_json_data().items()}
    request.session[REFUSED_STEP] = {"case": case.pk, "key": key, "data": data, "errors": errors, **extra}


def _refused_form(case: Case, refused: dict):
    """The refused step's form again, bound to what was sent, with its errors (not
    validated again: an action's refusal would not recur on its own)."""
    data = QueryDict(mutable=True)
    for name, value in refused.get("data", ()):
        data.appendlist(name, value)
    key = refused.get("key", "")
    form: Any
    if refused.get("override"):
        latest = case.latest_analysis
        if latest is None or latest.pk != refused.get("analysis"):
            return None
        form = OverrideForm(data, analysis=latest)
    elif key == "event":
        form = CourtEventForm(data, prefix="event", courts=_courts())
    elif key == "stay":
        form = CaseStepForm(data, prefix="stay", courts=_courts())
    elif key == "assign":
        form = AssignForm(data, prefix="assign")
    elif key == "deadline":
        form = AddDeadlineForm(data, prefix="deadline")
    elif key.startswith("deadline-") and key.rsplit("-", 1)[-1] in DEADLINE_STEPS:
        form = DEADLINE_STEPS[key.rsplit("-", 1)[-1]][0](data, prefix=key)
    elif ":" in key and (spec := workflow.TRACKS.get(key.split(":", 1)[0])) is not None:
        to = key.split(":", 1)[1]
        form = TrackChangeForm(
            data,
            prefix=f"{spec.name}-{to}",
            courts=_courts(),
            track=spec,
            to=to,
            current=getattr(case, spec.field),
        )
    else:
        return None
    form.cleaned_data = {}
    errors = ErrorDict()
    for field, messages in refused.get("errors", {}).items():
        nonfield = field == NON_FIELD_ERRORS
        errors[field] = form.error_class(messages, error_class="nonfield" if nonfield else None)
    form._errors = errors  # read as `form.errors`: the form is not cleaned again
    return form


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
    return document_response(handle, filename=f"case-{pk}-{record.kind}-{event}.pdf")


def _deadline_steps(deadline: Deadline, case: Case) -> tuple[str, ...]:
    """The steps offered for a deadline. Any open deadline can be met; a computed one
    follows the analysis, so only a manual one is moved or cancelled by hand, and on a
    closed case none is moved (the actions refuse the rest whatever the page offers)."""
    if deadline.state != Deadline.State.OPEN:
        return ()
    if deadline.source == Deadline.Source.MANUAL and case.is_closed:
        return ("complete", "cancel")
    if deadline.source == Deadline.Source.MANUAL:
        return ("move", "complete", "cancel")
    return ("complete",)


def _deadline_key(deadline_pk: int, step: str) -> str:
    """A deadline step form's prefix, and its key in `bound`."""
    return f"deadline-{deadline_pk}-{step}"


def _deadline_context(case: Case, deadlines: list[Deadline], *, can_review: bool, bound: dict) -> dict:
    """Counsel's deadline forms: one to add, and on each open deadline its steps (set
    as `deadline.steps`). `bound` holds a refused form, shown again open with its errors."""
    # `steps` is for the template only, not a Deadline field: mypy cannot know it.
    for deadline in deadlines:
        deadline.steps = []  # type: ignore[attr-defined]
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
            deadline.steps.append(  # type: ignore[attr-defined]
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
    if case.is_closed:
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
        step_initial = {**initial, **_last_court(events, t["name"])} if t["name"] != TrackName.STATUS else initial
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
                    "button": f"{'Move to' if t['name'] == TrackName.STATUS else 'Record'}: {spec.states(to).label}",
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


def _analysis_context(request: HttpRequest, case: Case, *, override_form: OverrideForm | None = None) -> dict:
    analyses = list(case.analyses.select_related("catalogue_version", "signed_off_by").newest_first())
    latest = analyses[0] if analyses else None  # the analysis in force
    # Which answer was signed off, and whether that still stands; each analysis's own.
    case_sign_off, sign_offs = sign_off.of_analyses(analyses, closed=case.is_closed)
    for analysis, own in zip(analyses, sign_offs, strict=True):
        analysis.sign_off = own  # for the template
    can_review = roles.has_role(request.user, *REVIEW_ROLES)
    # A closed case's analysis is final: no sign-off or override is offered (nor accepted).
    may_change = can_review and not case.is_closed
    form = None
    if latest is not None and not latest.sign_off_stands and may_change:  # offered again once voided
        form = SignOffForm(initial={"analysis": latest.pk})
    rows = []
    if latest is not None:
        # Counsel's override in force of each holding; earlier ones stay on record.
        overrides = {override.item: override for override in latest.overrides.select_related("by").in_force()}
        for index, item in enumerate(latest.result.get("items", [])):
            bound = override_form is not None and override_form.data.get("item") == str(index)
            row_form: OverrideForm | None = None
            if may_change:
                if bound and override_form is not None:
                    row_form = override_form
                else:
                    row_form = OverrideForm(initial={"item": index}, analysis=latest)
                # One form per holding on the page: ids of its own, so each label names its own control.
                row_form.auto_id = f"id_holding-{index}-%s"
            rows.append(
                {
                    "index": index,
                    "item": item,
                    "override": overrides.get(index),
                    "form": row_form,
                    "open": bound,
                }
            )
    return {
        "case": case,
        "latest": latest,
        "sign_off": case_sign_off,
        "rows": rows,
        "earlier": analyses[1:],
        "can_review": can_review,
        "sign_off_form": form,
        **(answer_extras(latest.result, latest.as_of) if latest is not None else {}),
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
        account.holding_rows = holdings.get(account.pk, [])  # type: ignore[attr-defined]  # for the template
    events = list(case.events.select_related("by", "court").order_by("occurred_on", "recorded_at", "pk"))
    deadlines = list(case.deadlines.select_related("created_by").order_by("due_at", "pk"))
    shown_deadlines, earlier_deadlines = fold_earlier_versions(deadlines)
    ndos = list(NondisclosureOrder.objects.filter(demand=demand).order_by("starts_on", "pk"))
    context = _analysis_context(request, case, override_form=override_form)
    context.update(
        {
            "demand": demand,
            "accounts": accounts,
            "events": events,
            "deadlines": shown_deadlines,
            "earlier_deadlines": earlier_deadlines,
            "ndos": ndos,
            "history": _audit_history(case),
            "now": timezone.now(),
            "emergency_due": _emergency_due(case, deadlines),
        }
    )
    bound = bound or {}
    context["assign_form"] = _assign_form(case, can_review=context["can_review"], bound=bound.pop("assign", None))
    context.update(documents_context(request, case, bound=bound))  # pops its forms from `bound`
    tracks_bound = {key: form for key, form in bound.items() if not key.startswith("deadline")}
    deadlines_bound = {key: form for key, form in bound.items() if key.startswith("deadline")}
    context.update(_workflow_context(case, can_review=context["can_review"], bound=tracks_bound, events=events))
    context.update(_deadline_context(case, deadlines, can_review=context["can_review"], bound=deadlines_bound))
    context.update(orders_context(case, ndos, can_review=context["can_review"]))
    context.update(productions_context(request, case, context))
    context.update(request_kind_context(case, context))
    return context


FOLDED = (Deadline.State.SUPERSEDED, Deadline.State.CANCELLED)


def fold_earlier_versions(deadlines: list[Deadline]) -> tuple[list[Deadline], list[Deadline]]:
    """The deadlines the table shows (open and met, in the order given: by due time) and
    those folded away at its end; superseded and cancelled ones are folded under the
    deadline that replaced them (`earlier`, set on each shown deadline), found through
    `previous` (a moved deadline) or, for a computed deadline a re-analysis replaced, the
    shown computed deadline of the same kind. No query."""
    shown = [d for d in deadlines if d.state not in FOLDED]
    for deadline in deadlines:
        deadline.earlier = []  # type: ignore[attr-defined]  # for the template
    replaced_by = {d.previous_id: d for d in deadlines if d.previous_id is not None}
    computed = {d.kind: d for d in shown if d.source == Deadline.Source.COMPUTED}
    left = []
    for deadline in deadlines:
        if deadline.state not in FOLDED:
            continue
        head, seen = deadline, {deadline.pk}
        while head.pk in replaced_by and replaced_by[head.pk].pk not in seen:
            head = replaced_by[head.pk]
            seen.add(head.pk)
        if head.state in FOLDED and deadline.source == Deadline.Source.COMPUTED:
            head = computed.get(deadline.kind, head)
        if head.state in FOLDED:
            left.append(deadline)
        else:
            head.earlier.append(deadline)  # type: ignore[attr-defined]
    return shown, left


def _assign_form(case: Case, *, can_review: bool, bound: AssignForm | None) -> AssignForm | None:
    """Counsel's form to assign the case (a refused one shown again with its errors);
    none for other roles or on a closed case."""
    if not can_review or case.is_closed:
        return None
    return bound or AssignForm(prefix="assign", initial={"version": case.version, "counsel": case.counsel_id})


def _emergency_due(case: Case, deadlines: list[Deadline]) -> Deadline | None:
    """The response deadline an emergency case counts down to: open, on an open case
    (from the deadlines already read: no query)."""
    if not case.demand.emergency or case.is_closed:
        return None
    return next(
        (d for d in deadlines if d.kind == Deadline.Kind.RESPONSE and d.state == Deadline.State.OPEN),
        None,
    )


def _tracks(case: Case) -> list[dict]:
    details = []
    if case.contempt_kind:
        details.append(case.get_contempt_kind_display())
    if case.contempt_by_stipulation:
        details.append("by stipulation")
    held = case.contempt_kind or case.contempt_sanctions_amount is not None
    if case.contempt_status != ContemptStatus.NONE and held:
        words = case.sanctions_in_words  # "USD 5,000.00 per day", "no sanctions"
        details.append(words if words == "no sanctions" else f"sanctions {words}")
    if case.contempt_stayed:
        details.append("stayed")
    return [
        {
            "name": TrackName.STATUS,
            "label": TrackName.STATUS.label,
            "state": case.status,
            "display": case.get_status_display(),
            "detail": case.get_outcome_display() if case.outcome else "",
        },
        {
            "name": TrackName.APPEAL,
            "label": TrackName.APPEAL.label,
            "state": case.appeal_status,
            "display": case.get_appeal_status_display(),
            "detail": case.get_appeal_disposition_display() if case.appeal_disposition else "",
        },
        {
            "name": TrackName.CONTEMPT,
            "label": TrackName.CONTEMPT.label,
            "state": case.contempt_status,
            "display": case.get_contempt_status_display(),
            "detail": ", ".join(details),
        },
    ]


# The sources of the audit history the page shows, and what it calls them.
HISTORY_LABELS = {"demand": "Demand", "account": "Account", "holding": "Holding", "case": "Case"}


def _audit_history(case: Case) -> list[dict]:
    """Who changed what and when, across the demand, its accounts and holdings, and the
    case, newest first: the diff of `cases.history`, as the export has it. (The
    nondisclosure orders' history is in the export only: here it would be a query more.)
    """
    history = audit_history(case, sources=tuple(HISTORY_LABELS))
    # The rows the records pointed at then, by name: a query per table named.
    names = Names(history, shown={"holding": ("data_location",)})
    entries = [
        {
            "when": entry.at,
            "who": entry.by,
            "what": f"{HISTORY_LABELS[entry.source]} {_history_row(entry.source, entry.record, names)}",
            "action": entry.action,
            "changes": [
                f"{c.field.verbose_name}: {names.of(c.field, c.old)} → {names.of(c.field, c.new)}"
                for c in entry.changes
            ],
        }
        for entry in history
    ]
    entries.sort(key=lambda e: e["when"], reverse=True)
    return entries


def _history_row(source: str, record, names: Names) -> str:
    """The row a history record is of, with the values it had then (a holding where
    it was stored then, not where it is now)."""
    if source == "demand":
        return record.reference
    if source == "account":
        return record.identifier
    if source == "holding":
        return f"{record.category} @ {names.at(record, 'data_location') or 'unknown'}"
    return str(record.id)  # "Case 3"
