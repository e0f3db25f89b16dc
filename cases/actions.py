"""Every change to a case's file: one keyword-only function per domain verb.

The UI, the API, the admin and the Celery tasks call these and nothing else writes
the track fields. Each one is atomic and, in that one transaction:

1. locks the case row (`select_for_update`) and compares its `version` with the
   caller's `expected_version` (None, for tasks, skips the comparison but still
   waits for the lock), raising `StaleCase` when someone else changed it first;
2. checks the change against the transition tables in `cases/workflow.py`, raising
   `ValidationError` keyed by the offending field and naming what is allowed;
3. applies it, bumps the version, and writes exactly one CaseEvent.

A refused change raises before anything is written, so nothing is half done.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from cases import deadlines, roles, workflow
from cases.models import (
    AppealDisposition,
    AppealStatus,
    Case,
    CaseEvent,
    CaseTask,
    ContemptStatus,
    Deadline,
    Notification,
    Outcome,
    ReminderKind,
    Status,
)
from jurisdictions.models import Court, Jurisdiction
from requests_app.models import NondisclosureOrder

MANUAL_DEADLINE_KINDS = (Deadline.Kind.OBJECTION, Deadline.Kind.APPEAL_NOTICE, Deadline.Kind.CUSTOM)
CONTEMPT_KINDS = ("civil", "criminal")
# People enter dates in their own zone; the server's "today" is UTC. One day of grace
# keeps "it happened today" valid everywhere without letting real future dates in.
FUTURE_GRACE = dt.timedelta(days=1)


class Conflict(Exception):
    """The change collides with another one; the API answers 409 Conflict."""


class StaleCase(Conflict):
    def __init__(self, *, case_id: int, expected: int, current: int):
        self.case_id, self.expected, self.current = case_id, expected, current
        super().__init__(
            f"Case {case_id} was changed by someone else meanwhile (it is at version {current}, "
            f"you had version {expected}): reload it and try again."
        )


# --- Shared steps -------------------------------------------------------------------


def _one_of(choices) -> str:
    return ", ".join(choices.values)


def _lock(case: Case | int, expected_version: int | None) -> Case:
    locked = Case.objects.select_for_update().get(pk=getattr(case, "pk", case))
    if expected_version is not None and locked.version != expected_version:
        raise StaleCase(case_id=locked.pk, expected=expected_version, current=locked.version)
    return locked


def _refuse_if_closed(locked: Case, field: str, what: str) -> None:
    """A closed case is final: its tracks, analysis and deadlines no longer change
    (events and notes may still be recorded, and open deadlines met or cancelled)."""
    if locked.status == Status.CLOSED:
        outcome = locked.get_outcome_display().lower() or "no outcome"
        raise ValidationError({field: f"The case is closed ({outcome}): {what} no longer changes."})


def _save(case: Case | None, locked: Case, fields: list[str], by) -> None:
    """Bump the version, save the locked row, and bring the caller's copy up to date."""
    locked.version += 1
    locked._history_user = by  # the audit history records who, also outside a request
    written = [*fields, "version", "updated_at"]
    locked.save(update_fields=written)
    if isinstance(case, Case) and case is not locked:
        for name in written:
            setattr(case, name, getattr(locked, name))


# Events that may predate the demand: the law it is read under, letters before it.
MAY_PREDATE_DEMAND = frozenset({"legislation_enacted", "correspondence", "note"})


def _event(locked: Case, *, kind: str, occurred_on: dt.date, by, where: dict, **fields) -> CaseEvent:
    if kind not in MAY_PREDATE_DEMAND:
        _check_not_before_demand(locked, occurred_on)
    return CaseEvent.objects.create(case=locked, kind=kind, occurred_on=occurred_on, by=by, **where, **fields)


