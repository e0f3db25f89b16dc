"""A case's deadlines: added by rule, period or due time; moved, met or cancelled."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases import deadlines
from cases.actions.common import (
    MANUAL_DEADLINE_KINDS,
    _check_date,
    _event,
    _lock,
    _refuse_if_closed,
    _save,
    _where,
)
from cases.models import (
    Case,
    Deadline,
)
from jurisdictions.models import Court, Jurisdiction

# --- Deadlines ----------------------------------------------------------------------


def _calendar(case: Case, court: Court | None, jurisdiction: Jurisdiction | None) -> tuple[str, str | None]:
    """Time zone and holiday calendar: the court's, else the jurisdiction's, else the
    demand's court's, else the issuing jurisdiction's."""
    if court is not None:
        return court.time_zone, court.jurisdiction.holidays_country or None
    if jurisdiction is not None:
        return jurisdiction.time_zone, jurisdiction.holidays_country or None
    demand = case.demand
    if demand.court is not None:  # no query when the demand names no court
        return demand.court.time_zone, demand.court.jurisdiction.holidays_country or None
    return demand.issuing_jurisdiction.time_zone, demand.issuing_jurisdiction.holidays_country or None


def _compute(
    *, case: Case, kind: str, start, rule: str | None, length, unit, due_at, court, jurisdiction, roll_over: bool
) -> tuple[dt.datetime, dict]:
    if due_at is not None:
        if any(v is not None for v in (rule, length, unit)):
            raise ValidationError(
                {"due_at": "Give either a due time or a period (rule, or length and unit), not both."}
            )
        if not isinstance(due_at, dt.datetime) or timezone.is_naive(due_at):
            raise ValidationError({"due_at": "due_at must be an aware datetime."})
        given = {"rule": "given", "due": due_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        zone_name = getattr(due_at.tzinfo, "key", None)  # the zone it was entered in (a form's ZoneInfo)
        if zone_name:
            given["time_zone"] = zone_name
        return due_at, given
    rule = rule or (deadlines.DEFAULT_RULES.get(kind) if length is None and unit is None else None)
    citation = ""
    if rule:
        if rule not in deadlines.RULES:
            raise ValidationError({"rule": f"Unknown rule '{rule}'; use one of: {', '.join(deadlines.RULES)}."})
        if length is not None or unit is not None:
            raise ValidationError({"rule": "Give a rule or a length and unit, not both."})
        spec = deadlines.RULES[rule]
        length, unit, citation, roll_over = spec.length, spec.unit, spec.citation, spec.roll_over and roll_over
    elif length is None or unit is None:
        raise ValidationError({"length": "A deadline needs a due time, a rule, or a period (length and unit)."})
    time_zone, holidays_country = _calendar(case, court, jurisdiction)
    try:
        working = deadlines.count(
            start=start if start is not None else timezone.now(),
            length=length,
            unit=unit,
            time_zone=time_zone,
            holidays_country=holidays_country,
            roll_over=roll_over,
            rule=rule or "",
            citation=citation,
        )
    except ValueError as exc:
        raise ValidationError({"length": str(exc)}) from None
    return working.due, working.as_json()


def _deadline_where(deadline: Deadline) -> dict:
    where = {"deadline": deadline.pk, "kind": deadline.kind, "due": deadline.due_at.isoformat()}
    if deadline.label:  # the timeline names a custom deadline by it
        where["label"] = deadline.label
    return where


@transaction.atomic
def add_deadline(
    *,
    case: Case,
    kind: str,
    by,
    expected_version: int | None,
    label: str = "",
    start=None,
    rule: str | None = None,
    length: int | None = None,
    unit: str | None = None,
    due_at: dt.datetime | None = None,
    court: Court | None = None,
    jurisdiction: Jurisdiction | None = None,
    roll_over: bool = True,
    note: str = "",
) -> Deadline:
    """A manual deadline (objection, notice of appeal, custom), with how it was computed.

    Counted from `start` (default: now) by a named rule (`deadlines.RULES`), or by
    `length` `unit`s, in the calendar of `court`, `jurisdiction` or the demand's court.
    """
    if kind not in MANUAL_DEADLINE_KINDS:
        raise ValidationError(
            {
                "kind": f"Manual deadlines are of kind {', '.join(MANUAL_DEADLINE_KINDS)}; "
                f"'{kind}' deadlines are computed from the analysis."
            }
        )
    if kind == Deadline.Kind.CUSTOM and not label.strip():
        raise ValidationError({"label": "A custom deadline needs a label."})
    locked = _lock(case, expected_version)
    _refuse_if_closed(locked, "kind", "its deadlines")
    due, computation = _compute(
        case=locked,
        kind=kind,
        start=start,
        rule=rule,
        length=length,
        unit=unit,
        due_at=due_at,
        court=court,
        jurisdiction=jurisdiction,
        roll_over=roll_over,
    )
    if note:
        computation["note"] = note
    deadline = Deadline.objects.create(
        case=locked,
        kind=kind,
        label=label,
        due_at=due,
        source=Deadline.Source.MANUAL,
        computation=computation,
        created_by=by,
    )
    _save(case, locked, [], by)
    _event(
        locked,
        kind="deadline_added",
        occurred_on=timezone.localdate(),
        by=by,
        where=_where(None, "", "", note, None),
        data={**_deadline_where(deadline), "computation": computation},
    )
    return deadline


def _lock_deadline(deadline: Deadline, expected_version: int | None) -> tuple[Case, Deadline]:
    # Case first, then the deadline: every action locks in that order, so none deadlock.
    locked_case = _lock(deadline.case_id, expected_version)
    locked = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if locked.state != Deadline.State.OPEN:
        raise ValidationError({"state": f"The deadline is {locked.state}, not open."})
    return locked_case, locked


def _check_manual(deadline: Deadline, verb: str) -> None:
    if deadline.source != Deadline.Source.MANUAL:
        raise ValidationError(
            {
                "source": f"A computed deadline follows the analysis and cannot be {verb} by hand; "
                "correct the demand's facts, or add a manual deadline."
            }
        )


@transaction.atomic
def move_deadline(
    *,
    deadline: Deadline,
    by,
    expected_version: int | None,
    reason: str,
    occurred_on: dt.date | None = None,
    start=None,
    rule: str | None = None,
    length: int | None = None,
    unit: str | None = None,
    due_at: dt.datetime | None = None,
    court: Court | None = None,
    jurisdiction: Jurisdiction | None = None,
    roll_over: bool = True,
) -> Deadline:
    """Replace a manual deadline by a new one, saying why (e.g. a court's extension).

    The old row is kept, superseded, and linked from the new one (`previous`); the
    start defaults to the old computation's start.
    """
    if not reason.strip():
        raise ValidationError({"reason": "Say why the deadline moves."})
    occurred_on = _check_date(occurred_on or timezone.localdate())
    locked_case, old = _lock_deadline(deadline, expected_version)
    _refuse_if_closed(locked_case, "due_at", "its deadlines")
    _check_manual(old, "moved")
    if start is None and due_at is None and old.computation.get("start"):
        start = dt.datetime.fromisoformat(old.computation["start"])
    if rule is None and length is None and unit is None and due_at is None:
        raise ValidationError({"length": "Say where the deadline moves: a due time, a rule, or a length and unit."})
    due, computation = _compute(
        case=locked_case,
        kind=old.kind,
        start=start,
        rule=rule,
        length=length,
        unit=unit,
        due_at=due_at,
        court=court,
        jurisdiction=jurisdiction,
        roll_over=roll_over,
    )
    computation["moved_from"] = old.due_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    computation["reason"] = reason
    old.state, old.completed_on = Deadline.State.SUPERSEDED, occurred_on
    old.save(update_fields=["state", "completed_on"])
    new = Deadline.objects.create(
        case=locked_case,
        kind=old.kind,
        label=old.label,
        due_at=due,
        source=Deadline.Source.MANUAL,
        computation=computation,
        created_by=by,
        previous=old,
    )
    _save(None, locked_case, [], by)
    _event(
        locked_case,
        kind="deadline_moved",
        occurred_on=occurred_on,
        by=by,
        where=_where(None, "", "", reason, None),
        data={
            **_deadline_where(new),
            "previous": old.pk,
            "from": old.due_at.isoformat(),
            "reason": reason,
            "computation": computation,
        },
    )
    deadline.state, deadline.completed_on = old.state, old.completed_on
    return new


def _close_deadline(
    deadline: Deadline, *, state: str, kind: str, by, expected_version: int | None, occurred_on, note: str
) -> Deadline:
    """Mark a deadline met or cancelled and write its one event."""
    locked_case, locked = _lock_deadline(deadline, expected_version)
    if state == Deadline.State.CANCELLED:
        _check_manual(locked, "cancelled")
    locked.state, locked.completed_on = state, occurred_on
    locked.save(update_fields=["state", "completed_on"])
    _save(None, locked_case, [], by)
    _event(
        locked_case,
        kind=kind,
        occurred_on=occurred_on,
        by=by,
        where=_where(None, "", "", note, None),
        data=_deadline_where(locked),
    )
    deadline.state, deadline.completed_on = locked.state, locked.completed_on
    return locked


@transaction.atomic
def complete_deadline(
    *, deadline: Deadline, by, expected_version: int | None, occurred_on: dt.date | None = None, note: str = ""
) -> Deadline:
    """The deadline was met (the response produced, the objection filed)."""
    occurred_on = _check_date(occurred_on or timezone.localdate())
    return _close_deadline(
        deadline,
        state=Deadline.State.MET,
        kind="deadline_met",
        by=by,
        expected_version=expected_version,
        occurred_on=occurred_on,
        note=note,
    )


@transaction.atomic
def cancel_deadline(
    *, deadline: Deadline, by, expected_version: int | None, reason: str, occurred_on: dt.date | None = None
) -> Deadline:
    """A manual deadline that no longer applies (e.g. the demand was withdrawn)."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the deadline is cancelled."})
    occurred_on = _check_date(occurred_on or timezone.localdate())
    return _close_deadline(
        deadline,
        state=Deadline.State.CANCELLED,
        kind="deadline_cancelled",
        by=by,
        expected_version=expected_version,
        occurred_on=occurred_on,
        note=reason,
    )
