"""What every action shares: locking the case against stale writes, the checks of
dates and courts, saving with a new version, writing the one event."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Max, Model
from django.utils import timezone

from accounts.api import ConflictingChange
from cases import workflow
from cases.models import (
    Case,
    CaseEvent,
    Deadline,
)
from jurisdictions.models import Court
from requests_app.models import Demand

MANUAL_DEADLINE_KINDS = (Deadline.Kind.OBJECTION, Deadline.Kind.APPEAL_NOTICE, Deadline.Kind.CUSTOM)
# What `change_contempt` accepts (cases/actions/tracks.py): the values of ContemptKind.
# People enter dates in their own zone; the server's "today" is UTC. One day of grace
# keeps "it happened today" valid everywhere without letting real future dates in.
FUTURE_GRACE = dt.timedelta(days=1)


class StaleCase(ConflictingChange):
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
    if locked.is_closed:
        outcome = locked.get_outcome_display().lower() or "no outcome"
        raise ValidationError({field: f"The case is closed ({outcome}): {what} no longer changes."})


def _history_user(obj: Model, by) -> None:
    """Name who makes `obj`'s next save in its audit history, also outside a request."""
    obj._history_user = by  # type: ignore[attr-defined]  # django-simple-history's attribute; it has no stubs


def _save(case: Case | None, locked: Case, fields: list[str], by) -> None:
    """Bump the version, save the locked row, and bring the caller's copy up to date."""
    locked.version += 1
    _history_user(locked, by)
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