def _check_not_before_demand(locked: Case, occurred_on: dt.date) -> None:
    """A step of the case cannot happen before its demand was served (or received)."""
    from requests_app.models import Demand

    served, received = Demand.objects.filter(pk=locked.demand_id).values_list("served_at", "received_at").get()
    start = served or received
    if start is not None and occurred_on < timezone.localdate(start):
        raise ValidationError(
            {
                "occurred_on": f"{occurred_on.isoformat()} is before the demand was served "
                f"({timezone.localdate(start).isoformat()}): a step of this case cannot predate it."
            }
        )


def _check_date(value, name: str = "occurred_on") -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationError({name: f"{name} must be a date (when it happened in the world); got {value!r}."})
    if value > timezone.localdate() + FUTURE_GRACE:
        raise ValidationError({name: f"{value.isoformat()} is in the future: record events once they happen."})
    return value


def _where(court: Court | None, court_name: str, citation: str, note: str, document) -> dict:
    if court is not None and not isinstance(court, Court):
        raise ValidationError({"court": "court must be a Court from the catalogue; use court_name for any other."})
    if court is not None and court_name:
        raise ValidationError({"court_name": "Give a catalogue court or a court name, not both."})
    return {
        "court": court,
        "court_name": court_name or "",
        "citation": citation or "",
        "note": note or "",
        "document": document or "",
    }


def _check_order(locked: Case, track: workflow.Track, occurred_on: dt.date) -> None:
    """A track's steps happen in order: a step cannot be dated before the previous one."""
    last = locked.events.filter(track=track.name).aggregate(last=Max("occurred_on"))["last"]
    if last is not None and occurred_on < last:
        raise ValidationError(
            {"occurred_on": f"{occurred_on.isoformat()} is before the last {track.name} change ({last.isoformat()})."}
        )


# --- Status -------------------------------------------------------------------------


@transaction.atomic
def change_status(
    *,
    case: Case,
    to: str,
    occurred_on: dt.date,
    by,
    expected_version: int | None,
    outcome: str | None = None,
    court: Court | None = None,
    court_name: str = "",
    citation: str = "",
    note: str = "",
    document=None,
) -> CaseEvent:
    """Move the case along its status track; closing it needs an outcome."""
    occurred_on = _check_date(occurred_on)
    where = _where(court, court_name, citation, note, document)
    locked = _lock(case, expected_version)
    current = locked.status
    workflow.STATUS.check(current, to)
    if to == Status.CLOSED:
        if outcome not in Outcome.values:
            raise ValidationError(
                {"outcome": f"Closing a case needs an outcome, one of: {', '.join(Outcome.values)}; got {outcome!r}."}
            )
    elif outcome:
        raise ValidationError({"outcome": "Only closing a case takes an outcome."})
    _check_order(locked, workflow.STATUS, occurred_on)
    locked.status, locked.outcome = to, outcome or ""
    _save(case, locked, ["status", "outcome"], by)
    data = {"outcome": outcome} if outcome else {}
    return _event(
        locked,
        kind="status_changed",
        occurred_on=occurred_on,
        by=by,
        where=where,
        track="status",
        from_state=current,
        to_state=to,
        data=data,
    )


# --- Appeal -------------------------------------------------------------------------


