"""Court events and notes recorded on a case's timeline."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from cases import workflow
from cases.actions.common import (
    _check_date,
    _event,
    _lock,
    _save,
    _where,
)
from cases.models import (
    Case,
    CaseEvent,
)
from jurisdictions.models import Court

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
    motion_type: str = "",
) -> CaseEvent:
    """A court or world event that moves no track: a motion, a ruling, a stay of the
    case, a statute enacted. A motion says what it asks (`workflow.MOTION_TYPES`),
    kept in the event's data as `motion_type`."""
    if kind not in workflow.COURT_EVENTS:
        raise ValidationError(
            {"kind": f"'{kind}' is not an event kind; use one of: {', '.join(workflow.COURT_EVENTS)}."}
        )
    if motion_type:
        if motion_type not in workflow.MOTION_TYPES:
            known = ", ".join(workflow.MOTION_TYPES)
            raise ValidationError({"motion_type": f"'{motion_type}' is not a motion type; use one of: {known}."})
        if kind not in workflow.MOTION_EVENTS:
            raise ValidationError({"motion_type": f"Only a motion has a motion type, not a '{kind}' event."})
        data = {**(data or {}), "motion_type": motion_type}
    occurred_on = _check_date(occurred_on)
    where = _where(court, court_name, citation, note, document)
    locked = _lock(case, expected_version)
    _save(case, locked, [], by)
    return _event(locked, kind=kind, occurred_on=occurred_on, by=by, where=where, data=data or {})