@transaction.atomic
def advance_appeal(
    *,
    case: Case,
    to: str,
    occurred_on: dt.date,
    by,
    expected_version: int | None,
    disposition: str | None = None,
    court: Court | None = None,
    court_name: str = "",
    citation: str = "",
    note: str = "",
    document=None,
) -> CaseEvent:
    """One step of the appeal track, in the court where it happened.

    A decision needs its disposition, except a denied rehearing petition, which
    returns the track to `decided` with the earlier decision standing.
    """
    occurred_on = _check_date(occurred_on)
    where = _where(court, court_name, citation, note, document)
    if where["court"] is None and not where["court_name"]:
        raise ValidationError({"court": "An appeal step names its court (a catalogue court or court_name)."})
    locked = _lock(case, expected_version)
    _refuse_if_closed(locked, "appeal_status", "its appeal track")
    current = locked.appeal_status
    workflow.APPEAL.check(current, to)
    fields = ["appeal_status"]
    if to == AppealStatus.DECIDED and disposition:
        if disposition not in AppealDisposition.values:
            raise ValidationError(
                {"disposition": f"'{disposition}' is not a disposition; use one of: {_one_of(AppealDisposition)}."}
            )
        locked.appeal_disposition = disposition
        fields.append("appeal_disposition")
    elif to == AppealStatus.DECIDED and current != AppealStatus.REHEARING_PETITION:
        raise ValidationError(
            {"disposition": f"A decision needs a disposition, one of: {', '.join(AppealDisposition.values)}."}
        )
    elif disposition:
        raise ValidationError({"disposition": "Only a decision takes a disposition."})
    _check_order(locked, workflow.APPEAL, occurred_on)
    locked.appeal_status = to
    _save(case, locked, fields, by)
    data = {"disposition": locked.appeal_disposition} if to == AppealStatus.DECIDED else {}
    if to == AppealStatus.DECIDED and not disposition:
        data["rehearing_denied"] = True
    return _event(
        locked,
        kind="appeal_changed",
        occurred_on=occurred_on,
        by=by,
        where=where,
        track="appeal",
        from_state=current,
        to_state=to,
        data=data,
    )


def file_appeal(
    *,
    case: Case,
    filed_on: dt.date,
    by,
    expected_version: int | None,
    court: Court | None = None,
    court_name: str = "",
    citation: str = "",
    note: str = "",
    document=None,
) -> CaseEvent:
    """A notice of appeal: the first appeal, or a further one after a decision."""
    return advance_appeal(
        case=case,
        to=AppealStatus.NOTICE_FILED,
        occurred_on=filed_on,
        by=by,
        expected_version=expected_version,
        court=court,
        court_name=court_name,
        citation=citation,
        note=note,
        document=document,
    )


# --- Contempt -----------------------------------------------------------------------


def _sanctions(amount) -> Decimal | None:
    if amount is None or amount == "":
        return None
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise ValidationError({"sanctions_amount": f"'{amount}' is not an amount."}) from None
    if value < 0 or not value.is_finite():
        raise ValidationError({"sanctions_amount": "Sanctions cannot be negative."})
    return value


@transaction.atomic
def change_contempt(
    *,
    case: Case,
    to: str,
    occurred_on: dt.date,
    by,
    expected_version: int | None,
    kind: str = "",
    by_stipulation: bool = False,
    sanctions_amount=None,
    sanctions_period: str = "",
    stayed: bool = False,
    court: Court | None = None,
    court_name: str = "",
    citation: str = "",
    note: str = "",
    document=None,
) -> CaseEvent:
    """One step of the contempt track. Holding in contempt says how: civil or
    criminal, by stipulation or not, sanctions (amount and period) and whether stayed."""
    occurred_on = _check_date(occurred_on)
    where = _where(court, court_name, citation, note, document)
    locked = _lock(case, expected_version)
    _refuse_if_closed(locked, "contempt_status", "its contempt track")
    current = locked.contempt_status
    workflow.CONTEMPT.check(current, to)
    details = {
        "contempt_kind": kind or "",
        "contempt_by_stipulation": bool(by_stipulation),
        "contempt_sanctions_amount": _sanctions(sanctions_amount),
        "contempt_sanctions_period": sanctions_period or "",
        "contempt_stayed": bool(stayed),
    }
    data: dict = {}
    if to == ContemptStatus.HELD:
        if kind not in CONTEMPT_KINDS:
            raise ValidationError({"kind": f"Contempt is civil or criminal; got {kind!r}."})
        data = {
            "kind": kind,
            "by_stipulation": bool(by_stipulation),
            "sanctions_amount": str(details["contempt_sanctions_amount"])
            if sanctions_amount not in (None, "")
            else None,
            "sanctions_period": sanctions_period or "",
            "stayed": bool(stayed),
        }
    elif any([kind, by_stipulation, sanctions_amount not in (None, ""), sanctions_period, stayed]):
        raise ValidationError({"kind": "Only holding in contempt takes its kind, stipulation, sanctions and stay."})
    elif to in (ContemptStatus.NONE, ContemptStatus.MOTION_PENDING):
        pass  # a new motion (or none): the details of an earlier finding no longer apply
    else:
        # Purged or vacated: the finding's details stay on record; nothing is left to stay.
        details = {"contempt_stayed": False}
    _check_order(locked, workflow.CONTEMPT, occurred_on)
    locked.contempt_status = to
    for name, value in details.items():
        setattr(locked, name, value)
    _save(case, locked, ["contempt_status", *details], by)
    return _event(
        locked,
        kind="contempt_changed",
        occurred_on=occurred_on,
        by=by,
        where=where,
        track="contempt",
        from_state=current,
        to_state=to,
        data=data,
    )


def move_for_contempt(*, case: Case, filed_on: dt.date, by, expected_version: int | None, **where) -> CaseEvent:
    """A motion to hold the provider in contempt is pending."""
    return change_contempt(
        case=case,
        to=ContemptStatus.MOTION_PENDING,
        occurred_on=filed_on,
        by=by,
        expected_version=expected_version,
        **where,
    )


def deny_contempt_motion(*, case: Case, denied_on: dt.date, by, expected_version: int | None, **where) -> CaseEvent:
    return change_contempt(
        case=case, to=ContemptStatus.NONE, occurred_on=denied_on, by=by, expected_version=expected_version, **where
    )


def hold_in_contempt(
    *,
    case: Case,
    held_on: dt.date,
    by,
    expected_version: int | None,
    kind: str,
    by_stipulation: bool,
    sanctions_amount=None,
    sanctions_period: str = "",
    stayed: bool = False,
    **where,
) -> CaseEvent:
    return change_contempt(
        case=case,
        to=ContemptStatus.HELD,
        occurred_on=held_on,
        by=by,
        expected_version=expected_version,
        kind=kind,
        by_stipulation=by_stipulation,
        sanctions_amount=sanctions_amount,
        sanctions_period=sanctions_period,
        stayed=stayed,
        **where,
    )


def purge_contempt(*, case: Case, purged_on: dt.date, by, expected_version: int | None, **where) -> CaseEvent:
    return change_contempt(
        case=case, to=ContemptStatus.PURGED, occurred_on=purged_on, by=by, expected_version=expected_version, **where
    )


def vacate_contempt(*, case: Case, vacated_on: dt.date, by, expected_version: int | None, **where) -> CaseEvent:
    return change_contempt(
        case=case,
        to=ContemptStatus.VACATED,
        occurred_on=vacated_on,
        by=by,
        expected_version=expected_version,
        **where,
    )


@transaction.atomic
def _set_contempt_stay(
    *,
    case: Case,
    stayed: bool,
    occurred_on: dt.date,
    by,
    expected_version: int | None,
    court: Court | None = None,
    court_name: str = "",
    citation: str = "",
    note: str = "",
    document=None,
) -> CaseEvent:
    occurred_on = _check_date(occurred_on)
    where = _where(court, court_name, citation, note, document)
    locked = _lock(case, expected_version)
    _refuse_if_closed(locked, "contempt_stayed", "its contempt track")
    if locked.contempt_status != ContemptStatus.HELD:
        raise ValidationError(
            {"contempt_stayed": f"Only a contempt finding can be stayed; contempt is '{locked.contempt_status}'."}
        )
    if locked.contempt_stayed == stayed:
        raise ValidationError(
            {
                "contempt_stayed": "The contempt finding is already stayed."
                if stayed
                else "The contempt finding is not stayed."
            }
        )
    _check_order(locked, workflow.CONTEMPT, occurred_on)
    locked.contempt_stayed = stayed
    _save(case, locked, ["contempt_stayed"], by)
    return _event(
        locked,
        kind="contempt_stayed" if stayed else "contempt_stay_lifted",
        occurred_on=occurred_on,
        by=by,
        where=where,
        track="contempt",
        from_state=ContemptStatus.HELD,
        to_state=ContemptStatus.HELD,
        data={"stayed": stayed},
    )


def stay_contempt(*, case: Case, stayed_on: dt.date, by, expected_version: int | None, **where) -> CaseEvent:
    """The contempt finding (and its sanctions) is stayed, e.g. pending appeal."""
    return _set_contempt_stay(
        case=case, stayed=True, occurred_on=stayed_on, by=by, expected_version=expected_version, **where
    )


def lift_contempt_stay(*, case: Case, lifted_on: dt.date, by, expected_version: int | None, **where) -> CaseEvent:
    return _set_contempt_stay(
        case=case, stayed=False, occurred_on=lifted_on, by=by, expected_version=expected_version, **where
    )


# --- Counsel review -----------------------------------------------------------------


@transaction.atomic
def sign_off_analysis(*, case: Case, analysis_id: int, note: str, by, expected_version: int | None = None) -> CaseEvent:
    """Counsel signs off the latest analysis. Signing off an older one is refused: a
    newer answer exists and must be reviewed first."""
    from cases.models import Analysis

    locked = _lock(case, expected_version)
    _refuse_if_closed(locked, "analysis", "its analysis")
    latest = Analysis.objects.select_for_update().filter(case=locked).order_by("-created_at", "-pk").first()
    if latest is None or latest.pk != analysis_id:
        raise ValidationError({"analysis": "A newer analysis exists: review it before signing off."})
    if latest.signed_off_at is not None:
        raise ValidationError({"analysis": "This analysis is already signed off."})
    latest.signed_off_by = by
    latest.signed_off_at = timezone.now()
    latest.sign_off_note = note
    latest.save(update_fields=["signed_off_by", "signed_off_at", "sign_off_note"])
    _save(case, locked, [], by)
    return _event(
        locked,
        kind="analysis_signed_off",
        occurred_on=timezone.localdate(),
        by=by,
        where=_where(None, "", "", note, None),
        data={"analysis": latest.pk},
    )


@transaction.atomic
def override_holding(
    *, analysis, item: int, reach: str, route: str, reason: str, by, expected_version: int | None = None
):
    """Counsel's own answer for one holding of an analysis, with a required reason,
    and its timeline entry. The engine's answer stays on record beside it."""
    from cases.models import HoldingOverride

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for overriding the engine's answer."})
    items = analysis.result.get("items", [])
    if not isinstance(item, int) or not 0 <= item < len(items):
        raise ValidationError({"item": "No such holding in this analysis."})
    locked = _lock(analysis.case_id, expected_version)
    _refuse_if_closed(locked, "reach", "its analysis")
    row = items[item]
    override = HoldingOverride(
        analysis=analysis,
        item=item,
        account=row["account"],
        category=row["category"],
        storage=row.get("storage") or "",
        reach=reach,
        route=route,
        reason=reason,
        by=by,
    )
    override.full_clean(exclude=["analysis", "by"])
    override.save()
    from cases.analysis import resummarise  # analysis imports the models these actions use

    resummarise(analysis)  # the status endpoint reports counsel's answer, not the engine's
    _save(None, locked, [], by)
    _event(
        locked,
        kind="holding_overridden",
        occurred_on=timezone.localdate(),
        by=by,
        where=_where(None, "", "", reason, None),
        data={
            "analysis": analysis.pk,
            "item": item,
            "holding": f"{row['account']} {row['category']} stored in {row.get('storage') or 'unknown'}",
            "engine": {"reach": row["reach"], "route": row["route"]},
            "override": {"reach": reach, "route": route},
        },
    )
    return override


# --- Court events -------------------------------------------------------------------


@transaction.atomic
def record_event(
    *,
    case: Case,
    kind: str,
    occurred_on: dt.date,
    by,
    expected_version: int | None,
    court: Court | None = None,
    court_name: str = "",
    citation: str = "",
    note: str = "",
    document=None,
    data: dict | None = None,
) -> CaseEvent:
    """A court or world event that moves no track: a motion, a ruling, a stay of the
    case, a statute enacted."""
    if kind not in workflow.COURT_EVENTS:
        raise ValidationError(
            {"kind": f"'{kind}' is not an event kind; use one of: {', '.join(workflow.COURT_EVENTS)}."}
        )
    occurred_on = _check_date(occurred_on)
    where = _where(court, court_name, citation, note, document)
    locked = _lock(case, expected_version)
    _save(case, locked, [], by)
    return _event(locked, kind=kind, occurred_on=occurred_on, by=by, where=where, data=data or {})


# --- Deadlines ----------------------------------------------------------------------


def _calendar(case: Case, court: Court | None, jurisdiction: Jurisdiction | None) -> tuple[str, str | None]:
    """Time zone and holiday calendar: the court's, else the jurisdiction's, else the
    demand's court's, else the issuing jurisdiction's."""
    if court is not None:
        return court.time_zone, court.jurisdiction.holidays_country or None
    if jurisdiction is not None:
        return jurisdiction.time_zone, jurisdiction.holidays_country or None
    demand = case.demand
    if demand.court_id:
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
        return due_at, {"rule": "given", "due": due_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
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
    return {"deadline": deadline.pk, "kind": deadline.kind, "due": deadline.due_at.isoformat()}


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


# --- Nondisclosure orders and tasks ------------------------------------------------------


def _case_of(order: NondisclosureOrder) -> Case:
    case = Case.objects.filter(demand_id=order.demand_id).first()
    if case is None:
        raise ValidationError({"demand": f"The demand of {order} has no case yet."})
    return case


@transaction.atomic
def extend_nondisclosure_order(
    *,
    order: NondisclosureOrder,
    expires_on: dt.date,
    occurred_on: dt.date,
    by,
    expected_version: int | None,
    court: Court | None = None,
    court_name: str = "",
    citation: str = "",
    note: str = "",
    document=None,
) -> CaseEvent:
    """A court extends a nondisclosure order; the earlier expiry joins `extensions`."""
    occurred_on = _check_date(occurred_on)
    where = _where(court, court_name, citation, note, document)
    if isinstance(expires_on, dt.datetime) or not isinstance(expires_on, dt.date):
        raise ValidationError({"expires_on": "expires_on must be a date."})
    locked_case = _lock(_case_of(order), expected_version)
    locked = NondisclosureOrder.objects.select_for_update().get(pk=order.pk)
    if locked.expires_on is None:
        raise ValidationError({"expires_on": "The order has no end date; there is nothing to extend."})
    if expires_on <= locked.expires_on:
        raise ValidationError(
            {"expires_on": f"An extension ends after the current expiry ({locked.expires_on.isoformat()})."}
        )
    previous = locked.expires_on
    locked.extensions = [*locked.extensions, previous.isoformat()]
    locked.expires_on = expires_on
    locked._history_user = by
    locked.save(update_fields=["extensions", "expires_on"])
    order.extensions, order.expires_on = locked.extensions, locked.expires_on
    _save(None, locked_case, [], by)
    return _event(
        locked_case,
        kind="ndo_extended",
        occurred_on=occurred_on,
        by=by,
        where=where,
        data={"order": locked.pk, "basis": locked.basis, "from": previous.isoformat(), "to": expires_on.isoformat()},
    )


@transaction.atomic
def open_customer_notice_task(
    *, order: NondisclosureOrder, by=None, expected_version: int | None = None
) -> CaseTask | None:
    """Once a nondisclosure order has expired, counsel must tell the customer: one task
    per expiry. Returns None when the task for this expiry already exists."""
    locked_case = _lock(_case_of(order), expected_version)
    locked = NondisclosureOrder.objects.get(pk=order.pk)
    today = timezone.localdate()
    if locked.expires_on is None or locked.expires_on > today:
        raise ValidationError({"expires_on": f"{locked} has not expired."})
    if CaseTask.objects.filter(
        kind=CaseTask.Kind.CUSTOMER_NOTICE, nondisclosure_order=locked, ndo_expired_on=locked.expires_on
    ).exists():
        return None
    task = CaseTask.objects.create(
        case=locked_case,
        kind=CaseTask.Kind.CUSTOMER_NOTICE,
        due_on=locked.expires_on,
        nondisclosure_order=locked,
        ndo_expired_on=locked.expires_on,
        note=f"{locked.basis} expired on {locked.expires_on.isoformat()}: notify the customer unless it is extended.",
    )
    _save(None, locked_case, [], by)
    _event(
        locked_case,
        kind="ndo_expired",
        occurred_on=locked.expires_on,
        by=by,
        where=_where(None, "", "", task.note, None),
        data={"order": locked.pk, "task": task.pk},
    )
    return task


@transaction.atomic
def complete_case_task(
    *, task: CaseTask, by, expected_version: int | None, occurred_on: dt.date | None = None, note: str = ""
) -> CaseTask:
    occurred_on = _check_date(occurred_on or timezone.localdate())
    locked_case = _lock(task.case_id, expected_version)
    locked = CaseTask.objects.select_for_update().get(pk=task.pk)
    if locked.done_at is not None:
        raise ValidationError({"done_at": "The task is already done."})
    locked.done_at, locked.done_by = timezone.now(), by
    locked.save(update_fields=["done_at", "done_by"])
    task.done_at, task.done_by = locked.done_at, locked.done_by
    _save(None, locked_case, [], by)
    _event(
        locked_case,
        kind=f"{locked.kind}_done",
        occurred_on=occurred_on,
        by=by,
        where=_where(None, "", "", note, None),
        data={"task": locked.pk},
    )
    return locked


# --- Reminders ------------------------------------------------------------------------


def _recipients(case: Case) -> list:
    """The case's counsel; with none assigned, every active member of counsel."""
    if case.counsel_id and case.counsel.is_active:
        return [case.counsel]
    return list(get_user_model().objects.filter(is_active=True, groups__name=roles.COUNSEL).order_by("pk"))


def remind_of_deadline(*, deadline: Deadline, kind: str) -> list[Notification]:
    """Create the in-app reminders of one kind for one deadline, once per person.

    Not a change to the case's file, so it writes no event and leaves the version.
    Each row is inserted in its own savepoint: the unique constraint on (deadline,
    kind, user) turns a second or concurrent run into a no-op. The e-mail is sent
    afterwards from the stored row (`cases.tasks.send_deadline_reminders`).
    """
    if kind not in ReminderKind.values:
        raise ValidationError({"kind": f"'{kind}' is not a reminder kind."})
    case = deadline.case
    what = deadline.label or deadline.get_kind_display()
    when = deadline.due_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    headline = {
        ReminderKind.DUE_IN_72H: f"{what} due within 72 hours ({when})",
        ReminderKind.DUE_IN_24H: f"{what} due within 24 hours ({when})",
        ReminderKind.OVERDUE: f"{what} is overdue (was due {when})",
    }[ReminderKind(kind)]
    message = f"{headline}: {case.demand.reference}\n\nCase {case.pk}, {case.demand.reference}: {what}, due {when}."
    created = []
    for user in _recipients(case):
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        user=user, case=case, deadline=deadline, kind=kind, message=message, email_to=user.email or ""
                    )
                )
        except IntegrityError:
            continue  # already reminded by an earlier or concurrent run
    return created
